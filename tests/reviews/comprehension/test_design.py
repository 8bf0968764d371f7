"""The between-subjects design: each rater reads one version of each text, never both; each text is read
in each version by the same number of raters per group; arms alternate; the database refuses a second
version whatever path tries it, under concurrency too."""

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from apps.reviews import assignment as engine
from apps.reviews import kinds
from apps.reviews.comprehension import design
from apps.reviews.comprehension.models import ComprehensionArm, ComprehensionExposure, ComprehensionItem
from apps.reviews.models import Assignment, ItemSlot
from tests.factories import make_rater
from tests.reviews.comprehension.factories import study

pytestmark = pytest.mark.django_db


def _drain(made, rater) -> list[ComprehensionItem]:
    """Lease and mark submitted until nothing is left; returns the items the rater was given."""
    got = []
    while (lease := engine.assignment_lease_next(study=made, rater=rater)) is not None:
        item = ComprehensionItem.objects.get(item_id=lease.item_id)
        got.append(item)
        Assignment.objects.filter(pk=lease.pk).update(status=Assignment.Status.SUBMITTED)
        ItemSlot.objects.filter(item_id=lease.item_id).update(submitted=F("submitted") + 1)
    return got


def test_two_items_per_text_in_two_balanced_seeded_blocks(curator):
    made = study(curator, passages=5, launch=False)
    items = list(ComprehensionItem.objects.filter(item__study=made))
    assert Counter(i.version for i in items) == {"original": 5, "simplified": 5}
    blocks = {i.passage_id: i.block for i in items}
    assert sorted(Counter(blocks.values()).values()) == [2, 3]  # sizes differ by at most one


def test_each_rater_reads_every_text_once_half_in_each_version_and_never_both(curator):
    made = study(curator, passages=4, quotas={"consumer": 2})
    raters = [make_rater(f"reader{n}", "consumer") for n in range(4)]
    seen = {rater.pk: _drain(made, rater) for rater in raters}
    for rater in raters:
        passages = [i.passage_id for i in seen[rater.pk]]
        assert len(passages) == len(set(passages)) == 4  # every text, each once
        assert Counter(i.version for i in seen[rater.pk]) == {"original": 2, "simplified": 2}
        arm = ComprehensionArm.objects.get(study=made, rater=rater).arm
        assert all(i.version == design.designated_version(arm, i.block) for i in seen[rater.pk])
    # balanced per text: each version of each text read by exactly the quota (2) of consumers
    per_item = Counter((i.passage_id, i.version) for items in seen.values() for i in items)
    assert set(per_item.values()) == {2} and len(per_item) == 8
    arms = list(ComprehensionArm.objects.filter(study=made).order_by("index").values_list("arm", flat=True))
    assert arms in ([0, 1, 0, 1], [1, 0, 1, 0])  # alternation in the order raters arrived


def test_a_rater_whose_designated_versions_are_full_gets_nothing_else(curator):
    made = study(curator, passages=2, quotas={"consumer": 1})
    first, second, third = (make_rater(f"reader{n}", "consumer") for n in range(3))
    assert len(_drain(made, first)) == 2 and len(_drain(made, second)) == 2
    assert _drain(made, third) == []  # the third rater's arm is full: no second version to anyone


def test_pre_assignment_is_refused_because_it_would_bypass_the_design(curator, rater_consumer):
    made = study(curator, passages=1)
    with pytest.raises(engine.AssignmentError, match="cannot be pre-assigned"):
        engine.assignments_preassign(
            study=made,
            rater=rater_consumer,
            item_ids=list(made.items.values_list("id", flat=True)),
            actor=curator,
        )
    assert not Assignment.objects.exists()


def test_the_database_refuses_a_second_version_of_a_text(curator, rater_consumer):
    made = study(curator, passages=1)
    lease = engine.assignment_lease_next(study=made, rater=rater_consumer)
    exposure = ComprehensionExposure.objects.get(assignment=lease)
    other = made.items.exclude(pk=lease.item_id).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        sneaked = Assignment.objects.create(
            study=made, item=other, rater=rater_consumer, group=lease.group, leased_at=lease.leased_at
        )
        ComprehensionExposure.objects.create(
            study=made,
            rater=rater_consumer,
            passage=exposure.passage,
            assignment=sneaked,
            version="simplified",
        )


@pytest.mark.django_db(transaction=True)
def test_parallel_leases_never_give_one_rater_both_versions_even_without_the_design_filter(
    curator, rater_consumer, monkeypatch
):
    """With the design filter switched off, both versions of the only text are open to the rater; many
    simultaneous requests still end with one exposure, because each lease inserts it in its own
    transaction under a unique constraint."""
    made = study(curator, passages=1, quotas={"consumer": 1})
    hooks = kinds._KINDS["comprehension"]
    monkeypatch.setitem(
        kinds._KINDS, "comprehension", kinds.StudyKind(**{**hooks.__dict__, "open_slots": None})
    )
    barrier = threading.Barrier(6)
    outcomes = []

    def lease():
        try:
            barrier.wait()
            got = engine.assignment_lease_next(study=made, rater=rater_consumer)
            outcomes.append(got.item_id if got else None)
        except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=lease) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    exposures = list(ComprehensionExposure.objects.filter(study=made, rater=rater_consumer))
    assert len(exposures) == 1
    assert Assignment.objects.filter(study=made, rater=rater_consumer).count() == 1
    # every request got that one item back, or nothing for now (a slot locked by a parallel request)
    assert exposures[0].assignment.item_id in outcomes
    assert set(outcomes) <= {exposures[0].assignment.item_id, None}
