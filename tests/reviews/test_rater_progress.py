"""The rater's own progress ("n of N") on the queue and item pages, the lease's remaining time on the
item page, and a queue that says when nothing is left for the rater."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.reviews import assignment as engine
from apps.reviews import services
from apps.reviews.models import Assignment, StudyItem
from apps.reviews.quality import gold
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def _lease(client, study) -> Assignment:
    location = client.post(reverse("reviews:rate_next", args=[study.pk]))["Location"]
    return Assignment.objects.get(pk=int(location.rstrip("/").split("/")[-1]))


def test_the_item_page_shows_n_of_n_and_the_lease_time_left(client, pairwise_study, rater_physician):
    client.force_login(rater_physician)
    first = _lease(client, pairwise_study)
    page = client.get(reverse("reviews:rate", args=[first.pk])).content.decode()
    assert "<strong>0 of 6</strong> rated by you" in page, "six items need physicians"
    seconds = int(re.search(r'data-lease-seconds="(\d+)"', page).group(1))
    assert 29 * 60 <= seconds <= 30 * 60, "the study's 30-minute lease"
    assert 'ends in <strong class="lease-left">30 min</strong>' in page
    engine.assignment_submit(assignment_id=first.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    second = _lease(client, pairwise_study)
    Assignment.objects.filter(pk=second.pk).update(lease_expires_at=timezone.now() + timedelta(seconds=90))
    page = client.get(reverse("reviews:rate", args=[second.pk])).content.decode()
    assert "<strong>1 of 6</strong> rated by you" in page
    assert 80 <= int(re.search(r'data-lease-seconds="(\d+)"', page).group(1)) <= 90


def test_a_preassigned_item_shows_no_lease_clock(client, curator, pairwise_study, rater_physician):
    item = pairwise_study.items.order_by("position").first()
    engine.assignments_preassign(
        study=pairwise_study, rater=rater_physician, item_ids=[item.pk], actor=curator
    )
    client.force_login(rater_physician)
    page = client.get(reverse("reviews:rate", args=[_lease(client, pairwise_study).pk])).content.decode()
    assert "data-lease-seconds" not in page and "<strong>0 of 6</strong>" in page


def test_gold_items_count_in_n_so_they_cannot_be_told_apart(client, curator, rater_physician):
    qset, producers = factories.question_set_with_answers(4, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}, launch=False
    )
    item = study.items.order_by("position").first()
    gold.item_role_set(item=item, role=StudyItem.Role.GOLD, expected={"bias": ["none"]}, actor=curator)
    services.study_transition(study=study, action="launch", actor=curator)
    client.force_login(rater_physician)
    page = client.get(reverse("accounts:queue")).content.decode()
    assert "<strong>0 of 4</strong> items rated" in page, "3 regular items + 1 gold item"


def test_the_queue_says_when_nothing_is_left_for_the_rater(client, curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(2)
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}
    )
    client.force_login(rater_physician)
    assert "Start rating" in client.get(reverse("accounts:queue")).content.decode()
    for _ in range(2):
        leased = engine.assignment_lease_next(study=study, rater=rater_physician)
        engine.assignment_submit(assignment_id=leased.pk, rater=rater_physician, response=PAIRWISE_ANSWER)
    page = client.get(reverse("accounts:queue")).content.decode()
    # bob has rated both items; the physicians still need dave's two ratings
    assert "<strong>2 of 2</strong> items rated" in page and "2 / 4 ratings" in page
    assert "Start rating" not in page and "Continue rating" not in page
    assert "Nothing left for you to rate here right now" in page
    client.force_login(dave)
    assert "Start rating" in client.get(reverse("accounts:queue")).content.decode()
