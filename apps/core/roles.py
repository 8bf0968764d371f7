"""Roles are Django groups that carry permissions; code asks for permissions, never for group names.

- admin: every permission (and the Django admin);
- curator: manages datasets, studies and runs (`core.curate`);
- rater: sees and answers only their own assignments (`core.rate`).
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    CURATOR = "curator"
    RATER = "rater"


CURATE = "core.curate"
RATE = "core.rate"

# Permissions (app_label.codename) each role's group holds.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMIN: [CURATE, RATE],
    Role.CURATOR: [CURATE],
    Role.RATER: [RATE],
}
# Curators also hold every model permission of the dataset apps (for the Django admin's curation tools).
CURATED_APPS = ["corpus", "equity", "reviews", "elevate", "scoring"]


def roles_ensure(using: str = "default") -> None:
    """Create the role groups and grant exactly their permissions (idempotent)."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
            wanted.extend(found)
        if role == Role.ADMIN:
            wanted = list(Permission.objects.using(using).all())
        elif role == Role.CURATOR:
            wanted.extend(Permission.objects.using(using).filter(content_type__app_label__in=CURATED_APPS))
        group.permissions.set(wanted)


def user_role(user) -> Role | None:
    """The highest role a user holds, or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser or user.groups.filter(name=Role.ADMIN).exists():
        return Role.ADMIN
    if user.has_perm(CURATE):
        return Role.CURATOR
    if user.has_perm(RATE):
        return Role.RATER
    return None


def is_curator(user) -> bool:
    return user.is_authenticated and user.has_perm(CURATE)


def require_curator(user) -> None:
    if not is_curator(user):
        raise PermissionDenied("This page is for curators.")


def is_admin(user) -> bool:
    return user_role(user) == Role.ADMIN


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("This page is for administrators.")
