"""The corpus import: options, the batch record, and the two passes over the file (check, then write).

The whole file is checked first (`imports.RowReader`, streaming): every problem is reported by row in
the batch (`ImportBatch.report`, `apps.core.imports.ImportProblem`s), and nothing is written unless every
row is valid or the curator chose "skip invalid rows". The write pass reads the file again and writes in
one transaction, in chunks. Small files run inline; larger ones as a Job (task `equitext.corpus.import`).
The sources and documents an import needs are created here in bulk (the batch's audit entry records the
import; one-by-one writes go through `services.source_create` / `document_create`).
"""

import hashlib
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import MD5

from apps.core import limits
from apps.core.imports import MAX_PROBLEMS, FileRefused, ImportProblem, ImportReport
from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.exceptions import FileRejected, ImportNotAwaiting, ImportProblems
from apps.corpus.imports import PRESETS, ImportSpec, RowReader, format_for
from apps.corpus.models import Document, ImportBatch, Segment, SegmentRevision, Split
from apps.corpus.services import source_get_or_create
from apps.metrics.text_scores import text_scores_by_text

# Files larger than this run as a background Job with a progress bar; smaller ones answer at once.
IMPORT_INLINE_MAX_BYTES = 2 * 1024 * 1024
_WRITE_CHUNK = 2000
PREVIEW_ROWS = 5
PREVIEW_FIELDS = ("original", "simplified", "document", "source", "split")


def import_summary(batch) -> str:
    """What happened to the import, in one sentence for the curator."""
    if batch.state == ImportBatch.State.PREVIEW:
        return (
            "Nothing is written yet: check how the columns were read and the first rows, then import or "
            "cancel."
        )
    if batch.state == ImportBatch.State.CANCELLED:
        return "Cancelled: nothing was imported."
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


def import_report(batch) -> ImportReport:
    """The batch's outcome in the shared report shape (`apps.core.imports`): its problems and counts."""
    problems = [ImportProblem.from_dict(problem) for problem in batch.report]
    refused = batch.state == ImportBatch.State.REJECTED
    return ImportReport(
        file_name=batch.file_name,
        errors=problems if refused else [],
        warnings=[] if refused else problems,  # rows skipped on request: reported, not stopping the import
        counts={
            "rows_total": batch.rows_total,
            "rows_imported": batch.rows_imported,
            "rows_skipped": batch.rows_skipped,
            "documents_created": batch.documents_created,
        },
        problem_count=batch.options.get("problem_count", len(problems)) if refused else 0,
    )


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


def import_batch_create(
    *, file_name: str, options: dict, skip_invalid: bool, user, upload=None, state=ImportBatch.State.PENDING
):
    """Record an import; with `upload` (a Django File) the file is stored (for a preview or a job)."""
    batch = ImportBatch(
        state=state,
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


def corpus_import_start(*, upload, file_name: str, options: dict, skip_invalid: bool, user) -> ImportBatch:
    """Import a file at once (the API): inline when small, else as a Job (batch.job is set; the batch is
    pending). The import page previews first (`import_preview_start`, then `import_confirm`).

    Returns the batch: done, or rejected with its report (nothing written), or pending with its job.
    """
    size = getattr(upload, "size", None) or 0
    if size <= IMPORT_INLINE_MAX_BYTES:
        batch = import_batch_create(
            file_name=file_name, options=options, skip_invalid=skip_invalid, user=user
        )
        return _import_launch(batch, size=size, open_file=lambda: _rewound(upload))
    with transaction.atomic():
        batch = import_batch_create(
            file_name=file_name, options=options, skip_invalid=skip_invalid, user=user, upload=upload
        )
        return _import_launch(batch, size=size)


def _import_launch(batch, *, size: int, open_file=None) -> ImportBatch:
    """Run the import inline when the file is small, else queue its Job (the stored file is read)."""
    if size <= IMPORT_INLINE_MAX_BYTES:
        try:
            return import_batch_run(batch_id=batch.pk, open_file=open_file)
        except ImportProblems as refused:
            return refused.batch
    with transaction.atomic():
        batch.job = job_create(
            kind="corpus.import",
            task="equitext.corpus.import",
            requested_by=batch.created_by,
            parameters={"batch_id": batch.pk, "file_name": batch.file_name},
        )
        batch.state = ImportBatch.State.PENDING
        batch.save(update_fields=["job", "state"])
    return batch


def import_preview_start(*, upload, file_name: str, options: dict, skip_invalid: bool, user) -> ImportBatch:
    """Store the file and show, before anything is written, how its columns map to fields and its first
    rows as they would be imported. A small file is also checked whole now: when it would be refused,
    the batch is rejected at once with its report (there is nothing to confirm).

    Returns the batch awaiting confirmation (`options["preview"]`), or rejected."""
    batch = import_batch_create(
        file_name=file_name,
        options=options,
        skip_invalid=skip_invalid,
        user=user,
        upload=upload,
        state=ImportBatch.State.PREVIEW,
    )
    size = getattr(upload, "size", None) or 0
    try:
        preview = import_preview_read(_rewound(upload), _spec_from(options))
        if size <= IMPORT_INLINE_MAX_BYTES:
            checked = _batch_check(batch, open_file=lambda: _rewound(upload), progress=None)
            invalid = len(checked["invalid"])
            preview["checked"] = {
                "rows": checked["rows"],
                "invalid_rows": invalid,
                "to_write": checked["rows"] - invalid,
            }
    except FileRefused as exc:
        _batch_refuse(batch, exc)
    except ImportProblems:
        pass  # _batch_check recorded the refusal on the batch
    if batch.state == ImportBatch.State.REJECTED:
        batch.file.delete(save=False)
    else:
        batch.options = {**batch.options, "preview": preview}
    batch.save()
    return batch


def import_preview_read(binary, spec: ImportSpec, rows: int = PREVIEW_ROWS) -> dict:
    """The file's columns (each with the field it feeds, or how it is kept or ignored), the fields no
    column feeds (with the value every row gets), and its first `rows` rows as they would be imported."""
    reader = RowReader(binary, spec)
    first = []
    for parsed in reader:
        first.append(parsed)
        if len(first) >= rows:
            break
    fields = reader.seen["fields"]
    by_column = {column.lower(): target for target, column in fields.items()}
    keep_other = PRESETS[spec.preset].get("keep_other_columns")
    columns = [
        {
            "column": column,
            "field": by_column.get(column.lower(), ""),
            "use": "field" if column.lower() in by_column else ("kept" if keep_other else "ignored"),
        }
        for column in reader.seen["columns"]
    ]
    defaults = {
        "document": spec.default_document,
        "source": spec.default_source,
        "split": spec.default_split,
    }
    return {
        "columns": columns,
        "defaults": {target: value for target, value in defaults.items() if target not in fields},
        "rows": [
            {
                "row": parsed.row,
                "values": {key: parsed.values.get(key, "") for key in PREVIEW_FIELDS},
                "problems": [problem.problem for problem in parsed.problems],
            }
            for parsed in first
        ],
    }


def import_confirm(*, batch_id: int, user) -> ImportBatch:
    """Write a previewed import: the whole file is checked again, then written (or queued when large).
    Refused (ImportNotAwaiting, nothing changes) unless the batch is still awaiting confirmation."""
    require_curator(user)
    with transaction.atomic():
        batch = _awaiting(batch_id)
        batch.state = ImportBatch.State.PENDING
        batch.save(update_fields=["state"])
    audit_record(actor=user, action="corpus.import_confirm", obj=batch, details={"file": batch.file_name})
    return _import_launch(batch, size=batch.file.size)


def import_cancel(*, batch_id: int, user) -> ImportBatch:
    """Drop a previewed import: its stored file is deleted and nothing is written."""
    require_curator(user)
    with transaction.atomic():
        batch = _awaiting(batch_id)
        batch.file.delete(save=False)
        batch.state = ImportBatch.State.CANCELLED
        batch.save()
        audit_record(actor=user, action="corpus.import_cancel", obj=batch, details={"file": batch.file_name})
    return batch


def _awaiting(batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=batch_id)
    if batch.state != ImportBatch.State.PREVIEW:
        raise ImportNotAwaiting(
            f"This import is no longer awaiting confirmation ({batch.get_state_display().lower()}); "
            "nothing changed."
        )
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
        checked = _batch_check(batch, open_file=open_file, progress=progress)
    except FileRefused as exc:
        _batch_refuse(batch, exc)
        batch.save()
        raise ImportProblems(batch, import_summary(batch)) from None
    except ImportProblems:
        batch.save()
        raise
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
                "skipped_rows": sorted(checked["invalid"])[:MAX_PROBLEMS],
            },
        )
    return batch


def _batch_check(batch, *, open_file, progress) -> dict:
    """Pass 1 on the batch: records the row count and the problems on it (unsaved), and raises
    ImportProblems when the file may not be written (invalid rows, and no "skip invalid rows")."""
    checked = _import_check(open_file(), _spec_from(batch.options), progress)
    report = checked["report"]
    batch.rows_total = checked["rows"]
    batch.report = [problem.as_dict() for problem in report.errors]
    batch.options = {
        **batch.options,
        "problem_count": report.problem_count,
        "invalid_rows": len(checked["invalid"]),
    }
    if checked["invalid"] and (not batch.skip_invalid or len(checked["invalid"]) == checked["rows"]):
        batch.state = ImportBatch.State.REJECTED
        raise ImportProblems(batch, import_summary(batch))
    return checked


def _batch_refuse(batch, refusal: FileRefused) -> None:
    """The whole file was refused (unreadable, a missing column, too many rows): record why (unsaved)."""
    batch.state = ImportBatch.State.REJECTED
    batch.report = [refusal.problem().as_dict()]
    batch.options = {**batch.options, "problem_count": 1, "invalid_rows": 0}


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
    report, invalid, first_row, rows = ImportReport(), set(), {}, 0
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
                    f"{parsed.values['document']!r}",
                    "original",
                )
            else:
                first_row[key] = parsed.row
        if parsed.problems:
            invalid.add(parsed.row)
            for problem in parsed.problems:
                report.add(problem)
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
                report.error(
                    row,
                    f"already in the corpus: document {source_title[1]!r} has this original as segment "
                    f"{position}",
                    "original",
                )
    report.sort()
    return {"rows": rows, "invalid": invalid, "report": report, "documents": documents_needed}


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
