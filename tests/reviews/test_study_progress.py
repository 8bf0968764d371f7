"""Study progress counters (`StudyProgress`, kept by triggers on the quota slots): whatever path
changes a slot — launch, submit, an expired lease taken back, an item made gold or regular again, a
deleted study — the counters equal the sums over the slots, and the rater's queue reads them."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from apps.reviews import assignment as engine
from apps.reviews import quality
from apps.reviews.models import Assignment, ItemSlot, Study, StudyProgress
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def counters(study) -> dict:
    rows = (
        StudyProgress.objects.filter(study=study)
        .values("group__slug")
        .annotate(needed=Sum("needed"), submitted=Sum("submitted"))
    )
    return {row["group__slug"]: (row["needed"], row["submitted"]) for row in rows}


def slot_sums(study) -> dict:
    rows = (
        ItemSlot.objects.filter(study=study)
        .values("group__slug")
        .annotate(needed=Sum("quota"), submitted=Sum("submitted"))
    )
    return {row["group__slug"]: (row["needed"], row["submitted"]) for row in rows}


def test_launch_counts_every_slot_and_submissions_add_up(
    pairwise_study, rater_physician, dave, rater_consumer
):
    assert counters(pairwise_study) == {"physician": (12, 0), "consumer": (6, 0)}
    for rater in (rater_physician, dave, rater_consumer):
        for _ in range(3):
            lease = engine.assignment_lease_next(study=pairwise_study, rater=rater)
            engine.assignment_submit(assignment_id=lease.pk, rater=rater, response=PAIRWISE_ANSWER)
    skipped = engine.assignment_lease_next(study=pairwise_study, rater=dave)
    engine.assignment_skip(assignment_id=skipped.pk, rater=dave)
    assert counters(pairwise_study) == slot_sums(pairwise_study) == {"physician": (12, 6), "consumer": (6, 3)}
    # submissions spread over several counter rows (shards), so concurrent submits rarely wait on one
    assert StudyProgress.objects.filter(study=pairwise_study).count() > 2


def test_an_expired_lease_taken_back_counts_once(pairwise_study, rater_physician):
    lease = engine.assignment_lease_next(study=pairwise_study, rater=rater_physician)
    Assignment.objects.filter(pk=lease.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    engine.leases_expire(study_id=pairwise_study.pk)
    engine.assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    engine.assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    assert counters(pairwise_study)["physician"] == (12, 1) == slot_sums(pairwise_study)["physician"]


def test_items_made_gold_and_regular_again_change_what_is_needed(pairwise_study, curator):
    item = pairwise_study.items.order_by("position").first()
    quality.item_role_set(item=item, role="gold", expected={"overall": ["a"]}, actor=curator)
    assert counters(pairwise_study) == {"physician": (10, 0), "consumer": (5, 0)}
    quality.item_role_set(item=item, role="regular", actor=curator)
    assert counters(pairwise_study) == slot_sums(pairwise_study) == {"physician": (12, 0), "consumer": (6, 0)}


def test_a_deleted_study_takes_its_counters_along(pairwise_study, rater_physician):
    lease = engine.assignment_lease_next(study=pairwise_study, rater=rater_physician)
    engine.assignment_skip(assignment_id=lease.pk, rater=rater_physician)
    Assignment.objects.filter(study=pairwise_study).delete()
    Study.objects.filter(pk=pairwise_study.pk).delete()
    assert not StudyProgress.objects.exists()


def test_the_queue_shows_the_counted_progress(client, pairwise_study, rater_physician, dave):
    for _ in range(2):
        lease = engine.assignment_lease_next(study=pairwise_study, rater=dave)
        engine.assignment_submit(assignment_id=lease.pk, rater=dave, response=PAIRWISE_ANSWER)
    client.force_login(rater_physician)
    page = client.get("/queue/").content.decode()
    assert "2 / 12 ratings" in page and "2 / 18 ratings" in page
