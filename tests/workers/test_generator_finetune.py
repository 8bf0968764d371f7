"""A few-step DPO fine-tune with a LoRA adapter on CPU, with the embedded SmolLM2 generator."""

import pytest
import torch

from apps.core.models import Job
from apps.scoring import training
from apps.scoring.models import ModelRun
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def preference_data(segments):
    run = ModelRunFactory()
    for segment in segments:
        for index, (reward, text, decision) in enumerate(
            [
                (0.9, segment.simplified, "accepted"),
                (0.1, segment.original + " " + segment.original, "rejected"),
            ]
        ):
            CandidateFactory(
                run=run, segment=segment, index=index, text=text, reward=reward, decision=decision
            )


def _last_logits(model, tokenizer, text: str) -> torch.Tensor:
    ids = tokenizer(text, return_tensors="pt").to(model.device)
    with torch.inference_mode():
        return model(**ids).logits[0, -1].float().cpu()


def test_a_few_step_fine_tune_saves_an_adapter_that_loads_and_changes_generation(
    media, curator, preference_data
):
    from workers.ml import loader
    from workers.tasks.training import finetune_generator

    run = training.training_start(
        user=curator,
        target="generator",
        parameters={"steps": 3, "batch_size": 2, "max_length": 96, "learning_rate": 5e-3, "lora_r": 4},
    )
    finetune_generator.apply(args=[run.job_id])
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "succeeded", job.error
    assert run.status == ModelRun.Status.SUCCEEDED and run.kind == ModelRun.Kind.TRAIN
    summary = run.summary
    assert summary["steps"] == 3 and len(summary["losses"]) == 3 and summary["records"] >= 4
    assert set(summary["sources"]) == {"reward_rank", "curator_decision"}

    adapter = summary["model_path"]
    base = loader.load_causal_lm()
    tuned = loader.load_causal_lm(adapter)
    assert tuned.source.adapter is not None and tuned.source.revision.startswith(
        base.source.revision + "+lora-"
    )
    assert run.model_revision == tuned.source.revision

    prompt = base.tokenizer.apply_chat_template(
        [{"role": "user", "content": "Rewrite simply: Screening should begin at age 45."}],
        tokenize=False,
        add_generation_prompt=True,
    )
    before = _last_logits(base.model, base.tokenizer, prompt)
    after = _last_logits(tuned.model, tuned.tokenizer, prompt)
    assert (after - before).abs().max() > 1e-3  # the adapter changed the next-token distribution

    # A later generation run can name the adapter folder: same loader, same generation code.
    from workers.ml import generation

    settings = generation.GenerationSettings(max_new_tokens=4)
    [[sample]] = generation.generate_batch(tuned, [prompt], settings)
    assert sample.new_tokens > 0
