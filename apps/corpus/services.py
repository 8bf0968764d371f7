"""Writes for the corpus: segments, sources and documents (the import's writes: `import_services.py`).

Every change to a segment goes through `segment_update` (or a function built on it), which enforces
optimistic locking, the status workflow and records a revision. Sources and documents are created,
changed and deleted here too, each write in the audit log.

Rules:
- A write names the version it started from; when the segment has moved on, `StaleVersion` is raised and
  nothing changes (the caller shows both texts so the author can merge).
- Status moves draft → in review → approved; in review can go back to draft and approved can be
  reopened (to in review or draft). Changing the text of an approved segment reopens it to in review:
  the approval was for another text.
- With `settings.CORPUS_APPROVAL_BY_OTHER_CURATOR` true (default false), the curator who last changed
  the simplified text cannot approve it.
- Every save, revert and bulk action creates a `SegmentRevision` and bumps `version` by one.
- A source is deleted only when it has no documents (the model protects them). A document that holds
  segments is deleted only when the caller confirms: without `confirm`, the refusal (409) names what
  would go with it (its segments and their revisions, candidates, model-run and study links).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError

from apps.core.errors import Conflict, ServiceError
from apps.core.services import audit_record
from apps.corpus.exceptions import StaleVersion
from apps.corpus.models import Document, Segment, SegmentRevision, Source, Split, Status
from apps.corpus.selectors import document_deletion_impact
from apps.metrics.text_scores import text_scores_by_text

ALLOWED_TRANSITIONS = {
    Status.DRAFT: {Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.DRAFT, Status.APPROVED},
    Status.APPROVED: {Status.IN_REVIEW, Status.DRAFT},
}
MAX_TEXT_CHARS = settings.EQUITEXT_MAX_TEXT_CHARS  # as the readability API; a sentence or paragraph


def approval_by_other_curator() -> bool:
    return settings.CORPUS_APPROVAL_BY_OTHER_CURATOR


def grades_for(original: str, simplified: str) -> tuple[float | None, float | None]:
    """Flesch–Kincaid grades of both sides (None for an empty side), through the TextScore cache."""
    scores = text_scores_by_text((original, simplified))
    return tuple(scores[t]["flesch_kincaid_grade"] if t in scores else None for t in (original, simplified))


def _revision_record(*, segment: Segment, author, origin: str, base_version: int | None, **extra):
    return SegmentRevision.objects.create(
        segment=segment,
        version=segment.version,
        original=segment.original,
        simplified=segment.simplified,
        split=segment.split,
        status=segment.status,
        notes=segment.notes,
        origin=origin,
        base_version=base_version,
        author=author if getattr(author, "is_authenticated", False) else None,
        **extra,
    )


def _validate_text(field: str, value: str) -> None:
    if len(value) > MAX_TEXT_CHARS:
        raise ValidationError(
            {
                field: f"The text has {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,} "
                "(EQUITEXT_MAX_TEXT_CHARS). Split it."
            }
        )


@transaction.atomic
def segment_update(
    *,
    segment_id: int,
    user,
    version: int,
    simplified: str | None = None,
    split: str | None = None,
    status: str | None = None,
    notes: str | None = None,
    origin: str = SegmentRevision.Origin.EDIT,
    model_run_id: int | None = None,
    reverted_to: int | None = None,
) -> Segment:
    """Save the given fields of a segment as a new version. Raises StaleVersion or ValidationError."""
    segment = (
        Segment.objects.select_for_update(of=("self",)).select_related("last_edited_by").get(pk=segment_id)
    )
    if segment.version != version:
        raise StaleVersion(current=segment, expected=version)

    text_changed = simplified is not None and simplified != segment.simplified
    if simplified is not None:
        _validate_text("simplified", simplified)
    if split is not None and split not in Split.values:
        raise ValidationError({"split": f"Unknown split {split!r}; use one of {', '.join(Split.values)}."})
    new_status = segment.status if status is None else status
    if new_status not in Status.values:
        raise ValidationError(
            {"status": f"Unknown status {status!r}; use one of {', '.join(Status.values)}."}
        )
    if new_status != segment.status and new_status not in ALLOWED_TRANSITIONS[Status(segment.status)]:
        raise ValidationError(
            {
                "status": f"A segment that is {Status(segment.status).label.lower()} cannot move to "
                f"{Status(new_status).label.lower()}; the workflow is draft → in review → approved."
            }
        )
    if text_changed and segment.status == Status.APPROVED and new_status == Status.APPROVED:
        new_status = Status.IN_REVIEW  # the approval was given to another text
    if new_status == Status.APPROVED and segment.status != Status.APPROVED and approval_by_other_curator():
        last_editor = user if text_changed else segment.last_edited_by
        if last_editor is not None and last_editor.pk == user.pk:
            raise ValidationError(
                {"status": "You made the last change to this text; another curator has to approve it."}
            )
    if (
        new_status == Status.APPROVED
        and not (segment.simplified if simplified is None else simplified).strip()
    ):
        raise ValidationError({"status": "A segment without a simplified text cannot be approved."})

    if simplified is not None:
        segment.simplified = simplified
    if split is not None:
        segment.split = split
    if notes is not None:
        segment.notes = notes
    segment.status = new_status
    if text_changed:
        segment.last_edited_by = user
        segment.original_grade, segment.simplified_grade = grades_for(segment.original, segment.simplified)
    segment.version += 1
    segment.save()
    _revision_record(
        segment=segment,
        author=user,
        origin=origin,
        base_version=version,
        model_run_id=model_run_id,
        reverted_to=reverted_to,
    )
    audit_record(actor=user, action=f"segment.{origin}", obj=segment, details={"version": segment.version})
    return segment


def segment_revert(*, segment_id: int, user, version: int, to_version: int) -> Segment:
    """Restore the simplified text and notes of revision `to_version`, as a new revision."""
    try:
        old = SegmentRevision.objects.get(segment_id=segment_id, version=to_version)
    except SegmentRevision.DoesNotExist:
        raise ValidationError({"to_version": f"This segment has no version {to_version}."}) from None
    return segment_update(
        segment_id=segment_id,
        user=user,
        version=version,
        simplified=old.simplified,
        notes=old.notes,
        origin=SegmentRevision.Origin.REVERT,
        reverted_to=to_version,
    )


def segments_bulk_update(*, segment_ids: Iterable[int], user, **changes) -> tuple[int, list[str]]:
    """Apply `changes` (status and/or split) to each segment at its current version, one revision each.

    Returns (changed count, messages for the segments refused, e.g. a workflow step that is not allowed).
    Each segment is its own transaction: one refusal does not undo the others.
    """
    changed, refused = 0, []
    for segment in Segment.objects.filter(pk__in=list(segment_ids)).select_related("document"):
        if all(getattr(segment, field) == value for field, value in changes.items()):
            continue
        try:
            segment_update(
                segment_id=segment.pk,
                user=user,
                version=segment.version,
                origin=SegmentRevision.Origin.BULK,
                **changes,
            )
            changed += 1
        except (ValidationError, StaleVersion) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append(f"{segment}: {reason}")
    return changed, refused


@transaction.atomic
def segment_create(
    *,
    document: Document,
    original: str,
    user,
    simplified: str = "",
    split: str = Split.UNLABELLED,
    notes: str = "",
) -> Segment:
    """Append a segment to a document (version 1, draft) with its first revision."""
    _validate_text("original", original)
    _validate_text("simplified", simplified)
    if not original.strip():
        raise ValidationError({"original": "The original text is empty."})
    if split != Split.UNLABELLED and not simplified.strip():
        raise ValidationError(
            {"simplified": f"A {split} pair needs a simplified text (or use the unlabelled split)."}
        )
    Document.objects.select_for_update().get(pk=document.pk)  # positions are handed out one at a time
    position = (document.segments.aggregate(m=Max("position"))["m"] or 0) + 1
    original_grade, simplified_grade = grades_for(original, simplified)
    segment = Segment.objects.create(
        document=document,
        position=position,
        original=original,
        simplified=simplified,
        split=split,
        notes=notes,
        original_grade=original_grade,
        simplified_grade=simplified_grade,
        last_edited_by=user if simplified else None,
    )
    _revision_record(segment=segment, author=user, origin=SegmentRevision.Origin.EDIT, base_version=None)
    audit_record(actor=user, action="segment.create", obj=segment)
    return segment


# ---- sources and documents -------------------------------------------------------------------------------

SOURCE_FIELDS = ("name", "url", "licence", "notes")
DOCUMENT_FIELDS = ("source", "title", "url", "topic")


def _fields_checked(obj, fields: Iterable[str]) -> None:
    """The model's own field checks (length, web address, blank) of `fields`, as a ServiceError (400)
    naming each field."""
    try:
        obj.clean_fields(exclude=[f.name for f in obj._meta.fields if f.name not in set(fields)])
    except ValidationError as exc:
        raise ServiceError(errors=exc.message_dict) from None


def _saved(obj, *, field: str, message: str) -> None:
    """Save `obj`; a uniqueness race lost to another writer is the same 400 as the check before it."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ServiceError(errors={field: message}) from None


def _source_checked(source: Source, fields: Iterable[str]) -> None:
    source.name = source.name.strip()
    if not source.name:
        raise ServiceError(
            errors={"name": "Give the source a name (its publisher, e.g. National Cancer Institute)."}
        )
    _fields_checked(source, fields)
    if Source.objects.filter(name=source.name).exclude(pk=source.pk).exists():
        raise ServiceError(errors={"name": _source_taken(source.name)})


def _source_taken(name: str) -> str:
    return f"A source called {name!r} exists already; choose another name or change that source."


@transaction.atomic
def source_create(
    *, actor, name: str, url: str = "", licence: str = "", notes: str = "", audit: bool = True
) -> Source:
    """A new source (publisher). Raises ServiceError (400) naming the field for a blank or taken name or
    a bad web address; nothing is written then. `audit=False` only for the Django admin, whose own log
    entry (copied into the audit log) records the change; so for every write below."""
    source = Source(name=name, url=url, licence=licence, notes=notes)
    _source_checked(source, SOURCE_FIELDS)
    _saved(source, field="name", message=_source_taken(source.name))
    if audit:
        audit_record(actor=actor, action="source.create", obj=source)
    return source


@transaction.atomic
def source_get_or_create(*, name: str, url: str = "", licence: str = "") -> Source:
    """The source called `name`, created when missing (imports and the demo data name sources so)."""
    source, _ = Source.objects.get_or_create(name=name.strip(), defaults={"url": url, "licence": licence})
    return source


@transaction.atomic
def source_update(*, source: Source, actor, audit: bool = True, **changes) -> Source:
    """Change a source's name, URL, licence or notes; returns it. Refuses (400, naming the field) what
    `source_create` refuses."""
    return _update(source, SOURCE_FIELDS, changes, actor=actor, audit=audit, check=_source_checked)


@transaction.atomic
def source_delete(*, source: Source, actor, audit: bool = True) -> None:
    """Delete a source that has no documents; one that has some is refused (409) with their number."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    documents = source.documents.count()
    if documents:
        raise Conflict(
            f"The source {source.name!r} still has {documents} document{'s' if documents != 1 else ''}; "
            "delete them (or give them another source) first. Nothing was deleted."
        )
    if audit:
        audit_record(actor=actor, action="source.delete", obj=source, details={"name": source.name})
    source.delete()


def _document_checked(document: Document, fields: Iterable[str]) -> None:
    document.title = document.title.strip()
    if not document.title:
        raise ServiceError(errors={"title": "Give the document a title."})
    _fields_checked(document, fields)
    taken = Document.objects.filter(source=document.source_id, title=document.title).exclude(pk=document.pk)
    if taken.exists():
        raise ServiceError(errors={"title": _title_taken(document)})


def _title_taken(document: Document) -> str:
    return f"{document.source} already has a document titled {document.title!r}; choose another title."


@transaction.atomic
def document_create(
    *, source: Source, title: str, url: str = "", topic: str = "", actor=None, audit: bool = True
) -> Document:
    """A new document of `source`. Raises ServiceError (400) naming the field for a blank title, a title
    the source already has, or a bad web address; nothing is written then."""
    document = Document(source=source, title=title, url=url, topic=topic)
    _document_checked(document, DOCUMENT_FIELDS)
    _saved(document, field="title", message=_title_taken(document))
    if audit:
        audit_record(actor=actor, action="document.create", obj=document)
    return document


@transaction.atomic
def document_update(*, document: Document, actor, audit: bool = True, **changes) -> Document:
    """Change a document's source, title, URL or topic; returns it. Refuses (400, naming the field) what
    `document_create` refuses."""
    return _update(document, DOCUMENT_FIELDS, changes, actor=actor, audit=audit, check=_document_checked)


@transaction.atomic
def document_delete(*, document: Document, actor, confirm: bool = False, audit: bool = True) -> dict:
    """Delete a document with its segments and what hangs on them; returns what was deleted (counts).

    A document that holds segments is deleted only with `confirm`: without it the refusal (Conflict, 409)
    names the segments, revisions, candidates and links that would go, and nothing changes."""
    document = Document.objects.select_for_update().select_related("source").get(pk=document.pk)
    impact = document_deletion_impact(document)
    if impact["counts"]["segments"] and not confirm:
        raise Conflict(
            f"{impact['summary']} Nothing was deleted: confirm to delete the document with all of it.",
            errors={"confirm": "Send confirm=true to delete the document and everything listed."},
        )
    if audit:
        audit_record(
            actor=actor,
            action="document.delete",
            obj=document,
            details={"title": document.title, "source": document.source.name, **impact["counts"]},
        )
    try:
        document.delete()
    except ProtectedError as exc:
        raise Conflict(
            f"The document {document.title!r} cannot be deleted: {len(exc.protected_objects)} other "
            "record(s) depend on its segments and are protected. Nothing was deleted."
        ) from None
    return impact["counts"]


def _update(obj, allowed: tuple, changes: dict, *, actor, audit: bool, check):
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ServiceError(errors={name: "This field cannot be changed here." for name in unknown})
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    changed = sorted(name for name, value in changes.items() if getattr(obj, name) != value)
    if not changed:
        return obj
    for name in changed:
        setattr(obj, name, changes[name])
    label = obj._meta.model_name
    check(obj, changed)
    unique_field = "name" if label == "source" else "title"
    _saved(obj, field=unique_field, message=f"Another {label} has this {unique_field} already.")
    if audit:
        audit_record(actor=actor, action=f"{label}.update", obj=obj, details={"fields": changed})
    return obj
