from workers.celery import app


@app.task(name="equitext.core.recount", bind=True)
def recount(self, job_id: int) -> None:
    from apps.core import services

    services.job_run(
        job_id=job_id,
        worker=self.request.hostname or "",
        work=lambda job, progress: services.data_recount(progress=progress),
    )
