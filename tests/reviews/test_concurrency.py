"""30 raters leasing and submitting in parallel threads against one study (real PostgreSQL, one
connection per thread): every item ends with exactly its quota per group, no rater sees an item twice,
and no rating is lost."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import F

from apps.reviews.assignment import assignment_lease_next, assignment_submit
from apps.reviews.models import Assignment, ItemSlot, Rating, Study
from tests.factories import UserFactory, make_rater
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

QUOTAS = {"physician": 3, "health-equity-expert": 3, "consumer": 1}
RATERS = {"physician": 12, "health-equity-expert": 10, "consumer": 8}
ITEMS = 20


@pytest.mark.django_db(transaction=True)
def test_thirty_raters_in_parallel_fill_every_quota_exactly():
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(ITEMS)
    study = factories.study("pairwise", actor=curator, qset=qset, producers=producers, quotas=QUOTAS)
    raters = [make_rater(f"{group}-{n}", group) for group, count in RATERS.items() for n in range(count)]
    assert len(raters) == 30

    start = threading.Barrier(len(raters))
    submitted: dict[str, list[int]] = {}
    failures: list[str] = []

    def work(rater):
        mine = []
        try:
            live = Study.objects.get(pk=study.pk)
            start.wait(timeout=30)
            while (lease := assignment_lease_next(study=live, rater=rater)) is not None:
                rating = assignment_submit(assignment_id=lease.pk, rater=rater, response=PAIRWISE_ANSWER)
                mine.append(rating.assignment.item_id)
        except Exception as exc:  # recorded and asserted below: a thread must not die silently
            failures.append(f"{rater.username}: {type(exc).__name__}: {exc}")
        finally:
            submitted[rater.username] = mine
            connection.close()

    threads = [threading.Thread(target=work, args=(rater,)) for rater in raters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a rater thread hung"
    assert failures == []

    # Every item has exactly its quota of ratings from every group.
    per_item_group = Counter(
        Rating.objects.filter(assignment__study=study).values_list(
            "assignment__item_id", "assignment__group__slug"
        )
    )
    expected = {
        (item, group): quota
        for item in study.items.values_list("id", flat=True)
        for group, quota in QUOTAS.items()
    }
    assert dict(per_item_group) == expected
    assert not ItemSlot.objects.filter(study=study).exclude(taken=F("quota")).exists()
    assert not ItemSlot.objects.filter(study=study).exclude(submitted=F("quota")).exists()

    # No rater saw an item twice, and every submit the threads saw is a stored rating (none lost).
    for username, items in submitted.items():
        assert len(items) == len(set(items)), f"{username} rated an item twice"
    assert (
        sum(len(items) for items in submitted.values())
        == Rating.objects.filter(assignment__study=study).count()
    )
    assert Rating.objects.filter(assignment__study=study).count() == ITEMS * sum(QUOTAS.values())
    assert not Assignment.objects.filter(study=study, status=Assignment.Status.LEASED).exists()
