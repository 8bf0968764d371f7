"""Builders for quality-control tests: rate items with a chosen answer and a chosen time on the item."""

from datetime import timedelta

from apps.reviews import assignment as engine
from apps.reviews.models import Assignment, Rating

NONE = {"bias": "none"}
SEVERE = {"bias": "severe", "dimensions": ["stereotypical"]}
MINOR = {"bias": "minor", "dimensions": ["other"]}


def rate_next(study, rater, response, *, seconds: float = 30.0) -> Rating:
    """Lease the rater's next item and submit `response` after `seconds` on it (by the lease clock)."""
    leased = engine.assignment_lease_next(study=study, rater=rater)
    assert leased is not None, f"nothing left for {rater.username}"
    return engine.assignment_submit(
        assignment_id=leased.pk,
        rater=rater,
        response=response,
        time_spent_ms=int(seconds * 1000),
        now=leased.leased_at + timedelta(seconds=seconds),
    )


def rate_all(study, rater, answer, *, seconds: float = 30.0) -> list[Rating]:
    """Rate everything left for the rater; `answer(item)` gives the response for each item."""
    ratings = []
    while (leased := engine.assignment_lease_next(study=study, rater=rater)) is not None:
        ratings.append(
            engine.assignment_submit(
                assignment_id=leased.pk,
                rater=rater,
                response=answer(leased.item),
                time_spent_ms=int(seconds * 1000),
                now=leased.leased_at + timedelta(seconds=seconds),
            )
        )
    return ratings


def submit_for_item(study, rater, item, response, *, seconds: float = 30.0) -> Rating:
    """Give `rater` exactly `item` (as a curator's pre-assignment) and submit `response` for it."""
    from apps.reviews.assignment import assignments_preassign

    [assignment] = assignments_preassign(study=study, rater=rater, item_ids=[item.pk], actor=None)
    assignment = Assignment.objects.get(pk=assignment.pk)
    return engine.assignment_submit(
        assignment_id=assignment.pk,
        rater=rater,
        response=response,
        time_spent_ms=int(seconds * 1000),
        now=assignment.leased_at + timedelta(seconds=seconds),
    )


def submit_special(study, rater, item, response, *, seconds: float = 30.0) -> Rating:
    """Serve `rater` a gold or practice item (the lease the engine creates for one, made directly so the
    test does not depend on the seeded gold draw) and submit `response` through the engine."""
    from django.utils import timezone

    now = timezone.now()
    assignment = Assignment.objects.create(
        study=study,
        item=item,
        rater=rater,
        group=rater.rater_profile.group,
        leased_at=now,
        lease_expires_at=now + timedelta(minutes=study.lease_minutes),
    )
    return engine.assignment_submit(
        assignment_id=assignment.pk,
        rater=rater,
        response=response,
        time_spent_ms=int(seconds * 1000),
        now=now + timedelta(seconds=seconds),
    )
