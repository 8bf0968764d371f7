"""Quality control of raters, one module per concept:

- `settings`: a study's quality-control settings and the rubric's minimum seconds per item;
- `gold`: gold and practice items (an item's role, expected answers, checking a response);
- `figures`: per-rater figures of the raters page;
- `flags`: rater flags raised from submissions, refreshed, resolved;
- `exclusion`: results with and without flagged raters;
- `onboarding`: versioned instructions and consent text a rater accepts first;
- `adjudication`: the queue of disputed items and the final labels.

Pages, API and forms of quality control are `views`, `api` and `forms` here (routed in reviews/urls.py).
The public names of the concept modules are re-exported below, so callers write `quality.flags_refresh`.
The README's "Quality control" section says the same rules in prose.
"""

from apps.reviews.quality.adjudication import (
    adjudication_queue,
    adjudication_record,
    adjudications_by_item,
    pseudonym,
    queue_item,
    rule_of,
)
from apps.reviews.quality.exclusion import Exclusion, exclusion_for, truthy
from apps.reviews.quality.figures import RaterFigures, primary_question, rater_figures
from apps.reviews.quality.flags import (
    flag_reason,
    flag_resolve,
    flags_for_study,
    flags_refresh,
    flags_refresh_all,
)
from apps.reviews.quality.gold import gold_checks, gold_expected_validate, gold_items, item_role_set
from apps.reviews.quality.onboarding import (
    consent_accept,
    consent_accepted,
    consent_current,
    consent_pending,
    consent_publish,
)
from apps.reviews.quality.settings import (
    ADJUDICATION_RULES,
    QUALITY_FIELDS,
    rubric_min_seconds_set,
    study_quality_set,
)

__all__ = [
    "ADJUDICATION_RULES",
    "QUALITY_FIELDS",
    "Exclusion",
    "RaterFigures",
    "adjudication_queue",
    "adjudication_record",
    "adjudications_by_item",
    "consent_accept",
    "consent_accepted",
    "consent_current",
    "consent_pending",
    "consent_publish",
    "exclusion_for",
    "flag_reason",
    "flag_resolve",
    "flags_for_study",
    "flags_refresh",
    "flags_refresh_all",
    "gold_checks",
    "gold_expected_validate",
    "gold_items",
    "item_role_set",
    "primary_question",
    "pseudonym",
    "queue_item",
    "rule_of",
    "rater_figures",
    "rubric_min_seconds_set",
    "study_quality_set",
    "truthy",
]
