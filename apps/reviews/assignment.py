"""The assignment engine: which item a rater gets next, leases, submissions, skips, pre-assignment.

Rules (README.md says the same in prose):

1. A rater belongs to one rater group (their active profile). An item needs `quota` ratings from each
   group listed in the study; each (item, group) has one `ItemSlot` row whose `taken` counts submitted
   ratings plus live leases.
2. `assignment_lease_next`: expired leases of the study return to the pool first; a rater who already
   holds a lease (or a curator's pre-assignment) in the study gets that one back; otherwise the engine
   locks one open slot of the rater's group — `taken < quota`, no assignment of this rater on that item
   in any status, fewest `taken` first, then the seeded random `rank` — with
   `SELECT … FOR UPDATE SKIP LOCKED`, increments `taken` and creates the lease in the same transaction.
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
the assignment row and then its slot; the expiry sweep skip-locks assignments and updates their slots in
id order.
"""

import random
from collections import Counter
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from apps.core.errors import ServiceError
from apps.core.services import audit_record
from apps.reviews import events
from apps.reviews.models import Assignment, ItemSlot, Rating, Study, StudyItem
from apps.reviews.quality.onboarding import consent_pending
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
            f'Before your first item in "{study.name}", read its instructions and accept its consent text '
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


def _current_lease(study: Study, rater, now) -> Assignment | None:
    """The lease (or pre-assignment) the rater already holds in this study, oldest first."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .filter(study=study, rater=rater, status=Assignment.Status.LEASED)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__gte=now))
        # a live lease before pre-assignments (which have no expiry), then in study order
        .order_by(F("lease_expires_at").desc(nulls_last=True), "item__position")
        .first()
    )


def assignment_lease_next(*, study: Study, rater, now=None) -> Assignment | None:
    """Lease the next item of `study` for `rater`; None when nothing is left for them.

    Raises AssignmentError when the study is not live or the rater's group takes no part in it.
    """
    if study.status != Study.Status.LIVE:
        raise AssignmentError(
            f'The study "{study.name}" is {study.get_status_display().lower()}; no new items.'
        )
    if rater_is_deactivated(rater):
        raise AssignmentError("Your rater account is deactivated; ask a curator.", status=403)
    group = rater_group(rater)
    if group is None or not study.quotas.filter(group=group).exists():
        if not Assignment.objects.filter(study=study, rater=rater).exists():
            raise AssignmentError("Your rater group does not take part in this study.", status=403)
    pending = consent_pending(study, rater)
    if pending is not None:
        raise ConsentRequired(study, pending.version)
    leases_expire(study_id=study.pk)
    now = now or timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                current = _current_lease(study, rater, now)
                if current is not None:
                    if current.lease_expires_at is not None:
                        current.lease_expires_at = now + timedelta(minutes=study.lease_minutes)
                        current.save(update_fields=["lease_expires_at"])
                    return current
                if group is None:
                    return None
                special = _practice_or_gold(study, group, rater)
                if special is not None:
                    return Assignment.objects.create(
                        study=study,
                        item_id=special,
                        rater=rater,
                        group=group,
                        leased_at=now,
                        lease_expires_at=now + timedelta(minutes=study.lease_minutes),
                    )
                slot = _lock_open_slot(study, group, rater)
                if slot is None:
                    return None
                ItemSlot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1)
                return Assignment.objects.create(
                    study=study,
                    item_id=slot.item_id,
                    rater=rater,
                    group=group,
                    leased_at=now,
                    lease_expires_at=now + timedelta(minutes=study.lease_minutes),
                )
        except IntegrityError:
            # The same rater leased the same item in a parallel request: the transaction rolled back,
            # nothing was taken; look again.
            continue
    raise AssignmentError("Too many simultaneous requests for the next item; try again.", status=503)


def _unseen(study: Study, rater, role: str):
    seen = Assignment.objects.filter(item_id=OuterRef("pk"), rater=rater)
    return StudyItem.objects.filter(study=study, role=role).filter(~Exists(seen)).order_by("position")


def _practice_or_gold(study: Study, group, rater) -> int | None:
    """The id of the practice or gold item to serve now instead of a regular one, or None."""
    practice = _unseen(study, rater, StudyItem.Role.PRACTICE).values_list("id", flat=True).first()
    if practice is not None:
        return practice
    if study.gold_rate <= 0:
        return None
    had = Assignment.objects.filter(study=study, rater=rater).count()
    draw = random.Random(f"{study.seed}:gold:{rater.pk}:{had}")
    if draw.random() >= study.gold_rate:
        return None
    gold = list(_unseen(study, rater, StudyItem.Role.GOLD).values_list("id", flat=True)[:500])
    if not gold or not _open_slots(study, group, rater).exists():
        return None  # gold is mixed into regular work, never served on its own
    return draw.choice(gold)


def _open_slots(study: Study, group, rater):
    seen = Assignment.objects.filter(item_id=OuterRef("item_id"), rater=rater)
    return (
        ItemSlot.objects.filter(study=study, group=group, taken__lt=F("quota"))
        .filter(~Exists(seen))
        .order_by("taken", "rank")
    )


def _lock_open_slot(study: Study, group, rater) -> ItemSlot | None:
    open_slots = _open_slots(study, group, rater)
    # Under concurrency, PostgreSQL may drop the first candidate after re-checking it (another rater
    # filled it meanwhile) and return nothing although others are open: look a few times.
    for _ in range(3):
        slot = open_slots.select_for_update(skip_locked=True, of=("self",)).first()
        if slot is not None:
            return slot
        if not open_slots.exists():
            return None
    return None


def _lock_own(assignment_id: int, rater) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("study", "study__rubric", "item")
        .filter(pk=assignment_id, rater=rater)
        .first()
    )
    if assignment is None:
        raise AssignmentError("Not found, or not visible to your account.", status=404)
    return assignment


@transaction.atomic
def assignment_submit(
    *, assignment_id: int, rater, response, time_spent_ms: int | None = None, now=None
) -> Rating:
    """Record the rater's response for their own assignment; returns the (current) rating.

    Idempotent: submitting the same response again returns the existing rating. Raises RubricError for
    a response that breaks the rubric and AssignmentError when the assignment cannot take it.
    """
    now = now or timezone.now()
    assignment = _lock_own(assignment_id, rater)
    study = assignment.study
    cleaned = response_validate(study.rubric.definition, response)
    if assignment.status == Assignment.Status.SUBMITTED:
        current = assignment.ratings.get(is_current=True)
        if current.response == cleaned:
            return current
        raise AssignmentError(
            "This item was already submitted with a different response; ask a curator to correct it."
        )
    if study.status == Study.Status.CLOSED:
        raise AssignmentError(f'The study "{study.name}" is closed; it takes no more ratings.')
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
    elapsed_ms = int((now - assignment.leased_at).total_seconds() * 1000)
    spent = elapsed_ms if time_spent_ms is None else max(0, min(int(time_spent_ms), elapsed_ms))
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = now
    assignment.time_spent_ms = min(spent, 2**31 - 1)
    assignment.draft = {}
    assignment.save(update_fields=["status", "submitted_at", "time_spent_ms", "draft"])
    rating = Rating.objects.create(
        assignment=assignment, version=1, response=cleaned, submitted_at=now, author=rater
    )
    audit_record(
        actor=rater,
        action="rating.submit",
        obj=rating,
        details={"study": study.pk, "item": assignment.item_id, "assignment": assignment.pk},
    )
    events.rating_submitted(study_id=study.pk)  # study.progress / study.completed webhooks, after commit
    return rating


@transaction.atomic
def assignment_skip(*, assignment_id: int, rater) -> Assignment:
    """Give the item back to the pool; this rater will not be offered it again."""
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
    assignment.save(update_fields=["status", "draft"])
    audit_record(
        actor=rater,
        action="assignment.skip",
        obj=assignment,
        details={"study": assignment.study_id, "item": assignment.item_id},
    )
    return assignment


@transaction.atomic
def assignment_draft_save(*, assignment_id: int, rater, draft) -> dict:
    """Keep the rater's unfinished answers (only the parts that fit the rubric); returns what was kept."""
    assignment = _lock_own(assignment_id, rater)
    if assignment.status not in (Assignment.Status.LEASED, Assignment.Status.EXPIRED):
        return assignment.draft
    kept = response_sanitise_draft(assignment.study.rubric.definition, draft)
    assignment.draft = kept
    assignment.save(update_fields=["draft"])
    return kept


@transaction.atomic
def assignments_preassign(*, study: Study, rater, item_ids: list[int], actor, now=None) -> list[Assignment]:
    """Give `rater` these items of `study` (by id) as a batch without expiry.

    Validates everything first and writes nothing on error: every item must belong to the study, the
    rater's group must have a quota, the rater must not have seen the item, and the slot must have room.
    """
    now = now or timezone.now()
    if study.status == Study.Status.CLOSED:
        raise AssignmentError(f'The study "{study.name}" is closed.')
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
