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

import hashlib
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import MD5

from apps.core import limits
from apps.core.errors import Conflict
from apps.core.jobs import job_create
from apps.core.services import audit_record
from apps.corpus.importing import PRESETS, FileRejected, ImportSpec, RowReader, format_for
from apps.corpus.models import Document, ImportBatch, Segment, SegmentRevision, Source, Split, Status
from apps.metrics.text_scores import text_scores_by_text

ALLOWED_TRANSITIONS = {
    Status.DRAFT: {Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.DRAFT, Status.APPROVED},
    Status.APPROVED: {Status.IN_REVIEW, Status.DRAFT},
}
MAX_TEXT_CHARS = settings.EQUITEXT_MAX_TEXT_CHARS  # as the readability API; a sentence or paragraph


class StaleVersion(Conflict):
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


@transaction.atomic
def source_get_or_create(*, name: str, url: str = "", licence: str = "") -> Source:
    source, _ = Source.objects.get_or_create(name=name.strip(), defaults={"url": url, "licence": licence})
    return source


@transaction.atomic
def document_create(*, source: Source, title: str, url: str = "", topic: str = "") -> Document:
    return Document.objects.create(source=source, title=title, url=url, topic=topic)


# ---- import ----------------------------------------------------------------------------------------------

# Files larger than this run as a background Job with a progress bar; smaller ones answer at once.
IMPORT_INLINE_MAX_BYTES = 2 * 1024 * 1024
IMPORT_REPORT_MAX = 500  # problems kept in the report (the count is always exact)
_WRITE_CHUNK = 2000


class ImportProblems(Exception):
    """The file was checked and refused; `batch.report` lists the problems. Nothing was written."""

    def __init__(self, batch):
        self.batch = batch
        super().__init__(import_summary(batch))


def import_summary(batch) -> str:
    if batch.state == ImportBatch.State.PENDING:
        return "The import is running: the rows are checked first, then written."
    if batch.state == ImportBatch.State.DONE:
        skipped = f", skipped {batch.rows_skipped} invalid row(s) as asked" if batch.rows_skipped else ""
        return (
            f"Imported {batch.rows_imported} segment(s) into {batch.documents_created} new document(s)"
            f"{skipped}."
        )
    problems = batch.options.get("problem_count", len(batch.report))
    rows = batch.options.get("invalid_rows", 0)
    if rows:
        return (
            f"Nothing was imported: {rows} of {batch.rows_total} row(s) have problems ({problems} in all). "
            "Fix them, or choose “skip invalid rows”."
        )
    return f"Nothing was imported: {batch.report[0]['problem'] if batch.report else 'the file was refused.'}"


def _spec_from(options: dict):
    return ImportSpec(
        format=options["format"],
        preset=options["preset"],
        mapping=options.get("mapping") or {},
        default_split=options.get("default_split") or Split.UNLABELLED,
        default_source=options.get("default_source") or "Imported",
        default_document=options.get("default_document") or "Imported document",
    )


def import_options(
    *,
    file_name: str,
    preset: str,
    format: str = "",
    mapping: dict | None = None,
    default_split: str = "",
    default_source: str = "",
    default_document: str = "",
) -> dict:
    """Validated import options (raises ValidationError naming the field)."""
    if preset not in PRESETS:
        raise ValidationError({"preset": f"Unknown preset {preset!r}; use one of {', '.join(PRESETS)}."})
    try:
        fmt = format_for(file_name, format)
    except FileRejected as exc:
        raise ValidationError({"format": str(exc)}) from None
    if default_split and default_split not in Split.values:
        raise ValidationError(
            {"default_split": f"Unknown split {default_split!r}; use {', '.join(Split.values)}."}
        )
    if preset == "mapping" and not (mapping or {}).get("original"):
        raise ValidationError(
            {"mapping": "Name the column that holds the original text (mapping “original”)."}
        )
    return {
        "format": fmt,
        "preset": preset,
        "mapping": {k: v for k, v in (mapping or {}).items() if v},
        "default_split": default_split or Split.UNLABELLED,
        "default_source": (default_source or "Imported").strip()[:200],
        "default_document": (default_document or PurePath(file_name).stem or "Imported document").strip()[
            :300
        ],
    }


def import_batch_create(*, file_name: str, options: dict, skip_invalid: bool, user, upload=None):
    """Record an import; with `upload` (a Django File) the file is stored for a background job."""
    batch = ImportBatch(
        file_name=file_name[:255],
        format=options["format"],
        preset=options["preset"],
        options=options,
        skip_invalid=skip_invalid,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if upload is not None:
        batch.file.save(file_name, upload, save=False)
    batch.save()
    return batch


def corpus_import_start(*, upload, file_name: str, options: dict, skip_invalid: bool, user):
    """Import a file: inline when small (returns the finished batch), else as a Job (batch.job is set).

    Inline imports raise ImportProblems when the file is refused (nothing written).
    """
    size = getattr(upload, "size", None) or 0
    if size <= IMPORT_INLINE_MAX_BYTES:
        batch = import_batch_create(
            file_name=file_name, options=options, skip_invalid=skip_invalid, user=user
        )
        return import_batch_run(batch_id=batch.pk, open_file=lambda: _rewound(upload))
    with transaction.atomic():
        batch = import_batch_create(
            file_name=file_name, options=options, skip_invalid=skip_invalid, user=user, upload=upload
        )
        batch.job = job_create(
            kind="corpus.import",
            task="equitext.corpus.import",
            requested_by=batch.created_by,
            parameters={"batch_id": batch.pk, "file_name": batch.file_name},
        )
        batch.save(update_fields=["job"])
    return batch


def _rewound(upload):
    upload.seek(0)
    return upload


def import_batch_run(*, batch_id: int, open_file=None, progress=None):
    """Check the whole file, then (if it may be written) write it in one transaction.

    `open_file()` returns the file in binary mode at its start (called once per pass; defaults to the
    stored upload). `progress(done, total, message)` is told how far each pass got. Returns the batch;
    raises ImportProblems when the file was refused (the batch then records why).
    """
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if open_file is None:

        def open_file():
            batch.file.open("rb")
            batch.file.seek(0)
            return batch.file

    spec = _spec_from(batch.options)
    try:
        checked = _import_check(open_file(), spec, progress)
    except FileRejected as exc:
        batch.state = ImportBatch.State.REJECTED
        batch.report = [{"row": None, "line": exc.line, "column": None, "problem": str(exc)}]
        batch.options = {**batch.options, "problem_count": 1, "invalid_rows": 0}
        batch.save()
        raise ImportProblems(batch) from None
    batch.rows_total = checked["rows"]
    batch.report = checked["problems"][:IMPORT_REPORT_MAX]
    batch.options = {
        **batch.options,
        "problem_count": len(checked["problems"]),
        "invalid_rows": len(checked["invalid"]),
    }
    if checked["invalid"] and (not batch.skip_invalid or len(checked["invalid"]) == checked["rows"]):
        batch.state = ImportBatch.State.REJECTED
        batch.save()
        raise ImportProblems(batch)
    with transaction.atomic():
        written = _import_write(open_file(), spec, checked, batch, progress)
        batch.rows_imported = written["segments"]
        batch.documents_created = written["documents"]
        batch.rows_skipped = len(checked["invalid"])
        batch.state = ImportBatch.State.DONE
        batch.save()
        audit_record(
            actor=batch.created_by,
            action="corpus.import",
            obj=batch,
            details={
                "rows": batch.rows_imported,
                "skipped_rows": sorted(checked["invalid"])[:IMPORT_REPORT_MAX],
            },
        )
    return batch


def _doc_key(values: dict) -> tuple[str, str]:
    return values["source"], values["document"]


def _original_key(document: int, text: str) -> bytes:
    """A compact key for "this original text in this document": the document's number in the file and the
    MD5 of the text (~60 bytes a row, where a tuple of strings took ~400: the check pass keeps one a row)."""
    return document.to_bytes(4, "big") + hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()


def _existing_documents(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(source name, title) → document id, for the keys that exist already (one query)."""
    if not keys:
        return {}
    found = Document.objects.filter(
        source__name__in={source for source, _ in keys}, title__in={title for _, title in keys}
    ).values_list("source__name", "title", "pk")
    return {(source, title): pk for source, title, pk in found if (source, title) in keys}


def _import_check(binary, spec, progress) -> dict:
    """Pass 1: every row's problems, plus duplicates within the file and against the corpus."""
    reader = RowReader(binary, spec)
    total_bytes = getattr(binary, "size", 0) or 0
    problems, invalid, first_row, rows = [], set(), {}, 0
    documents_needed: dict[tuple[str, str], dict] = {}  # for the valid rows: the first url and topic seen
    document_numbers: dict[tuple[str, str], int] = {}  # every (source, title) in the file → its number
    for parsed in reader:
        rows += 1
        too_many = limits.rows_problem(rows)
        if too_many:
            raise FileRejected(f"Row {parsed.row}: {too_many}", line=parsed.line)
        if parsed.values and parsed.values.get("original"):
            number = document_numbers.setdefault(_doc_key(parsed.values), len(document_numbers))
            key = _original_key(number, parsed.values["original"])
            if key in first_row:
                parsed.problem(
                    f"duplicate of row {first_row[key]}: the same original text in document "
                    f"{parsed.values['document']!r}"
                )
            else:
                first_row[key] = parsed.row
        if parsed.problems:
            invalid.add(parsed.row)
            problems.extend(parsed.problems)
        else:
            info = documents_needed.setdefault(_doc_key(parsed.values), {"url": "", "topic": ""})
            info["url"] = info["url"] or parsed.values["url"]
            info["topic"] = info["topic"] or parsed.values["topic"]
        if progress and rows % 5000 == 0 and total_bytes:
            progress(min(reader.bytes_read, total_bytes), total_bytes, f"Checked {rows} rows")
    # Originals already in the corpus for the same document.
    documents = {pk: key for key, pk in _existing_documents(set(document_numbers)).items()}
    if documents:
        existing = (
            Segment.objects.filter(document_id__in=documents)
            .annotate(digest=MD5("original"))
            .values_list("document_id", "digest", "position")
        )
        for document_id, digest, position in existing.iterator(chunk_size=5000):
            source_title = documents[document_id]
            key = document_numbers[source_title].to_bytes(4, "big") + bytes.fromhex(digest)
            if key in first_row:
                row = first_row[key]
                invalid.add(row)
                problems.append(
                    {
                        "row": row,
                        "line": None,
                        "column": None,
                        "problem": f"already in the corpus: document {source_title[1]!r} has this original "
                        f"as segment {position}",
                    }
                )
    problems.sort(key=lambda p: p["row"] or 0)
    return {"rows": rows, "invalid": invalid, "problems": problems, "documents": documents_needed}


def _import_documents(rows_documents: dict[tuple[str, str], dict]) -> tuple[dict, dict, int]:
    """Create the sources and documents the rows need, in a few queries.

    Returns ((source, title) → document id, document id → next free position, documents created)."""
    sources = {name: source_get_or_create(name=name) for name in {source for source, _ in rows_documents}}
    ids = _existing_documents(set(rows_documents))
    new = [
        Document(source=sources[source], title=title, url=info["url"], topic=info["topic"])
        for (source, title), info in rows_documents.items()
        if (source, title) not in ids
    ]
    Document.objects.bulk_create(new, batch_size=_WRITE_CHUNK)
    ids.update({(d.source.name, d.title): d.pk for d in new})
    last = dict(
        Segment.objects.filter(document_id__in=ids.values())
        .values("document_id")
        .annotate(last=Max("position"))
        .values_list("document_id", "last")
    )
    return ids, {pk: last.get(pk, 0) + 1 for pk in ids.values()}, len(new)


def _import_write(binary, spec, checked: dict, batch, progress) -> dict:
    """Pass 2: create sources, documents, segments and their first revisions, in chunks."""
    user = batch.created_by
    author_id = user.pk if getattr(user, "is_authenticated", False) else None
    to_write = checked["rows"] - len(checked["invalid"])
    documents, next_position, created_documents = _import_documents(checked["documents"])
    written = 0
    chunk: list[dict] = []
    revision_table = SegmentRevision._meta.db_table

    def flush():
        nonlocal written
        if not chunk:
            return
        scores = text_scores_by_text(
            t for values in chunk for t in (values["original"], values["simplified"])
        )
        segments = []
        for values in chunk:
            document_id = documents[_doc_key(values)]
            position = next_position[document_id]
            next_position[document_id] += 1
            segments.append(
                Segment(
                    document_id=document_id,
                    position=position,
                    original=values["original"],
                    simplified=values["simplified"],
                    split=values["split"],
                    annotation=values["annotation"],
                    original_grade=scores[values["original"]]["flesch_kincaid_grade"],
                    simplified_grade=(
                        scores[values["simplified"]]["flesch_kincaid_grade"] if values["simplified"] else None
                    ),
                )
            )
        Segment.objects.bulk_create(segments, batch_size=_WRITE_CHUNK)
        # The first revisions copy the new rows inside the database (no second round of parameters).
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {revision_table} (segment_id, version, original, simplified, split, status, "
                "notes, origin, author_id, created_at) "
                "SELECT id, version, original, simplified, split, status, notes, %s, %s, now() "
                f"FROM {Segment._meta.db_table} WHERE id = ANY(%s)",
                [SegmentRevision.Origin.IMPORT, author_id, [s.pk for s in segments]],
            )
        written += len(chunk)
        chunk.clear()
        if progress:
            progress(written, to_write, f"Imported {written} of {to_write} rows")

    for parsed in RowReader(binary, spec):
        if parsed.row in checked["invalid"]:
            continue
        chunk.append(parsed.values)
        if len(chunk) >= _WRITE_CHUNK:
            flush()
    flush()
    return {"segments": written, "documents": created_documents}
