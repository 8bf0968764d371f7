"""Candidates: every score of one candidate, storing a generated batch, best-of-n ranks, rewards, and
re-scoring stored candidates (the scheduled scoring)."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from apps.metrics.sari import bleu as bleu_metric
from apps.metrics.sari import compression_ratio
from apps.metrics.sari import sari as sari_metric
from apps.metrics.text_scores import text_scores_by_text, text_scores_get_or_compute
from apps.scoring.cleaning import output_clean
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD, guard_check
from apps.scoring.models import Candidate, ModelRun, ReferenceScore, RewardModel
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
    source_grade: float | None = None,
    target_grade: float | None = None,
) -> dict:
    """Every score of one candidate as Candidate field values (no database writes except the readability
    cache when `readability` is not given). SARI and BLEU need a reference; without one they are None.
    `source_grade` and `target_grade` feed the guard's not_simpler / above_target checks."""
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
        grade=readability.get("flesch_kincaid_grade"),
        source_grade=source_grade,
        target_grade=target_grade,
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


def _grade(readability: dict, text: str) -> float | None:
    return readability.get(text, {}).get("flesch_kincaid_grade")


@transaction.atomic
def candidates_record(
    *,
    run: ModelRun,
    outputs: list[tuple],
    prompts: list[str],
    similarity: Callable[[list[tuple[str, str]]], list[float]] | None = None,
    p_simplified: Callable[[list[str]], list[float]] | None = None,
    reward_model: RewardModel | None = None,
) -> int:
    """Clean, store and score one batch; score each segment's human reference the same way; rank.

    `outputs`: (segment, [(raw model output, new_tokens, finished), …]) — the segment as loaded when the
    run generated (its `version` is recorded as the candidate's `source_version`). Every output is
    cleaned here (apps/scoring/cleaning.py; the raw one is kept as `raw_text`), the one place candidates
    are recorded, so scores, flags and reward describe the cleaned text. `similarity` (source, text)
    pairs → cosine similarities and `p_simplified` texts → P(simplified) are the worker's models, called
    once per batch on the cleaned texts and the references; with `reward_model` each gets its combined
    reward with the run's weights. Idempotent: a (run, segment, index) that exists is left as it is.
    Returns rows created."""
    cleaned = []
    for segment, samples in outputs:
        for index, sample in enumerate(samples):
            if len(sample) != 3:
                raise TypeError(
                    "A sample is (raw text, new tokens, finished); similarity and P(simplified) are computed "
                    "here on the cleaned text (pass similarity= and p_simplified=)."
                )
            raw, new_tokens, finished = sample
            text = output_clean(raw, source=segment.original, prompts=prompts).text
            cleaned.append((segment, index, raw, text, new_tokens, finished))
    references = [segment for segment, _ in outputs if segment.simplified.strip()]
    texts = [text for *_, text, _, _ in cleaned] + [segment.simplified for segment in references]
    sources = [segment.original for segment, *_ in cleaned] + [segment.original for segment in references]
    similar = similarity(list(zip(sources, texts, strict=True))) if similarity else [None] * len(texts)
    rewards = p_simplified(texts) if p_simplified and reward_model else [None] * len(texts)
    readability = text_scores_by_text([*texts, *sources])
    threshold = run.parameters.get("similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD)
    target = run.parameters.get("target_grade")
    weights = run.parameters.get("reward_weights")

    def scored(segment, text, reference, finished, position) -> dict:
        scores = candidate_scores(
            source=segment.original,
            reference=reference,
            text=text,
            similarity=similar[position],
            prompts=prompts,
            similarity_threshold=threshold,
            finished=finished,
            readability=readability.get(text, {}),
            source_grade=_grade(readability, segment.original),
            target_grade=target,
        )
        if rewards[position] is not None:
            scores["reward"], scores["reward_parts"] = combined_reward(
                p_simplified=rewards[position],
                similarity=similar[position],
                flags=scores["flags"],
                compression=scores["compression"],
                weights=weights,
                empty=not text.strip(),
            )
            scores["reward_model"] = reward_model
        return scores

    rows = [
        Candidate(
            run=run,
            segment=segment,
            index=index,
            text=text,
            raw_text=raw,
            source_version=segment.version,
            new_tokens=new_tokens,
            finished=finished,
            reference_version=segment.version if segment.simplified.strip() else None,
            **scored(segment, text, segment.simplified, finished, position),
        )
        for position, (segment, index, raw, text, new_tokens, finished) in enumerate(cleaned)
    ]
    before = Candidate.objects.filter(run=run).count()
    Candidate.objects.bulk_create(rows, ignore_conflicts=True)
    reference_rows = []
    for offset, segment in enumerate(references):
        scores = scored(segment, segment.simplified, "", True, len(cleaned) + offset)
        reference_rows.append(
            ReferenceScore(
                run=run,
                segment=segment,
                segment_version=segment.version,
                text=segment.simplified,
                **{field: scores[field] for field in _REFERENCE_FIELDS if field in scores},
            )
        )
    ReferenceScore.objects.bulk_create(reference_rows, ignore_conflicts=True)
    segment_ids = [segment.pk for segment, _ in outputs]
    candidates_rank(run_id=run.pk, segment_ids=segment_ids)
    return Candidate.objects.filter(run=run).count() - before


_REFERENCE_FIELDS = (
    "reward",
    "reward_parts",
    "reward_model",
    "readability",
    "grade",
    "compression",
    "similarity",
    "flags",
)


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
    _references_rank(run_id=run_id, groups=groups)
    return len(changed)


def _references_rank(*, run_id: int, groups: dict[int, list[tuple]]) -> None:
    """Where each segment's human reference would rank among the run's candidates: 1 + the candidates
    with a strictly higher reward (a tie ranks the reference first), None without a reward."""
    references = list(ReferenceScore.objects.filter(run_id=run_id, segment_id__in=list(groups)))
    for reference in references:
        rewards = [reward for _, _, reward in groups[reference.segment_id] if reward is not None]
        reference.candidates_ranked = len(rewards)
        reference.would_rank = (
            None
            if reference.reward is None
            else 1 + sum(1 for reward in rewards if reward > reference.reward)
        )
    ReferenceScore.objects.bulk_update(references, ["would_rank", "candidates_ranked"], batch_size=_CHUNK)


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
def reference_rewards_store(*, reward_model: RewardModel, p_simplified: dict[int, float]) -> int:
    """Give each reference score (id → P(simplified)) its combined reward, as `candidate_rewards_store`
    does for candidates, and place it among its segment's candidates again. Returns rows."""
    references = list(ReferenceScore.objects.select_related("run").filter(pk__in=list(p_simplified)))
    for reference in references:
        reference.reward, reference.reward_parts = combined_reward(
            p_simplified=p_simplified[reference.pk],
            similarity=reference.similarity,
            flags=reference.flags,
            compression=reference.compression,
            weights=reference.run.parameters.get("reward_weights"),
            empty=not reference.text.strip(),
        )
        reference.reward_model = reward_model
    ReferenceScore.objects.bulk_update(
        references, ["reward", "reward_parts", "reward_model"], batch_size=_CHUNK
    )
    by_run: dict[int, set[int]] = {}
    for reference in references:
        by_run.setdefault(reference.run_id, set()).add(reference.segment_id)
    for run_id, segment_ids in by_run.items():
        candidates_rank(run_id=run_id, segment_ids=segment_ids)
    return len(references)


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
    source_scores = text_scores_by_text([candidate.segment.original])
    scores = candidate_scores(
        source=candidate.segment.original,
        reference=candidate.segment.simplified,
        text=candidate.text,
        similarity=similarity,
        prompts=prompts,
        similarity_threshold=run.parameters.get("similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD),
        finished=candidate.finished,
        source_grade=_grade(source_scores, candidate.segment.original),
        target_grade=run.parameters.get("target_grade"),
    )
    for field, value in scores.items():
        setattr(candidate, field, value)
    candidate.reference_version = candidate.segment.version if candidate.segment.simplified.strip() else None
    candidate.save()
    return True
