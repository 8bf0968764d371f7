"""An evaluation through a real Celery worker with the embedded model: base, base few-shot and an SFT
version on the held-out split; outputs stored and scored, the table in the run, the same texts again."""

import shutil

import pytest

from apps.core.models import Job
from apps.scoring import evaluation_runs, generators, training
from apps.scoring.models import EvaluationOutput, GeneratorVersion
from tests.processes import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_evaluation_on_a_real_worker_compares_base_few_shot_and_sft(
    celery_worker, curator, training_corpus
):
    from workers.tasks.evaluation import evaluate
    from workers.tasks.training import train_sft

    sft_run = training.training_start(
        user=curator, target="sft", parameters={"steps": 1, "batch_size": 2, "max_length": 128}
    )
    train_sft.apply(args=[sft_run.job_id])
    version = GeneratorVersion.objects.get(run=sft_run)
    folder = generators.adapter_dir(version.adapter_path)
    try:
        run = evaluation_runs.evaluation_start(
            user=curator,
            generators=[
                {"label": "base"},
                {"label": "base 1-shot", "few_shot": 1},
                {"label": "SFT", "train_run": sft_run.pk},
            ],
            parameters={"max_new_tokens": 8, "batch_size": 2, "resamples": 100},
            seed=4,
        )
        wait_for(
            lambda: Job.objects.filter(pk=run.job_id, status__in=Job.FINISHED).exists(),
            timeout=600,
            interval=1,
        )
        job = Job.objects.get(pk=run.job_id)
        assert job.status == "succeeded", job.error
        run.refresh_from_db()
        segments = evaluation_runs.evaluation_segments(run)
        assert len(segments) == 2 and EvaluationOutput.objects.filter(run=run).count() == 6
        for output in EvaluationOutput.objects.filter(run=run):
            assert output.sari is not None and output.bleu is not None and 0 < output.new_tokens <= 8
            assert output.similarity is not None and isinstance(output.flags, list)
        few_shot = EvaluationOutput.objects.filter(run=run, version=1)
        for output in few_shot:
            [example] = output.examples
            pair_document = next(
                s for s in training_corpus.values() if s.pk == example["segment"]
            ).document_id
            assert pair_document != output.segment.document_id  # a test segment never sees its own document
        assert not any(o.examples for o in EvaluationOutput.objects.filter(run=run, version=0))
        evaluation = run.summary["evaluation"]
        assert evaluation["n"] == 2 and [r["label"] for r in evaluation["rows"]] == [
            "base",
            "base 1-shot",
            "SFT",
        ]
        assert len(evaluation["intervals"]) == 2 and evaluation["seed"] == 4
        assert "No reward model was active" in evaluation["note"]
        assert [v["revision"] for v in run.summary["loaded"]][2] == version.model_revision

        # Run again from the record (a re-delivered job after the outputs were lost): the same texts.
        texts = dict(EvaluationOutput.objects.filter(run=run).values_list("pk", "text"))
        by_key = {(o.version, o.segment_id): o.text for o in EvaluationOutput.objects.filter(run=run)}
        EvaluationOutput.objects.filter(run=run).delete()
        Job.objects.filter(pk=run.job_id).update(status=Job.Status.QUEUED)
        evaluate.apply(args=[run.job_id])
        again = {(o.version, o.segment_id): o.text for o in EvaluationOutput.objects.filter(run=run)}
        assert again == by_key and len(texts) == 6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
