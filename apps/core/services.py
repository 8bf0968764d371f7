"""Writes for jobs and the audit log.

A job moves queued → running → succeeded | failed. Each transition is a conditional UPDATE, so two
workers that receive the same task (redelivery after a lost worker, a duplicate send) cannot both run it.
"""

import logging
from collections.abc import Callable

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.db import transaction
from django.utils import timezone

from apps.core.errors import Unavailable
from apps.core.health import check_broker
from apps.core.models import AuditLog, Job

logger = logging.getLogger(__name__)


class BrokerUnavailable(Unavailable):
    """The job queue (Redis) cannot be reached; nothing was started. Pages and the API answer 503."""

    def __init__(self):
        super().__init__(
            "The job queue (Redis) is not reachable, so the job was not started. Editing and rating keep "
            "working; try again in a minute, or ask an administrator to check Redis (/healthz)."
        )


def audit_record(*, actor, action: str, obj=None, details: dict | None = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        details=details or {},
    )


ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def audit_record_admin(*, entry) -> AuditLog:
    """Copy a Django admin log entry (someone changed data in /admin/) into the audit log."""
    content_type = entry.content_type
    return AuditLog.objects.create(
        at=entry.action_time,
        actor=entry.user,
        action=f"admin.{ADMIN_ACTIONS.get(entry.action_flag, 'other')}",
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(entry.object_id or "")[:64],
        object_repr=entry.object_repr[:200],
        details={"message": entry.get_change_message()} if entry.change_message else {},
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


def _send(task: str, job_id: int) -> None:
    from workers.celery import app  # the broker client only; no task code is imported here

    try:
        app.send_task(task, args=[job_id], retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2})
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
def job_fail(*, job_id: int, error: str) -> None:
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


def _emit_finished(job_id: int) -> None:
    from apps.core.webhooks import webhook_emit  # webhooks imports audit_record from this module

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


def data_recount(*, progress: Callable[..., None]) -> dict:
    """Count the rows of every Equitext model; the demo job that proves web → broker → worker → database."""
    from django.apps import apps as django_apps

    models = [m for m in django_apps.get_models() if m.__module__.startswith("apps.") and m._meta.managed]
    counts = {}
    for done, model in enumerate(models, start=1):
        counts[model._meta.label] = model.objects.count()
        progress(done, len(models), f"Counted {model._meta.verbose_name_plural}")
    return {"counts": counts}
