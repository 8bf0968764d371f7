"""Candidates: every score of one candidate, storing a generated batch, best-of-n ranks, rewards, and
re-scoring stored candidates (the scheduled scoring)."""

from django.db import transaction
from django.utils import timezone

from apps.metrics.sari import bleu as bleu_metric
from apps.metrics.sari import compression_ratio
from apps.metrics.sari import sari as sari_metric
from apps.metrics.text_scores import text_scores_by_text, text_scores_get_or_compute
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD, guard_check
from apps.scoring.models import Candidate, ModelRun, RewardModel
from apps.scoring.reward import combined_reward, ranks_by_reward
from apps.scoring.services.runs import run_prompts

# Rows per bulk update: PostgreSQL takes large statements well; this keeps each a reasonable size.
_CHUNK = 2000


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
                    p_simplified=rest[0],
                    similarity=similarity,
                    flags=scores["flags"],
                    compression=scores["compression"],
                    weights=weights,
                    empty=not text.strip(),
                )
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
            p_simplified=p_simplified[candidate.pk],
            similarity=candidate.similarity,
            flags=candidate.flags,
            compression=candidate.compression,
            weights=candidate.run.parameters.get("reward_weights"),
            empty=not candidate.text.strip(),
        )
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
