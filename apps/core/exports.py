"""Streamed exports (`/api/v1/exports/<name>.{jsonl,csv}`): constant memory, one snapshot, a manifest.

Every export is one `export_response(...)`, served by the JSONL/CSV view pair that `export_views` builds
(each app declares its pair in its own module; the paths are the app's `urls.py`):

- **One snapshot.** The row count and the rows are read in one REPEATABLE READ transaction, opened by the
  view and closed by the response's last chunk (or when the client goes away), so the manifest's
  `row_count` is exactly the number of rows that follow, however many writes happen meanwhile.
- **Constant memory.** Rows come from a server-side cursor (`queryset.iterator(chunk_size=…)` or
  `sql_chunks()` over `connection.chunked_cursor()`) or from `COPY … TO STDOUT` (`copy_lines()`, lines
  the database already formatted), are encoded per chunk and sent in ~64 KiB pieces.
- **Manifest.** Every download carries it in the `X-Export-Manifest` header (JSON): the export's name,
  schema version, format, the filters applied, the row count, the field names and when it was generated.
  The body holds the rows only, so `datasets.load_dataset("json", data_files=…)` (or pandas) reads a
  JSONL export as it is. `?manifest=only` answers the manifest alone as JSON (same filters, same count,
  no rows); `?manifest=1` on a JSONL download puts it back as the first line, `{"manifest": {...}}`, as
  before schema 2 of the downloads. A reader that counts fewer rows than `row_count` knows the download
  was cut short.
- **CSV cells are neutralised** against formula injection: a text cell starting with `=`, `+`, `-`, `@`,
  tab or carriage return is prefixed with `'` (plain numbers such as `-3` are left alone). Lists and
  objects are written as JSON text, booleans as `true`/`false`, empty values as an empty cell.
"""

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation

from apps.core.api import ERROR_RESPONSES, IsCurator

CHUNK_ROWS = 2000
PIECE_CHARS = 1 << 16
FORMATS = ("jsonl", "csv")
CONTENT_TYPES = {"jsonl": "application/jsonl; charset=utf-8", "csv": "text/csv; charset=utf-8"}
MANIFEST_HEADER = "X-Export-Manifest"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?\Z")


def csv_cell(value):
    """A value as a safe CSV cell (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def manifest_jsonl_line(info: dict) -> str:
    """The opt-in first line of a JSONL download: `{"manifest": {...}}`."""
    return json.dumps({"manifest": info}, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"


def manifest(*, name: str, schema_version: int, fmt: str, filters: dict, row_count: int, fields) -> dict:
    return {
        "export": name,
        "schema_version": schema_version,
        "format": fmt,
        "filters": {k: v for k, v in filters.items() if v not in (None, "", [])},
        "row_count": row_count,
        "fields": list(fields),
        "generated_at": timezone.now(),
    }


class _Snapshot:
    """A REPEATABLE READ transaction that outlives the view: opened here, closed by the stream's end.

    Inside an outer atomic block (tests) it is a savepoint of that transaction instead."""

    def __init__(self):
        outermost = not connection.in_atomic_block
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._open = True
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Exports read everything once: compiling the plan (JIT) costs seconds and saves nothing here.
            cursor.execute("SET LOCAL jit = off")
            # They also read whole filtered sets: hash joins are right, and a nested loop chosen on stale
            # statistics (rows bulk-loaded since the last ANALYZE) turns a seconds-long export into hours.
            cursor.execute("SET LOCAL enable_nestloop = off")

    def close(self, exc: BaseException | None = None) -> None:
        if self._open:
            self._open = False
            self._atomic.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)


def _pieces(parts: Iterable[str]) -> Iterator[str]:
    """Join small strings into ~64 KiB pieces: one socket write per piece, not per row."""
    buffer, size = [], 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= PIECE_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _jsonl_records(records: Iterable[dict]) -> Iterator[str]:
    encode = DjangoJSONEncoder(ensure_ascii=False).encode
    for record in records:
        yield encode(record) + "\n"


def _csv_lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text per chunk of rows (csv.writer into a reused buffer; cells neutralised)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    chunk = []
    for row in rows:
        chunk.append([csv_cell(v) for v in row])
        if len(chunk) >= CHUNK_ROWS:
            writer.writerows(chunk)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            chunk = []
    if chunk:
        writer.writerows(chunk)
        yield buffer.getvalue()


def sql_chunks(sql: str, params: Sequence = (), chunk_size: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    """Rows of `sql` in lists of `chunk_size`, from a named server-side cursor (constant memory)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield rows


def copy_statement(sql: str) -> str:
    """`COPY (sql) TO STDOUT` that writes each row's single text column as is, one per line: CSV format
    with a quote and a delimiter that JSON text never contains raw (\\x01, \\x02), so nothing is escaped."""
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"


def copy_lines(sql: str, params: dict | Sequence = ()) -> Iterator[bytes]:
    """The rows of `sql` (one text column, no line breaks in it, e.g. JSON) as lines of UTF-8, in ~64 KiB
    pieces, through PostgreSQL's `COPY … TO STDOUT`: the database's own fastest output path, constant
    memory. A client that goes away cancels the COPY (psycopg cancels and drains it)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's client-side-binding cursor (Django's wrapper has no copy())
        with raw.copy(copy_statement(sql), params or None) as copy:
            buffer = bytearray()
            for data in copy:
                buffer += data
                if len(buffer) >= PIECE_CHARS:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)


def export_response(
    *,
    name: str,
    fmt: str,
    schema_version: int,
    fields: Sequence[str],
    filters: dict,
    count: Callable[[], int],
    records: Callable[[], Iterable[dict]] | None = None,
    rows: Callable[[], Iterable[Sequence]] | None = None,
    jsonl_chunks: Callable[[], Iterable[str]] | None = None,
    manifest_line: bool = False,
) -> StreamingHttpResponse:
    """A streamed download of one export in `fmt` ("jsonl" or "csv").

    Give `count` (rows the export will have) and the rows as one of: `records` (dicts keyed by `fields`),
    `rows` (sequences in `fields` order; CSV, or JSONL zipped with `fields`) or, for JSONL only,
    `jsonl_chunks` (bytes of whole lines already encoded by the database, e.g. `copy_lines`). All
    callables run inside the export's snapshot; the rows are not read until the client reads the body.
    `manifest_line` starts a JSONL body with the manifest line (the views do it for `?manifest=1`:
    `ManifestOptionMixin`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    snapshot = _Snapshot()
    try:
        info = manifest(
            name=name,
            schema_version=schema_version,
            fmt=fmt,
            filters=filters,
            row_count=count(),
            fields=fields,
        )
    except BaseException as exc:
        snapshot.close(exc)
        raise

    def body() -> Iterator[str]:
        if fmt == "jsonl":
            if manifest_line:
                yield manifest_jsonl_line(info)
            if records is not None:
                yield from _jsonl_records(records())
            else:
                yield from _jsonl_records(dict(zip(fields, row, strict=True)) for row in rows())
        else:
            header = io.StringIO()
            csv.writer(header).writerow(fields)
            yield header.getvalue()
            if rows is not None:
                yield from _csv_lines(rows())
            else:
                yield from _csv_lines([record[f] for f in fields] for record in records())

    def stream() -> Iterator[str | bytes]:
        try:
            if jsonl_chunks is not None and fmt == "jsonl":
                if manifest_line:
                    yield manifest_jsonl_line(info)
                yield from jsonl_chunks()
            else:
                yield from _pieces(body())
        except BaseException as exc:  # the client went away, or a query failed: end the snapshot
            snapshot.close(exc)
            raise
        snapshot.close()

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    response[MANIFEST_HEADER] = json.dumps(info, cls=DjangoJSONEncoder)  # ASCII: safe as a header value
    # A response never read (a HEAD request, a client that hangs up at once) still ends the snapshot.
    response._resource_closers.append(snapshot.close)
    return response


MANIFEST_MODES = {"": "none", "0": "none", "false": "none", "1": "line", "true": "line", "only": "only"}
MANIFEST_PARAMETER = OpenApiParameter(
    "manifest",
    str,
    enum=["0", "1", "only"],
    description="Where the manifest goes besides the X-Export-Manifest header: `only` answers it alone as "
    "JSON (no rows); `1` puts it as the first line of a JSONL download; `0` (default) nowhere else, so "
    "the body holds the rows only (datasets.load_dataset reads it as it is).",
)


def _release(response: StreamingHttpResponse) -> None:
    """End a download that will not be sent (its snapshot and stream), without `response.close()`,
    which would also signal the end of the request (closing the database connection mid-request)."""
    for closer in response._resource_closers:
        closer()
    response._resource_closers.clear()


class ManifestOptionMixin:
    """`?manifest=only` (the manifest as JSON, no rows) and `?manifest=1` (JSONL: the manifest as the first
    line) on an export view whose `get` returns `export_response(...)`."""

    def finalize_response(self, request, response, *args, **kwargs):
        raw = str(request.query_params.get("manifest", "")).strip().lower()
        mode = MANIFEST_MODES.get(raw)
        if isinstance(response, StreamingHttpResponse) and MANIFEST_HEADER in response:
            info = json.loads(response[MANIFEST_HEADER])
            if mode is None or mode == "only":
                _release(response)  # ends the snapshot; no row is read
                if mode is None:
                    message = f"manifest: {raw!r} is not an option; use 1 (first line), only, or 0."
                    response = JsonResponse(
                        {"detail": message, "errors": {"manifest": [message]}}, status=400
                    )
                else:
                    response = JsonResponse(info, json_dumps_params={"ensure_ascii": False})
                    response["Cache-Control"] = "no-store"
            elif mode == "line" and getattr(self, "fmt", "") == "jsonl":
                line = manifest_jsonl_line(info).encode("utf-8")
                response.streaming_content = itertools.chain([line], response.streaming_content)
        return super().finalize_response(request, response, *args, **kwargs)


class AnyAccept(BaseContentNegotiation):
    """Downloads answer in their own format whatever the client's Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_schema_responses(fmt: str, description: str) -> dict:
    """OpenAPI responses of an export endpoint: the download, and the shared error shape."""
    media = CONTENT_TYPES[fmt].split(";")[0]
    return {
        (200, media): OpenApiResponse(OpenApiTypes.STR, description=description),
        (200, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="With `?manifest=only`: the manifest alone (no rows)."
        ),
        **{code: ERROR_RESPONSES[code] for code in (400, 401, 403)},
    }


def export_views(
    base: type,
    *,
    name: str,
    jsonl: tuple[str, str],
    csv: tuple[str, str],
    parameters: list | None = None,
    filters: bool = False,
) -> tuple[type, type]:
    """The (JSONL, CSV) download views of one export, as subclasses of `base`.

    `base` is an APIView (or GenericAPIView) whose `get(request)` returns `export_response(...,
    fmt=self.fmt)`; both views are for curators only and answer in their own format whatever the Accept
    header says. `jsonl` and `csv` are (what the view returns, what the download holds) for the OpenAPI
    schema; `parameters` are its query parameters (OpenApiParameters or a serializer), `filters=True`
    documents the base's filterset instead. `name` names the classes (`<name>JsonlExport`, …)."""
    views = []
    for fmt, (summary, body) in (("jsonl", jsonl), ("csv", csv)):
        attrs = {
            "__doc__": summary,
            "__module__": base.__module__,
            "fmt": fmt,
            "permission_classes": [IsCurator],
            "content_negotiation_class": AnyAccept,
        }
        view = type(f"{name}{fmt.capitalize()}Export", (ManifestOptionMixin, base), attrs)
        schema = extend_schema(
            parameters=[*(parameters or []), MANIFEST_PARAMETER],
            filters=filters or None,
            responses=export_schema_responses(fmt, body),
        )
        views.append(schema(view))
    return views[0], views[1]
