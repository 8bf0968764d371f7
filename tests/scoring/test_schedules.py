"""Beat schedules exist after setup and keep admin edits; the sweeper ends jobs whose worker died."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.core.health import HEARTBEAT_PREFIX
from apps.core.models import Job
from apps.scoring import services
from apps.scoring.models import ModelRun
from tests.scoring.factories import ModelRunFactory

pytestmark = pytest.mark.django_db
SCORING_TASKS = [
    "equitext.scoring.readability_refresh",
    "equitext.ml.score_pending",
    "equitext.scoring.jobs_sweep",
]


def test_the_default_schedules_exist_after_migrate():
    tasks = dict(PeriodicTask.objects.values_list("task", "enabled"))
    assert {name: tasks.get(name) for name in SCORING_TASKS} == dict.fromkeys(SCORING_TASKS, True)


def test_ensuring_again_creates_nothing_and_keeps_what_an_admin_changed():
    task = PeriodicTask.objects.get(task="equitext.ml.score_pending")
    task.enabled = False
    task.save()
    before = PeriodicTask.objects.count()
    assert services.schedules_ensure() == 0
    assert PeriodicTask.objects.count() == before
    assert PeriodicTask.objects.get(pk=task.pk).enabled is False


def _running_job(worker: str, minutes_ago: int) -> Job:
    job = Job.objects.create(kind="model_run", status=Job.Status.RUNNING, worker=worker)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return job


def test_the_sweeper_fails_a_job_whose_worker_has_no_heartbeat(test_redis):
    test_redis.delete(HEARTBEAT_PREFIX + "gone@host")
    job = _running_job("gone@host", minutes_ago=10)
    run = ModelRunFactory(job=job, status=ModelRun.Status.RUNNING)
    assert services.jobs_sweep_stale() == [job.pk]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == Job.Status.FAILED and "gone@host stopped" in job.error
    assert run.status == ModelRun.Status.FAILED


def test_the_sweeper_leaves_live_workers_and_recent_progress_alone(test_redis):
    test_redis.set(HEARTBEAT_PREFIX + "alive@host", "1", ex=60)
    busy = _running_job("alive@host", minutes_ago=10)
    recent = _running_job("gone@host", minutes_ago=0)
    try:
        assert services.jobs_sweep_stale() == []
    finally:
        test_redis.delete(HEARTBEAT_PREFIX + "alive@host")
    assert set(Job.objects.filter(pk__in=[busy.pk, recent.pk]).values_list("status", flat=True)) == {
        "running"
    }


def test_a_scheduled_execution_is_a_job_on_the_jobs_page(
    client, curator, segments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.scheduled_job_create(
            kind="readability_refresh", task="equitext.scoring.readability_refresh"
        )
    assert job.requested_by is None and job.parameters == {"trigger": "schedule"}
    client.force_login(curator)
    assert b"readability_refresh #" in client.get("/jobs/").content


def test_readability_refresh_caches_the_texts_changed_since_the_last_run(segments):
    from apps.scoring.models import TextScore

    TextScore.objects.all().delete()
    calls = []
    result = services.readability_refresh(since=None, progress=lambda *a, **k: calls.append(a))
    assert result["segments"] == 2 and result["texts"] == 4
    assert TextScore.objects.count() == 4
    assert calls[-1][:2] == (2, 2)
    later = services.readability_refresh(since=timezone.now(), progress=lambda *a, **k: None)
    assert later["segments"] == 0
