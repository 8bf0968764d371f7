"""The equity app's refusal: an `apps.core.errors.ServiceError` (400), so the API answers it with the one
error body and pages show it on their form."""

from apps.core.errors import ServiceError


class EquityError(ServiceError):
    """A request that cannot be carried out (400); the message says what to change, `field` (when given)
    which field it concerns (`errors` then holds the message under it)."""

    def __init__(self, message: str, *, field: str = "", **kwargs):
        if field:
            kwargs.setdefault("errors", {field: [message]})
        super().__init__(message, **kwargs)
