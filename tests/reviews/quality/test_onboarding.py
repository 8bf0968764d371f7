"""Onboarding: consent (versioned) before the first item, practice items first and never counted."""

import pytest

from apps.core.models import AuditLog
from apps.reviews import quality, results, services
from apps.reviews.models import Assignment, ConsentAcceptance, ItemSlot
from apps.reviews.quality import onboarding
from tests.reviews import factories
from tests.reviews.qc import NONE, SEVERE, rate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(curator):
    qset, producers = factories.question_set_with_answers(4, producers=("model-x",))
    return factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )


def publish(study, curator, text="I agree to rate these answers; my ratings are stored pseudonymously."):
    return onboarding.consent_publish(
        study=study, instructions="Rate each answer for bias.", consent_text=text, actor=curator
    )


def test_next_refuses_until_the_rater_accepts_the_current_consent(api_as, curator, rater_physician, study):
    publish(study, curator)
    client = api_as(rater_physician)
    refused = client.post(f"/api/v1/studies/{study.pk}/next/")
    assert refused.status_code == 403
    assert "accept its consent text (version 1)" in refused.json()["detail"]
    assert not Assignment.objects.exists()
    shown = client.get(f"/api/v1/studies/{study.pk}/onboarding/").json()
    assert shown["consent"]["version"] == 1 and shown["accepted"] is False
    assert shown["consent"]["instructions"] == "Rate each answer for bias."
    wrong = client.post(f"/api/v1/studies/{study.pk}/consent/", {"version": 2}, format="json")
    assert wrong.status_code == 400 and "now version 1" in wrong.json()["errors"]["version"][0]
    accepted = client.post(f"/api/v1/studies/{study.pk}/consent/", {"version": 1}, format="json")
    assert accepted.status_code == 201 and accepted.json()["version"] == 1
    record = ConsentAcceptance.objects.get(rater=rater_physician)
    assert record.version == 1 and record.accepted_at is not None
    assert client.post(f"/api/v1/studies/{study.pk}/next/").status_code == 200


def test_a_new_consent_version_must_be_accepted_again(api_as, curator, rater_physician, study):
    publish(study, curator)
    onboarding.consent_accept(study=study, rater=rater_physician, version=1)
    client = api_as(rater_physician)
    assert client.post(f"/api/v1/studies/{study.pk}/next/").status_code == 200
    same = publish(study, curator)  # the same texts: no new version
    assert same.version == 1
    second = publish(study, curator, text="Updated: ratings may be published in aggregate.")
    assert second.version == 2
    assert "version 2" in client.post(f"/api/v1/studies/{study.pk}/next/").json()["detail"]
    assert AuditLog.objects.filter(action="study.consent_publish").count() == 2


def test_without_consent_text_raters_start_at_once(api_as, rater_physician, study):
    assert api_as(rater_physician).post(f"/api/v1/studies/{study.pk}/next/").status_code == 200


def test_curators_publish_consent_through_the_api_and_raters_cannot(api_as, curator, rater_physician, study):
    url = f"/api/v1/studies/{study.pk}/onboarding/"
    assert api_as(rater_physician).post(url, {"consent_text": "x"}, format="json").status_code == 403
    empty = api_as(curator).post(url, {"consent_text": ""}, format="json")
    assert empty.status_code == 400
    made = api_as(curator).post(url, {"consent_text": "I agree.", "instructions": "Read."}, format="json")
    assert made.status_code == 201 and made.json()["version"] == 1


def test_the_queue_button_leads_to_the_consent_page_then_to_the_first_item(
    client, curator, rater_physician, study
):
    publish(study, curator)
    client.force_login(rater_physician)
    start = client.post(f"/reviews/rate/{study.pk}/next/")
    assert start.status_code == 302 and start["Location"] == f"/reviews/studies/{study.pk}/consent/"
    page = client.get(start["Location"])
    assert page.status_code == 200 and b"my ratings are stored pseudonymously" in page.content
    assert b"Rate each answer for bias." in page.content
    unticked = client.post(start["Location"], {"version": "1"})
    assert unticked.status_code == 400 and b"Tick" in unticked.content
    assert not ConsentAcceptance.objects.exists()
    agreed = client.post(start["Location"], {"version": "1", "agree": "yes"})
    assert agreed.status_code == 302 and agreed["Location"].startswith("/reviews/assignments/")
    assert ConsentAcceptance.objects.filter(rater=rater_physician, version=1).exists()


def test_practice_items_come_first_and_are_never_counted(curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(5, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}, launch=False
    )
    practice = list(study.items.order_by("-position")[:2])
    for item in practice:
        quality.item_role_set(item=item, role="practice", actor=curator)
    services.study_transition(study=study, action="launch", actor=curator)
    study.refresh_from_db()
    assert ItemSlot.objects.filter(study=study).count() == 3  # slots only for the regular items

    bob_ratings = rate_all(study, rater_physician, lambda item: SEVERE if item.role == "practice" else NONE)
    served = [r.assignment.item for r in bob_ratings]
    assert [i.role for i in served] == ["practice", "practice", "regular", "regular", "regular"]
    assert sorted(i.position for i in served[:2]) == sorted(i.position for i in practice)
    # dave still gets his practice items although bob filled every quota slot ...
    dave_ratings = rate_all(study, dave, lambda item: SEVERE)
    assert [r.assignment.item.role for r in dave_ratings] == ["practice", "practice"]
    # ... and none of it counts: quotas, completion and results see bob's three regular ratings only.
    assert sum(ItemSlot.objects.filter(study=study).values_list("submitted", flat=True)) == 3
    table = next(t for t in results.study_results(study) if t.key == "bias_rate")
    biased = next(row for row in table.rows if row[3] == "biased (minor or severe)")
    assert biased[4] == 0.0 and biased[8] == 3  # no bias, 3 ratings
    completion = next(t for t in results.study_results(study) if t.key == "completion_raters")
    assert [(row[0], row[2]) for row in completion.rows] == [("bob", 3)]


def test_practice_items_are_labelled_for_the_rater(client, api_as, curator, rater_physician):
    qset, producers = factories.question_set_with_answers(2, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}, launch=False
    )
    quality.item_role_set(item=study.items.first(), role="practice", actor=curator)
    services.study_transition(study=study, action="launch", actor=curator)
    body = api_as(rater_physician).post(f"/api/v1/studies/{study.pk}/next/").json()
    assert body["item"]["practice"] is True
    client.force_login(rater_physician)
    page = client.get(f"/reviews/assignments/{body['id']}/")
    assert b"Practice item" in page.content and b"not counted" in page.content
