"""Writes for the corpus. Every change to a segment goes through `segment_update` (or a function built on
it), which enforces optimistic locking, the status workflow and records a revision.

Rules:
- A write names the version it started from; when the segment has moved on, `StaleVersion` is raised and
  nothing changes (the caller shows both texts so the author can merge).
- Status moves draft → in review → approved; in review can go back to draft and approved can be
  reopened (to in review or draft). Changing the text of an approved segment reopens it to in review:
  the approval was for another text.
- With `settings.CORPUS_APPROVAL_BY_OTHER_CURATOR` true (default false), the curator who last changed
  the simplified text cannot approve it.
- Every save, revert and bulk action creates a `SegmentRevision` and bumps `version` by one.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.services import audit_record
from apps.corpus.models import Document, Segment, SegmentRevision, Source, Split, Status
from apps.scoring.services import text_scores_get_or_compute

ALLOWED_TRANSITIONS = {
    Status.DRAFT: {Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.DRAFT, Status.APPROVED},
    Status.APPROVED: {Status.IN_REVIEW, Status.DRAFT},
}
MAX_TEXT_CHARS = 20_000  # the same bound as the readability API; a segment is a sentence or paragraph


class StaleVersion(Exception):
    """The segment was saved by someone else since `expected`; `current` holds what is stored now."""

    def __init__(self, *, current: Segment, expected: int):
        self.current = current
        self.expected = expected
        editor = current.last_edited_by.username if current.last_edited_by else "someone"
        super().__init__(
            f"This segment was changed since you opened it (you had version {expected}; it is now version "
            f"{current.version}, last edited by {editor}). Your text was not saved: compare both versions, "
            "then save again from the current version."
        )


def approval_by_other_curator() -> bool:
    return bool(getattr(settings, "CORPUS_APPROVAL_BY_OTHER_CURATOR", False))


def grades_for(original: str, simplified: str) -> tuple[float | None, float | None]:
    """Flesch–Kincaid grades of both sides (None for an empty side), through the TextScore cache."""
    texts = [t for t in (original, simplified) if t.strip()]
    scores = dict(zip(texts, text_scores_get_or_compute(texts), strict=True))
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
            {field: f"The text has {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}. Split it."}
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
    segment = Segment.objects.select_for_update().select_related("last_edited_by").get(pk=segment_id)
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
def source_get_or_create(*, name: str, url: str = "", licence: str = "") -> Source:
    source, _ = Source.objects.get_or_create(name=name.strip(), defaults={"url": url, "licence": licence})
    return source


@transaction.atomic
def document_create(*, source: Source, title: str, url: str = "", topic: str = "") -> Document:
    return Document.objects.create(source=source, title=title, url=url, topic=topic)
