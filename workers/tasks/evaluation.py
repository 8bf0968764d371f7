"""`equitext.ml.evaluate` (queue gpu): a held-out evaluation run (apps/scoring/evaluation_runs.py).

Version after version, the task loads the generator (base, a directory, or a registered adapter whose
SHA-256 it checks first), builds each segment's prompt (with few-shot examples where the version asks),
generates with the same code, seed and decoding as a generation run (`workers.ml.generation`), scores
every output (SARI, BLEU, grade, guard flags, similarity, reward) and stores it batch by batch; then it
computes the table. Safe to run twice: outputs that exist are skipped, so a restarted run resumes.
"""

from workers.celery import app

EVALUATE_SOFT_LIMIT = 12 * 3600


@app.task(
    name="equitext.ml.evaluate",
    bind=True,
    acks_late=True,
    soft_time_limit=EVALUATE_SOFT_LIMIT,
    time_limit=EVALUATE_SOFT_LIMIT + 300,
)
def evaluate(self, job_id: int) -> None:
    self.run_job(job_id, _evaluate)


def _model_path(entry: dict) -> str | None:
    """Where version `entry`'s weights are (None: the worker's default); a registered adapter is
    verified against its recorded SHA-256 first."""
    from apps.scoring import generators
    from workers.ml import adapters

    if entry.get("train_run"):
        folder = generators.adapter_dir(entry["model_path"])
        adapters.adapter_verify(folder, entry["adapter_sha256"])
        return str(folder)
    return entry.get("model_path") or None


def _release(loaded) -> None:
    """Free an adapter version once evaluated (the base generator stays cached for the next runs)."""
    from workers.ml import loader

    if loaded.source.adapter is not None:
        loader.forget(loaded)


def _evaluate(job, progress) -> dict:
    from apps.scoring import evaluation_runs
    from apps.scoring.models import ModelRun
    from apps.scoring.prompts import instruction_text, template_get
    from workers.ml import generation, loader
    from workers.tasks import prompting
    from workers.tasks.product_reward import ProductReward, reward_scorer_load

    run = ModelRun.objects.get(job_id=job.pk)
    parameters = run.parameters
    entries = parameters["generators"]
    segments = evaluation_runs.evaluation_segments(run)
    total = len(entries) * len(segments)
    done = sum(len(segments) - len(evaluation_runs.evaluation_pending(run, v)) for v in range(len(entries)))
    progress(done, total, "Loading the reward model")
    try:
        _, scorer = reward_scorer_load(parameters.get("reward_model_version"))
        reward_error = ""
    except RuntimeError as exc:  # the outputs are still scored on everything else
        scorer, reward_error = None, str(exc)
    loaded_versions = []
    for v, entry in enumerate(entries):
        pending = evaluation_runs.evaluation_pending(run, v)
        progress(done, total, f"Loading {entry['label']}")
        loaded = loader.load_causal_lm(_model_path(entry))
        loaded_versions.append(
            {
                "label": entry["label"],
                "model": loaded.source.model_id,
                "revision": loaded.source.revision,
                "device": str(loaded.device),
                "dtype": str(loaded.dtype).removeprefix("torch."),
            }
        )
        if not pending:
            _release(loaded)
            continue
        template = template_get(entry["prompt_template"], entry["prompt_version"])
        instruction = instruction_text(template, grade=entry["target_grade"], style=entry["style"])
        reward = ProductReward(
            scorer=scorer,
            weights=parameters["reward_weights"],
            prompts=[instruction, template.system],
            similarity_threshold=parameters["similarity_threshold"],
        )
        examples = (
            prompting.examples_choose([s.pk for s in pending], entry["few_shot"]) if template.few_shot else {}
        )
        conversations = prompting.conversations_build(
            template, pending, grade=entry["target_grade"], style=entry["style"], examples=examples
        )
        settings = generation.GenerationSettings(
            num_candidates=1,
            temperature=parameters["temperature"],
            top_p=parameters["top_p"],
            max_new_tokens=parameters["max_new_tokens"],
            seed=run.seed,
            batch_size=parameters["batch_size"],
        )
        for start, batch in generation.generate(loaded, conversations, settings):
            chunk = pending[start : start + len(batch)]
            samples = [row[0] for row in batch]
            # The output as recorded; where candidates are cleaned of chatter, the same cleaning goes here.
            texts = [sample.text for sample in samples]
            scored = reward.score([s.original for s in chunk], texts, [sample.finished for sample in samples])
            rows = [
                {
                    "segment": segment,
                    "text": text,
                    "raw_text": sample.text,
                    "new_tokens": sample.new_tokens,
                    "finished": sample.finished,
                    "examples": examples.get(segment.pk, []),
                    "similarity": item.similarity,
                    "compression": item.compression,
                    "flags": item.flags,
                    "p_simplified": item.p_simplified,
                    "reward": item.reward,
                    "reward_parts": item.reward_parts,
                }
                for segment, sample, text, item in zip(chunk, samples, texts, scored, strict=True)
            ]
            evaluation_runs.evaluation_outputs_record(run=run, version=v, rows=rows)
            done += len(chunk)
            progress(done, total, f"{entry['label']}: {start + len(chunk)} of {len(pending)} segments")
        _release(loaded)
    progress(done, total, "Computing the table and its bootstrap intervals")
    extra = {"loaded": loaded_versions}
    if reward_error:
        extra["reward_error"] = reward_error
    summary = evaluation_runs.evaluation_summarise(run_id=run.pk, extra=extra)
    return {"outputs": summary["outputs"], "n": summary["evaluation"]["n"]}
