"""Beat schedules exist after setup and keep admin edits; scheduled executions are jobs."""

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.core.jobs import job_create_scheduled
from apps.scoring import services

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


def test_a_scheduled_execution_is_a_job_on_the_jobs_page(
    client, curator, segments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_create_scheduled(kind="readability_refresh", task="equitext.scoring.readability_refresh")
    assert job.requested_by is None and job.parameters == {"trigger": "schedule"}
    client.force_login(curator)
    assert b"readability_refresh #" in client.get("/jobs/").content


def test_readability_refresh_caches_the_texts_changed_since_the_last_run(segments):
    from apps.metrics.models import TextScore

    TextScore.objects.all().delete()
    calls = []
    result = services.readability_refresh(since=None, progress=lambda *a, **k: calls.append(a))
    assert result["segments"] == 2 and result["texts"] == 4
    assert TextScore.objects.count() == 4
    assert calls[-1][:2] == (2, 2)
    later = services.readability_refresh(since=timezone.now(), progress=lambda *a, **k: None)
    assert later["segments"] == 0
