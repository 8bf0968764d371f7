"""Reads for model runs and candidates. Runs are curators' work: anyone else gets nothing (the `*_visible_to`
selectors); the rest serve the workers' tasks and take no user."""

from collections import Counter

from django.db.models import Avg, Count, F, QuerySet

from apps.core.roles import is_curator
from apps.corpus.models import Segment, Split, Status
from apps.scoring.models import Candidate, ModelRun, ReferenceScore

CANDIDATE_SORTS = {
    # key: (label, ordering within a segment)
    "reward": ("reward (best first)", [F("reward").desc(nulls_last=True), "index"]),
    "grade": ("grade (lowest first)", [F("grade").asc(nulls_last=True), "index"]),
    "sari": ("SARI (best first)", [F("sari").desc(nulls_last=True), "index"]),
    "similarity": ("similarity (highest first)", [F("similarity").desc(nulls_last=True), "index"]),
    "sample": ("sample order", ["index"]),
}


def runs_visible_to(user) -> QuerySet[ModelRun]:
    if not is_curator(user):
        return ModelRun.objects.none()
    return ModelRun.objects.select_related("job", "requested_by", "generator_version").annotate(
        segment_total=Count("segments", distinct=True)
    )


def candidates_visible_to(user) -> QuerySet[Candidate]:
    if not is_curator(user):
        return Candidate.objects.none()
    return Candidate.objects.select_related("run", "segment", "decided_by")


def run_segment_page(run: ModelRun, segment_ids: list[int], sort: str) -> list[dict]:
    """For each segment id (in order): the segment, its candidates of this run sorted by `sort`, and its
    human reference as scored in the run (`reference`, or None) with `reference_at`, the position in the
    candidate list where it would rank (sorted by reward only; else None)."""
    ordering = CANDIDATE_SORTS.get(sort, CANDIDATE_SORTS["reward"])[1]
    segments = Segment.objects.select_related("document").in_bulk(segment_ids)
    by_segment: dict[int, list[Candidate]] = {pk: [] for pk in segment_ids}
    for candidate in (
        run.candidates.filter(segment_id__in=segment_ids)
        .select_related("decided_by")
        .order_by("segment_id", *ordering)
    ):
        if candidate.segment_id in segments:  # the page shows candidate.segment.version: no query each
            candidate.segment = segments[candidate.segment_id]
        by_segment[candidate.segment_id].append(candidate)
    references = {r.segment_id: r for r in run.reference_scores.filter(segment_id__in=segment_ids)}
    rows = []
    for pk in segment_ids:
        if pk not in segments:
            continue
        reference = references.get(pk)
        at = reference.would_rank - 1 if reference and reference.would_rank and sort == "reward" else None
        row = {"segment": segments[pk], "candidates": by_segment[pk]}
        rows.append({**row, "reference": reference, "reference_at": at})
    return rows


def replace_comparison(candidate: Candidate, replaced_version: int) -> dict:
    """What the replace confirmation shows beside the candidate: the segment's current simplified text,
    its grade (the corpus's cached grade, else the grade scored in the run), and its score in the
    candidate's run (`reference`, None when edited since)."""
    segment = Segment.objects.get(pk=candidate.segment_id)
    reference = ReferenceScore.objects.filter(
        run_id=candidate.run_id, segment_id=segment.pk, segment_version=segment.version
    ).first()
    return {
        "replaced_version": replaced_version,
        "current_text": segment.simplified,
        "current_grade": segment.simplified_grade
        if segment.simplified_grade is not None
        else getattr(reference, "grade", None),
        "reference": reference,
    }


def run_segment_ids(run: ModelRun) -> list[int]:
    return list(run.segments.order_by("document_id", "position").values_list("pk", flat=True))


def run_segments_pending(run: ModelRun):
    """The run's segments that have no candidate yet, in corpus order (what a restarted task still does)."""
    return list(
        run.segments.exclude(candidates__run=run)
        .order_by("document_id", "position")
        .only("pk", "original", "simplified", "version")
    )


def candidates_unrewarded(limit: int = 256):
    """Scored candidates that have no reward yet (filled by the scheduled scoring when a model is active)."""
    return list(
        Candidate.objects.filter(reward__isnull=True, scored_at__isnull=False)
        .select_related("run")
        .order_by("pk")[:limit]
    )


def references_unrewarded(limit: int = 256) -> list[ReferenceScore]:
    """Human references scored in a run without a reward yet (no reward model was active then)."""
    unrewarded = ReferenceScore.objects.filter(reward__isnull=True).select_related("run")
    return list(unrewarded.order_by("pk")[:limit])


def candidates_unrewarded_count() -> int:
    return Candidate.objects.filter(reward__isnull=True, scored_at__isnull=False).count()


def candidates_unscored_count() -> int:
    return Candidate.objects.filter(scored_at__isnull=True).count()


def candidates_unscored(limit: int = 500):
    return list(
        Candidate.objects.filter(scored_at__isnull=True)
        .select_related("run", "segment")
        .order_by("pk")[:limit]
    )


def run_summary(run: ModelRun) -> dict:
    """Counts and means over the run's candidates (stored on the run when it finishes)."""
    stats = run.candidates.aggregate(
        candidates=Count("pk"),
        segments=Count("segment", distinct=True),
        mean_sari=Avg("sari"),
        mean_bleu=Avg("bleu"),
        mean_grade=Avg("grade"),
        mean_similarity=Avg("similarity"),
        mean_reward=Avg("reward"),
    )
    flagged = Counter()
    for flags in run.candidates.values_list("flags", flat=True):
        for code in {flag["code"] for flag in flags}:
            flagged[code] += 1
    stats["flagged"] = dict(flagged.most_common())
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in stats.items()}


def approved_train_pairs() -> list[dict]:
    """Approved train-split segments whose simplified text is not empty and differs from the original (id
    order): what SFT trains on and what a few-shot prompt may show."""
    rows = (
        Segment.objects.filter(split=Split.TRAIN, status=Status.APPROVED)
        .exclude(simplified="")
        .order_by("pk")
        .values("pk", "version", "document_id", "original", "simplified")
    )
    return [
        row
        for row in rows
        if row["simplified"].strip() and row["simplified"].strip() != row["original"].strip()
    ]


def segment_prompt_queries(segment_ids) -> list[dict]:
    """id, document, split and original of each segment (in the order given), for few-shot retrieval."""
    rows = Segment.objects.in_bulk(list(segment_ids))
    return [
        {
            "pk": pk,
            "document_id": rows[pk].document_id,
            "split": rows[pk].split,
            "original": rows[pk].original,
        }
        for pk in segment_ids
        if pk in rows
    ]


def evaluation_output_page(run: ModelRun, segment_ids: list[int]) -> list[dict]:
    """For each segment id (in order): the segment and each generator version's output (None where
    missing), in the run's version order — the side-by-side view of an evaluation."""
    from apps.scoring.models import EvaluationOutput

    versions = len(run.parameters.get("generators", []))
    segments = Segment.objects.select_related("document").in_bulk(segment_ids)
    outputs: dict[int, list] = {pk: [None] * versions for pk in segment_ids}
    for output in EvaluationOutput.objects.filter(run=run, segment_id__in=segment_ids):
        if output.version < versions:
            outputs[output.segment_id][output.version] = output
    return [{"segment": segments[pk], "outputs": outputs[pk]} for pk in segment_ids if pk in segments]
