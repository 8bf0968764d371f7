"""The assignment engine: which item a rater gets next, leases, submissions, skips, pre-assignment.

Rules (README.md says the same in prose):

1. A rater belongs to one rater group (their active profile). An item needs `quota` ratings from each
   group listed in the study; each (item, group) has one `ItemSlot` row whose `taken` counts submitted
   ratings plus live leases.
2. `assignment_lease_next`: expired leases of the study return to the pool first; a rater who already
   holds a lease (or a curator's pre-assignment) in the study gets that one back; otherwise the engine
   locks one open slot of the rater's group — `taken < quota`, no assignment of this rater on that item
   in any status, fewest `taken` first, then the seeded random `rank` — with
   `SELECT … FOR UPDATE SKIP LOCKED`, increments `taken` and creates the lease in the same statement.
   Concurrent raters skip each other's locked rows, PostgreSQL re-checks `taken < quota` on the locked
   row, and a check constraint forbids `taken > quota`: no quota can be exceeded.
3. A unique constraint on (item, rater) means no rater is ever given the same item twice.
4. Submitting turns the lease into a rating (validated against the rubric); `submitted` increments.
   Submitting the same response twice returns the first rating. A lease that expired can still be
   submitted while its slot has room (the rating then takes the slot back); otherwise the answer is
   refused with a message and nothing changes.
5. Skipping frees the slot for others; the rater does not get that item again.
6. Curators may pre-assign items to named raters: the slot is taken at once (the quota still holds)
   and the lease has no expiry; the rater gets pre-assigned items before any other.
7. Quality control (README "Quality control"): no item before the rater has accepted the study's
   current consent text; practice items (no slots) come first, each once; with probability
   `study.gold_rate` (a draw seeded by study, rater and how many items they have had) a gold item the
   rater has not seen is served instead of a regular one — only while regular work remains for them.
   Gold and practice items have no slots, so submitting or skipping them touches no quota.
8. A deactivated rater (inactive profile) gets nothing and can submit nothing; deactivation releases
   their leases at once (`leases_release_for_rater`).

Lock order (no deadlocks): the leasing path locks one slot (skip-locked) and inserts; submit/skip lock
the assignment row and then its slot (a live lease's submit does both in one statement whose slot update
reads the claimed assignment row, so the order holds); the expiry sweep skip-locks assignments and
updates their slots in id order. The progress counter a slot update touches (a trigger, after the slot)
is one row and is locked last.

Cost (README "Cost on the rater path"): what the engine checks before leasing is read in one statement
(`rater_context`), a lease is one statement, a live lease's submit is two (claim, slot and rating; audit
entry) in one transaction; every statement is bounded by indexes, whatever the study's size.
"""

import json
import random
import time
from collections import Counter
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from apps.core.errors import ServiceError
from apps.core.services import audit_record
from apps.reviews import events
from apps.reviews.kinds import (
    kind_cleans_responses,
    kind_leased,
    kind_open_slots,
    kind_preassign_refusal,
    kind_response_clean,
    kind_shapes_leases,
)
from apps.reviews.models import Assignment, ItemSlot, Rating, Study, StudyItem
from apps.reviews.rater_context import (
    columns,
    fetch,
    has_rater_context,
    own_assignment,
    study_with_rater_context,
)
from apps.reviews.rubric import RubricError, response_sanitise_draft, response_validate


class AssignmentError(ServiceError):
    """A request the engine refuses: 409 unless the refusal says otherwise (403 not allowed, 404 not
    yours, 400 a bad batch, 503 too busy); the message says why."""

    status = 409
    code = "conflict"


class ConsentRequired(AssignmentError):
    """The rater must accept the study's current consent text before getting an item."""

    def __init__(self, study: Study, version: int):
        super().__init__(
            f'Before your first item in "{study.title_for_raters}", read its instructions and accept its '
            "consent text "
            f"(version {version}): GET /api/v1/studies/{study.pk}/onboarding/, then POST "
            f'/api/v1/studies/{study.pk}/consent/ with {{"version": {version}}}.',
            status=403,
        )
        self.study = study
        self.version = version


def rater_is_deactivated(rater) -> bool:
    profile = getattr(rater, "rater_profile", None)
    return profile is not None and not profile.active


def rater_group(rater):
    """The rater's group, or None when they have no active rater profile."""
    profile = getattr(rater, "rater_profile", None)
    if profile is None or not profile.active:
        return None
    return profile.group


def leases_expire(*, study_id: int | None = None, now=None, all_open: bool = False) -> int:
    """Mark leases past their expiry as expired and give their slots back; returns how many.

    `all_open` ends every unsubmitted lease of the study, pre-assignments included (closing a study).
    """
    now = now or timezone.now()
    with transaction.atomic():
        leases = Assignment.objects.filter(status=Assignment.Status.LEASED)
        if not all_open:
            leases = leases.filter(lease_expires_at__lt=now)
        if study_id is not None:
            leases = leases.filter(study_id=study_id)
        return _leases_end(leases.select_for_update(skip_locked=True))


def leases_release_for_rater(*, rater) -> int:
    """End every unsubmitted lease of `rater` in every study (pre-assignments too) and give the slots
    back at once; returns how many. Used when a rater is deactivated."""
    with transaction.atomic():
        return _leases_end(
            Assignment.objects.filter(rater=rater, status=Assignment.Status.LEASED)
            .select_for_update()
            .order_by("id")
        )


def _leases_end(locked) -> int:
    """Mark the locked leases of `locked` expired and give their slots back (in slot order); returns
    how many. Runs inside the caller's transaction."""
    rows = list(locked.values_list("id", "item_id", "group_id"))
    if not rows:
        return 0
    Assignment.objects.filter(id__in=[row[0] for row in rows]).update(status=Assignment.Status.EXPIRED)
    freed = Counter((item_id, group_id) for _, item_id, group_id in rows)
    for (item_id, group_id), count in sorted(freed.items()):
        ItemSlot.objects.filter(item_id=item_id, group_id=group_id).update(taken=F("taken") - count)
    return len(rows)


# --- leasing ---

_LEASE_COLUMNS = (
    "study_id, item_id, rater_id, group_id, status, preassigned, leased_at, lease_expires_at, "
    "submitted_at, time_spent_ms, draft"
)

# One statement, atomic on its own: lock the first open slot of the rater's group that they have not
# seen (fewest taken first, then the seeded rank; served by the partial index reviews_slot_open and the
# unique (item, rater) index), insert the lease, and count it in the slot only if the insert happened.
# Rows other raters hold locked are skipped; PostgreSQL re-checks `taken < quota` on the row it locks.
# A parallel request of the same rater that inserted the same item first makes the insert do nothing
# (ON CONFLICT), so nothing is counted and the caller looks again.
_LEASE_NEXT_SQL = f"""
WITH slot AS (
    SELECT s.id, s.item_id FROM reviews_itemslot AS s
    WHERE s.study_id = %(study)s AND s.group_id = %(group)s AND s.taken < s.quota
      AND NOT EXISTS (
          SELECT 1 FROM reviews_assignment AS seen
          WHERE seen.item_id = s.item_id AND seen.rater_id = %(rater)s
      )
    ORDER BY s.taken, s.rank
    LIMIT 1
    FOR UPDATE OF s SKIP LOCKED
), leased AS (
    INSERT INTO reviews_assignment ({_LEASE_COLUMNS})
    SELECT %(study)s, slot.item_id, %(rater)s, %(group)s, 'leased', false, %(now)s, %(expires)s,
           NULL, 0, '{{}}'
    FROM slot
    ON CONFLICT (item_id, rater_id) DO NOTHING
    RETURNING {columns(Assignment)}
), counted AS (
    UPDATE reviews_itemslot AS s SET taken = s.taken + 1
    FROM slot JOIN leased ON leased.item_id = slot.item_id
    WHERE s.id = slot.id
)
SELECT {columns(Assignment)} FROM leased
"""

# A gold or practice item (no slot): the lease alone.
_LEASE_SPECIAL_SQL = f"""
INSERT INTO reviews_assignment ({_LEASE_COLUMNS})
VALUES (%(study)s, %(item)s, %(rater)s, %(group)s, 'leased', false, %(now)s, %(expires)s, NULL, 0, '{{}}')
ON CONFLICT (item_id, rater_id) DO NOTHING
RETURNING {columns(Assignment)}
"""

# The lease the rater holds, renewed (a pre-assignment keeps no expiry); nothing when it was submitted,
# skipped or ended meanwhile.
_LEASE_RENEW_SQL = f"""
UPDATE reviews_assignment
SET lease_expires_at = CASE WHEN lease_expires_at IS NULL THEN NULL ELSE %(expires)s END
WHERE id = %(id)s AND status = 'leased' AND (lease_expires_at IS NULL OR lease_expires_at >= %(now)s)
RETURNING {columns(Assignment)}
"""


def assignment_lease_next(*, study: Study, rater, now=None) -> Assignment | None:
    """Lease the next item of `study` for `rater`; None when nothing is left for them.

    Raises AssignmentError when the study is not live or the rater's group takes no part in it.
    `study` may come from `rater_context.study_with_rater_context` (the API and pages pass it so); any
    other Study is read again with that context first (one query).
    """
    now = now or timezone.now()
    if not has_rater_context(study):
        study = study_with_rater_context(study.pk, rater, now)
    if study.status != Study.Status.LIVE:
        raise AssignmentError(
            f'The study "{study.title_for_raters}" is {study.get_status_display().lower()}; no new items.'
        )
    if study.rater_deactivated:
        raise AssignmentError("Your rater account is deactivated; ask a curator.", status=403)
    group_id = study.rater_group_id
    if (group_id is None or not study.rater_in_quota) and not study.rater_has_work:
        raise AssignmentError("Your rater group does not take part in this study.", status=403)
    if study.consent_id is not None and not study.rater_consented:
        raise ConsentRequired(study, study.consent_version)
    if study.leases_to_expire:
        leases_expire(study_id=study.pk, now=now)
    params = {
        "study": study.pk,
        "rater": rater.pk,
        "group": group_id,
        "now": now,
        "expires": now + timedelta(minutes=study.lease_minutes),
    }
    if study.rater_lease_id is not None:
        held = fetch(_LEASE_RENEW_SQL, {**params, "id": study.rater_lease_id}, Assignment)
        if held is not None:
            return _with_study(held, study)
    if group_id is None:
        return None
    shaped = kind_shapes_leases(study)  # kinds.py: e.g. a comprehension study's design and exposures
    for _attempt in range(5):
        special = _practice_or_gold(study, group_id, rater)
        if shaped:
            try:
                lease = _lease_shaped(study, group_id, rater, special, params)
            except IntegrityError:
                lease = None  # a parallel request of this rater took the same item or the same text
            if lease is None:
                # That request's lease (once it commits) is this rater's lease; a slot locked by it is
                # free again a moment later.
                lease = _lease_held(study, rater, params["now"])
        elif special is not None:
            lease = fetch(_LEASE_SPECIAL_SQL, {**params, "item": special}, Assignment)
        else:
            lease = fetch(_LEASE_NEXT_SQL, params, Assignment)
        if lease is None and special is None and not _open_slots(study, group_id, rater).exists():
            return None
        if lease is not None:
            return _with_study(lease, study)
        # Under concurrency PostgreSQL may drop the candidate it re-checks (another rater filled it
        # meanwhile), or a parallel request of the same rater took the same item: look again.
        study.rater_practice_id = None
        if shaped:
            time.sleep(0.02 * (_attempt + 1))  # the locked path waits a moment for the parallel request
    raise AssignmentError("Too many simultaneous requests for the next item; try again.", status=503)


def _lease_shaped(study: Study, group_id: int, rater, special: int | None, params: dict) -> Assignment | None:
    """The lease for a study kind that chooses the rater's slots and records each lease (kinds.py): lock
    one open slot the kind allows (or take the practice/gold item), count it, create the lease and let the
    kind record it, in one transaction. None when the locked look found nothing (the caller checks whether
    anything is open); IntegrityError when a parallel request of the rater won (rolled back)."""
    with transaction.atomic():
        item_id = special
        if item_id is None:
            open_slots = _open_slots(study, group_id, rater)
            slot = open_slots.select_for_update(skip_locked=True, of=("self",)).first()
            if slot is None:
                return None
            ItemSlot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1)
            item_id = slot.item_id
        assignment = Assignment.objects.create(
            study=study,
            item_id=item_id,
            rater=rater,
            group_id=group_id,
            leased_at=params["now"],
            lease_expires_at=params["expires"],
        )
        kind_leased(assignment)
        return assignment


def _lease_held(study: Study, rater, now) -> Assignment | None:
    """The rater's live lease in `study` (the newest), or None."""
    live = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__gte=now)
    return (
        Assignment.objects.filter(study=study, rater=rater, status=Assignment.Status.LEASED)
        .filter(live)
        .order_by("-leased_at")
        .first()
    )


def _with_study(assignment: Assignment, study: Study) -> Assignment:
    """The assignment with its study (and rubric) attached, so answers need not load them again."""
    assignment.study = study
    return assignment


def _unseen(study: Study, rater, role: str):
    seen = Assignment.objects.filter(item_id=OuterRef("pk"), rater=rater)
    return StudyItem.objects.filter(study=study, role=role).filter(~Exists(seen)).order_by("position")


def _practice_or_gold(study: Study, group_id: int, rater) -> int | None:
    """The id of the practice or gold item to serve now instead of a regular one, or None.

    The unseen practice item comes with the rater's study context; the gold draw costs its queries only
    in studies that mix gold in (`gold_rate > 0`)."""
    if study.rater_practice_id is not None:
        return study.rater_practice_id
    if study.gold_rate <= 0:
        return None
    had = Assignment.objects.filter(study=study, rater=rater).count()
    draw = random.Random(f"{study.seed}:gold:{rater.pk}:{had}")
    if draw.random() >= study.gold_rate:
        return None
    gold = list(_unseen(study, rater, StudyItem.Role.GOLD).values_list("id", flat=True)[:500])
    if not gold or not _open_slots(study, group_id, rater).exists():
        return None  # gold is mixed into regular work, never served on its own
    return draw.choice(gold)


def _open_slots(study: Study, group_id: int, rater):
    seen = Assignment.objects.filter(item_id=OuterRef("item_id"), rater=rater)
    slots = (
        ItemSlot.objects.filter(study=study, group_id=group_id, taken__lt=F("quota"))
        .filter(~Exists(seen))
        .order_by("taken", "rank")
    )
    return kind_open_slots(study, rater, group_id, slots)  # kinds.py: e.g. a comprehension study's design


# --- the rater's own assignments: submit, skip, drafts ---


def _lock_own(assignment_id: int, rater) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related(
            "study__rubric",
            "item__answer_a__question",
            "item__answer_b__question",
            "item__pair__question_a",
            "item__pair__question_b",
        )
        .filter(pk=assignment_id, rater=rater)
        .first()
    )
    if assignment is None:
        raise AssignmentError("Not found, or not visible to your account.", status=404)
    return assignment


# One statement, in lock order: claim the live lease (only while it is still `leased`: a lease that was
# submitted, skipped, ended by closing the study or by deactivating the rater meanwhile is not claimed),
# then count it in its slot (regular items only), then store the rating. The slot update reads the
# claimed row, so the assignment is locked before the slot, as everywhere else.
_SUBMIT_SQL = f"""
WITH claimed AS (
    UPDATE reviews_assignment
    SET status = 'submitted', submitted_at = %(now)s, time_spent_ms = %(spent)s, draft = '{{}}'
    WHERE id = %(assignment)s AND rater_id = %(rater)s AND status = 'leased'
    RETURNING id, item_id, group_id
), counted AS (
    UPDATE reviews_itemslot AS slot SET submitted = slot.submitted + 1
    FROM claimed
    WHERE %(regular)s AND slot.item_id = claimed.item_id AND slot.group_id = claimed.group_id
)
INSERT INTO reviews_rating (assignment_id, version, response, is_current, submitted_at, author_id, reason)
SELECT claimed.id, 1, %(response)s::jsonb, true, %(now)s, %(rater)s, '' FROM claimed
RETURNING {columns(Rating)}
"""


def _time_spent(assignment: Assignment, time_spent_ms, now) -> int:
    elapsed_ms = int((now - assignment.leased_at).total_seconds() * 1000)
    spent = elapsed_ms if time_spent_ms is None else max(0, min(int(time_spent_ms), elapsed_ms))
    return min(spent, 2**31 - 1)


def assignment_submit(
    *, assignment_id: int, rater, response, time_spent_ms: int | None = None, now=None, assignment=None
) -> Rating:
    """Record the rater's response for their own assignment; returns the (current) rating.

    Idempotent: submitting the same response again returns the existing rating. Raises RubricError for
    a response that breaks the rubric and AssignmentError when the assignment cannot take it.
    `assignment` is the caller's copy from `rater_context` (`own_assignment` or `own_assignments`).

    A live lease is submitted in one transaction of two statements (the claim, slot and rating above,
    then the audit entry); anything else (an expired lease, a second submission, a lease that changed
    meanwhile) takes the locked path below.
    """
    now = now or timezone.now()
    if assignment is None or assignment.pk != assignment_id:
        assignment = own_assignment(rater, assignment_id)
    if assignment is None:
        raise AssignmentError("Not found, or not visible to your account.", status=404)
    fast = (
        # A kind's own response rules run (and may write) in the locked path.
        not kind_cleans_responses(assignment.study)
        and assignment.status == Assignment.Status.LEASED
        and not assignment.rater_deactivated
        and assignment.study.status != Study.Status.CLOSED
    )
    if fast:
        cleaned = response_validate(assignment.study.rubric.definition, response)
        params = {
            "assignment": assignment.pk,
            "rater": rater.pk,
            "now": now,
            "spent": _time_spent(assignment, time_spent_ms, now),
            "regular": assignment.item_role == StudyItem.Role.REGULAR,  # gold and practice have no slot
            "response": json.dumps(cleaned),
        }
        with transaction.atomic():
            stored = fetch(_SUBMIT_SQL, params, Rating)
            if stored is not None:
                return _submitted(stored, assignment, rater)
    return _submit_locked(
        assignment_id=assignment_id, rater=rater, response=response, time_spent_ms=time_spent_ms, now=now
    )


def _submitted(rating: Rating, assignment: Assignment, rater) -> Rating:
    """Audit a stored rating and have the study's webhooks checked after commit; returns the rating."""
    audit_record(
        actor=rater,
        action="rating.submit",
        obj=rating,
        details={"study": assignment.study_id, "item": assignment.item_id, "assignment": assignment.pk},
    )
    if getattr(assignment, "study_hooks", True):
        events.rating_submitted(study_id=assignment.study_id)  # study.progress / study.completed
    return rating


@transaction.atomic
def _submit_locked(*, assignment_id: int, rater, response, time_spent_ms, now) -> Rating:
    assignment = _lock_own(assignment_id, rater)
    study = assignment.study
    cleaned = kind_response_clean(assignment, response)  # the rubric, or the study kind's own rules
    if assignment.status == Assignment.Status.SUBMITTED:
        current = assignment.ratings.get(is_current=True)
        if current.response == cleaned:
            return current
        raise AssignmentError(
            "This item was already submitted with a different response; ask a curator to correct it."
        )
    if study.status == Study.Status.CLOSED:
        raise AssignmentError(f'The study "{study.title_for_raters}" is closed; it takes no more ratings.')
    if assignment.status == Assignment.Status.SKIPPED:
        raise AssignmentError("You skipped this item; it can no longer be submitted.")
    if rater_is_deactivated(rater):
        raise AssignmentError("Your rater account is deactivated; ask a curator.", status=403)
    if assignment.item.role == StudyItem.Role.REGULAR:  # gold and practice items have no quota slot
        slot = ItemSlot.objects.select_for_update().get(
            item_id=assignment.item_id, group_id=assignment.group_id
        )
        if assignment.status == Assignment.Status.EXPIRED:
            if slot.taken >= slot.quota:
                raise AssignmentError(
                    "Your lease on this item expired and other raters have since filled it; your answer "
                    "was not needed. Ask for the next item."
                )
            slot.taken += 1
        slot.submitted += 1
        slot.save(update_fields=["taken", "submitted"])
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = now
    assignment.time_spent_ms = _time_spent(assignment, time_spent_ms, now)
    assignment.draft = {}
    assignment.save(update_fields=["status", "submitted_at", "time_spent_ms", "draft"])
    rating = Rating.objects.create(
        assignment=assignment, version=1, response=cleaned, submitted_at=now, author=rater
    )
    return _submitted(rating, assignment, rater)


@transaction.atomic
def assignment_skip(*, assignment_id: int, rater, reason: str = "") -> Assignment:
    """Give the item back to the pool; this rater will not be offered it again. `reason` is one of
    `Assignment.SkipReason` (or empty), kept on the assignment and in the audit entry. Returns the
    assignment with its study, rubric and item (what the rater's view of it needs) loaded."""
    reason = (reason or "").strip()
    if reason and reason not in Assignment.SkipReason.values:
        raise AssignmentError(
            f"Unknown skip reason {reason[:40]!r}; use one of {', '.join(Assignment.SkipReason.values)}.",
            status=400,
        )
    assignment = _lock_own(assignment_id, rater)
    if assignment.status == Assignment.Status.SKIPPED:
        return assignment
    if assignment.status == Assignment.Status.SUBMITTED:
        raise AssignmentError("This item is already submitted; it cannot be skipped.")
    if assignment.status == Assignment.Status.LEASED:
        ItemSlot.objects.filter(item_id=assignment.item_id, group_id=assignment.group_id).update(
            taken=F("taken") - 1
        )
    assignment.status = Assignment.Status.SKIPPED
    assignment.draft = {}
    assignment.skip_reason = reason
    assignment.save(update_fields=["status", "draft", "skip_reason"])
    audit_record(
        actor=rater,
        action="assignment.skip",
        obj=assignment,
        details={"study": assignment.study_id, "item": assignment.item_id, "reason": reason},
    )
    return assignment


def assignment_draft_save(*, assignment_id: int, rater, draft, assignment=None) -> dict:
    """Keep the rater's unfinished answers (only the parts that fit the rubric); returns what is kept.

    One conditional update: a draft is kept only while the item is open (leased or expired); otherwise
    the stored draft stays and is returned. `assignment` is the caller's copy from `rater_context`."""
    if assignment is None or assignment.pk != assignment_id:
        assignment = own_assignment(rater, assignment_id)
    if assignment is None:
        raise AssignmentError("Not found, or not visible to your account.", status=404)
    kept = response_sanitise_draft(assignment.study.rubric.definition, draft)
    updated = Assignment.objects.filter(
        pk=assignment_id, rater=rater, status__in=[Assignment.Status.LEASED, Assignment.Status.EXPIRED]
    ).update(draft=kept)
    return kept if updated else assignment.draft


@transaction.atomic
def assignments_preassign(*, study: Study, rater, item_ids: list[int], actor, now=None) -> list[Assignment]:
    """Give `rater` these items of `study` (by id) as a batch without expiry.

    Validates everything first and writes nothing on error: every item must belong to the study, the
    rater's group must have a quota, the rater must not have seen the item, and the slot must have room.
    """
    now = now or timezone.now()
    if study.status == Study.Status.CLOSED:
        raise AssignmentError(f'The study "{study.title_for_raters}" is closed.')
    if refusal := kind_preassign_refusal(study):
        raise AssignmentError(refusal, status=400)
    group = rater_group(rater)
    if group is None:
        raise AssignmentError(f"{rater.username} has no active rater profile.", status=400)
    if not study.quotas.filter(group=group).exists():
        raise AssignmentError(f'{rater.username}\'s group "{group}" has no quota in this study.', status=400)
    ids = list(dict.fromkeys(int(pk) for pk in item_ids))
    if not ids:
        raise AssignmentError("Give at least one item.", status=400)
    if not study.slots.exists():
        raise AssignmentError("Launch the study before pre-assigning items.", status=400)
    slots = {
        slot.item_id: slot
        for slot in ItemSlot.objects.select_for_update().filter(study=study, group=group, item_id__in=ids)
    }
    problems = []
    missing = [pk for pk in ids if pk not in slots]
    if missing:
        problems.append(f"items not in this study: {', '.join(map(str, missing))}")
    seen = set(Assignment.objects.filter(rater=rater, item_id__in=ids).values_list("item_id", flat=True))
    if seen:
        problems.append(f"{rater.username} already has items {', '.join(map(str, sorted(seen)))}")
    full = [pk for pk, slot in slots.items() if slot.taken >= slot.quota and pk not in seen]
    if full:
        problems.append(f"items already at their {group} quota: {', '.join(map(str, sorted(full)))}")
    if problems:
        raise AssignmentError("Nothing was assigned: " + "; ".join(problems) + ".", status=400)
    ItemSlot.objects.filter(pk__in=[slot.pk for slot in slots.values()]).update(taken=F("taken") + 1)
    created = Assignment.objects.bulk_create(
        Assignment(study=study, item_id=pk, rater=rater, group=group, preassigned=True, leased_at=now)
        for pk in ids
    )
    audit_record(
        actor=actor, action="study.preassign", obj=study, details={"rater": rater.username, "items": ids}
    )
    return created


__all__ = [
    "AssignmentError",
    "ConsentRequired",
    "RubricError",
    "assignment_draft_save",
    "assignment_lease_next",
    "assignment_skip",
    "assignment_submit",
    "assignments_preassign",
    "leases_expire",
    "leases_release_for_rater",
    "rater_group",
]
