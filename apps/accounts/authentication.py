from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from apps.accounts.models import ApiToken, token_hash


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against hashed, revocable, named tokens."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=token_hash(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token: create a new one.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


_AXES_USERNAME_CHARS = AccessAttempt._meta.get_field("username").max_length


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The username django-axes records a failed log-in under (settings.AXES_USERNAME_CALLABLE).

    Any client can send any username: cut to the 255 characters of axes' column (a longer name is still
    counted and locked, under its first 255 characters) and with NUL, which PostgreSQL text cannot hold,
    replaced, so a failed log-in always gets the normal "invalid" answer instead of a database error."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username).replace("\x00", "\ufffd")[:_AXES_USERNAME_CHARS]
