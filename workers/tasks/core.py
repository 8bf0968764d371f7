from workers.celery import app


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
