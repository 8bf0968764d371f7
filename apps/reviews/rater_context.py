"""What the rater path reads before it writes, each in one statement (README "Cost on the rater path").

- `study_with_rater_context(study_id, rater, now)`: the study, its rubric, and everything
  `assignment_lease_next` checks before it leases — the rater's group and whether it takes part, the
  consent the rater still owes, the lease they hold, the practice item they have not seen, whether
  leases wait to expire.
- `own_assignment(rater, pk)`: one of the rater's assignments with its study and rubric and what
  submitting needs (the item's role, whether the rater is deactivated, whether a study webhook is
  subscribed).

Both are written in SQL once, at import, from the models' columns: the ORM would rebuild and compile
these sub-queries on every request, which cost more CPU than running them. Every sub-query is an indexed
lookup bounded by the rater's own work, never by the study's size:

- rater profile: `accounts_raterprofile.user_id` (unique);
- quota of the rater's group: `reviews_quota_unique_group` (study, group);
- the rater's assignments in the study, the lease they hold: `reviews_asg_rater` (study, rater, status);
- current consent and its acceptance: `reviews_consent_unique_version` (study, version) and
  `reviews_consent_accepted_once` (consent, rater);
- the unseen practice item: `reviews_item_qc` (study, role, position; non-regular items only) and
  `reviews_assignment_once_per_rater` (item, rater);
- leases waiting to expire: `reviews_asg_live_leases` (study, lease_expires_at; live leases only);
- a subscribed study webhook: `core_webhook` (a handful of rows).

`own_assignments(rater)` is the same read as an ORM queryset, for pages that also load the item's texts.
"""

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Exists, F, QuerySet

from apps.accounts.models import RaterProfile
from apps.reviews import events
from apps.reviews.models import Assignment, Rubric, Study


class _PreparingCursor(ServerBindingCursor):
    """psycopg's server-side binding cursor, preparing every statement it runs."""

    def execute(self, query, params=None, **kwargs):
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


def prepared_cursor():
    """A cursor for the rater path's fixed statements: PostgreSQL plans each once per connection
    (a prepared statement, psycopg's per-connection cache) instead of on every request, where planning
    them cost more than running them. It goes through Django's cursor wrapper like any other (query
    logging, execute wrappers, the transaction checks).

    Django leaves prepared statements off by default for transaction-mode poolers; these are
    protocol-level prepared statements, which PgBouncer 1.21+ supports (`max_prepared_statements`)."""
    connection.ensure_connection()
    return connection._prepare_cursor(_PreparingCursor(connection.connection))


def columns(model, alias: str = "") -> str:
    """The model's columns in `concrete_fields` order (what `load` reads), optionally qualified."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{field.column}" for field in model._meta.concrete_fields)


def fetch(sql: str, params: dict, model):
    """Run one prepared statement and load its first row as `model` (None when it returned none)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else load(model, row)


def load(model, values):
    """A model instance from its columns in `concrete_fields` order, with the fields' database
    converters applied (JSON), as the ORM would."""
    fields = model._meta.concrete_fields
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


_STUDY_WIDTH = len(Study._meta.concrete_fields)
_RUBRIC_WIDTH = len(Rubric._meta.concrete_fields)
_ASSIGNMENT_WIDTH = len(Assignment._meta.concrete_fields)

_CONTEXT_NAMES = (
    "rater_group_id",
    "rater_deactivated",
    "rater_in_quota",
    "rater_has_work",
    "consent_id",
    "consent_version",
    "rater_consented",
    "rater_lease_id",
    "rater_practice_id",
    "leases_to_expire",
)

_CONTEXT_SQL = f"""
SELECT {columns(Study, "study")}, {columns(Rubric, "rubric")},
    CASE WHEN profile.active THEN profile.group_id END,
    coalesce(NOT profile.active, false),
    profile.active AND EXISTS (
        SELECT 1 FROM reviews_studyquota AS quota
        WHERE quota.study_id = study.id AND quota.group_id = profile.group_id
    ),
    EXISTS (
        SELECT 1 FROM reviews_assignment AS own WHERE own.study_id = study.id AND own.rater_id = %(rater)s
    ),
    consent.id,
    consent.version,
    EXISTS (
        SELECT 1 FROM reviews_consentacceptance AS accepted
        WHERE accepted.consent_id = consent.id AND accepted.rater_id = %(rater)s
    ),
    (
        -- a live lease before pre-assignments (which have no expiry), then in study order
        SELECT own.id FROM reviews_assignment AS own JOIN reviews_studyitem AS item ON item.id = own.item_id
        WHERE own.study_id = study.id AND own.rater_id = %(rater)s AND own.status = 'leased'
          AND (own.lease_expires_at IS NULL OR own.lease_expires_at >= %(now)s)
        ORDER BY own.lease_expires_at DESC NULLS LAST, item.position
        LIMIT 1
    ),
    (
        SELECT item.id FROM reviews_studyitem AS item
        WHERE item.study_id = study.id AND item.role = 'practice'
          AND NOT EXISTS (
              SELECT 1 FROM reviews_assignment AS seen
              WHERE seen.item_id = item.id AND seen.rater_id = %(rater)s
          )
        ORDER BY item.position
        LIMIT 1
    ),
    EXISTS (
        SELECT 1 FROM reviews_assignment AS lease
        WHERE lease.study_id = study.id AND lease.status = 'leased' AND lease.lease_expires_at < %(now)s
    )
FROM reviews_study AS study
JOIN reviews_rubric AS rubric ON rubric.id = study.rubric_id
LEFT JOIN accounts_raterprofile AS profile ON profile.user_id = %(rater)s
LEFT JOIN LATERAL (
    SELECT published.id, published.version FROM reviews_consentversion AS published
    WHERE published.study_id = study.id ORDER BY published.version DESC LIMIT 1
) AS consent ON true
WHERE study.id = %(study)s
"""


def study_with_rater_context(study_id: int, rater, now) -> Study | None:
    """The study (rubric attached) with the attributes named in `_CONTEXT_NAMES`, or None when there is
    no such study. No visibility filter: callers decide what the rater may see."""
    with prepared_cursor() as cursor:
        cursor.execute(_CONTEXT_SQL, {"study": study_id, "rater": rater.pk, "now": now})
        row = cursor.fetchone()
    if row is None:
        return None
    study = load(Study, row[:_STUDY_WIDTH])
    study.rubric = load(Rubric, row[_STUDY_WIDTH : _STUDY_WIDTH + _RUBRIC_WIDTH])
    for name, value in zip(_CONTEXT_NAMES, row[_STUDY_WIDTH + _RUBRIC_WIDTH :], strict=True):
        setattr(study, name, value)
    return study


def has_rater_context(study: Study) -> bool:
    return hasattr(study, "leases_to_expire")


_OWN_SQL = f"""
SELECT {columns(Assignment, "own")}, {columns(Study, "study")}, {columns(Rubric, "rubric")},
    item.role,
    EXISTS (
        SELECT 1 FROM accounts_raterprofile AS profile
        WHERE profile.user_id = %(rater)s AND NOT profile.active
    ),
    EXISTS ({events.STUDY_WEBHOOKS_SQL})
FROM reviews_assignment AS own
JOIN reviews_study AS study ON study.id = own.study_id
JOIN reviews_rubric AS rubric ON rubric.id = study.rubric_id
JOIN reviews_studyitem AS item ON item.id = own.item_id
WHERE own.id = %(assignment)s AND own.rater_id = %(rater)s
"""


def own_assignment(rater, pk: int) -> Assignment | None:
    """The rater's own assignment `pk` (None if it is not theirs), with its study and rubric attached
    and `item_role`, `rater_deactivated` and `study_hooks` set, as `own_assignments` gives them."""
    with prepared_cursor() as cursor:
        cursor.execute(_OWN_SQL, {"assignment": pk, "rater": rater.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    assignment = load(Assignment, row[:_ASSIGNMENT_WIDTH])
    study = load(Study, row[_ASSIGNMENT_WIDTH : _ASSIGNMENT_WIDTH + _STUDY_WIDTH])
    study.rubric = load(Rubric, row[_ASSIGNMENT_WIDTH + _STUDY_WIDTH : -3])
    assignment.study = study
    assignment.item_role, assignment.rater_deactivated, assignment.study_hooks = row[-3:]
    return assignment


_PROGRESS_SQL = """
SELECT
    (
        SELECT count(*) FROM reviews_assignment AS own
        WHERE own.study_id = %(study)s AND own.rater_id = %(rater)s AND own.status = 'submitted'
          AND NOT EXISTS (
              SELECT 1 FROM reviews_studyitem AS item WHERE item.id = own.item_id AND item.role = 'practice'
          )
    ),
    (
        SELECT coalesce(sum(progress.needed), 0) FROM reviews_studyprogress AS progress
        WHERE progress.study_id = %(study)s AND progress.group_id = %(group)s
    ),
    (
        SELECT quota.quota FROM reviews_studyquota AS quota
        WHERE quota.study_id = %(study)s AND quota.group_id = %(group)s
    ),
    (SELECT count(*) FROM reviews_studyitem AS item WHERE item.study_id = %(study)s AND item.role = 'gold')
"""


def rater_progress(study_id: int, rater_id: int, group_id: int) -> tuple[int, int]:
    """(done, total) for one rater in a study, in one statement: `done` counts their submitted items
    (practice left out; gold counted, as raters cannot tell it from regular), `total` the items they
    could be given at most — the regular items their group rates (the group's trigger-kept `needed`
    over its per-item quota; a rater rates an item once) plus the gold items. Bounded by the rater's
    own work and a few counter rows, never by the study's size beyond its (few) gold items."""
    with prepared_cursor() as cursor:
        cursor.execute(_PROGRESS_SQL, {"study": study_id, "rater": rater_id, "group": group_id})
        done, needed, quota, gold = cursor.fetchone()
    regular = needed // quota if quota else 0
    return done, regular + gold


def own_assignments(rater) -> QuerySet[Assignment]:
    """The rater's own assignments with their study and rubric, annotated like `own_assignment`. The
    two Exists are uncorrelated sub-queries, evaluated once per query."""
    return (
        Assignment.objects.filter(rater=rater)
        .select_related("study__rubric")
        .annotate(
            item_role=F("item__role"),
            rater_deactivated=Exists(RaterProfile.objects.filter(user=rater, active=False)),
            study_hooks=Exists(events.study_webhooks()),
        )
    )
