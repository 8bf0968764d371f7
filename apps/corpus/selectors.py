"""Reads for the corpus. Every function returns only what the user may see: the corpus is curators' work,
so anyone else gets nothing (views and the API refuse them before calling these)."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import CASCADE, Count, F, Q, QuerySet

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


def document_deletion_impact(document: Document) -> dict:
    """What deleting `document` takes with it: `counts` (segments, approved segments, and each kind of
    row that points at its segments, whichever app it belongs to) and `summary`, a sentence saying it.

    Rows that cascade are deleted with the segments; rows whose link is set to null (a study item that
    showed a segment keeps its copied text) and many-to-many links (a model run's segments) are unlinked."""
    segments = Segment.objects.filter(document=document)
    counts = {
        "segments": segments.count(),
        "approved_segments": segments.filter(status=Status.APPROVED).count(),
    }
    deleted, unlinked = [], []
    for relation in Segment._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue  # not a reverse relation (another model pointing at segments)
        model = relation.related_model
        if relation.many_to_many:
            links = relation.through._default_manager.filter(
                **{f"{relation.field.m2m_reverse_field_name()}__document": document}
            )
            n = links.values(relation.field.m2m_field_name()).distinct().count()
        else:
            n = model._default_manager.filter(**{f"{relation.field.name}__document": document}).count()
        if n:
            counts[model._meta.label_lower] = n
            cascades = not relation.many_to_many and relation.on_delete is CASCADE
            name = model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural
            (deleted if cascades else unlinked).append(f"{n} {name}")
    return {"counts": counts, "summary": _impact_sentence(document, counts, deleted, unlinked)}


def _impact_sentence(document, counts: dict, deleted: list[str], unlinked: list[str]) -> str:
    n = counts["segments"]
    text = f"The document {document.title!r} holds {n} segment{'s' if n != 1 else ''}"
    text += f" ({counts['approved_segments']} approved)." if counts["approved_segments"] else "."
    effects = []
    if deleted:
        effects.append(f"deletes {_listed(deleted)}")
    if unlinked:
        effects.append(f"unlinks {_listed(unlinked)}")
    if effects:
        text += f" Deleting it also {' and '.join(effects)}."
    return text


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
