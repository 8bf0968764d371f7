"""Evaluation runs: starting one (versions resolved, segments recorded), refusals by name, outputs stored
idempotently, the table recomputable from the record, the API and the exports."""

import json

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import Job
from apps.scoring import evaluation_runs
from apps.scoring.evaluation import Output, evaluation_table
from apps.scoring.models import EvaluationOutput, GeneratorVersion, ModelRun, RewardModel
from tests.scoring.factories import ModelRunFactory

pytestmark = pytest.mark.django_db
GENERATORS = [{"label": "base"}, {"label": "few-shot", "few_shot": 2}]


def _sft_version() -> GeneratorVersion:
    run = ModelRunFactory(kind="train", parameters={"target": "sft"})
    return GeneratorVersion.objects.create(
        run=run,
        method="sft",
        base_model="b",
        base_revision="r",
        model_name="b+sft",
        model_revision="r+lora-1",
        adapter_path="generators/run-sft",
        adapter_sha256="a" * 64,
    )


def _start(curator, generators=GENERATORS, **kwargs) -> ModelRun:
    return evaluation_runs.evaluation_start(user=curator, generators=generators, **kwargs)


def _refusal(curator, generators=GENERATORS, **kwargs) -> dict:
    before = (ModelRun.objects.count(), Job.objects.count())
    with pytest.raises(ValidationError) as caught:
        _start(curator, generators, **kwargs)
    assert (ModelRun.objects.count(), Job.objects.count()) == before
    return caught.value.message_dict


def test_an_evaluation_records_its_versions_segments_and_settings(curator, training_corpus):
    RewardModel.objects.create(version=2, is_active=True)
    version = _sft_version()
    run = _start(curator, [*GENERATORS, {"label": "SFT", "train_run": version.run_id}], seed=5)
    assert run.kind == ModelRun.Kind.EVALUATE and run.seed == 5 and run.job.kind == "evaluation"
    base, few, sft = run.parameters["generators"]
    assert (base["prompt_template"], base["few_shot"], base["train_run"]) == ("plain-language", 0, None)
    assert (few["prompt_template"], few["few_shot"]) == ("plain-language-few-shot", 2)
    assert (sft["train_run"], sft["model_path"], sft["adapter_sha256"]) == (
        version.run_id,
        "generators/run-sft",
        "a" * 64,
    )
    test_with_reference = [s for s in training_corpus.values() if s.split == "test" and s.simplified]
    assert sorted(pk for pk, _ in run.selection["segments"]) == sorted(s.pk for s in test_with_reference)
    no_reference = [s.pk for s in training_corpus.values() if s.split == "test" and not s.simplified]
    assert run.selection["left_out"] == {"no_reference": no_reference}
    assert run.parameters["reward_model_version"] == 2
    assert (run.parameters["resamples"], run.parameters["confidence"], run.parameters["temperature"]) == (
        1000,
        0.95,
        0.0,
    )


@pytest.mark.parametrize(
    "generators, field, words",
    [
        ([{"label": "a"}, {"label": "a"}], "generators[1].label", "labelled 'a'"),
        ([{"label": "x", "train_run": 999999}], "generators[0].train_run", "no run #999999"),
        (
            [{"label": "x", "few_shot": 2, "prompt_template": "plain-language"}],
            "generators[0].few_shot",
            "few-shot",
        ),
        ([{"label": "x", "few_shot": 99}], "generators[0].few_shot", "out of range"),
        ([{"label": "x", "colour": "red"}], "generators[0].colour", "Unknown option"),
        ([], "generators", "Give a list"),
        ([{"label": str(i)} for i in range(9)], "generators", "at most 8"),
    ],
)
def test_a_bad_version_is_refused_by_its_index_and_field(curator, training_corpus, generators, field, words):
    errors = _refusal(curator, generators)
    assert words in " ".join(errors[field])


def test_a_split_without_references_is_refused(curator, training_corpus):
    errors = _refusal(curator, split="unlabelled")
    assert "no segment with a human reference" in errors["split"][0]


def _record_outputs(run, texts_by_version):
    segments = evaluation_runs.evaluation_segments(run)
    for version, texts in enumerate(texts_by_version):
        rows = [
            {
                "segment": segment,
                "text": text,
                "similarity": 0.8,
                "compression": 0.9,
                "flags": [{"code": "unchanged", "severity": "low"}] if text == segment.original else [],
                "reward": 0.1 * (i + version),
            }
            for i, (segment, text) in enumerate(zip(segments, texts, strict=True))
        ]
        evaluation_runs.evaluation_outputs_record(run=run, version=version, rows=rows)
    return segments


def test_outputs_are_scored_stored_once_and_the_table_is_recomputable(curator, training_corpus):
    run = _start(curator, seed=3, parameters={"resamples": 200})
    segments = evaluation_runs.evaluation_segments(run)
    copies = [s.original for s in segments]
    references = [s.simplified for s in segments]
    _record_outputs(run, [copies, references])
    assert _record_outputs(run, [copies, references]) and EvaluationOutput.objects.filter(
        run=run
    ).count() == 2 * len(segments)
    output = EvaluationOutput.objects.get(run=run, version=1, segment=segments[0])
    assert output.sari is not None and output.bleu == pytest.approx(100.0) and output.grade is not None
    summary = evaluation_runs.evaluation_summarise(run_id=run.pk)
    table = summary["evaluation"]
    assert table["n"] == len(segments) and table["seed"] == 3 and table["resamples"] == 200
    assert [row["label"] for row in table["rows"]] == ["base", "few-shot"]
    # The reference itself scores better than a copy of the original, on both SARI definitions.
    assert table["intervals"][0]["differences"]["sari_corpus"]["difference"] > 0
    assert table["rows"][0]["values"]["flag:unchanged"] == 1.0
    expected = evaluation_table(
        versions=run.parameters["generators"],
        outputs=[
            [
                Output(
                    source=s.original,
                    reference=s.simplified,
                    text=t,
                    sari=o.sari,
                    grade=o.grade,
                    reward=o.reward,
                    similarity=o.similarity,
                    compression=o.compression,
                    flags=tuple(f["code"] for f in o.flags),
                )
                for s, t, o in zip(
                    segments,
                    texts,
                    EvaluationOutput.objects.filter(run=run, version=v).order_by(
                        "segment__document_id", "segment__position"
                    ),
                    strict=True,
                )
            ]
            for v, texts in enumerate([copies, references])
        ],
        seed=3,
        resamples=200,
    )
    assert table["rows"] == expected["rows"] and table["intervals"] == expected["intervals"]


def test_the_api_starts_an_evaluation_and_returns_its_table(api_as, curator, training_corpus):
    client = api_as(curator)
    response = client.post(
        "/api/v1/runs/",
        {"kind": "evaluate", "split": "test", "generators": GENERATORS, "seed": 1},
        format="json",
    )
    assert response.status_code == 201, response.json()
    run = ModelRun.objects.get(pk=response.json()["id"])
    segments = evaluation_runs.evaluation_segments(run)
    _record_outputs(run, [[s.original for s in segments], [s.simplified for s in segments]])
    evaluation_runs.evaluation_summarise(run_id=run.pk)
    body = client.get(f"/api/v1/runs/{run.pk}/").json()
    evaluation = body["summary"]["evaluation"]
    assert {"rows", "columns", "intervals", "n", "seed"} <= set(evaluation)
    assert evaluation["n"] == len(segments) and evaluation["seed"] == 1
    assert any("EASSE" in column["definition"] for column in evaluation["columns"])


def test_the_api_names_a_bad_version(api_as, curator, training_corpus):
    response = api_as(curator).post(
        "/api/v1/runs/",
        {"kind": "evaluate", "generators": [{"label": "SFT", "train_run": "twelve"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "generators[0].train_run" in response.json()["errors"]


def test_the_api_starts_each_training_target(api_as, curator, training_corpus):
    client = api_as(curator)
    response = client.post(
        "/api/v1/runs/", {"kind": "train", "target": "sft", "parameters": {"steps": 2}}, format="json"
    )
    assert response.status_code == 201 and response.json()["parameters"]["target"] == "sft"
    response = client.post("/api/v1/runs/", {"kind": "train", "target": "rl"}, format="json")
    assert response.status_code == 400 and "active reward model" in response.json()["errors"]["parameters"][0]
    response = client.post("/api/v1/runs/", {"kind": "train", "target": "dance"}, format="json")
    assert response.status_code == 400


def test_the_outputs_export_streams_every_output_with_its_generator(api_as, curator, training_corpus):
    run = _start(curator)
    segments = evaluation_runs.evaluation_segments(run)
    _record_outputs(run, [[s.original for s in segments], [s.simplified for s in segments]])
    client = api_as(curator)
    url = f"/api/v1/exports/evaluation-outputs.jsonl?run={run.pk}"
    records = [json.loads(line) for line in b"".join(client.get(url).streaming_content).splitlines()]
    lines = b"".join(client.get(url + "&manifest=1").streaming_content).splitlines()
    manifest = json.loads(lines[0])["manifest"]
    assert manifest["row_count"] == len(records) == len(lines) - 1 == 2 * len(segments)
    assert {r["generator"] for r in records} == {"base", "few-shot"} and records[0]["reference"]
    csv = client.get(f"/api/v1/exports/evaluation-outputs.csv?run={run.pk}&version=1")
    assert len(b"".join(csv.streaming_content).decode().strip().splitlines()) == 1 + len(segments)
    assert client.get("/api/v1/exports/evaluation-outputs.csv").status_code == 400
    not_evaluation = ModelRunFactory()
    assert client.get(f"/api/v1/exports/evaluation-outputs.csv?run={not_evaluation.pk}").status_code == 400


def test_the_registry_api_lists_versions_by_their_training_run(api_as, curator):
    version = _sft_version()
    body = api_as(curator).get("/api/v1/generator-versions/").json()
    assert body["results"][0]["train_run"] == version.run_id and body["results"][0]["method"] == "sft"
    run = api_as(curator).get(f"/api/v1/runs/{version.run_id}/").json()
    assert run["generator_version"] == version.pk
