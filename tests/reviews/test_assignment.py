"""The assignment engine: quotas per group, least-rated first, seeded order, leases, skips, pre-assignment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.reviews.assignment import (
    AssignmentError,
    assignment_lease_next,
    assignment_skip,
    assignment_submit,
    assignments_preassign,
    leases_expire,
)
from apps.reviews.models import Assignment, ItemSlot, Rating
from apps.reviews.rubric import RubricError
from apps.reviews.services import study_transition
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def test_a_rater_gets_items_least_rated_first_and_never_the_same_item_twice(
    pairwise_study, rater_physician, dave
):
    first = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    assignment_submit(assignment_id=first.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    # dave starts on a different (unrated) item: least-rated first
    other = assignment_lease_next(study=pairwise_study, rater=dave)
    assert other.item_id != first.item_id
    seen = {first.item_id}
    while (lease := assignment_lease_next(study=pairwise_study, rater=rater_physician)) is not None:
        assert lease.item_id not in seen
        seen.add(lease.item_id)
        assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    assert len(seen) == 6, "one rater rates every item once, then nothing is left"


def test_asking_again_returns_the_lease_already_held(pairwise_study, rater_physician):
    first = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    again = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    assert again.pk == first.pk
    assert Assignment.objects.filter(rater=rater_physician).count() == 1


def test_quota_per_group_is_never_exceeded(pairwise_study, rater_consumer):
    carol2 = make_rater("carol2", "consumer")
    taken = []
    for rater in (rater_consumer, carol2):
        while (lease := assignment_lease_next(study=pairwise_study, rater=rater)) is not None:
            taken.append(lease.item_id)
            assignment_submit(assignment_id=lease.pk, rater=rater, response=PAIRWISE_ANSWER)
    assert sorted(taken) == sorted(pairwise_study.items.values_list("id", flat=True)), "consumers: 1 per item"
    assert not ItemSlot.objects.filter(group__slug="consumer").exclude(submitted=1).exists()


def test_item_order_is_seeded_and_recorded(curator, rater_physician):
    qset, producers = factories.question_set_with_answers(8)

    def order(seed, name):
        study = factories.study(
            "pairwise",
            actor=curator,
            qset=qset,
            producers=producers,
            quotas={"physician": 1},
            seed=seed,
            name=name,
        )
        items = list(study.items.order_by("position").values_list("answer_a__question_id", "swapped"))
        return study, items

    s1, first = order(7, "one")
    _, same = order(7, "two")
    _, other = order(8, "three")
    assert first == same and first != other
    assert any(swapped for _, swapped in first) and not all(swapped for _, swapped in first)
    # A swapped item shows the second producer's answer as Response A
    item = s1.items.filter(swapped=True).select_related("answer_a", "answer_b").first()
    assert (item.answer_a.producer_id, item.answer_b.producer_id) == (producers[1].pk, producers[0].pk)


def test_an_expired_lease_returns_to_the_pool(pairwise_study, rater_consumer):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_consumer)
    carol2 = make_rater("carol2", "consumer")
    # Move the clock past the lease: the item is free for another consumer again.
    Assignment.objects.filter(pk=lease.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert leases_expire(study_id=pairwise_study.pk) == 1
    lease.refresh_from_db()
    assert lease.status == Assignment.Status.EXPIRED
    leased_items = []
    while (other := assignment_lease_next(study=pairwise_study, rater=carol2)) is not None:
        leased_items.append(other.item_id)
        assignment_submit(assignment_id=other.pk, rater=carol2, response=PAIRWISE_ANSWER)
    assert lease.item_id in leased_items
    # The first rater comes back to the expired item: it is full now, and the answer is refused.
    with pytest.raises(AssignmentError, match="expired"):
        assignment_submit(assignment_id=lease.pk, rater=rater_consumer, response=PAIRWISE_ANSWER)
    assert not Rating.objects.filter(assignment=lease).exists()


def test_an_expired_lease_can_still_be_submitted_while_its_item_has_room(pairwise_study, rater_physician):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    Assignment.objects.filter(pk=lease.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    leases_expire(study_id=pairwise_study.pk)
    rating = assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    slot = ItemSlot.objects.get(item_id=lease.item_id, group__slug="physician")
    assert rating.version == 1 and (slot.taken, slot.submitted) == (1, 1)


def test_double_submit_is_idempotent_and_a_different_second_answer_is_refused(
    pairwise_study, rater_physician
):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    first = assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    again = assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    assert again.pk == first.pk
    with pytest.raises(AssignmentError, match="already submitted"):
        assignment_submit(
            assignment_id=lease.pk, rater=rater_physician, response={**PAIRWISE_ANSWER, "overall": "b"}
        )
    assert ItemSlot.objects.get(item_id=lease.item_id, group__slug="physician").submitted == 1


def test_a_response_breaking_the_rubric_changes_nothing(pairwise_study, rater_physician):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    with pytest.raises(RubricError) as caught:
        assignment_submit(assignment_id=lease.pk, rater=rater_physician, response={"overall": "c"})
    assert "Unknown option 'c'" in caught.value.errors["overall"][0]
    assert "Required" in caught.value.errors["dim_stereotypical"][0]
    lease.refresh_from_db()
    assert lease.status == Assignment.Status.LEASED and not Rating.objects.exists()


def test_skipping_frees_the_item_for_others_but_not_for_the_skipper(independent_study, rater_consumer):
    lease = assignment_lease_next(study=independent_study, rater=rater_consumer)
    assignment_skip(assignment_id=lease.pk, rater=rater_consumer)
    assert ItemSlot.objects.get(item_id=lease.item_id, group__slug="consumer").taken == 0
    offered = []
    while (nxt := assignment_lease_next(study=independent_study, rater=rater_consumer)) is not None:
        offered.append(nxt.item_id)
        assignment_skip(assignment_id=nxt.pk, rater=rater_consumer)
    assert lease.item_id not in offered and len(offered) == 4


def test_a_rater_outside_the_quota_groups_gets_a_clear_refusal(pairwise_study, erin):
    with pytest.raises(AssignmentError, match="does not take part"):
        assignment_lease_next(study=pairwise_study, rater=erin)


def test_paused_and_closed_studies_lease_nothing(pairwise_study, curator, rater_physician):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    study_transition(study=pairwise_study, action="pause", actor=curator)
    pairwise_study.refresh_from_db()
    with pytest.raises(AssignmentError, match="paused"):
        assignment_lease_next(study=pairwise_study, rater=rater_physician)
    # Work in hand can still be submitted while paused…
    assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    pairwise_study = study_transition(study=pairwise_study, action="launch", actor=curator)
    second = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    study_transition(study=pairwise_study, action="close", actor=curator)
    # …but closing ends open leases and refuses late answers.
    second.refresh_from_db()
    assert second.status == Assignment.Status.EXPIRED
    with pytest.raises(AssignmentError, match="closed"):
        assignment_submit(assignment_id=second.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    assert ItemSlot.objects.get(item_id=second.item_id, group__slug="physician").taken == 0


def test_curator_preassigns_a_batch_that_comes_first_and_counts_against_the_quota(
    pairwise_study, curator, rater_physician, dave
):
    items = list(pairwise_study.items.order_by("-position").values_list("id", flat=True)[:2])
    assignments_preassign(study=pairwise_study, rater=rater_physician, item_ids=items, actor=curator)
    got = []
    for _ in range(2):
        lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
        assert lease.preassigned and lease.lease_expires_at is None
        got.append(lease.item_id)
        assignment_submit(assignment_id=lease.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    assert sorted(got) == sorted(items)
    # Fill the physicians' quota of the first item, then a pre-assignment there is refused as a whole.
    assignments_preassign(study=pairwise_study, rater=dave, item_ids=[items[0]], actor=curator)
    third = make_rater("frank", "physician")
    free = pairwise_study.items.exclude(id__in=items).first().pk
    with pytest.raises(AssignmentError, match="already at their Physicians quota"):
        assignments_preassign(study=pairwise_study, rater=third, item_ids=[free, items[0]], actor=curator)
    assert not Assignment.objects.filter(rater=third).exists(), "nothing assigned when one item is refused"


def test_preassignment_refuses_an_item_the_rater_already_has(pairwise_study, curator, rater_physician):
    lease = assignment_lease_next(study=pairwise_study, rater=rater_physician)
    with pytest.raises(AssignmentError, match="already has items"):
        assignments_preassign(
            study=pairwise_study, rater=rater_physician, item_ids=[lease.item_id], actor=curator
        )
