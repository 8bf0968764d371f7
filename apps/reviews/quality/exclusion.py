"""Results with and without flagged raters: who holds open flags in a study (and why), and so who
results, agreement and their CSVs leave out when a curator asks (`?exclude_flagged=1`). Every page says
who was left out and why, or that nobody was and who is flagged."""

from dataclasses import dataclass

from apps.reviews.models import Study
from apps.reviews.quality.flags import flag_reason, flags_for_study


@dataclass
class Exclusion:
    """Who results leave out (`ids`, empty unless `active`) and, either way, who is flagged and why."""

    active: bool
    flagged: list[dict]  # {"rater_id", "rater", "group", "reasons": [...]}

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(r["rater_id"] for r in self.flagged) if self.active else frozenset()

    @property
    def excluded(self) -> list[dict]:
        return self.flagged if self.active else []

    def as_dict(self) -> dict:
        flagged = [{k: v for k, v in r.items() if k != "rater_id"} for r in self.flagged]
        return {
            "exclude_flagged": self.active,
            "excluded_raters": flagged if self.active else [],
            "flagged_raters": flagged,
        }


def exclusion_for(study: Study, *, exclude_flagged: bool) -> Exclusion:
    """Which raters hold open flags in the study (and why); with `exclude_flagged` they are the raters
    results leave out. Reads the flags as stored: callers bring them up to date first
    (`flags.flags_refresh`)."""
    by_rater: dict[int, dict] = {}
    for flag in flags_for_study(study).order_by("rater__username", "kind"):
        profile = getattr(flag.rater, "rater_profile", None)
        entry = by_rater.setdefault(
            flag.rater_id,
            {
                "rater_id": flag.rater_id,
                "rater": flag.rater.username,
                "group": profile.group.name if profile else "",
                "reasons": [],
            },
        )
        entry["reasons"].append(flag_reason(flag))
    return Exclusion(active=exclude_flagged, flagged=list(by_rater.values()))


def truthy(value) -> bool:
    """A query parameter's yes: 1, true, yes, on."""
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")
