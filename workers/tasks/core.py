from workers.celery import app


@app.task(name="equitext.core.recount", bind=True)
def recount(self, job_id: int) -> None:
    from apps.core import services

    services.job_run(
        job_id=job_id,
        worker=self.request.hostname or "",
        work=lambda job, progress: services.data_recount(progress=progress),
    )


@app.task(name="equitext.core.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    """Deliver one webhook event; retry with exponential backoff (1, 2, 4, 8 s… capped) while it fails."""
    from apps.core.webhooks import delivery_attempt

    outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome is False:
        raise self.retry(countdown=min(2**self.request.retries, 300))
