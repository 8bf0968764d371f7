"""Streamed exports: one record per checklist item of every assessment, with everything a reader needs."""

import pytest

from apps.elevate import services
from apps.elevate.models import ChecklistItem
from apps.elevate.selectors import EXPORT_FIELDS
from tests.api.exports import read_csv, read_jsonl
from tests.elevate.conftest import item, item_count

pytestmark = pytest.mark.django_db

JSONL = "/api/v1/exports/assessments.jsonl"
CSV = "/api/v1/exports/assessments.csv"


@pytest.fixture
def two_assessments(publication, curator, other_curator):
    services.response_save(
        assessment=publication,
        item=item(publication, "5.2"),
        actor=curator,
        status="partial",
        location="Methods, 2.3",
        comment='Temperature only; no top-p, "max tokens", or seed.',
    )
    other = services.assessment_create(
        assessor=other_curator, subject_kind="publication", title="Second paper"
    )
    services.response_save(assessment=other, item=item(other, "1.1"), actor=other_curator, status="reported")
    return publication, other


def test_jsonl_has_every_item_of_every_assessment(api_as, curator, two_assessments):
    publication, other = two_assessments
    response = api_as(curator).get(JSONL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    manifest, records = read_jsonl(response)
    n_items = item_count(publication.template)
    assert len(records) == 2 * n_items == manifest["row_count"]
    for assessment in (publication, other):
        codes = [r["item_code"] for r in records if r["assessment_id"] == assessment.pk]
        assert sorted(codes) == sorted(
            ChecklistItem.objects.filter(domain__template=assessment.template).values_list("code", flat=True)
        )
    partial = next(r for r in records if r["assessment_id"] == publication.pk and r["item_code"] == "5.2")
    assert partial == {
        **partial,
        "assessor": "alice",
        "subject_kind": "publication",
        "subject_title": "LLM-assisted screening for a systematic review",
        "subject_doi": "10.1016/j.jval.2024.01.001",
        "template": "ELEVATE-GenAI",
        "template_version": 1,
        "domain_order": 5,
        "domain": "Reproducibility protocols",
        "status": "partial",
        "location": "Methods, 2.3",
        "comment": 'Temperature only; no top-p, "max tokens", or seed.',
        "prefilled": False,
        "updated_by": "alice",
    }
    unanswered = next(r for r in records if r["assessment_id"] == publication.pk and r["item_code"] == "1.1")
    assert (unanswered["status"], unanswered["updated_by"]) == ("", None)
    assert set(partial) == set(EXPORT_FIELDS)


def test_csv_has_a_header_and_one_row_per_item(api_as, curator, two_assessments):
    publication, _ = two_assessments
    response = api_as(curator).get(CSV, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="assessments.csv"' in response["Content-Disposition"]
    manifest, rows = read_csv(response)
    assert list(rows[0]) == EXPORT_FIELDS == manifest["fields"]
    n_items = item_count(publication.template)
    assert len(rows) == 2 * n_items == manifest["row_count"]
    row = next(r for r in rows if r["assessment_id"] == str(publication.pk) and r["item_code"] == "5.2")
    assert (row["status"], row["comment"], row["prefilled"]) == (
        "partial",
        'Temperature only; no top-p, "max tokens", or seed.',
        "false",
    )


def test_exports_filter_like_the_list(api_as, curator, two_assessments):
    _, other = two_assessments
    manifest, records = read_jsonl(api_as(curator).get(JSONL, {"assessor": "dave"}))
    assert {r["assessment_id"] for r in records} == {other.pk}
    assert manifest["filters"] == {"assessor": "dave"} and manifest["row_count"] == len(records)
    bad = api_as(curator).get(JSONL, {"status": "finished"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_raters_and_anonymous_callers_cannot_export(api, api_as, rater_physician, two_assessments):
    assert api.get(JSONL).status_code == 401
    assert api.get(CSV).status_code == 401
    assert api_as(rater_physician).get(JSONL).status_code == 403
    assert api_as(rater_physician).get(CSV).status_code == 403
