"""Demo accounts for local use (`make run`). Never loaded in production settings."""

from django.contrib.auth import get_user_model

from apps.accounts.models import RaterGroup
from apps.accounts.services import user_create
from apps.core.roles import Role

# username, password, role, rater group slug
DEMO_USERS = [
    ("admin", "equitext-admin", Role.ADMIN, None),
    ("curator", "equitext-curator", Role.CURATOR, None),
    ("physician", "equitext-rater", Role.RATER, "physician"),
    ("physician2", "equitext-rater", Role.RATER, "physician"),
    ("equity", "equitext-rater", Role.RATER, "health-equity-expert"),
    ("consumer", "equitext-rater", Role.RATER, "consumer"),
]


def load() -> int:
    """Create the demo users that do not exist yet; returns how many were created."""
    User = get_user_model()
    created = 0
    for username, password, role, group_slug in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        group = RaterGroup.objects.get(slug=group_slug) if group_slug else None
        user_create(username=username, password=password, role=role, rater_group=group)
        created += 1
    return created
