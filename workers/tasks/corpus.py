from workers.celery import app


@app.task(name="equitext.corpus.import", bind=True)
def corpus_import(self, job_id: int) -> None:
    """Check and write a stored corpus file (large imports); the batch records the report."""
    from apps.corpus import import_services
    from apps.corpus.exceptions import ImportProblems

    def work(job, progress):
        try:
            batch = import_services.import_batch_run(batch_id=job.parameters["batch_id"], progress=progress)
        except ImportProblems as exc:
            raise RuntimeError(str(exc)) from None  # the job fails with the summary; the batch keeps the rows
        return {
            "batch_id": batch.pk,
            "summary": import_services.import_summary(batch),
            "rows": batch.rows_imported,
        }

    self.run_job(job_id, work)
