"""Model runs and scheduled scoring.

- `equitext.ml.generate` (queue gpu): a ModelRun's candidates, generated in batches, each batch stored
  with its scores. Safe to run twice: segments that already have candidates are skipped, and a job can
  only be claimed once (core.job_run).
- `equitext.ml.score_pending` (queue gpu, scheduled): scores candidates stored without scores.
- `equitext.scoring.readability_refresh` (queue default, scheduled): readability cache for texts changed
  since the last successful run.
- `equitext.scoring.jobs_sweep` (queue default, every minute): fails jobs whose worker died.

Beat sends the scheduled tasks without a job id; the task then records a Job for that execution and
re-sends itself with it, so each execution appears on the jobs page.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded

from workers.celery import app

logger = logging.getLogger(__name__)

# Generation on CPU is slow; a run of a few thousand segments on a GPU finishes well within these.
GENERATE_SOFT_LIMIT = 6 * 3600
SCORE_SOFT_LIMIT = 2 * 3600


@app.task(
    name="equitext.ml.generate",
    bind=True,
    acks_late=True,
    soft_time_limit=GENERATE_SOFT_LIMIT,
    time_limit=GENERATE_SOFT_LIMIT + 120,
)
def generate(self, job_id: int) -> None:
    from apps.core import services as core

    core.job_run(job_id=job_id, worker=self.request.hostname or "", work=_generate)


def _generate(job, progress) -> dict:
    from apps.scoring import services
    from apps.scoring.models import ModelRun
    from apps.scoring.prompts import prompt_messages

    run = ModelRun.objects.get(job_id=job.pk)
    services.run_status_set(run_id=run.pk, status=ModelRun.Status.RUNNING)
    try:
        return _generate_run(run, progress, services, prompt_messages)
    except SoftTimeLimitExceeded:
        services.run_status_set(run_id=run.pk, status=ModelRun.Status.FAILED)
        raise RuntimeError(
            f"The run exceeded its time limit ({GENERATE_SOFT_LIMIT // 3600} h); candidates made so far "
            "are kept. Start a smaller run for the remaining segments."
        ) from None
    except BaseException:
        services.run_status_set(run_id=run.pk, status=ModelRun.Status.FAILED)
        raise


def _generate_run(run, progress, services, prompt_messages) -> dict:
    from workers.ml import embeddings, generation, loader

    parameters = run.parameters
    template, prompts = services.run_prompts(run)
    total = run.segments.count()
    pending = services.run_segments_pending(run)
    done = total - len(pending)
    progress(done, total, "Loading the model")
    loaded = loader.load_causal_lm(run.model_path or None)
    services.run_status_set(
        run_id=run.pk,
        status=run.Status.RUNNING,
        model_name=loaded.source.model_id,
        model_revision=loaded.source.revision,
    )
    settings = generation.GenerationSettings(
        num_candidates=parameters["num_candidates"],
        temperature=parameters["temperature"],
        top_p=parameters["top_p"],
        max_new_tokens=parameters["max_new_tokens"],
        seed=run.seed,
        batch_size=parameters["batch_size"],
    )
    conversations = [
        prompt_messages(
            template, text=segment.original, grade=parameters["target_grade"], style=parameters["style"]
        )
        for segment in pending
    ]
    progress(done, total, f"Generating with {loaded.source.model_id} on {loaded.device}")
    created = 0
    for start, batch in generation.generate(loaded, conversations, settings):
        segments = pending[start : start + len(batch)]
        pairs = [
            (segment.original, sample.text)
            for segment, samples in zip(segments, batch, strict=True)
            for sample in samples
        ]
        similar = iter(embeddings.similarities(pairs))
        outputs = [
            (segment, [(s.text, s.new_tokens, s.finished, next(similar)) for s in samples])
            for segment, samples in zip(segments, batch, strict=True)
        ]
        created += services.candidates_record(run=run, outputs=outputs, prompts=prompts)
        done += len(segments)
        progress(done, total, f"{done} of {total} segments done")
    summary = services.run_summary(run)
    summary.update(
        created_now=created,
        device=str(loaded.device),
        dtype=str(loaded.dtype).removeprefix("torch."),
        model=loaded.source.model_id,
        revision=loaded.source.revision,
    )
    services.run_status_set(run_id=run.pk, status=run.Status.SUCCEEDED, summary=summary)
    return summary


@app.task(name="equitext.ml.score_pending", bind=True, acks_late=True, soft_time_limit=SCORE_SOFT_LIMIT,
          time_limit=SCORE_SOFT_LIMIT + 120)  # fmt: skip
def score_pending(self, job_id: int | None = None) -> None:
    from apps.core import services as core
    from apps.scoring import services

    if job_id is None:
        services.scheduled_job_create(kind="score_pending", task=self.name)
        return
    core.job_run(job_id=job_id, worker=self.request.hostname or "", work=_score_pending)


def _score_pending(job, progress) -> dict:
    from apps.scoring import services
    from workers.ml import embeddings

    scored = 0
    total = services.candidates_unscored_count()
    progress(0, total, "Scoring candidates without scores")
    while True:
        batch = services.candidates_unscored(limit=64)
        if not batch:
            break
        similar = embeddings.similarities([(c.segment.original, c.text) for c in batch])
        for candidate, similarity in zip(batch, similar, strict=True):
            services.candidate_score_store(candidate_id=candidate.pk, similarity=similarity)
        scored += len(batch)
        progress(min(scored, total), max(total, scored), f"Scored {scored} candidates")
    return {"scored": scored}


@app.task(name="equitext.scoring.readability_refresh", bind=True, acks_late=True, soft_time_limit=3600,
          time_limit=3720)  # fmt: skip
def readability_refresh(self, job_id: int | None = None) -> None:
    from apps.core import services as core
    from apps.scoring import services

    if job_id is None:
        services.scheduled_job_create(kind="readability_refresh", task=self.name)
        return
    since = services.last_success_started("readability_refresh")
    core.job_run(
        job_id=job_id,
        worker=self.request.hostname or "",
        work=lambda job, progress: services.readability_refresh(since=since, progress=progress),
    )


@app.task(name="equitext.scoring.jobs_sweep", acks_late=True, soft_time_limit=120, time_limit=150)
def jobs_sweep() -> list[int]:
    """Housekeeping, not a Job of its own (one per minute would bury the jobs page); each job it fails
    is audited and carries the reason in its error."""
    from apps.scoring import services

    failed = services.jobs_sweep_stale()
    if failed:
        logger.warning("failed %d job(s) whose worker died: %s", len(failed), failed)
    return failed
