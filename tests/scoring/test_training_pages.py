"""Training, evaluation and registry pages: forms that start runs or say why not, and what a run shows."""

import pytest
from django.urls import reverse

from apps.scoring import evaluation_runs
from apps.scoring.models import GeneratorVersion, ModelRun
from tests.scoring.factories import ModelRunFactory

pytestmark = pytest.mark.django_db


def _version(**extra) -> GeneratorVersion:
    run = ModelRunFactory(
        kind="train", parameters={"target": "sft", "steps": 2}, model_name="default generator + SFT LoRA"
    )
    return GeneratorVersion.objects.create(
        run=run,
        method="sft",
        base_model="SmolLM2-135M-Instruct",
        base_revision="base-r1",
        model_name="SmolLM2-135M-Instruct+run-1",
        model_revision="base-r1+lora-abc",
        adapter_path="generators/run-1",
        adapter_sha256="b" * 64,
        data_snapshot={"segments": [[1, 1], [2, 1]], "count": 2, "sha256": "c" * 64},
        environment={"device": "cpu", "dtype": "float32", "libraries": {"trl": "1.16.0"}},
        history=[{"step": 1, "loss": 2.25}, {"step": 2, "loss": 1.75}],
        **extra,
    )


def test_the_sft_form_starts_a_run(client, curator, training_corpus):
    client.force_login(curator)
    page = client.get(reverse("scoring:train_create", args=["sft"]))
    assert page.status_code == 200 and "SFTTrainer" in page.content.decode()
    data = {
        "steps": 3,
        "learning_rate": 2e-4,
        "batch_size": 2,
        "max_length": 128,
        "target_grade": 6,
        "style": "plain",
        "lora_r": 4,
        "lora_alpha": 8,
        "seed": 0,
    }
    response = client.post(reverse("scoring:train_create", args=["sft"]), data)
    run = ModelRun.objects.get(kind="train")
    assert response.status_code == 302 and response.url == reverse("scoring:run_detail", args=[run.pk])
    assert run.parameters["steps"] == 3 and run.parameters["lora_r"] == 4


def test_the_sft_form_says_how_much_data_is_missing_before_anyone_submits(client, curator, segments):
    client.force_login(curator)
    page = client.get(reverse("scoring:train_create", args=["sft"])).content.decode()
    assert "at least 4 approved train-split pairs" in page


def test_the_rl_form_shows_a_refusal_above_the_form_and_starts_nothing(client, curator, training_corpus):
    client.force_login(curator)
    version = _version()
    page = client.get(
        reverse("scoring:train_create", args=["rl"]) + f"?start_from={version.run_id}"
    ).content.decode()
    assert f'value="{version.run_id}" selected' in page
    data = {
        "steps": 2,
        "learning_rate": 1e-5,
        "prompts_per_step": 1,
        "num_generations": 2,
        "max_completion_length": 16,
        "temperature": 1.0,
        "beta": 0.0,
        "target_grade": 6,
        "style": "plain",
        "lora_r": 4,
        "lora_alpha": 8,
        "seed": 0,
    }
    response = client.post(reverse("scoring:train_create", args=["rl"]), data)
    assert response.status_code == 200 and "active reward model" in response.content.decode()
    assert not ModelRun.objects.filter(parameters__target="rl").exists()


def test_the_old_dpo_address_shows_the_dpo_form(client, curator):
    client.force_login(curator)
    page = client.get(reverse("scoring:finetune_create")).content.decode()
    assert "DPO" in page and "preference pairs" in page


def test_an_unknown_target_is_not_found(client, curator):
    client.force_login(curator)
    assert client.get("/scoring/runs/train/ppo/").status_code == 404


def test_the_evaluation_form_starts_base_few_shot_and_chosen_versions(client, curator, training_corpus):
    client.force_login(curator)
    version = _version()
    data = {
        "split": "test",
        "include_base": "on",
        "few_shot": 2,
        "versions": [str(version.run_id)],
        "target_grade": 6,
        "temperature": 0,
        "top_p": 1,
        "max_new_tokens": 32,
        "batch_size": 4,
        "seed": 1,
        "resamples": 200,
    }
    response = client.post(reverse("scoring:evaluation_create"), data)
    run = ModelRun.objects.get(kind="evaluate")
    assert response.status_code == 302
    labels = [entry["label"] for entry in run.parameters["generators"]]
    assert labels == ["base", "base 2-shot", f"SFT (run #{version.run_id})"]
    assert run.parameters["generators"][2]["train_run"] == version.run_id


def test_the_evaluation_form_with_no_version_says_so(client, curator, training_corpus):
    client.force_login(curator)
    data = {
        "split": "test",
        "few_shot": 0,
        "target_grade": 6,
        "temperature": 0,
        "top_p": 1,
        "max_new_tokens": 32,
        "batch_size": 4,
        "seed": 1,
        "resamples": 200,
    }
    response = client.post(reverse("scoring:evaluation_create"), data)
    assert response.status_code == 200 and "Give a list of generator versions" in response.content.decode()
    assert not ModelRun.objects.filter(kind="evaluate").exists()


def test_an_evaluation_page_shows_the_table_the_chart_and_the_outputs_beside_the_references(
    client, curator, training_corpus
):
    run = evaluation_runs.evaluation_start(
        user=curator,
        generators=[{"label": "base"}, {"label": "copy of the reference"}],
        parameters={"resamples": 100},
    )
    segments = evaluation_runs.evaluation_segments(run)
    for version, texts in enumerate([[s.original for s in segments], [s.simplified for s in segments]]):
        evaluation_runs.evaluation_outputs_record(
            run=run,
            version=version,
            rows=[
                {"segment": s, "text": t, "similarity": 0.9, "compression": 1.0, "flags": []}
                for s, t in zip(segments, texts, strict=True)
            ],
        )
    evaluation_runs.evaluation_summarise(run_id=run.pk)
    client.force_login(curator)
    page = client.get(reverse("scoring:run_detail", args=[run.pk]) + "?chart=bleu_corpus").content.decode()
    assert "SARI (corpus, EASSE)" in page and "paired bootstrap interval" in page
    assert "Chart: BLEU (corpus)" in page and "Δ +" in page
    assert segments[0].simplified in page and "Human reference" in page
    assert f"evaluation-outputs.csv?run={run.pk}" in page


def test_a_training_run_page_shows_its_generator_version_record(client, curator):
    version = _version()
    client.force_login(curator)
    page = client.get(reverse("scoring:run_detail", args=[version.run_id])).content.decode()
    assert "Produced generator version" in page and "base-r1+lora-abc" in page
    assert "2 segments" in page and "trl 1.16.0" in page and "1.7500" in page
    assert f"?train_run={version.run_id}" in page and f"?versions={version.run_id}" in page


def test_the_registry_page_lists_versions_with_what_to_do_with_them(client, curator):
    version = _version()
    client.force_login(curator)
    page = client.get(reverse("scoring:generator_list")).content.decode()
    assert version.label in page and "Supervised fine-tuning" in page
    run_form = client.get(reverse("scoring:run_create") + f"?train_run={version.run_id}").content.decode()
    assert f'value="{version.run_id}" selected' in run_form


def test_the_new_pages_are_for_curators_only(client, rater_physician):
    client.force_login(rater_physician)
    for url in (
        reverse("scoring:train_create", args=["sft"]),
        reverse("scoring:evaluation_create"),
        reverse("scoring:generator_list"),
    ):
        assert client.get(url).status_code == 403
