"""Raters skip with a reason and flag an item (broken text, offensive content, other + note); the flag
reaches the curators on the study page, in the API and in the CSV, and is audited."""

import csv
import io

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.reviews.models import Assignment, ItemFlag

pytestmark = pytest.mark.django_db


def _next(client, study) -> int:
    response = client.post(f"/api/v1/studies/{study.pk}/next/")
    assert response.status_code == 200
    return response.json()["id"]


def test_a_skip_keeps_its_reason_and_refuses_an_unknown_one(api_as, pairwise_study, rater_physician):
    client = api_as(rater_physician)
    pk = _next(client, pairwise_study)
    refused = client.post(f"/api/v1/assignments/{pk}/skip/", {"reason": "bored"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert Assignment.objects.get(pk=pk).status == "leased", "a refused skip changes nothing"
    skipped = client.post(f"/api/v1/assignments/{pk}/skip/", {"reason": "expertise"}, format="json")
    assert skipped.status_code == 200 and skipped.json()["skip_reason"] == "expertise"
    assert AuditLog.objects.get(action="assignment.skip").details["reason"] == "expertise"


def test_the_skip_reason_from_the_page_reaches_the_study_page(
    client, curator, pairwise_study, rater_physician
):
    client.force_login(rater_physician)
    location = client.post(reverse("reviews:rate_next", args=[pairwise_study.pk]))["Location"]
    pk = int(location.rstrip("/").split("/")[-1])
    client.post(reverse("reviews:rate_skip", args=[pk]), {"skip_reason": "cannot_judge"})
    assert Assignment.objects.get(pk=pk).skip_reason == "cannot_judge"
    client.force_login(curator)
    page = client.get(reverse("reviews:study_detail", args=[pairwise_study.pk])).content.decode()
    assert "I cannot judge this item 1" in page


def test_a_flag_reaches_the_curator_on_the_page_in_the_api_and_the_csv(
    api_as, client, curator, pairwise_study, rater_physician
):
    rater = api_as(rater_physician)
    pk = _next(rater, pairwise_study)
    no_note = rater.post(f"/api/v1/assignments/{pk}/flag/", {"kind": "other"}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()["errors"]
    unknown = rater.post(f"/api/v1/assignments/{pk}/flag/", {"kind": "ugly"}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()["errors"]
    assert not ItemFlag.objects.exists()
    made = rater.post(
        f"/api/v1/assignments/{pk}/flag/",
        {"kind": "broken_text", "note": "Response B stops mid-word"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["kind"] == "broken_text"
    assert AuditLog.objects.get(action="item.flag").details["kind"] == "broken_text"
    assert Assignment.objects.get(pk=pk).status == "leased", "flagging leaves the item to answer or skip"

    listing = api_as(curator).get(f"/api/v1/studies/{pairwise_study.pk}/item-flags/")
    assert [(f["kind"], f["note"], f["rater"]) for f in listing.json()] == [
        ("broken_text", "Response B stops mid-word", "bob")
    ]
    assert rater.get(f"/api/v1/studies/{pairwise_study.pk}/item-flags/").status_code == 403

    client.force_login(curator)
    page = client.get(reverse("reviews:study_detail", args=[pairwise_study.pk])).content.decode()
    assert "Response B stops mid-word" in page and "Broken text" in page
    download = client.get(reverse("reviews:study_item_flags_csv", args=[pairwise_study.pk]))
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["kind"], r["rater"], r["note"]) for r in rows] == [
        ("broken_text", "bob", "Response B stops mid-word")
    ]


def test_a_rater_cannot_flag_someone_elses_item(api_as, pairwise_study, rater_physician, dave):
    pk = _next(api_as(rater_physician), pairwise_study)
    response = api_as(dave).post(f"/api/v1/assignments/{pk}/flag/", {"kind": "offensive"}, format="json")
    assert response.status_code == 404 and not ItemFlag.objects.exists()
