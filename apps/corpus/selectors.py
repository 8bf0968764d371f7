"""Reads for the corpus. Every function returns only what the user may see: the corpus is curators' work,
so anyone else gets nothing (views and the API refuse them before calling these)."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Q, QuerySet

from apps.core.roles import is_curator
from apps.corpus.models import SEARCH_CONFIG, Document, ImportBatch, Segment, SegmentRevision, Source, Status


def sources_visible_to(user) -> QuerySet[Source]:
    return Source.objects.all() if is_curator(user) else Source.objects.none()


def documents_visible_to(user) -> QuerySet[Document]:
    if not is_curator(user):
        return Document.objects.none()
    return Document.objects.select_related("source").annotate(
        segment_count=Count("segments"),
        approved_count=Count("segments", filter=Q(segments__status=Status.APPROVED)),
        in_review_count=Count("segments", filter=Q(segments__status=Status.IN_REVIEW)),
    )


def segments_visible_to(user) -> QuerySet[Segment]:
    if not is_curator(user):
        return Segment.objects.none()
    return Segment.objects.select_related("document", "document__source", "last_edited_by")


def segments_filter(
    segments: QuerySet[Segment],
    *,
    q: str = "",
    status: str = "",
    split: str = "",
    topic: str = "",
    document: int | None = None,
    source: int | None = None,
    grade_min: float | None = None,
    grade_max: float | None = None,
) -> QuerySet[Segment]:
    """Filters of the segment list and the export. `q` is PostgreSQL full-text search (English stemming,
    web-search syntax: "quoted phrases", or, -exclude) over both texts, best matches first; the grade range
    applies to the simplified text's Flesch–Kincaid grade."""
    if status:
        segments = segments.filter(status=status)
    if split:
        segments = segments.filter(split=split)
    if topic:
        segments = segments.filter(document__topic__iexact=topic)
    if document:
        segments = segments.filter(document_id=document)
    if source:
        segments = segments.filter(document__source_id=source)
    if grade_min is not None:
        segments = segments.filter(simplified_grade__gte=grade_min)
    if grade_max is not None:
        segments = segments.filter(simplified_grade__lte=grade_max)
    if q.strip():
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        segments = (
            segments.filter(search=query)
            .annotate(rank=SearchRank(F("search"), query))
            .order_by("-rank", "document_id", "position")
        )
    return segments


def topics(user) -> list[str]:
    return list(
        documents_visible_to(user)
        .exclude(topic="")
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct()
    )


def revisions_of(segment: Segment) -> QuerySet[SegmentRevision]:
    return segment.revisions.select_related("author").order_by("-version")


def import_batches_visible_to(user) -> QuerySet[ImportBatch]:
    if not is_curator(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.select_related("created_by", "job")
