"""The job lifecycle (apps/core/jobs.py): run once, fail once, audited; the stale-job sweeper."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core import jobs
from apps.core.health import HEARTBEAT_PREFIX
from apps.core.models import AuditLog, Job

pytestmark = pytest.mark.django_db


def queued_job(**kwargs):
    return Job.objects.create(kind="test", **kwargs)


def test_a_job_runs_once_even_if_delivered_twice():
    job = queued_job()
    calls = []

    def work(job, progress):
        calls.append(job.id)
        progress(2, 2, "done")
        return {"answer": 42}

    assert jobs.job_run(job_id=job.id, worker="w1", work=work) is True
    assert jobs.job_run(job_id=job.id, worker="w2", work=work) is False
    job.refresh_from_db()
    assert calls == [job.id]
    assert (job.status, job.progress_done, job.progress_total, job.result) == (
        "succeeded",
        2,
        2,
        {"answer": 42},
    )
    assert job.worker == "w1" and job.started_at and job.finished_at


def test_a_failing_job_records_its_error_and_stays_failed():
    job = queued_job()

    def work(job, progress):
        raise ValueError("row 3: text is empty")

    with pytest.raises(ValueError):
        jobs.job_run(job_id=job.id, worker="w1", work=work)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "row 3: text is empty" in job.error
    jobs.job_succeed(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "failed", "a finished job never changes state again"


def test_creating_a_job_is_audited(curator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_create(kind="recount", task="equitext.core.recount", requested_by=curator)
    assert len(callbacks) == 1, "the task is sent only after the transaction commits"
    entry = AuditLog.objects.get(action="job.create")
    assert entry.actor == curator and entry.object_id == str(job.id)


def _running_job(worker: str, minutes_ago: int) -> Job:
    job = Job.objects.create(kind="model_run", status=Job.Status.RUNNING, worker=worker)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return job


def test_the_sweeper_fails_a_job_whose_worker_has_no_heartbeat(test_redis):
    test_redis.delete(HEARTBEAT_PREFIX + "gone@host")
    job = _running_job("gone@host", minutes_ago=10)
    assert jobs.jobs_sweep_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "gone@host stopped" in job.error
    assert AuditLog.objects.filter(action="job.swept", object_id=str(job.pk)).exists()


def test_the_sweeper_leaves_live_workers_and_recent_progress_alone(test_redis):
    test_redis.set(HEARTBEAT_PREFIX + "alive@host", "1", ex=60)
    busy = _running_job("alive@host", minutes_ago=10)
    recent = _running_job("gone@host", minutes_ago=0)
    try:
        assert jobs.jobs_sweep_stale() == []
    finally:
        test_redis.delete(HEARTBEAT_PREFIX + "alive@host")
    assert set(Job.objects.filter(pk__in=[busy.pk, recent.pk]).values_list("status", flat=True)) == {
        "running"
    }


def test_a_swept_job_is_announced_to_job_finished_subscribers(test_redis, curator):
    from apps.core.models import WebhookDelivery
    from apps.core.webhooks import webhook_create

    webhook_create(owner=curator, url="https://example.org/h", events=["job.finished"])
    test_redis.delete(HEARTBEAT_PREFIX + "gone@host")
    job = _running_job("gone@host", minutes_ago=10)
    assert jobs.jobs_sweep_stale() == [job.pk]
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["job"] == job.pk and delivery.payload["status"] == "failed"


def test_a_lost_pool_process_fails_only_a_job_still_running_on_that_worker():
    mine = _running_job("w1@host", minutes_ago=0)
    elsewhere = _running_job("w2@host", minutes_ago=0)
    queued = Job.objects.create(kind="model_run")
    assert jobs.job_process_lost(job_id=mine.pk, worker="w1@host", error="The pool process died.") is True
    assert jobs.job_process_lost(job_id=elsewhere.pk, worker="w1@host", error="died") is False
    assert jobs.job_process_lost(job_id=queued.pk, worker="w1@host", error="died") is False
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: "failed", elsewhere.pk: "running", queued.pk: "queued"}
    assert Job.objects.get(pk=mine.pk).error == "The pool process died."
    assert AuditLog.objects.filter(action="job.process_lost", object_id=str(mine.pk)).exists()
