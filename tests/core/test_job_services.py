import pytest

from apps.core import services
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

    assert services.job_run(job_id=job.id, worker="w1", work=work) is True
    assert services.job_run(job_id=job.id, worker="w2", work=work) is False
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
        services.job_run(job_id=job.id, worker="w1", work=work)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "row 3: text is empty" in job.error
    services.job_succeed(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "failed", "a finished job never changes state again"


def test_creating_a_job_is_audited(curator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_create(kind="recount", task="equitext.core.recount", requested_by=curator)
    assert len(callbacks) == 1, "the task is sent only after the transaction commits"
    entry = AuditLog.objects.get(action="job.create")
    assert entry.actor == curator and entry.object_id == str(job.id)
