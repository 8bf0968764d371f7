import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, RaterGroup, RaterProfile, token_hash
from apps.core.roles import Role
from apps.core.services import audit_record

User = get_user_model()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw key (shown once, never stored)."""
    raw_key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=token_hash(raw_key), prefix=raw_key[:8]
    )
    audit_record(actor=user, action="token.create", obj=token)
    return token, raw_key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", obj=token)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    rater_group: RaterGroup | None = None,
    expertise: str = "",
):
    """A user holding `role`; raters also get a profile in `rater_group` (required for raters)."""
    if role == Role.RATER and rater_group is None:
        raise ValueError("A rater needs a rater group.")
    user = User.objects.create_user(username=username, password=password, email=email)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if role == Role.CURATOR:
        user.is_staff = True  # curators use the admin for dataset curation, within their permissions
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role.value))
    if rater_group is not None:
        RaterProfile.objects.create(user=user, group=rater_group, expertise=expertise)
    return user
