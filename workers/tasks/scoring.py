"""Model runs and scheduled scoring.

- `equitext.ml.generate` (queue gpu): a ModelRun's candidates, generated in batches, each batch stored
  with its scores. Safe to run twice: segments that already have candidates are skipped, and a job can
  only be claimed once (apps.core.jobs.job_run).
- `equitext.ml.score_pending` (queue gpu, scheduled): scores candidates stored without scores, and gives
  rewards to candidates without one when a reward model is active.
- `equitext.ml.train_reward` (queue gpu; started by a curator, or weekly by beat): trains a reward-model
  version; the weekly execution skips (and says why) unless enough new approved pairs exist.
- `equitext.scoring.readability_refresh` (queue default, scheduled): readability cache for texts changed
  since the last successful run.

Generator training (SFT, RL, DPO) is `workers/tasks/training.py`; evaluations `evaluation.py`.

A run's status is its job's (`ModelRun.status`): these tasks record what a run loaded and produced
(`services.run_record`), never its status. The stale-job sweeper is `workers/tasks/core.py`.

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
    self.run_job(job_id, _generate)


def _generate(job, progress) -> dict:
    from apps.scoring.models import ModelRun

    run = ModelRun.objects.get(job_id=job.pk)
    try:
        return _generate_run(run, progress)
    except SoftTimeLimitExceeded:
        raise RuntimeError(
            f"The run exceeded its time limit ({GENERATE_SOFT_LIMIT // 3600} h); candidates made so far "
            "are kept. Start a smaller run for the remaining segments."
        ) from None


def _generate_run(run, progress) -> dict:
    from apps.scoring import selectors, services
    from workers.ml import embeddings, generation, loader
    from workers.tasks import prompting

    parameters = run.parameters
    template, prompts = services.run_prompts(run)
    total = run.segments.count()
    pending = selectors.run_segments_pending(run)
    done = total - len(pending)
    progress(done, total, "Loading the model")
    loaded = loader.load_causal_lm(run.model_path or None)
    services.run_record(
        run_id=run.pk,
        model_name=loaded.source.model_id,
        model_revision=loaded.source.revision,
        environment=generation.environment(loaded),
    )
    settings = generation.GenerationSettings(
        num_candidates=parameters["num_candidates"],
        temperature=parameters["temperature"],
        top_p=parameters["top_p"],
        max_new_tokens=parameters["max_new_tokens"],
        seed=run.seed,
        batch_size=parameters["batch_size"],
    )
    conversations = prompting.run_conversations(run, template, pending)  # few-shot examples recorded
    reward_model, scorer, reward_error = _run_reward_scorer(run)
    progress(done, total, f"Generating with {loaded.source.model_id} on {loaded.device}")
    created = 0
    # Seeded per (run seed, segment id, candidate index): a resumed run gives the same texts.
    keys = [segment.pk for segment in pending]
    for start, batch in generation.generate(loaded, conversations, settings, keys=keys):
        segments = pending[start : start + len(batch)]
        outputs = [
            (segment, [(s.text, s.new_tokens, s.finished) for s in samples])
            for segment, samples in zip(segments, batch, strict=True)
        ]
        created += services.candidates_record(
            run=run,
            outputs=outputs,
            prompts=prompts,
            similarity=embeddings.similarities,
            p_simplified=scorer.score if scorer else None,
            reward_model=reward_model,
        )
        done += len(segments)
        progress(done, total, f"{done} of {total} segments done")
    summary = selectors.run_summary(run)
    summary.update(
        created_now=created,
        device=str(loaded.device),
        dtype=str(loaded.dtype).removeprefix("torch."),
        model=loaded.source.model_id,
        revision=loaded.source.revision,
        reward_model_version=reward_model.version if reward_model else None,
    )
    if reward_error:
        summary["reward_error"] = reward_error
    services.run_record(run_id=run.pk, summary=summary)
    return summary


def _run_reward_scorer(run):
    """(RewardModel, scorer, error) for the reward model recorded on the run when it was started.

    A model whose file cannot be loaded does not stop the run: candidates are stored without rewards,
    the run's summary says why, and the scheduled scoring fills rewards once a usable model is active."""
    from apps.scoring import reward_registry
    from apps.scoring.models import RewardModel

    version = run.parameters.get("reward_model_version")
    if not version:
        return None, None, ""
    model = RewardModel.objects.filter(version=version).first()
    if model is None:
        return None, None, f"Reward model v{version} no longer exists; candidates have no reward."
    from workers.ml import reward

    try:
        scorer = reward.artifact_load(reward_registry.artifact_file(model), sha256=model.artifact_sha256)
    except (RuntimeError, OSError) as exc:
        return None, None, f"Reward model v{version} could not be loaded: {exc}"
    return model, scorer, ""


@app.task(
    name="equitext.ml.score_pending",
    bind=True,
    acks_late=True,
    soft_time_limit=SCORE_SOFT_LIMIT,
    time_limit=SCORE_SOFT_LIMIT + 120,
)
def score_pending(self, job_id: int | None = None) -> None:
    from apps.core.jobs import job_create_scheduled

    if job_id is None:
        job_create_scheduled(kind="score_pending", task=self.name)
        return
    self.run_job(job_id, _score_pending)


def _score_pending(job, progress) -> dict:
    from apps.scoring import selectors, services
    from workers.ml import embeddings

    scored = 0
    total = selectors.candidates_unscored_count()
    progress(0, total, "Scoring candidates without scores")
    while True:
        batch = selectors.candidates_unscored(limit=64)
        if not batch:
            break
        similar = embeddings.similarities([(c.segment.original, c.text) for c in batch])
        for candidate, similarity in zip(batch, similar, strict=True):
            services.candidate_score_store(candidate_id=candidate.pk, similarity=similarity)
        scored += len(batch)
        progress(min(scored, total), max(total, scored), f"Scored {scored} candidates")
    return {"scored": scored, **_reward_pending(progress)}


def _reward_pending(progress) -> dict:
    """Rewards for scored candidates that have none, from the active reward model (if any)."""
    from apps.scoring import reward_registry, selectors, services

    model = reward_registry.reward_model_active()
    if model is None:
        return {"rewarded": 0, "reward_model_version": None}
    from workers.ml import reward

    scorer = reward.artifact_load(reward_registry.artifact_file(model), sha256=model.artifact_sha256)
    total = selectors.candidates_unrewarded_count()
    rewarded = 0
    while True:
        batch = selectors.candidates_unrewarded(limit=256)
        if not batch:
            break
        p = scorer.score([c.text for c in batch])
        services.candidate_rewards_store(
            reward_model=model, p_simplified={c.pk: value for c, value in zip(batch, p, strict=True)}
        )
        rewarded += len(batch)
        progress(min(rewarded, total), max(total, rewarded), f"Rewards for {rewarded} candidates")
    references = 0
    while batch := selectors.references_unrewarded(limit=256):  # and the human references beside them
        p = scorer.score([r.text for r in batch])
        references += services.reference_rewards_store(
            reward_model=model, p_simplified={r.pk: value for r, value in zip(batch, p, strict=True)}
        )
    return {"rewarded": rewarded, "references_rewarded": references, "reward_model_version": model.version}


TRAIN_SOFT_LIMIT = 6 * 3600
FIT_OPTIONS = ("C", "seed", "encoder_mode", "epochs", "learning_rate", "batch_size")


@app.task(
    name="equitext.ml.train_reward",
    bind=True,
    acks_late=True,
    soft_time_limit=TRAIN_SOFT_LIMIT,
    time_limit=TRAIN_SOFT_LIMIT + 120,
)
def train_reward(self, job_id: int | None = None, min_new_pairs: int | None = None) -> None:
    """Train a reward model. Beat sends it without a job (weekly, with `min_new_pairs`): the task records
    a Job for that execution and re-sends itself with it."""
    from apps.core.jobs import job_create
    from apps.scoring import reward_registry

    if job_id is None:
        minimum = min_new_pairs if min_new_pairs is not None else reward_registry.min_new_pairs_default()
        parameters = {"trigger": "schedule", "min_new_pairs": int(minimum)}
        job_create(kind="reward_train", task=self.name, requested_by=None, parameters=parameters)
        return
    self.run_job(job_id, _train_reward)


def _train_reward(job, progress) -> dict:
    from apps.scoring import reward_registry
    from apps.scoring.models import ModelRun

    run = ModelRun.objects.filter(job_id=job.pk).first()
    if run is None:  # the weekly schedule
        new, latest = reward_registry.new_pairs_since_last_version()
        minimum = int(job.parameters.get("min_new_pairs", reward_registry.min_new_pairs_default()))
        since = f"since reward model v{latest.version}" if latest else "(no reward model yet)"
        if new < minimum:
            reason = (
                f"Skipped: {new} approved pair(s) new or changed {since}; retraining needs {minimum} or more "
                "(the schedule's min_new_pairs)."
            )
            progress(0, 0, reason)
            return {"skipped": True, "reason": reason, "new_pairs": new, "min_new_pairs": minimum}
        progress(0, 0, f"{new} approved pair(s) new or changed {since}: retraining")
        parameters = reward_registry.retrain_parameters(latest)
        return _train_reward_model(job, parameters, None, progress, run=None, new_pairs=new)
    return _train_reward_model(job, run.parameters, run.requested_by, progress, run=run)


def _train_reward_model(job, parameters, created_by, progress, *, run, new_pairs=None) -> dict:
    import shutil
    import tempfile
    import uuid
    from pathlib import Path

    from django.conf import settings

    from apps.metrics.text_scores import text_scores_get_or_compute
    from apps.scoring import reward_eval, reward_registry, services
    from workers.ml import reward

    steps = 4
    progress(0, steps, "Building the training set (split by document)")
    data = reward_registry.training_set_build(parameters)
    train = data.indexes(test=False)
    test = data.indexes(test=True)
    # Text that is not English has no grade (apps/metrics/language.py): the baseline ranks it as grade 0.
    grades = [m.get("flesch_kincaid_grade") or 0.0 for m in text_scores_get_or_compute(data.texts)]
    progress(1, steps, f"Fitting on {len(train)} texts ({parameters['encoder_mode']} encoder)")
    relative = reward_registry.artifact_dir_relative(uuid.uuid4().hex)
    scratch = None
    if parameters["encoder_mode"] == "finetune":
        (Path(settings.MEDIA_ROOT) / "reward_models").mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".finetune.", dir=Path(settings.MEDIA_ROOT) / "reward_models"))
    try:
        options = {key: parameters[key] for key in FIT_OPTIONS}
        scorer = reward.fit(
            [data.texts[i] for i in train], [data.labels[i] for i in train], scratch=scratch, **options
        )
        progress(2, steps, f"Scoring {len(test)} held-out texts")
        scores = scorer.score([data.texts[i] for i in test])
        local = {index: position for position, index in enumerate(test)}
        metrics = reward_eval.evaluate(
            test_labels=[data.labels[i] for i in test],
            test_scores=scores,
            test_pairs=[(local[o], local[s]) for o, s in data.pairs if data.test[o]],
            test_grades=[grades[i] for i in test],
            train_grades=[grades[i] for i in train],
            train_labels=[data.labels[i] for i in train],
        )
        metrics.update(
            train_texts=len(train),
            train_pairs=sum(1 for o, _ in data.pairs if not data.test[o]),
            train_documents=len(data.snapshot["train_documents"]),
            test_documents=len(data.snapshot["test_documents"]),
        )
        progress(3, steps, "Saving the artefact")
        artifact_path, digest = reward.artifact_save(
            scorer, media_root=Path(settings.MEDIA_ROOT), relative_dir=relative, scratch=scratch
        )
    finally:
        if scratch is not None and scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    model = reward_registry.reward_model_create(
        job=job,
        created_by=created_by,
        parameters=parameters,
        training=data,
        metrics=metrics,
        encoder=scorer.info["name"],
        artifact_path=artifact_path,
        artifact_sha256=digest,
    )
    summary = {"reward_model": model.pk, "version": model.version, **metrics}
    if new_pairs is not None:
        summary["new_pairs"] = new_pairs
    if run is not None:
        services.run_record(run_id=run.pk, summary=summary, model_revision=f"reward v{model.version}")
    progress(steps, steps, f"Reward model v{model.version} saved")
    return summary


@app.task(
    name="equitext.scoring.readability_refresh",
    bind=True,
    acks_late=True,
    soft_time_limit=3600,
    time_limit=3720,
)
def readability_refresh(self, job_id: int | None = None) -> None:
    from apps.core.jobs import job_create_scheduled
    from apps.core.selectors import job_last_success_started
    from apps.scoring import services

    if job_id is None:
        job_create_scheduled(kind="readability_refresh", task=self.name)
        return
    since = job_last_success_started("readability_refresh")
    self.run_job(job_id, lambda job, progress: services.readability_refresh(since=since, progress=progress))
