"""The rater groups Equitext starts with. Data, not code: admins rename, add or deactivate groups."""

DEFAULT_RATER_GROUPS = [
    ("physician", "Physicians", "Practising physicians rating clinical accuracy and bias."),
    (
        "health-equity-expert",
        "Health-equity experts",
        "Experts in health equity and structural determinants.",
    ),
    ("consumer", "Consumers", "Members of the public reading the answers as patients would."),
]


def rater_groups_seed(using: str = "default") -> int:
    """Create the default groups when there are none (after migrate, and after a test flush)."""
    from apps.accounts.models import RaterGroup

    if RaterGroup.objects.using(using).exists():
        return 0
    RaterGroup.objects.using(using).bulk_create(
        RaterGroup(slug=slug, name=name, description=description)
        for slug, name, description in DEFAULT_RATER_GROUPS
    )
    return len(DEFAULT_RATER_GROUPS)
