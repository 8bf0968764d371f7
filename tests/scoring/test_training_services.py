"""Starting SFT, RL and DPO runs: what each needs, every refusal clear and writing nothing, the registry."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import Job
from apps.scoring import generators, services, training
from apps.scoring.models import GeneratorVersion, ModelRun, RewardModel
from tests.scoring.factories import ModelRunFactory

pytestmark = pytest.mark.django_db


def _version(*, method="sft", run=None, **extra) -> GeneratorVersion:
    run = run or ModelRunFactory(kind="train", parameters={"target": method})
    return GeneratorVersion.objects.create(
        run=run,
        method=method,
        base_model="SmolLM2-135M-Instruct",
        base_revision="base-r1",
        model_name="SmolLM2-135M-Instruct+run-x",
        model_revision="base-r1+lora-abc",
        adapter_path=f"generators/run-{run.pk}-abc",
        adapter_sha256="0" * 64,
        **extra,
    )


def _refusal(**kwargs) -> dict:
    before = (ModelRun.objects.count(), Job.objects.count())
    with pytest.raises(ValidationError) as caught:
        training.training_start(**kwargs)
    assert (ModelRun.objects.count(), Job.objects.count()) == before  # nothing written
    return caught.value.message_dict


def test_sft_starts_a_train_run_with_its_job_and_recorded_settings(curator, training_corpus):
    run = training.training_start(user=curator, target="sft", parameters={"steps": 3, "lora_r": 4})
    assert run.kind == ModelRun.Kind.TRAIN and run.parameters["target"] == "sft"
    assert run.parameters["steps"] == 3 and run.parameters["learning_rate"] == 2e-4
    assert (run.prompt_template, run.prompt_version) == ("plain-language", 1)
    assert run.job.kind == "generator_sft" and run.job.status == "queued"
    assert run.model_name == "default generator + SFT LoRA"


def test_sft_with_too_few_approved_pairs_says_how_many_are_needed(curator, segments):
    errors = _refusal(user=curator, target="sft")
    assert "at least 4 approved train-split pairs" in errors["parameters"][0]
    assert "there are 0" in errors["parameters"][0]


def test_rl_needs_an_active_reward_model(curator, training_corpus):
    errors = _refusal(user=curator, target="rl")
    assert "active reward model" in errors["parameters"][0]


def test_rl_records_the_reward_model_active_when_it_started(curator, training_corpus):
    RewardModel.objects.create(version=3, is_active=True)
    run = training.training_start(user=curator, target="rl", parameters={"steps": 2, "num_generations": 2})
    assert run.parameters["reward_model_version"] == 3
    assert run.parameters["reward_weights"]["simplified"] == 0.6
    assert run.job.kind == "generator_rl"


def test_rl_with_too_few_originals_says_how_many_are_needed(curator, document):
    RewardModel.objects.create(version=1, is_active=True)
    document.segments.update(split="test")
    errors = _refusal(user=curator, target="rl")
    assert "at least 4 originals" in errors["parameters"][0]


def test_rl_and_dpo_can_start_from_a_registered_version(curator, training_corpus):
    RewardModel.objects.create(version=1, is_active=True)
    start = _version()
    run = training.training_start(user=curator, target="rl", parameters={"start_from": start.run_id})
    assert run.parameters["start_from"] == start.run_id
    assert training.start_version(run) == start
    assert "SmolLM2-135M-Instruct+run-x + RL" in run.model_name


def test_a_start_version_that_is_not_one_is_refused_by_name(curator, training_corpus):
    RewardModel.objects.create(version=1, is_active=True)
    pending = ModelRunFactory(kind="train", parameters={"target": "sft"})
    errors = _refusal(user=curator, target="rl", parameters={"start_from": pending.pk})
    assert "has not produced a generator version" in errors["start_from"][0]
    generate = ModelRunFactory()
    errors = _refusal(user=curator, target="rl", parameters={"start_from": generate.pk})
    assert "does not train a generator" in errors["start_from"][0]


def test_a_base_given_with_a_start_version_is_refused(curator, training_corpus):
    RewardModel.objects.create(version=1, is_active=True)
    start = _version()
    errors = _refusal(
        user=curator, target="rl", model_path="/models/llama", parameters={"start_from": start.run_id}
    )
    assert "fixes the base" in errors["model_path"][0]


def test_sft_starts_from_the_base_only(curator, training_corpus):
    errors = _refusal(user=curator, target="sft", parameters={"start_from": _version().run_id})
    assert "SFT trains on the base" in errors["start_from"][0]


def test_training_refuses_a_few_shot_template(curator, training_corpus):
    errors = _refusal(user=curator, target="sft", prompt_template="plain-language-few-shot", prompt_version=1)
    assert "zero-shot prompt" in errors["prompt_template"][0]


def test_bad_parameters_are_named(curator, training_corpus):
    errors = _refusal(user=curator, target="sft", parameters={"steps": 0, "epochs": 3, "style": "shouty"})
    assert set(errors) == {"steps", "epochs", "style"}


def test_dpo_without_preference_pairs_is_refused(curator, training_corpus):
    errors = _refusal(user=curator, target="generator")
    assert "no preference pairs yet" in errors["parameters"][0]


def test_a_rater_cannot_start_training(rater_physician, training_corpus):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        training.training_start(user=rater_physician, target="sft")


def test_registering_a_version_twice_keeps_the_first(curator):
    run = ModelRunFactory(kind="train", parameters={"target": "sft"})
    arguments = {
        "run_id": run.pk,
        "method": "sft",
        "base_model": "b",
        "base_revision": "r",
        "model_name": "m",
        "model_revision": "r+lora-1",
        "adapter_path": "/elsewhere/run-1",
        "adapter_sha256": "1" * 64,
        "data_snapshot": {"segments": [[1, 1]], "count": 1},
        "parameters": {},
        "seed": 0,
        "environment": {},
        "history": [{"step": 1, "loss": 1.0}],
    }
    first = generators.generator_version_create(**arguments)
    again = generators.generator_version_create(**{**arguments, "adapter_sha256": "2" * 64})
    assert first.pk == again.pk and GeneratorVersion.objects.get().adapter_sha256 == "1" * 64


def test_adapter_paths_are_kept_relative_to_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert generators.adapter_relative(tmp_path / "generators" / "run-1") == "generators/run-1"
    assert generators.adapter_dir("generators/run-1") == tmp_path / "generators" / "run-1"


def test_a_generation_run_can_name_a_version_by_its_training_run(curator, segments, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = _version()
    run = services.run_create(user=curator, document_id=segments[0].document_id, train_run=version.run_id)
    assert run.parameters["train_run"] == version.run_id
    assert run.model_path == str(tmp_path / version.adapter_path)
    assert run.model_name == version.label
    with pytest.raises(ValidationError) as caught:
        services.run_create(
            user=curator, document_id=segments[0].document_id, train_run=version.run_id, model_path="/m"
        )
    assert "not both" in caught.value.message_dict["train_run"][0]


def test_few_shot_needs_the_few_shot_template_and_the_template_needs_k(curator, segments):
    with pytest.raises(ValidationError) as caught:
        services.run_create(user=curator, document_id=segments[0].document_id, parameters={"few_shot": 2})
    assert "plain-language-few-shot" in caught.value.message_dict["few_shot"][0]
    with pytest.raises(ValidationError) as caught:
        services.run_create(
            user=curator,
            document_id=segments[0].document_id,
            prompt_template="plain-language-few-shot",
            prompt_version=1,
        )
    assert "1 or more" in caught.value.message_dict["few_shot"][0]
    run = services.run_create(
        user=curator,
        document_id=segments[0].document_id,
        prompt_template="plain-language-few-shot",
        prompt_version=1,
        parameters={"few_shot": 2},
    )
    assert run.parameters["few_shot"] == 2


def test_prompt_examples_are_recorded_once_per_segment(segments):
    run = ModelRunFactory()
    first = {segments[0].pk: [{"segment": 9, "version": 1, "original": "o", "simplified": "s"}]}
    services.run_prompt_examples_store(run_id=run.pk, examples=first)
    services.run_prompt_examples_store(run_id=run.pk, examples={segments[0].pk: [], segments[1].pk: []})
    run.refresh_from_db()
    assert run.prompt_examples == {str(segments[0].pk): first[segments[0].pk], str(segments[1].pk): []}


def test_every_training_and_evaluation_task_is_one_the_worker_runs_on_the_gpu_queue():
    import workers.tasks  # noqa: F401  (the modules a worker process imports)
    from apps.core.queue import TASK_ROUTES
    from apps.scoring.evaluation_runs import EVALUATE_TASK
    from workers.celery import app

    for name in [*training.TASKS.values(), EVALUATE_TASK]:
        assert name in app.tasks
        assert name.startswith("equitext.ml.") and TASK_ROUTES["equitext.ml.*"] == {"queue": "gpu"}
