"""Generator training tasks (queue gpu): each trains a LoRA adapter and registers a generator version.

- `equitext.ml.train_sft`: supervised fine-tuning on approved train-split pairs (workers/ml/sft.py);
- `equitext.ml.train_rl`: GRPO with the product's reward on originals (workers/ml/rl.py);
- `equitext.ml.finetune_generator`: DPO on the preference export (workers/ml/dpo.py; the task name is
  the one earlier releases queued, so their messages still run).

The run was validated when it started (apps/scoring/training.py); the data can have changed since, so
the task checks it again and fails with the same message. The adapter is written into a temporary folder
and renamed into place by the trainer; only then is the version registered (`generators.
generator_version_create`), so a failed or killed run leaves neither a half-written folder nor a version.
"""

from workers.celery import app

TRAIN_SOFT_LIMIT = 12 * 3600
SFT_OPTIONS = ("steps", "learning_rate", "batch_size", "max_length", "lora_r", "lora_alpha", "seed")
RL_OPTIONS = (
    "steps",
    "learning_rate",
    "prompts_per_step",
    "num_generations",
    "max_completion_length",
    "temperature",
    "beta",
    "lora_r",
    "lora_alpha",
    "seed",
)
DPO_OPTIONS = ("steps", "learning_rate", "beta", "batch_size", "max_length", "lora_r", "lora_alpha", "seed")


def _task(name: str, work):
    @app.task(
        name=name,
        bind=True,
        acks_late=True,
        soft_time_limit=TRAIN_SOFT_LIMIT,
        time_limit=TRAIN_SOFT_LIMIT + 300,
    )
    def task(self, job_id: int) -> None:
        self.run_job(job_id, work)

    return task


def _out_dir(run):
    import uuid
    from pathlib import Path

    from django.conf import settings

    from apps.scoring.generators import GENERATORS_DIR

    return Path(settings.MEDIA_ROOT) / GENERATORS_DIR / f"run-{run.pk}-{uuid.uuid4().hex[:8]}"


def _start(run):
    """(start version, its adapter folder) of a run that continues from another version, else (None, None).
    The adapter's weights must still be the registered ones."""
    from apps.scoring import generators, training
    from workers.ml import adapters

    version = training.start_version(run)
    if version is None:
        return None, None
    folder = generators.adapter_dir(version.adapter_path)
    adapters.adapter_verify(folder, version.adapter_sha256)
    return version, str(folder)


def _register(run, result: dict, *, method: str, data_snapshot: dict, parent=None) -> dict:
    from apps.scoring import generators, services

    version = generators.generator_version_create(
        run_id=run.pk,
        method=method,
        parent=parent,
        base_model=result["base_model"],
        base_revision=result["base_revision"],
        model_name=result["model_name"],
        model_revision=result["model_revision"],
        adapter_path=result["model_path"],
        adapter_sha256=result["adapter_sha256"],
        data_snapshot=data_snapshot,
        parameters=run.parameters,
        seed=run.seed,
        environment=result["environment"],
        history=result["history"],
    )
    summary = {
        **{key: value for key, value in result.items() if key not in ("history", "environment")},
        "generator_version": version.pk,
        "train_run": run.pk,
        "start_from": parent.run_id if parent else None,
        "environment": result["environment"],
        "data": {key: value for key, value in data_snapshot.items() if key != "segments"},
    }
    services.run_record(run_id=run.pk, summary=summary, model_revision=result["model_revision"][:120])
    return summary


def _snapshot(rows: list[dict], **extra) -> dict:
    """The training data by id and version, with the SHA-256 of that list."""
    import hashlib
    import json

    segments = [[row["pk"], row["version"]] for row in rows]
    digest = hashlib.sha256(json.dumps(segments).encode()).hexdigest()
    return {"segments": segments, "count": len(segments), "sha256": digest, **extra}


def _train_sft(job, progress) -> dict:
    from apps.scoring import services, training
    from apps.scoring.models import GeneratorVersion, ModelRun
    from apps.scoring.prompts import prompt_messages

    run = ModelRun.objects.get(job_id=job.pk)
    parameters = run.parameters
    progress(0, parameters["steps"], "Reading the approved train-split pairs")
    problem = training.too_little_data("sft")
    if problem:
        raise RuntimeError(problem)
    template, _ = services.run_prompts(run)
    pairs = training.sft_pairs()
    records = [
        {
            "prompt": prompt_messages(
                template, text=pair["original"], grade=parameters["target_grade"], style=parameters["style"]
            ),
            "completion": [{"role": "assistant", "content": pair["simplified"].strip()}],
        }
        for pair in pairs
    ]
    from workers.ml import sft

    result = sft.train_sft_adapter(
        records=records,
        out_dir=_out_dir(run),
        base_path=run.model_path or None,
        progress=progress,
        **{key: parameters[key] for key in SFT_OPTIONS},
    )
    snapshot = _snapshot(pairs, split="train", status="approved", template=template.label)
    return _register(run, result, method=GeneratorVersion.Method.SFT, data_snapshot=snapshot)


def _train_rl(job, progress) -> dict:
    from apps.scoring import services, training
    from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD
    from apps.scoring.models import GeneratorVersion, ModelRun
    from apps.scoring.prompts import prompt_messages
    from workers.tasks.product_reward import ProductReward, reward_scorer_load

    run = ModelRun.objects.get(job_id=job.pk)
    parameters = run.parameters
    progress(0, parameters["steps"], "Reading the originals and loading the reward model")
    problem = training.too_little_data("rl")
    if problem:
        raise RuntimeError(problem)
    texts = training.rl_texts()
    if parameters["max_texts"]:
        texts = texts[: parameters["max_texts"]]
    model, scorer = reward_scorer_load(parameters["reward_model_version"])
    template, prompts = services.run_prompts(run)
    reward = ProductReward(
        scorer=scorer,
        weights=parameters["reward_weights"],
        prompts=prompts,
        similarity_threshold=DEFAULT_SIMILARITY_THRESHOLD,
    )
    parent, start_from = _start(run)
    from workers.ml import rl

    result = rl.train_rl_adapter(
        prompts=[
            prompt_messages(
                template, text=row["original"], grade=parameters["target_grade"], style=parameters["style"]
            )
            for row in texts
        ],
        sources=[row["original"] for row in texts],
        reward=reward.rewards,
        out_dir=_out_dir(run),
        base_path=(run.model_path or None) if parent is None else None,
        start_from=start_from,
        progress=progress,
        **{key: parameters[key] for key in RL_OPTIONS},
    )
    snapshot = _snapshot(
        texts,
        splits=[str(split) for split in training.RL_SPLITS],
        template=template.label,
        reward_model_version=model.version,
        reward_weights=parameters["reward_weights"],
    )
    return _register(run, result, method=GeneratorVersion.Method.RL, data_snapshot=snapshot, parent=parent)


def _finetune_generator(job, progress) -> dict:
    from collections import Counter

    from apps.scoring import preferences
    from apps.scoring.models import GeneratorVersion, ModelRun

    run = ModelRun.objects.get(job_id=job.pk)
    parameters = run.parameters
    progress(0, parameters["steps"], "Reading the preference pairs")
    records = []
    for record in preferences.records(sources=parameters["sources"] or preferences.SIMPLIFICATION_SOURCES):
        records.append(record)
        if parameters["max_records"] and len(records) >= parameters["max_records"]:
            break
    if not records:
        raise RuntimeError("The preference export is empty; rank or accept/reject candidates first.")
    parent, start_from = _start(run)
    from workers.ml import dpo

    result = dpo.train_dpo_adapter(
        records=records,
        out_dir=_out_dir(run),
        base_path=(run.model_path or None) if parent is None else None,
        start_from=start_from,
        progress=progress,
        **{key: parameters[key] for key in DPO_OPTIONS},
    )
    sources = dict(Counter(record["source"] for record in records))
    result["sources"] = sources
    snapshot = {
        "records": len(records),
        "sources": sources,
        "pairs": [
            [r["chosen_candidate_id"], r["rejected_candidate_id"], r["study_item_id"]] for r in records
        ],
    }
    return _register(run, result, method=GeneratorVersion.Method.DPO, data_snapshot=snapshot, parent=parent)


train_sft = _task("equitext.ml.train_sft", _train_sft)
train_rl = _task("equitext.ml.train_rl", _train_rl)
finetune_generator = _task("equitext.ml.finetune_generator", _finetune_generator)
