"""A rater reviews and corrects their own submitted ratings while the study is open: the list of their
ratings, "previous item", and a correction that is a new version, audited, with the counts unchanged."""

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.reviews import assignment as engine
from apps.reviews import services
from apps.reviews.models import ItemSlot, Rating, StudyProgress
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def _rate(study, rater, n: int):
    done = []
    for _ in range(n):
        leased = engine.assignment_lease_next(study=study, rater=rater)
        engine.assignment_submit(assignment_id=leased.pk, rater=rater, response=PAIRWISE_ANSWER)
        done.append(leased)
    return done


def _counts(study):
    slots = sorted(ItemSlot.objects.filter(study=study).values_list("id", "taken", "submitted"))
    progress = sum(StudyProgress.objects.filter(study=study).values_list("submitted", flat=True))
    return slots, progress


def test_the_list_shows_only_the_raters_own_ratings_latest_first(
    client, pairwise_study, rater_physician, dave
):
    first, second = _rate(pairwise_study, rater_physician, 2)
    (daves,) = _rate(pairwise_study, dave, 1)
    client.force_login(rater_physician)
    page = client.get(reverse("reviews:rate_mine", args=[pairwise_study.pk])).content.decode()
    links = [reverse("reviews:rate", args=[a.pk]) for a in (second, first)]
    assert all(link in page for link in links) and page.index(links[0]) < page.index(links[1])
    assert reverse("reviews:rate", args=[daves.pk]) not in page
    previous = client.get(reverse("reviews:rate_previous", args=[pairwise_study.pk]))
    assert previous["Location"] == reverse("reviews:rate", args=[second.pk])


def test_previous_item_before_any_rating_goes_to_the_empty_list(client, pairwise_study, rater_physician):
    client.force_login(rater_physician)
    response = client.get(reverse("reviews:rate_previous", args=[pairwise_study.pk]), follow=True)
    assert "You have not submitted an item in this study yet." in response.content.decode()


def test_a_correction_is_a_new_version_audited_and_counts_do_not_change(
    client, pairwise_study, rater_physician
):
    (done,) = _rate(pairwise_study, rater_physician, 1)
    before = _counts(pairwise_study)
    client.force_login(rater_physician)
    page = client.get(reverse("reviews:rate", args=[done.pk])).content.decode()
    assert reverse("reviews:rate_correct", args=[done.pk]) in page and "Save correction" in page
    corrected = {**PAIRWISE_ANSWER, "overall": "b"}
    missing_reason = client.post(reverse("reviews:rate_correct", args=[done.pk]), corrected)
    assert (
        missing_reason.status_code == 400
        and "Say why the rating is corrected." in missing_reason.content.decode()
    )
    assert 'value="b" checked' in missing_reason.content.decode(), "the changed answer is kept on screen"
    assert Rating.objects.filter(assignment=done).count() == 1, "nothing saved without a reason"
    saved = client.post(
        reverse("reviews:rate_correct", args=[done.pk]),
        {**corrected, "reason": "Misread response B"},
        follow=True,
    )
    assert "Correction saved (version 2)" in saved.content.decode()
    versions = list(
        Rating.objects.filter(assignment=done).order_by("version").values_list("version", "is_current")
    )
    assert versions == [(1, False), (2, True)]
    assert Rating.objects.get(assignment=done, is_current=True).response["overall"] == "b"
    entry = AuditLog.objects.get(action="rating.correct")
    assert entry.details["previous"]["overall"] == "a" and entry.details["reason"] == "Misread response B"
    assert _counts(pairwise_study) == before, "slots and progress counters unchanged"


def test_no_corrections_once_the_study_is_closed(client, curator, pairwise_study, rater_physician):
    (done,) = _rate(pairwise_study, rater_physician, 1)
    services.study_transition(study=pairwise_study, action="close", actor=curator)
    client.force_login(rater_physician)
    page = client.get(reverse("reviews:rate", args=[done.pk])).content.decode()
    assert "Save correction" not in page and reverse("reviews:rate_correct", args=[done.pk]) not in page
    refused = client.post(
        reverse("reviews:rate_correct", args=[done.pk]),
        {**PAIRWISE_ANSWER, "overall": "b", "reason": "late"},
        follow=True,
    )
    assert "Only a curator can correct this rating." in refused.content.decode()
    assert Rating.objects.filter(assignment=done).count() == 1
