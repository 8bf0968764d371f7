import logging

from workers.celery import app

logger = logging.getLogger(__name__)


@app.task(name="equitext.core.recount", bind=True)
def recount(self, job_id: int) -> None:
    from apps.core import services

    self.run_job(job_id, lambda job, progress: services.data_recount(progress=progress))


@app.task(name="equitext.core.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    """Deliver one webhook event; retry with exponential backoff (1, 2, 4, 8 s… capped) while it fails."""
    from apps.core.webhooks import delivery_attempt

    outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome is False:
        raise self.retry(countdown=min(2**self.request.retries, 300))


@app.task(name="equitext.scoring.jobs_sweep", acks_late=True, soft_time_limit=120, time_limit=150)
def jobs_sweep() -> list[int]:
    """Fail the jobs whose worker died (apps.core.jobs.jobs_sweep_stale) and queue again the webhook
    deliveries a Redis outage left unsent. Housekeeping, not a Job of its own (one per minute would bury
    the jobs page); each job it fails is audited and carries the reason in its error. The name is older
    than this module (beat schedules refer to it)."""
    from apps.core.jobs import jobs_sweep_stale
    from apps.core.webhooks import deliveries_requeue_unsent

    failed = jobs_sweep_stale()
    if failed:
        logger.warning("failed %d job(s) whose worker died: %s", len(failed), failed)
    requeued = deliveries_requeue_unsent()
    if requeued:
        logger.info("queued %d webhook delivery(ies) again after a Redis outage: %s", len(requeued), requeued)
    return failed
