"""/api/v1/segments/: PATCH with version (409 on stale, nothing lost), revisions, filters, roles."""

import pytest

from apps.corpus.models import Segment
from tests.corpus.factories import DocumentFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def url(segment, suffix=""):
    return f"/api/v1/segments/{segment.pk}/{suffix}"


def test_patch_saves_and_returns_the_new_version(api_as, curator):
    segment = SegmentFactory()
    response = api_as(curator).patch(
        url(segment), {"version": 1, "simplified": "Plain words."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["simplified"]) == (2, "Plain words.")


def test_concurrent_edit_gets_409_and_no_text_is_lost(api_as, curator, curator2):
    segment = SegmentFactory()
    alice, dave = api_as(curator), api_as(curator2)
    version = alice.get(url(segment)).json()["version"]
    assert dave.get(url(segment)).json()["version"] == version

    assert (
        dave.patch(
            url(segment), {"version": version, "simplified": "Dave's plain text."}, format="json"
        ).status_code
        == 200
    )
    response = alice.patch(
        url(segment), {"version": version, "simplified": "Alice's plain text."}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert "changed since you opened it" in body["detail"]
    assert body["current"]["simplified"] == "Dave's plain text."  # what is saved now
    assert body["yours"]["simplified"] == "Alice's plain text."  # what was refused, handed back
    segment.refresh_from_db()
    assert (segment.simplified, segment.version) == ("Dave's plain text.", 2)
    # Alice retries from the current version: accepted, and Dave's text stays in the history.
    retry = alice.patch(url(segment), {"version": 2, "simplified": "Alice's plain text."}, format="json")
    assert retry.status_code == 200
    history = alice.get(url(segment, "revisions/")).json()["results"]
    assert [r["simplified"] for r in history][:2] == ["Alice's plain text.", "Dave's plain text."]


def test_patch_without_version_is_a_clear_400(api_as, curator):
    segment = SegmentFactory()
    response = api_as(curator).patch(url(segment), {"simplified": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]
    segment.refresh_from_db()
    assert segment.version == 1


def test_workflow_errors_are_400_naming_the_field(api_as, curator):
    segment = SegmentFactory()
    response = api_as(curator).patch(url(segment), {"version": 1, "status": "approved"}, format="json")
    assert response.status_code == 400
    assert "draft → in review → approved" in response.json()["errors"]["status"][0]


def test_filters_and_full_text_search(api_as, curator):
    document = DocumentFactory(topic="liver")
    liver = SegmentFactory(
        document=document, original="Cirrhosis scars the liver.", simplified="The liver gets scarred."
    )
    SegmentFactory(original="Polyps grow in the colon.", simplified="Growths in the colon.", split="dev")
    client = api_as(curator)
    found = client.get("/api/v1/segments/", {"q": "scarring liver"}).json()["results"]
    assert [s["id"] for s in found] == [liver.pk]  # stemmed: "scarring" matches "scarred"
    assert [s["split"] for s in client.get("/api/v1/segments/", {"split": "dev"}).json()["results"]] == [
        "dev"
    ]
    assert [s["id"] for s in client.get("/api/v1/segments/", {"topic": "liver"}).json()["results"]] == [
        liver.pk
    ]
    assert client.get("/api/v1/segments/", {"split": "holdout"}).status_code == 400


def test_grade_range_filter(api_as, curator):
    easy = SegmentFactory(simplified_grade=5.0)
    SegmentFactory(simplified_grade=11.0)
    results = api_as(curator).get("/api/v1/segments/", {"grade_min": 4, "grade_max": 8}).json()["results"]
    assert [s["id"] for s in results] == [easy.pk]


def test_create_a_segment_appends_it(api_as, curator):
    document = DocumentFactory()
    SegmentFactory(document=document, position=1)
    response = api_as(curator).post(
        "/api/v1/segments/",
        {
            "document": document.pk,
            "original": "Nausea is common.",
            "simplified": "You may feel sick.",
            "split": "train",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["position"], response.json()["version"]) == (2, 1)


def test_a_rater_cannot_read_or_edit_the_corpus(api_as, rater_physician):
    segment = SegmentFactory()
    client = api_as(rater_physician)
    assert client.get("/api/v1/segments/").status_code == 403
    assert client.get("/api/v1/sources/").status_code == 403
    assert client.get("/api/v1/documents/").status_code == 403
    response = client.patch(url(segment), {"version": 1, "simplified": "Rater text."}, format="json")
    assert response.status_code == 403
    assert Segment.objects.get().simplified != "Rater text."


def test_anonymous_is_refused(api):
    assert api.get("/api/v1/segments/").status_code == 401
