"""30 raters leasing and submitting in parallel threads against one study (real PostgreSQL, one
connection per thread): every item ends with exactly its quota per group, no rater sees an item twice,
and no rating is lost — also while an expiry sweep takes leases back under the raters' feet, and when
one rater asks for items from several requests at once."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.utils import timezone

from apps.reviews.assignment import AssignmentError, assignment_lease_next, assignment_submit, leases_expire
from apps.reviews.models import Assignment, ItemSlot, Rating, Study, StudyProgress
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
    assert _slots_agree_with_assignments(study) == []


def _slots_agree_with_assignments(study) -> list[str]:
    """Every slot's taken = its live leases + submitted, submitted = its submitted assignments, and the
    study's progress counters equal the slots' sums."""
    problems = []
    for slot in ItemSlot.objects.filter(study=study):
        mine = Assignment.objects.filter(item_id=slot.item_id, group_id=slot.group_id)
        live, done = mine.filter(status="leased").count(), mine.filter(status="submitted").count()
        if (slot.taken, slot.submitted) != (live + done, done):
            problems.append(
                f"slot {slot.pk}: taken {slot.taken}, submitted {slot.submitted}; {live} + {done}"
            )
    counted = StudyProgress.objects.filter(study=study).aggregate(n=Sum("submitted"), q=Sum("needed"))
    sums = ItemSlot.objects.filter(study=study).aggregate(n=Sum("submitted"), q=Sum("quota"))
    if (counted["n"], counted["q"]) != (sums["n"], sums["q"]):
        problems.append(f"progress counters {counted} differ from the slots {sums}")
    return problems


@pytest.mark.django_db(transaction=True)
def test_submits_racing_the_expiry_sweep_lose_nothing_and_count_exactly():
    """Raters submit while a sweeper keeps expiring their leases: each submit either stores its rating
    (counted once) or is refused with a message; no deadlock, no slot above quota, counters exact."""
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(ITEMS)
    study = factories.study("pairwise", actor=curator, qset=qset, producers=producers, quotas=QUOTAS)
    raters = [make_rater(f"{group}-{n}", group) for group, count in RATERS.items() for n in range(count // 2)]
    stop = threading.Event()
    stored: list[int] = []
    refused: list[str] = []
    failures: list[str] = []

    def sweep():
        try:
            while not stop.is_set():
                Assignment.objects.filter(study=study, status="leased", id__in=_some_leases(study)).update(
                    lease_expires_at=timezone.now() - timedelta(seconds=1)
                )
                leases_expire(study_id=study.pk)
        except Exception as exc:  # asserted below
            failures.append(f"sweeper: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def work(rater):
        try:
            live = Study.objects.get(pk=study.pk)
            for _ in range(ITEMS):
                lease = assignment_lease_next(study=live, rater=rater)
                if lease is None:
                    break
                try:
                    rating = assignment_submit(assignment_id=lease.pk, rater=rater, response=PAIRWISE_ANSWER)
                except AssignmentError as exc:
                    refused.append(str(exc))
                else:
                    stored.append(rating.pk)
        except Exception as exc:  # asserted below
            failures.append(f"{rater.username}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    sweeper = threading.Thread(target=sweep)
    threads = [threading.Thread(target=work, args=(rater,)) for rater in raters]
    sweeper.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    stop.set()
    sweeper.join(timeout=60)
    assert not any(thread.is_alive() for thread in [*threads, sweeper]), "a thread hung (deadlock?)"
    assert failures == []
    assert all("expired" in message for message in refused)
    assert sorted(stored) == sorted(
        Rating.objects.filter(assignment__study=study).values_list("id", flat=True)
    )
    assert not ItemSlot.objects.filter(study=study, taken__gt=F("quota")).exists()
    assert _slots_agree_with_assignments(study) == []


def _some_leases(study):
    """Every third live lease of the study (by id), to expire now."""
    ids = list(Assignment.objects.filter(study=study, status="leased").values_list("id", flat=True))
    return ids[::3]


@pytest.mark.django_db(transaction=True)
def test_one_rater_asking_in_parallel_never_gets_an_item_twice():
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(ITEMS)
    study = factories.study("pairwise", actor=curator, qset=qset, producers=producers, quotas=QUOTAS)
    rater = make_rater("bob", "physician")
    start = threading.Barrier(8)
    failures: list[str] = []

    def ask():
        try:
            live = Study.objects.get(pk=study.pk)
            start.wait(timeout=30)
            for _ in range(3):
                lease = assignment_lease_next(study=live, rater=rater)
                if lease is not None:
                    assignment_submit(assignment_id=lease.pk, rater=rater, response=PAIRWISE_ANSWER)
        except Exception as exc:  # asserted below
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    items = list(Assignment.objects.filter(rater=rater).values_list("item_id", flat=True))
    assert len(items) == len(set(items)) and len(items) >= 3
    assert _slots_agree_with_assignments(study) == []
