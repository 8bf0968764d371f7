"""`elevate/templates/` and `elevate/assessments/`: curators read, the assessor writes, raters 403,
anonymous 401, submitted assessments 409."""

import pytest

from apps.elevate.models import Assessment, ItemResponse
from tests.elevate.conftest import answer_all, item_count

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/elevate/templates/"
ASSESSMENTS = "/api/v1/elevate/assessments/"


def test_anonymous_callers_get_401(api, publication):
    for url in (
        TEMPLATES,
        ASSESSMENTS,
        f"{ASSESSMENTS}{publication.pk}/",
        f"{ASSESSMENTS}{publication.pk}/responses/",
    ):
        assert api.get(url).status_code == 401, url
    assert api.post(ASSESSMENTS, {"subject_kind": "publication", "title": "X"}).status_code == 401


def test_raters_get_403_everywhere(api_as, rater_physician, publication):
    rater = api_as(rater_physician)
    for url in (
        TEMPLATES,
        ASSESSMENTS,
        f"{ASSESSMENTS}{publication.pk}/",
        f"{ASSESSMENTS}{publication.pk}/responses/",
    ):
        assert rater.get(url).status_code == 403, url
    response = rater.post(
        f"{ASSESSMENTS}{publication.pk}/responses/", {"item_code": "1.1", "status": "reported"}
    )
    assert response.status_code == 403
    assert "curator" in response.json()["detail"]
    assert rater.post(ASSESSMENTS, {"subject_kind": "publication", "title": "X"}).status_code == 403
    assert not publication.responses.exists() and Assessment.objects.count() == 1


def test_curators_read_templates_with_domains_and_items(api_as, curator, checklist):
    body = api_as(curator).get(TEMPLATES).json()
    template = next(t for t in body["results"] if t["id"] == checklist.pk)
    assert template["version"] == 1 and len(template["domains"]) == 10
    assert template["domains"][4]["items"][0]["code"] == "5.1"
    assert api_as(curator).post(TEMPLATES, {"name": "x"}).status_code == 405


def test_create_answer_and_submit_through_the_api(api_as, curator, checklist):
    client = api_as(curator)
    created = client.post(
        ASSESSMENTS,
        {
            "subject_kind": "publication",
            "title": "LLM replication of a health economic model",
            "doi": "10.1000/abc",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["assessor"], body["status"], body["template_version"], body["responses"]) == (
        "alice",
        "draft",
        1,
        [],
    )
    pk = body["id"]

    saved = client.post(
        f"{ASSESSMENTS}{pk}/responses/",
        {"item_code": "5.1", "status": "reported", "location": "Appendix B"},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["item_code"], saved.json()["status"]) == ("5.1", "reported")

    missing_comment = client.post(
        f"{ASSESSMENTS}{pk}/responses/", {"item_code": "5.3", "status": "partial"}, format="json"
    )
    assert missing_comment.status_code == 400
    assert "comment is required" in missing_comment.json()["errors"]["comment"][0]

    unknown = client.post(
        f"{ASSESSMENTS}{pk}/responses/", {"item_code": "99.9", "status": "reported"}, format="json"
    )
    assert unknown.status_code == 400 and "99.9" in unknown.json()["errors"]["item_code"][0]

    too_early = client.post(f"{ASSESSMENTS}{pk}/submit/")
    assert too_early.status_code == 400 and "no answer" in too_early.json()["detail"]

    listed = client.get(f"{ASSESSMENTS}{pk}/responses/").json()
    assert [r["item_code"] for r in listed] == ["5.1"]

    answer_all(Assessment.objects.get(pk=pk), curator)
    submitted = client.post(f"{ASSESSMENTS}{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    frozen = client.post(
        f"{ASSESSMENTS}{pk}/responses/", {"item_code": "5.1", "status": "not_applicable"}, format="json"
    )
    assert frozen.status_code == 409 and "frozen" in frozen.json()["detail"]
    assert ItemResponse.objects.get(assessment_id=pk, item__code="5.1").status == "reported"

    revision = client.post(f"{ASSESSMENTS}{pk}/revise/")
    assert revision.status_code == 201
    assert revision.json()["revision_of"] == pk and len(revision.json()["responses"]) == item_count(checklist)


def test_other_curators_read_but_cannot_write(api_as, other_curator, publication):
    client = api_as(other_curator)
    assert client.get(f"{ASSESSMENTS}{publication.pk}/").status_code == 200
    response = client.post(
        f"{ASSESSMENTS}{publication.pk}/responses/", {"item_code": "1.1", "status": "reported"}, format="json"
    )
    assert response.status_code == 403 and "only its assessor" in response.json()["detail"]
    assert (
        client.patch(f"{ASSESSMENTS}{publication.pk}/", {"title": "Mine now"}, format="json").status_code
        == 403
    )
    publication.refresh_from_db()
    assert publication.title.startswith("LLM-assisted") and not publication.responses.exists()


def test_create_reports_bad_fields(api_as, curator, checklist):
    response = api_as(curator).post(ASSESSMENTS, {"subject_kind": "publication", "doi": "abc"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "doi"}
    assert not Assessment.objects.exists()


def test_list_filters_by_status_and_assessor(api_as, curator, other_curator, publication):
    from apps.elevate import services

    services.assessment_create(assessor=other_curator, subject_kind="publication", title="Other paper")
    client = api_as(curator)
    assert [a["assessor"] for a in client.get(ASSESSMENTS, {"assessor": "dave"}).json()["results"]] == [
        "dave"
    ]
    assert client.get(ASSESSMENTS, {"status": "submitted"}).json()["results"] == []
    assert len(client.get(ASSESSMENTS, {"status": "draft"}).json()["results"]) == 2
