"""Held-out evaluation runs (ModelRun kind `evaluate`): start, record outputs, summarise.

A curator names generator versions — the base model (an entry without `train_run`), the base with
few-shot prompts (`few_shot: k`), any trained version (`train_run: <id>`), each with its own prompt
options — a split (default `test`), decoding settings and a seed. The task `equitext.ml.evaluate`
(workers/tasks/evaluation.py) generates with each version for every segment of the split that has a
reference (same seed, same decoding), stores each output with its scores (`evaluation_outputs_record`)
and finally the table (`evaluation_summarise`: apps/scoring/evaluation.py) in `summary["evaluation"]`.

Reproducible from the record: the resolved versions (adapter, its SHA-256, revision), the prompt
settings of each, the segments with their versions, the decoding, the seed, the reward model version,
the resamples — and the stored outputs, from which the table is recomputed exactly.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.models import Segment, Split
from apps.metrics.sari import bleu, sari
from apps.metrics.text_scores import text_scores_get_or_compute
from apps.scoring import generators
from apps.scoring.evaluation import Output, evaluation_table
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD
from apps.scoring.models import EvaluationOutput, ModelRun, RewardModel
from apps.scoring.parameters import bounded_numbers_clean, reward_weights_clean
from apps.scoring.prompts import DEFAULT_TEMPLATE, FEW_SHOT_TEMPLATE, GRADE_RANGE, STYLES, template_get
from apps.scoring.services.runs import RUN_LIMIT_SEGMENTS, few_shot_check, seed_clean

EVALUATE_TASK = "equitext.ml.evaluate"
MAX_GENERATORS = 8
BOUNDS = {
    # name: (type, default, minimum, maximum): the decoding every version shares, and the statistics
    "temperature": (float, 0.0, 0.0, 2.0),
    "top_p": (float, 1.0, 0.05, 1.0),
    "max_new_tokens": (int, 96, 1, 1024),
    "batch_size": (int, 8, 1, 256),
    "similarity_threshold": (float, DEFAULT_SIMILARITY_THRESHOLD, 0.0, 1.0),
    "resamples": (int, 1000, 100, 20_000),
    "confidence": (float, 0.95, 0.5, 0.999),
}
ENTRY_BOUNDS = {
    "few_shot": (int, 0, 0, 16),
    "target_grade": (int, 6, GRADE_RANGE[0], GRADE_RANGE[1]),
}
ENTRY_KEYS = {
    "label",
    "train_run",
    "model_path",
    "few_shot",
    "target_grade",
    "style",
    "prompt_template",
    "prompt_version",
}


def evaluation_generators_clean(generators_given) -> list[dict]:
    """The resolved version entries; ValidationError names each problem as `generators[i].field`."""
    if not isinstance(generators_given, list) or not generators_given:
        raise ValidationError(
            {
                "generators": "Give a list of generator versions, e.g. "
                '[{"label": "base"}, {"label": "SFT", "train_run": 12}].'
            }
        )
    if len(generators_given) > MAX_GENERATORS:
        raise ValidationError(
            {
                "generators": f"{len(generators_given)} versions; one evaluation compares at most "
                f"{MAX_GENERATORS}."
            }
        )
    errors: dict[str, str] = {}
    resolved = []
    labels: set[str] = set()
    for i, entry in enumerate(generators_given):
        at = f"generators[{i}]"
        if not isinstance(entry, dict):
            errors[at] = 'Each version is an object, e.g. {"label": "base"}.'
            continue
        entry = dict(entry)
        unknown = sorted(set(entry) - ENTRY_KEYS)
        for name in unknown:
            errors[f"{at}.{name}"] = f"Unknown option; use {', '.join(sorted(ENTRY_KEYS))}."
        cleaned: dict = {}
        entry_errors: dict[str, str] = {}
        bounded_numbers_clean(entry, ENTRY_BOUNDS, cleaned, entry_errors)
        errors.update({f"{at}.{name}": text for name, text in entry_errors.items()})
        style = entry.get("style") or "plain"
        if style not in STYLES:
            errors[f"{at}.style"] = f"Unknown style {style!r}; use one of {', '.join(STYLES)}."
        cleaned["style"] = style
        key = entry.get("prompt_template") or (
            FEW_SHOT_TEMPLATE[0] if cleaned.get("few_shot") else DEFAULT_TEMPLATE[0]
        )
        default_version = FEW_SHOT_TEMPLATE[1] if key == FEW_SHOT_TEMPLATE[0] else DEFAULT_TEMPLATE[1]
        try:
            template = template_get(key, entry.get("prompt_version") or default_version)
        except ValueError as exc:
            errors[f"{at}.prompt_template"] = str(exc)
            template = None
        if template is not None and f"{at}.few_shot" not in errors:
            try:
                few_shot_check(template, cleaned.get("few_shot", 0), field=f"{at}.few_shot")
            except ValidationError as exc:
                errors.update({name: " ".join(texts) for name, texts in exc.message_dict.items()})
        if template is not None:
            cleaned["prompt_template"], cleaned["prompt_version"] = template.key, template.version
        model_path = (entry.get("model_path") or "").strip()
        train_run = entry.get("train_run")
        cleaned.update(train_run=None, model_path="", adapter_sha256="", method="base")
        if train_run not in (None, ""):
            if model_path:
                errors[f"{at}.model_path"] = "Name either a model directory or a train_run, not both."
            try:
                version = generators.generator_version_for_run(train_run, field=f"{at}.train_run")
            except ValidationError as exc:
                errors.update({name: " ".join(texts) for name, texts in exc.message_dict.items()})
            else:
                cleaned.update(
                    train_run=version.run_id,
                    model_path=version.adapter_path,
                    adapter_sha256=version.adapter_sha256,
                    method=version.method,
                    model_revision=version.model_revision,
                )
        elif model_path:
            if len(model_path) > 500:
                errors[f"{at}.model_path"] = "The model path is longer than 500 characters."
            cleaned.update(model_path=model_path, method="directory")
        label = str(entry.get("label") or "").strip()
        if not label:
            label = f"run #{cleaned['train_run']}" if cleaned["train_run"] else "base"
            if cleaned.get("few_shot"):
                label += f" {cleaned['few_shot']}-shot"
        if len(label) > 60:
            errors[f"{at}.label"] = "Keep labels to 60 characters."
        if label in labels:
            errors[f"{at}.label"] = f"Two versions are labelled {label!r}; give each its own label."
        labels.add(label)
        cleaned["label"] = label
        resolved.append(cleaned)
    if errors:
        raise ValidationError(errors)
    return resolved


def evaluation_parameters_clean(parameters: dict | None) -> dict:
    parameters = dict(parameters or {})
    errors: dict[str, str] = {}
    cleaned: dict = {}
    bounded_numbers_clean(parameters, BOUNDS, cleaned, errors)
    reward_weights_clean(parameters, cleaned, errors)
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if errors:
        raise ValidationError(errors)
    return cleaned


def evaluation_segments_select(split: str) -> tuple[list[int], dict]:
    """(ids of the split's segments that have a reference, in corpus order; what was left out and why)."""
    if split not in Split.values:
        raise ValidationError({"split": f"Unknown split {split!r}; use one of {', '.join(Split.values)}."})
    rows = list(
        Segment.objects.filter(split=split)
        .order_by("document_id", "position")
        .values_list("pk", "simplified")
    )
    ids = [pk for pk, simplified in rows if simplified.strip()]
    left_out = [pk for pk, simplified in rows if not simplified.strip()]
    if not ids:
        raise ValidationError(
            {"split": f"The {split} split has no segment with a human reference; SARI and BLEU need one."}
        )
    if len(ids) > RUN_LIMIT_SEGMENTS:
        raise ValidationError(
            {"split": f"{len(ids)} segments; one evaluation takes at most {RUN_LIMIT_SEGMENTS}."}
        )
    return ids, {"no_reference": left_out}


@transaction.atomic
def evaluation_start(
    *, user, generators: list, split: str = "test", parameters: dict | None = None, seed: int = 0
) -> ModelRun:
    """Start an evaluation: validate everything, then the run (versions resolved, segments and their
    versions recorded) and its gpu Job."""
    require_curator(user)
    entries = evaluation_generators_clean(generators)
    cleaned = evaluation_parameters_clean(parameters)
    seed = seed_clean(seed)
    ids, left_out = evaluation_segments_select(split or "test")
    cleaned["generators"] = entries
    cleaned["split"] = split or "test"
    cleaned["reward_model_version"] = (
        RewardModel.objects.filter(is_active=True).values_list("version", flat=True).first()
    )
    versions = dict(Segment.objects.filter(pk__in=ids).values_list("pk", "version"))
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.EVALUATE,
        model_name=" vs ".join(entry["label"] for entry in entries)[:200],
        parameters=cleaned,
        seed=seed,
        selection={
            "split": cleaned["split"],
            "segments": [[pk, versions[pk]] for pk in ids],
            "left_out": left_out,
        },
        requested_by=user,
    )
    run.segments.set(ids)
    run.job = job_create(
        kind="evaluation",
        task=EVALUATE_TASK,
        requested_by=user,
        parameters={"run": run.pk, "segments": len(ids), "generators": len(entries)},
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(
        actor=user,
        action="model_run.evaluate",
        obj=run,
        details={"segments": len(ids), "generators": [e["label"] for e in entries]},
    )
    return run


def evaluation_segments(run: ModelRun) -> list[Segment]:
    return list(run.segments.order_by("document_id", "position"))


def evaluation_pending(run: ModelRun, version: int) -> list[Segment]:
    """The run's segments without an output of generator `version` yet (a restarted task resumes)."""
    done = set(EvaluationOutput.objects.filter(run=run, version=version).values_list("segment_id", flat=True))
    return [segment for segment in evaluation_segments(run) if segment.pk not in done]


def output_scores(*, source: str, reference: str, text: str, readability: dict | None = None) -> dict:
    """SARI (HF, per output), BLEU and grade of one output (no database writes when `readability` is
    given)."""
    if readability is None:
        readability = text_scores_get_or_compute([text])[0] if text.strip() else {}
    score = sari(source, text, [reference])
    return {
        "sari": score.sari,
        "sari_parts": score.parts(),
        "bleu": bleu(text, [reference]),
        "grade": readability.get("flesch_kincaid_grade") if text.strip() else None,
    }


@transaction.atomic
def evaluation_outputs_record(*, run: ModelRun, version: int, rows: list[dict]) -> int:
    """Store one batch of a version's outputs with their scores. `rows`: dicts with `segment`, `text`,
    `raw_text`, `new_tokens`, `finished`, `examples`, `similarity`, `compression`, `flags`,
    `p_simplified`, `reward`, `reward_parts`. Idempotent (an existing output is kept). Returns rows
    created."""
    texts = [row["text"] for row in rows if row["text"].strip()]
    readability = dict(zip(texts, text_scores_get_or_compute(texts), strict=True)) if texts else {}
    objects = []
    for row in rows:
        segment = row["segment"]
        objects.append(
            EvaluationOutput(
                run=run,
                version=version,
                segment=segment,
                segment_version=segment.version,
                text=row["text"],
                raw_text=row.get("raw_text", row["text"]),
                new_tokens=row.get("new_tokens", 0),
                finished=row.get("finished", True),
                examples=row.get("examples") or [],
                similarity=row.get("similarity"),
                compression=row.get("compression"),
                flags=row.get("flags") or [],
                p_simplified=row.get("p_simplified"),
                reward=row.get("reward"),
                reward_parts=row.get("reward_parts") or {},
                **output_scores(
                    source=segment.original,
                    reference=segment.simplified,
                    text=row["text"],
                    readability=readability.get(row["text"], {}),
                ),
            )
        )
    before = EvaluationOutput.objects.filter(run=run, version=version).count()
    EvaluationOutput.objects.bulk_create(objects, ignore_conflicts=True)
    return EvaluationOutput.objects.filter(run=run, version=version).count() - before


def evaluation_table_compute(run: ModelRun) -> dict:
    """The table from the stored outputs (segments that have an output of every version; the others are
    listed as left out). Pure given the rows: recomputing it gives the same numbers."""
    entries = run.parameters["generators"]
    by_key = {}
    for output in EvaluationOutput.objects.filter(run=run).select_related("segment"):
        by_key[(output.version, output.segment_id)] = output
    segments = evaluation_segments(run)
    complete = [s for s in segments if all((v, s.pk) in by_key for v in range(len(entries)))]
    missing = [s.pk for s in segments if s not in complete]
    references = {pk: version for pk, version in run.selection.get("segments", [])}
    outputs = []
    for v in range(len(entries)):
        row = []
        for segment in complete:
            o = by_key[(v, segment.pk)]
            row.append(
                Output(
                    source=segment.original,
                    reference=segment.simplified,
                    text=o.text,
                    sari=o.sari,
                    grade=o.grade,
                    reward=o.reward,
                    similarity=o.similarity,
                    compression=o.compression,
                    flags=tuple(sorted({flag.get("code", "?") for flag in o.flags})),
                )
            )
        outputs.append(row)
    table = evaluation_table(
        versions=entries,
        outputs=outputs,
        seed=run.seed,
        resamples=run.parameters["resamples"],
        confidence=run.parameters["confidence"],
    )
    changed = [s.pk for s in complete if references.get(s.pk) not in (None, s.version)]
    table.update(
        split=run.parameters["split"],
        segments=[s.pk for s in complete],
        left_out={**run.selection.get("left_out", {}), "missing_output": missing},
        segments_changed_since_start=changed,
        reward_model_version=run.parameters.get("reward_model_version"),
        decoding={k: run.parameters[k] for k in ("temperature", "top_p", "max_new_tokens", "batch_size")},
    )
    if run.parameters.get("reward_model_version") is None:
        table["note"] = (
            table.get("note", "") + " No reward model was active when the evaluation started: no reward."
        ).strip()
    return table


def evaluation_summarise(*, run_id: int, extra: dict | None = None) -> dict:
    """Compute the table from the stored outputs and keep it in `summary["evaluation"]` (with `extra`,
    e.g. what the worker loaded). Returns the summary."""
    run = ModelRun.objects.get(pk=run_id)
    summary = {**(run.summary or {}), **(extra or {}), "evaluation": evaluation_table_compute(run)}
    summary["outputs"] = EvaluationOutput.objects.filter(run=run).count()
    ModelRun.objects.filter(pk=run_id).update(summary=summary, updated_at=timezone.now())
    return summary
