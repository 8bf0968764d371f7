"""A run's status is its Job's from now on (ModelRun.status is a property; 0005 drops the copy).

First, a run without a job (its job was deleted) gets a Job recording the status it had, so no finished
run turns back into "queued". (A migration of its own: PostgreSQL refuses to alter a table in the
transaction that just updated its foreign keys.)"""

from django.db import migrations

JOB_KINDS = {"generate": "model_run", "score": "score_pending"}
TRAIN_JOB_KINDS = {"reward": "reward_train", "generator": "generator_finetune"}


def jobs_for_runs_without_one(apps, schema_editor):
    ModelRun = apps.get_model("scoring", "ModelRun")
    Job = apps.get_model("core", "Job")
    for run in ModelRun.objects.filter(job__isnull=True).exclude(status="queued").iterator():
        if run.kind == "train":
            kind = TRAIN_JOB_KINDS.get((run.parameters or {}).get("target"), "reward_train")
        else:
            kind = JOB_KINDS.get(run.kind, "model_run")
        finished = run.status in ("succeeded", "failed")
        job = Job.objects.create(
            kind=kind,
            parameters={"run": run.pk},
            status=run.status,
            result=run.summary if run.status == "succeeded" else {},
            error="" if run.status != "failed" else "Recorded from the run when runs began to read jobs.",
            started_at=run.created_at,
            finished_at=run.updated_at if finished else None,
            requested_by_id=run.requested_by_id,
        )
        ModelRun.objects.filter(pk=run.pk).update(job=job)


def statuses_back(apps, schema_editor):
    ModelRun = apps.get_model("scoring", "ModelRun")
    for run in ModelRun.objects.filter(job__isnull=False).select_related("job").iterator():
        ModelRun.objects.filter(pk=run.pk).update(status=run.job.status)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_webhook_progress_percents"),
        ("scoring", "0003_reward_registry"),
    ]

    operations = [
        migrations.RunPython(jobs_for_runs_without_one, statuses_back),
    ]
