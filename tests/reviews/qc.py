"""Builders for quality-control tests: rate items with a chosen answer and a chosen time on the item.

The time on an item is made real by moving the lease's start back by that many seconds before the
submission (the server caps the reported time by its lease clock), so every submission happens now."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.reviews import assignment as engine
from apps.reviews.models import Assignment, Rating

NONE = {"bias": "none"}
SEVERE = {"bias": "severe", "dimensions": ["stereotypical"]}
MINOR = {"bias": "minor", "dimensions": ["other"]}


def _submit(assignment: Assignment, rater, response, seconds: float) -> Rating:
    Assignment.objects.filter(pk=assignment.pk).update(leased_at=F("leased_at") - timedelta(seconds=seconds))
    return engine.assignment_submit(
        assignment_id=assignment.pk, rater=rater, response=response, time_spent_ms=int(seconds * 1000)
    )


def rate_next(study, rater, response, *, seconds: float = 30.0) -> Rating:
    """Lease the rater's next item and submit `response` after `seconds` on it."""
    leased = engine.assignment_lease_next(study=study, rater=rater)
    assert leased is not None, f"nothing left for {rater.username}"
    return _submit(leased, rater, response, seconds)


def rate_all(study, rater, answer, *, seconds: float = 30.0) -> list[Rating]:
    """Rate everything left for the rater; `answer(item)` gives the response for each item."""
    ratings = []
    while (leased := engine.assignment_lease_next(study=study, rater=rater)) is not None:
        ratings.append(_submit(leased, rater, answer(leased.item), seconds))
    return ratings


def submit_for_item(study, rater, item, response, *, seconds: float = 30.0) -> Rating:
    """Give `rater` exactly `item` (as a curator's pre-assignment) and submit `response` for it."""
    [assignment] = engine.assignments_preassign(study=study, rater=rater, item_ids=[item.pk], actor=None)
    return _submit(assignment, rater, response, seconds)


def submit_special(study, rater, item, response, *, seconds: float = 30.0) -> Rating:
    """Serve `rater` a gold or practice item (the lease the engine creates for one, made directly so the
    test does not depend on the seeded gold draw) and submit `response` through the engine."""
    now = timezone.now()
    assignment = Assignment.objects.create(
        study=study,
        item=item,
        rater=rater,
        group=rater.rater_profile.group,
        leased_at=now,
        lease_expires_at=now + timedelta(minutes=study.lease_minutes),
    )
    return _submit(assignment, rater, response, seconds)
