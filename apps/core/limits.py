"""Size limits, checked in one place. The values live in settings (the "Limits" block, each one
environment-overridable); every refusal says the limit, what was sent and which variable raises it.

- request body (form fields or JSON, files excluded): `DATA_UPLOAD_MAX_MEMORY_SIZE`
  (`EQUITEXT_MAX_REQUEST_MB`) and `DATA_UPLOAD_MAX_NUMBER_FIELDS` (`EQUITEXT_MAX_FORM_FIELDS`): a larger
  request answers 413 (`RequestSizeLimitMiddleware`), JSON under `/api/`, a readable page elsewhere;
- one import file: `EQUITEXT_MAX_UPLOAD_MB`; rows in one import file: `EQUITEXT_MAX_IMPORT_ROWS`;
- long texts: `EQUITEXT_MAX_TEXT_CHARS` (segments, readability), `EQUITEXT_MAX_ANSWER_CHARS` (answers),
  `EQUITEXT_MAX_COMMENT_CHARS` (free-text comments), `EQUITEXT_MAX_DESCRIPTION_CHARS` and
  `EQUITEXT_MAX_INSTRUCTIONS_CHARS` (a study's internal description, its instructions for raters).

Functions here return the message (or None) so that each caller raises its own kind of error.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.http import JsonResponse
from django.shortcuts import render

_MB = 1024 * 1024


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / _MB:,.1f} MB"


def upload_limit_bytes() -> int:
    return settings.EQUITEXT_MAX_UPLOAD_MB * _MB


def upload_problem(size: int) -> str | None:
    """Why a file of `size` bytes is refused for import, or None when it fits."""
    limit = settings.EQUITEXT_MAX_UPLOAD_MB
    if size <= limit * _MB:
        return None
    return (
        f"The file is {_mb(size)}; the limit is {limit} MB per file. Split it into smaller files "
        "(or an administrator raises EQUITEXT_MAX_UPLOAD_MB)."
    )


def upload_size_validator(upload) -> None:
    """A form or serializer field validator: refuses an import file over the upload limit."""
    problem = upload_problem(upload.size)
    if problem:
        raise ValidationError(problem)


def rows_problem(rows: int) -> str | None:
    """Why an import with `rows` data rows (counted so far) is refused, or None when it fits."""
    limit = settings.EQUITEXT_MAX_IMPORT_ROWS
    if rows <= limit:
        return None
    return (
        f"The file has more than {limit:,} rows, the limit per import. Split it into smaller files "
        "(or an administrator raises EQUITEXT_MAX_IMPORT_ROWS)."
    )


def text_problem(length: int, *, limit: int, setting: str, what: str = "The text") -> str | None:
    """Why a text of `length` characters is refused, or None. `setting` names the variable to raise."""
    if length <= limit:
        return None
    return f"{what} has {length:,} characters; the limit is {limit:,} ({setting}). Shorten or split it."


def body_problem(exc: Exception | None = None, *, length: int | None = None) -> str:
    if isinstance(exc, TooManyFieldsSent):
        return (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields, the limit per "
            "request (EQUITEXT_MAX_FORM_FIELDS). Send fewer at a time."
        )
    if isinstance(exc, TooManyFilesSent):
        return (
            f"The form sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files, the limit per request."
        )
    sent = f" ({_mb(length)} sent)" if length else ""
    return (
        f"The request is too large{sent}: form fields and JSON bodies may hold at most "
        f"{_mb(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} (EQUITEXT_MAX_REQUEST_MB), an uploaded file at most "
        f"{settings.EQUITEXT_MAX_UPLOAD_MB} MB (EQUITEXT_MAX_UPLOAD_MB). Send less at a time."
    )


def too_large_response(request, message: str):
    """413: the API's error shape under /api/, a readable page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


_BODY_TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class RequestSizeLimitMiddleware:
    """Refuses an oversized request with 413 before anything reads it.

    A declared length over the limit (body limit, plus the upload limit for multipart uploads) is
    refused unread. A form body is parsed here, so that too many fields or an oversized field answers
    413 rather than the generic 400 Django gives when the CSRF check first reads it; a view that hits
    the limit itself (e.g. reading `request.body`) is answered the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        allowed = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if allowed is not None and content_type.startswith("multipart/form-data"):
            allowed += upload_limit_bytes()
        if allowed is not None and length > allowed:
            return too_large_response(request, body_problem(length=length))
        if request.method == "POST" and content_type.startswith(_FORM_TYPES):
            try:
                request.POST  # noqa: B018 (parses the body, as the CSRF check would)
            except _BODY_TOO_BIG as exc:
                return too_large_response(request, body_problem(exc, length=length))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, _BODY_TOO_BIG):
            return too_large_response(request, body_problem(exception))
        return None
