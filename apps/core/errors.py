"""The one error hierarchy of the services.

A service refuses a request by raising a `ServiceError` (or a subclass): it carries the HTTP status the
API answers with, a message a person can act on, and optionally `errors` per field / row / question key.
`apps.core.api.exception_handler` turns any of them into the one error body the schema documents
(`{"detail": …, "errors": {…}}`), and `ServiceErrorsFormMixin` puts them on a form for the HTML pages.
Nothing was changed when one is raised: services raise before writing, or inside `transaction.atomic`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ServiceError(Exception):
    """A request a service refuses. `status`: the HTTP status; `errors`: messages per field (optional)."""

    status = 400
    code = "invalid"

    def __init__(self, message: str = "", *, errors: dict | None = None, status: int | None = None):
        self.errors = {key: _as_list(value) for key, value in (errors or {}).items()}
        if status is not None:
            self.status = status
        if not message and self.errors:
            message = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in self.errors.items())
        super().__init__(message or self.default_message())

    @property
    def message(self) -> str:
        return str(self)

    def default_message(self) -> str:
        return "The request cannot be carried out."


class NotFoundError(ServiceError):
    status = 404
    code = "not_found"

    def default_message(self) -> str:
        return "Not found, or not visible to your account."


class Refused(ServiceError):
    """Your role or this object's state does not allow it (403)."""

    status = 403
    code = "permission_denied"


class Conflict(ServiceError):
    """The request conflicts with the current state (409): a stale version, a frozen object."""

    status = 409
    code = "conflict"

    def default_message(self) -> str:
        return "The request conflicts with the current state."


class Unavailable(ServiceError):
    """A service the request needs (the job queue) is down; nothing was started (503)."""

    status = 503
    code = "service_unavailable"

    def default_message(self) -> str:
        return "A service this request needs is unavailable; try again shortly."


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def error_messages(exc: Exception) -> tuple[str, dict]:
    """(message, errors per field) of a ServiceError or a Django ValidationError."""
    if isinstance(exc, ServiceError):
        return exc.message, exc.errors
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors
        return " ".join(exc.messages), {}
    return str(exc), {}


class ServiceErrorsFormMixin:
    """For forms whose data a service checks: `add_service_errors(exc)` shows a refusal on the form.

    `exc` is a ServiceError, a Django ValidationError or a dict of messages per key. A key that is one
    of the form's fields (after `service_error_fields` renames it; None sends it above the form) goes to
    that field; any other key goes above the form, prefixed with its name, so nothing said is lost."""

    service_error_fields: dict[str, str | None] = {}

    def add_service_errors(self, exc) -> None:
        message, errors = ("", exc) if isinstance(exc, dict) else error_messages(exc)
        if not errors:
            self.add_error(None, message)
            return
        for key, messages in errors.items():
            target = self.service_error_fields.get(key, key)
            target = target if target in self.fields else None
            for text in _as_list(messages):
                named = target is not None or key in (NON_FIELD_ERRORS, "detail")
                self.add_error(target, text if named else f"{key}: {text}")
