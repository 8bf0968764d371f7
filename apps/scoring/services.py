"""Writes for scoring."""

import json
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.metrics.sari import bleu as bleu_metric
from apps.metrics.sari import compression_ratio
from apps.metrics.sari import sari as sari_metric
from apps.metrics.text_scores import text_scores_by_text, text_scores_get_or_compute
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD, guard_check
from apps.scoring.models import Candidate, ModelRun, RewardModel
from apps.scoring.parameters import bounded_numbers_clean
from apps.scoring.prompts import (
    DEFAULT_TEMPLATE,
    GRADE_RANGE,
    STYLES,
    PromptTemplate,
    instruction_text,
    template_get,
)
from apps.scoring.reward import WeightsInvalid, combined_reward, ranks_by_reward, weights_clean

# PostgreSQL takes large IN lists well; this keeps each query and insert a reasonable size.
_CHUNK = 2000


# ---- model runs and candidates ----------------------------------------------------------------------
#
# A curator starts a run (`run_create`): a ModelRun, its segments, and a Job on queue `gpu` that the task
# `equitext.ml.generate` (workers/tasks/scoring.py) executes. The task generates in batches and stores
# each batch's candidates with their scores (`candidates_record`), so a run that is re-delivered or
# restarted skips the segments that already have candidates (no duplicates: one row per run, segment
# and sample index). Accepting a candidate saves it as a new revision of the segment through the corpus
# app's `segment_update`; rejecting keeps it, as preference data.

GENERATE_TASK = "equitext.ml.generate"
RUN_LIMIT_SEGMENTS = 5000
PARAMETER_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "target_grade": (int, 6, GRADE_RANGE[0], GRADE_RANGE[1]),
    "num_candidates": (int, 1, 1, 16),
    "temperature": (float, 0.0, 0.0, 2.0),
    "top_p": (float, 1.0, 0.05, 1.0),
    "max_new_tokens": (int, 96, 1, 1024),
    "batch_size": (int, 8, 1, 256),
    "similarity_threshold": (float, DEFAULT_SIMILARITY_THRESHOLD, 0.0, 1.0),
}


def run_parameters_clean(parameters: dict) -> dict:
    """Validated generation parameters with defaults filled in; ValidationError names each bad field."""
    parameters = dict(parameters or {})
    errors: dict[str, str] = {}
    cleaned: dict = {}
    bounded_numbers_clean(parameters, PARAMETER_BOUNDS, cleaned, errors)
    style = parameters.pop("style", None) or "plain"
    if style not in STYLES:
        errors["style"] = f"Unknown style {style!r}; use one of {', '.join(STYLES)}."
    cleaned["style"] = style
    try:
        cleaned["reward_weights"] = weights_clean(parameters.pop("reward_weights", None) or {})
    except WeightsInvalid as exc:
        errors.update({f"reward_weights.{name}": message for name, message in exc.errors.items()})
    except AttributeError:
        errors["reward_weights"] = 'Give the reward weights as an object, e.g. {"meaning": 0.5}.'
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if not errors and cleaned["num_candidates"] > 1 and cleaned["temperature"] == 0:
        errors["temperature"] = (
            "Greedy decoding (temperature 0) gives the same text every time; set a temperature above 0 "
            "to get more than one candidate per segment."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def run_segments_select(*, segment_ids=None, document_id=None, split: str = "") -> tuple[list[int], dict]:
    """The segment ids a run covers (in corpus order) and a description of the selection."""
    from apps.corpus.models import Segment, Split

    chosen = [bool(segment_ids), document_id is not None, bool(split)]
    if sum(chosen) != 1:
        raise ValidationError(
            {"segments": "Choose exactly one of: a list of segments, a document, or a split."}
        )
    if segment_ids:
        try:
            wanted = sorted({int(pk) for pk in segment_ids})
        except (TypeError, ValueError):
            raise ValidationError({"segments": "Segment ids must be whole numbers."}) from None
        found = list(Segment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise ValidationError({"segments": f"No segment with id {', '.join(map(str, missing[:20]))}."})
        ids = list(
            Segment.objects.filter(pk__in=found)
            .order_by("document_id", "position")
            .values_list("pk", flat=True)
        )
        selection = {"segments": ids}
    elif document_id is not None:
        ids = list(
            Segment.objects.filter(document_id=document_id).order_by("position").values_list("pk", flat=True)
        )
        if not ids:
            raise ValidationError({"document": f"Document {document_id} does not exist or has no segments."})
        selection = {"document": int(document_id)}
    else:
        if split not in Split.values:
            raise ValidationError(
                {"split": f"Unknown split {split!r}; use one of {', '.join(Split.values)}."}
            )
        ids = list(
            Segment.objects.filter(split=split)
            .order_by("document_id", "position")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise ValidationError({"split": f"The {split} split has no segments."})
        selection = {"split": split}
    if len(ids) > RUN_LIMIT_SEGMENTS:
        raise ValidationError(
            {
                "segments": f"{len(ids)} segments selected; one run takes at most "
                f"{RUN_LIMIT_SEGMENTS}. Split the selection."
            }
        )
    return ids, selection


@transaction.atomic
def run_create(
    *,
    user,
    segment_ids=None,
    document_id: int | None = None,
    split: str = "",
    model_path: str = "",
    parameters: dict | None = None,
    prompt_template: str = DEFAULT_TEMPLATE[0],
    prompt_version: int = DEFAULT_TEMPLATE[1],
    seed: int = 0,
) -> ModelRun:
    """Start a generation run: validate everything first, then the run, its segments and its gpu Job."""
    require_curator(user)
    cleaned = run_parameters_clean(parameters or {})
    try:
        template = template_get(prompt_template, prompt_version)
    except ValueError as exc:
        raise ValidationError({"prompt_template": str(exc)}) from None
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise ValidationError({"seed": f"{seed!r} is not a whole number."}) from None
    if not 0 <= seed < 2**31:
        raise ValidationError({"seed": "The seed must be between 0 and 2147483647."})
    model_path = (model_path or "").strip()
    if len(model_path) > 500:
        raise ValidationError({"model_path": "The model path is longer than 500 characters."})
    ids, selection = run_segments_select(segment_ids=segment_ids, document_id=document_id, split=split)
    # The reward model active now scores this run's candidates, even if another is activated meanwhile.
    active = RewardModel.objects.filter(is_active=True).values_list("version", flat=True).first()
    cleaned["reward_model_version"] = active
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.GENERATE,
        model_name=PurePath(model_path).name if model_path else "default generator",
        model_path=model_path,
        parameters=cleaned,
        prompt_template=template.key,
        prompt_version=template.version,
        seed=seed,
        selection=selection,
        requested_by=user,
    )
    run.segments.set(ids)
    run.job = job_create(
        kind="model_run",
        task=GENERATE_TASK,
        requested_by=user,
        parameters={"run": run.pk, "segments": len(ids)},
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(actor=user, action="model_run.create", obj=run, details={"segments": len(ids), **cleaned})
    return run


def run_record(
    *, run_id: int, summary: dict | None = None, model_name: str = "", model_revision: str = ""
) -> None:
    """Record on the run what its worker loaded (model name, weight fingerprint) or produced (summary).

    Never its status: a run's status is its job's, which the job lifecycle (apps/core/jobs.py) keeps."""
    changes = {"updated_at": timezone.now()}
    if summary is not None:
        changes["summary"] = summary
    if model_name:
        changes["model_name"] = model_name
    if model_revision:
        changes["model_revision"] = model_revision
    ModelRun.objects.filter(pk=run_id).update(**changes)


def run_prompts(run: ModelRun) -> tuple[PromptTemplate, list[str]]:
    """The run's template and the texts the guard checks for echoes (instruction and system prompt)."""
    template = template_get(run.prompt_template, run.prompt_version)
    instruction = instruction_text(
        template, grade=run.parameters["target_grade"], style=run.parameters.get("style", "plain")
    )
    return template, [instruction, template.system]


def candidate_scores(
    *,
    source: str,
    reference: str,
    text: str,
    similarity: float | None,
    prompts: list[str],
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    finished: bool = True,
    readability: dict | None = None,
) -> dict:
    """Every score of one candidate as Candidate field values (no database writes except the readability
    cache when `readability` is not given). SARI and BLEU need a reference; without one they are None."""
    if readability is None:
        readability = text_scores_get_or_compute([text])[0] if text.strip() else {}
    has_reference = bool(reference and reference.strip())
    sari_score = sari_metric(source, text, [reference]) if has_reference else None
    flags = guard_check(
        source=source,
        candidate=text,
        prompts=prompts,
        similarity=similarity,
        similarity_threshold=similarity_threshold,
        finished=finished,
    )
    return {
        "readability": readability,
        "grade": readability.get("flesch_kincaid_grade"),
        "sari": sari_score.sari if sari_score else None,
        "sari_parts": (
            {"add": sari_score.add, "keep": sari_score.keep, "delete": sari_score.delete}
            if sari_score
            else {}
        ),
        "bleu": bleu_metric(text, [reference]) if has_reference else None,
        "compression": compression_ratio(source, text),
        "similarity": similarity,
        "flags": [flag.to_dict() for flag in flags],
        "scored_at": timezone.now(),
    }


@transaction.atomic
def candidates_record(
    *, run: ModelRun, outputs: list[tuple], prompts: list[str], reward_model: RewardModel | None = None
) -> int:
    """Store and score one batch, then rank each segment's candidates by reward (best-of-n).

    `outputs`: (segment, [(text, new_tokens, finished, similarity[, p_simplified]), …]); with a
    `reward_model` and p_simplified, each candidate gets its combined reward (apps/scoring/reward.py) with
    the run's weights. Idempotent: a (run, segment, index) that exists is left as it is. Returns rows
    created."""
    readability = text_scores_by_text(text for _, samples in outputs for text, *_ in samples)
    threshold = run.parameters.get("similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD)
    weights = run.parameters.get("reward_weights")
    rows = []
    for segment, samples in outputs:
        for index, (text, new_tokens, finished, similarity, *rest) in enumerate(samples):
            scores = candidate_scores(
                source=segment.original,
                reference=segment.simplified,
                text=text,
                similarity=similarity,
                prompts=prompts,
                similarity_threshold=threshold,
                finished=finished,
                readability=readability.get(text, {}),
            )
            if reward_model is not None and rest and rest[0] is not None:
                scores["reward"], scores["reward_parts"] = combined_reward(
                    p_simplified=rest[0], similarity=similarity, flags=scores["flags"],
                    compression=scores["compression"], weights=weights, empty=not text.strip(),
                )  # fmt: skip
                scores["reward_model"] = reward_model
            rows.append(
                Candidate(
                    run=run,
                    segment=segment,
                    index=index,
                    text=text,
                    new_tokens=new_tokens,
                    finished=finished,
                    reference_version=segment.version if segment.simplified.strip() else None,
                    **scores,
                )
            )
    before = Candidate.objects.filter(run=run).count()
    Candidate.objects.bulk_create(rows, ignore_conflicts=True)
    candidates_rank(run_id=run.pk, segment_ids=[segment.pk for segment, _ in outputs])
    return Candidate.objects.filter(run=run).count() - before


def candidates_rank(*, run_id: int, segment_ids) -> int:
    """Set the best-of-n rank (1 = highest reward) of the run's candidates of these segments; returns
    how many ranks changed. Candidates without a reward have no rank."""
    groups: dict[int, list[tuple]] = {}
    current: dict[int, int | None] = {}
    for pk, segment_id, index, reward, rank in Candidate.objects.filter(
        run_id=run_id, segment_id__in=list(segment_ids)
    ).values_list("pk", "segment_id", "index", "reward", "rank"):
        groups.setdefault(segment_id, []).append((pk, index, reward))
        current[pk] = rank
    changed = []
    for candidates in groups.values():
        for pk, rank in ranks_by_reward(candidates).items():
            if current[pk] != rank:
                changed.append(Candidate(pk=pk, rank=rank))
    Candidate.objects.bulk_update(changed, ["rank"], batch_size=_CHUNK)
    return len(changed)


@transaction.atomic
def candidate_rewards_store(*, reward_model: RewardModel, p_simplified: dict[int, float]) -> int:
    """Give each candidate (id → P(simplified) from `reward_model`) its combined reward with its run's
    weights and stored similarity, flags and compression; re-rank the segments touched. Returns rows."""
    candidates = list(Candidate.objects.select_related("run").filter(pk__in=list(p_simplified)))
    for candidate in candidates:
        candidate.reward, candidate.reward_parts = combined_reward(
            p_simplified=p_simplified[candidate.pk], similarity=candidate.similarity, flags=candidate.flags,
            compression=candidate.compression, weights=candidate.run.parameters.get("reward_weights"),
            empty=not candidate.text.strip(),
        )  # fmt: skip
        candidate.reward_model = reward_model
    Candidate.objects.bulk_update(candidates, ["reward", "reward_parts", "reward_model"], batch_size=_CHUNK)
    by_run: dict[int, set[int]] = {}
    for candidate in candidates:
        by_run.setdefault(candidate.run_id, set()).add(candidate.segment_id)
    for run_id, segment_ids in by_run.items():
        candidates_rank(run_id=run_id, segment_ids=segment_ids)
    return len(candidates)


@transaction.atomic
def candidate_score_store(*, candidate_id: int, similarity: float | None) -> bool:
    """Score one stored candidate again (scheduled scoring of candidates that lack scores)."""
    candidate = (
        Candidate.objects.select_for_update().select_related("run", "segment").filter(pk=candidate_id).first()
    )
    if candidate is None:
        return False
    run = candidate.run
    try:
        _, prompts = run_prompts(run)
    except (ValueError, KeyError):
        prompts = []
    scores = candidate_scores(
        source=candidate.segment.original,
        reference=candidate.segment.simplified,
        text=candidate.text,
        similarity=similarity,
        prompts=prompts,
        similarity_threshold=run.parameters.get("similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD),
        finished=candidate.finished,
    )
    for field, value in scores.items():
        setattr(candidate, field, value)
    candidate.reference_version = candidate.segment.version if candidate.segment.simplified.strip() else None
    candidate.save()
    return True


class DecisionRefused(Exception):
    """The decision does not apply to this candidate in its current state (message says why)."""


@transaction.atomic
def candidate_accept(*, candidate_id: int, user, segment_version: int | None = None) -> Candidate:
    """Save the candidate as the segment's simplified text (a new revision attributed to the run).

    `segment_version`: the segment version the curator saw; a stale one raises the corpus app's
    StaleVersion and nothing changes. None: the current version.
    """
    from apps.corpus.models import SegmentRevision
    from apps.corpus.services import segment_update

    require_curator(user)
    candidate = (
        Candidate.objects.select_for_update(of=("self",)).select_related("segment").get(pk=candidate_id)
    )
    if candidate.decision == Candidate.Decision.ACCEPTED:
        raise DecisionRefused("This candidate was already accepted; see the segment's history.")
    if not candidate.text.strip():
        raise DecisionRefused("An empty candidate cannot be accepted.")
    segment_update(
        segment_id=candidate.segment_id,
        user=user,
        version=candidate.segment.version if segment_version is None else int(segment_version),
        simplified=candidate.text,
        origin=SegmentRevision.Origin.MODEL,
        model_run_id=candidate.run_id,
    )
    candidate.decision = Candidate.Decision.ACCEPTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=user, action="candidate.accept", obj=candidate, details={"run": candidate.run_id})
    return candidate


@transaction.atomic
def candidate_reject(*, candidate_id: int, user) -> Candidate:
    """Mark the candidate rejected; it is kept (a rejected text is preference data)."""
    require_curator(user)
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    if candidate.decision == Candidate.Decision.ACCEPTED:
        raise DecisionRefused(
            "This candidate was accepted into the segment; to undo it, revert the segment in its history."
        )
    candidate.decision = Candidate.Decision.REJECTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=user, action="candidate.reject", obj=candidate, details={"run": candidate.run_id})
    return candidate


# ---- scheduled work ---------------------------------------------------------------------------------


def readability_refresh(*, since, progress) -> dict:
    """Fill the readability cache for every segment text changed since `since` (None: all segments)."""
    from apps.corpus.models import Segment

    segments = Segment.objects.order_by("pk")
    if since is not None:
        segments = segments.filter(updated_at__gt=since)
    total = segments.count()
    texts_scored = 0
    done = 0
    chunk = 500
    last_pk = 0
    while True:
        rows = list(segments.filter(pk__gt=last_pk).values_list("pk", "original", "simplified")[:chunk])
        if not rows:
            break
        texts = [text for _, original, simplified in rows for text in (original, simplified) if text.strip()]
        text_scores_get_or_compute(texts)
        texts_scored += len(texts)
        done += len(rows)
        last_pk = rows[-1][0]
        progress(done, total, f"Scored the texts of {done} of {total} changed segments")
    return {"segments": total, "texts": texts_scored, "since": since.isoformat() if since else None}


SCHEDULES = [
    # name, task, crontab (minute, hour) or interval seconds, description
    (
        "Score texts changed since the last run",
        "equitext.scoring.readability_refresh",
        {"crontab": ("15", "2")},
        "Nightly: fills the readability cache for segments edited since the last successful run.",
    ),
    (
        "Score candidates that lack scores",
        "equitext.ml.score_pending",
        {"crontab": ("45", "2")},
        "Nightly: scores model candidates stored without scores (e.g. after a scoring change).",
    ),
    (
        "Retrain the reward model when enough new pairs exist",
        "equitext.ml.train_reward",
        {"crontab": ("30", "3", "1"), "kwargs": {"min_new_pairs": 50}},
        "Weekly (Monday 03:30): trains a new reward-model version when at least `min_new_pairs` approved "
        "pairs (edit it in Keyword arguments) are new or changed since the latest version; otherwise the "
        "job records that it skipped and why. A new version is not activated automatically.",
    ),
    (
        "Fail jobs whose worker died",
        "equitext.scoring.jobs_sweep",
        {"every": 60},
        "Every minute: marks running jobs failed when their worker has no heartbeat and made no progress, "
        "and queues again the webhook deliveries that could not be queued while Redis was down.",
    ),
]


def schedules_ensure(using: str = "default") -> int:
    """Create the default beat schedules that do not exist yet (by name). Returns how many were created.

    Existing ones are left exactly as an admin edited them (times, enabled flag)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for name, task, when, description in SCHEDULES:
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        kwargs = {}
        if "kwargs" in when:
            kwargs["kwargs"] = json.dumps(when["kwargs"])
        if "crontab" in when:
            minute, hour, day_of_week = (*when["crontab"], "*")[:3]
            kwargs["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*",
                timezone=settings.TIME_ZONE,
            )  # fmt: skip
        else:
            kwargs["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(
                every=when["every"], period=IntervalSchedule.SECONDS
            )
        PeriodicTask.objects.using(using).create(name=name, task=task, description=description, **kwargs)
        created += 1
    return created
