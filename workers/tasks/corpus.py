from workers.celery import app


@app.task(name="equitext.corpus.import", bind=True)
def corpus_import(self, job_id: int) -> None:
    """Check and write a stored corpus file (large imports); the batch records the report."""
    from apps.corpus import services

    def work(job, progress):
        try:
            batch = services.import_batch_run(batch_id=job.parameters["batch_id"], progress=progress)
        except services.ImportProblems as exc:
            raise RuntimeError(str(exc)) from None  # the job fails with the summary; the batch keeps the rows
        return {"batch_id": batch.pk, "summary": services.import_summary(batch), "rows": batch.rows_imported}

    self.run_job(job_id, work)
