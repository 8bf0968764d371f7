"""The job lifecycle: create, claim, progress, succeed, fail, run; and the two ways a job whose worker died
is ended (the sweeper, and a lost pool process).

A job moves queued → running → succeeded | failed. Each transition is a conditional UPDATE, so two
workers that receive the same task (redelivery after a lost worker, a duplicate send) cannot both run it,
and a finished job never changes state again. Every kind of job benefits from the same rules: a model
run, an import or a recount reads its status from its Job, so a job failed here is failed everywhere.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import Unavailable
from apps.core.health import HEARTBEAT_PREFIX, check_broker, redis_client
from apps.core.models import Job
from apps.core.queue import task_send
from apps.core.services import audit_record
from apps.core.webhooks import webhook_emit

logger = logging.getLogger(__name__)


class BrokerUnavailable(Unavailable):
    """The job queue (Redis) cannot be reached; nothing was started. Pages and the API answer 503."""

    def __init__(self):
        super().__init__(
            "The job queue (Redis) is not reachable, so the job was not started. Editing and rating keep "
            "working; try again in a minute, or ask an administrator to check Redis (/healthz)."
        )


def job_create(*, kind: str, task: str, requested_by=None, parameters: dict | None = None) -> Job:
    """Record a job and send `task` (a Celery task name) once the surrounding transaction commits.

    Raises BrokerUnavailable, creating nothing, when Redis does not answer: a job is never queued where no
    worker can receive it, and never silently run inline instead."""
    try:
        check_broker()
    except Exception as exc:
        raise BrokerUnavailable() from exc
    job = Job.objects.create(kind=kind, parameters=parameters or {}, requested_by=requested_by)
    audit_record(actor=requested_by, action="job.create", obj=job, details={"kind": kind})
    transaction.on_commit(lambda: _send(task, job.id))
    return job


def job_create_scheduled(*, kind: str, task: str) -> Job:
    """The Job of one scheduled execution (beat sends the task without a job; the task makes one)."""
    return job_create(kind=kind, task=task, requested_by=None, parameters={"trigger": "schedule"})


def _send(task: str, job_id: int) -> None:
    try:
        task_send(task, args=[job_id], retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2})
    except Exception as exc:  # the broker vanished between the check and the send: say so on the job
        logger.exception("could not send job %s", job_id)
        job_fail(job_id=job_id, error=f"Could not reach the job queue (Redis): {exc}. Start the job again.")


def job_claim(*, job_id: int, worker: str = "") -> bool:
    """Mark a queued job running. False when another worker already has it or it has finished."""
    claimed = Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), worker=worker[:200], updated_at=timezone.now()
    )
    return claimed == 1


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(
        progress_done=min(done, total), progress_total=total, message=message[:300], updated_at=timezone.now()
    )


@transaction.atomic
def job_succeed(*, job_id: int, result: dict | None = None) -> None:
    finished = Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED,
        result=result or {},
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if finished:
        _emit_finished(job_id)


@transaction.atomic
def job_fail(*, job_id: int, error: str) -> bool:
    """Mark an unfinished job failed with `error`. True if it was failed now (False: already finished)."""
    finished = (
        Job.objects.filter(id=job_id)
        .exclude(status__in=Job.FINISHED)
        .update(
            status=Job.Status.FAILED,
            error=error[:10000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
    if finished:
        _emit_finished(job_id)
    return bool(finished)


def _emit_finished(job_id: int) -> None:
    job = Job.objects.get(id=job_id)
    payload = {"job": job.id, "kind": job.kind, "status": job.status, "error": job.error}
    payload |= {"progress_done": job.progress_done, "progress_total": job.progress_total}
    webhook_emit(event="job.finished", payload=payload)


def job_run(*, job_id: int, worker: str, work: Callable[[Job, Callable[..., None]], dict | None]) -> bool:
    """Claim the job, call `work(job, progress)` and record the outcome. False if it was not claimed.

    `progress(done, total, message="")` records progress; an exception marks the job failed with its
    message (and is re-raised so the worker logs it).
    """
    if not job_claim(job_id=job_id, worker=worker):
        return False
    job = Job.objects.get(id=job_id)

    def progress(done: int, total: int, message: str = "") -> None:
        job_progress(job_id=job_id, done=done, total=total, message=message)

    try:
        result = work(job, progress)
    except Exception as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    job_succeed(job_id=job_id, result=result)
    return True


def jobs_sweep_stale(*, grace_seconds: int | None = None, now=None) -> list[int]:
    """Fail every running job whose worker is gone: no heartbeat in Redis and no progress for a while.

    A worker killed mid-task leaves its job "running" (its message is re-delivered, but the job can no
    longer be claimed); this is what ends such a job, and with it whatever reads its status (a model
    run). Each job failed is audited (`job.swept`) and announced (`job.finished`). Returns the ids of the
    jobs failed.
    """
    grace = grace_seconds if grace_seconds is not None else max(60, 6 * settings.WORKER_HEARTBEAT_SECONDS)
    now = now or timezone.now()
    stale = list(
        Job.objects.filter(
            status=Job.Status.RUNNING, updated_at__lt=now - timedelta(seconds=grace)
        ).values_list("pk", "worker", "updated_at")
    )
    if not stale:
        return []
    client = redis_client()
    failed = []
    for job_id, worker, updated_at in stale:
        if worker and client.exists(HEARTBEAT_PREFIX + worker):
            continue  # alive and busy (a long batch); its own time limit ends it if it hangs
        error = (
            f"The worker {worker or '(unknown)'} stopped: no heartbeat and no progress since "
            f"{updated_at:%Y-%m-%d %H:%M:%S %Z}. Start the job again."
        )
        with transaction.atomic():
            changed = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, error=error, finished_at=now, updated_at=now
            )
            if changed:
                audit_record(actor=None, action="job.swept", obj=Job(pk=job_id), details={"worker": worker})
                _emit_finished(job_id)  # subscribers to job.finished hear of a swept job too
                failed.append(job_id)
    return failed


def job_process_lost(*, job_id: int, worker: str, error: str) -> bool:
    """Fail a job whose pool process died under it (SIGKILL, e.g. the out-of-memory killer) while its worker
    lives on; called by the worker's main process (workers/celery.py). Celery requeues such a message, but
    the job is claimed ("running"), so the redelivery cannot run it, and the live worker's heartbeat keeps
    the sweeper away: without this it would stay running forever. Only a job still running on `worker` is
    failed (one not yet claimed is left for the redelivery to run); audited (`job.process_lost`). True if
    failed."""
    with transaction.atomic():
        running = (
            Job.objects.select_for_update()
            .filter(pk=job_id, status=Job.Status.RUNNING, worker=worker[:200])
            .exists()
        )
        if running:
            job_fail(job_id=job_id, error=error)
            audit_record(
                actor=None, action="job.process_lost", obj=Job(pk=job_id), details={"worker": worker}
            )
    return running
