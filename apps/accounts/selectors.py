"""Reads of the accounts app for curators: raters with their quality figures, invitations."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Invitation, RaterProfile
from apps.core.exports import csv_cell  # neutralises spreadsheet formulas (= + - @ tab CR)

RATER_CSV_COLUMNS = [
    "username",
    "name",
    "email",
    "group",
    "active",
    "studies",
    "submitted ratings",
    "median seconds per item",
    "gold accuracy",
    "gold items answered",
    "agreement with group",
    "agreement n items",
    "open flags",
]


def raters_filtered(
    *, group: str = "", active: str = "", study=None, flagged: str = "", search: str = ""
) -> QuerySet[RaterProfile]:
    """Rater profiles, filtered by group slug, active ("true"/"false"), study (a Study: raters with work
    in it), open flags ("true"/"false", in that study when one is given) and a username/name search.
    Refreshes the flags it filters on first."""
    from apps.reviews.models import Assignment, RaterFlag
    from apps.reviews.quality import flags_refresh_all

    flags_refresh_all(study=study)

    profiles = RaterProfile.objects.select_related("user", "group").order_by("user__username")
    if group:
        profiles = profiles.filter(group__slug=group)
    if active in ("true", "false"):
        profiles = profiles.filter(active=active == "true")
    if study:
        profiles = profiles.filter(Exists(Assignment.objects.filter(rater=OuterRef("user"), study=study)))
    if flagged in ("true", "false"):
        flags = RaterFlag.objects.filter(rater=OuterRef("user"), resolved_at__isnull=True)
        if study:
            flags = flags.filter(study=study)
        profiles = profiles.filter(Exists(flags)) if flagged == "true" else profiles.exclude(Exists(flags))
    if search:
        by_name = Q(user__username__icontains=search) | Q(user__first_name__icontains=search)
        profiles = profiles.filter(by_name)
    return profiles


def raters_with_figures(profiles, *, study=None) -> list[tuple[RaterProfile, object]]:
    """(profile, RaterFigures) for each profile, computed together."""
    from apps.reviews.quality import rater_figures

    profiles = list(profiles)
    figures = rater_figures(user_ids=[p.user_id for p in profiles], study=study)
    return [(profile, figures[profile.user_id]) for profile in profiles]


def rater_csv_rows(pairs) -> list[list]:
    rows = []
    for profile, f in pairs:
        rows.append(
            [
                csv_cell(cell)
                for cell in (
                    profile.user.username,
                    profile.user.first_name,
                    profile.user.email,
                    profile.group.name,
                    "yes" if profile.active else "no",
                    "; ".join(f.studies),
                    f.submitted,
                    "" if f.median_seconds is None else f.median_seconds,
                    "" if f.gold_accuracy is None else f.gold_accuracy,
                    f.gold_items,
                    "" if f.group_agreement is None else f.group_agreement,
                    f.agree_n,
                    "; ".join(f.open_flags),
                )
            ]
        )
    return rows


def invitations_all() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("group", "created_by", "user").order_by("-created_at", "-id")
