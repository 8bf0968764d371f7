"""The hostile texts of tests/browser/test_hostile_text.py come back from the API as the same plain
JSON strings (never HTML-escaped, never evaluated); a corpus import refuses `javascript:` links."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.corpus.models import Document, Segment
from tests.browser.test_hostile_text import JS_URL, T, seed_hostile_world

pytestmark = pytest.mark.django_db


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_api_lists_and_details_return_the_payloads_as_plain_strings():
    w = seed_hostile_world()
    curator = APIClient()
    curator.force_authenticate(w["curator"])
    rater = APIClient()
    rater.force_authenticate(w["rater"])
    expected = [
        (curator, "/api/v1/sources/", ["source"]),
        (curator, "/api/v1/documents/", ["document", "topic"]),
        (curator, f"/api/v1/segments/{w['segment'].pk}/", ["original", "simplified", "notes"]),
        (curator, f"/api/v1/segments/{w['segment'].pk}/revisions/", ["notes"]),
        (curator, "/api/v1/question-sets/", ["set", "cc_set", "study_description"]),
        (curator, "/api/v1/questions/", ["question", "question2", "tag", "cc_a", "cc_b"]),
        (curator, "/api/v1/counterfactual-pairs/", ["attribute"]),
        (curator, "/api/v1/answers/", ["answer", "answer2", "producer"]),
        (
            curator,
            f"/api/v1/rubrics/{w['rubric'].pk}/",
            ["rubric", "rubric_description", "q_label", "o_label"],
        ),
        (curator, "/api/v1/studies/", ["study", "study_description"]),
        (curator, "/api/v1/ratings/", ["comment"]),
        (curator, "/api/v1/flags/?status=resolved", ["flag_note"]),
        (curator, "/api/v1/elevate/assessments/", ["elevate_title"]),
        (
            curator,
            f"/api/v1/elevate/assessments/{w['assessments'][0].pk}/responses/",
            ["elevate_location", "elevate_comment"],
        ),
        (curator, "/api/v1/jobs/", ["job_message", "job_error", "job_parameter"]),
        (curator, "/api/v1/raters/", ["first_name"]),
        (curator, "/api/v1/invitations/", ["invitation"]),
        (rater, "/api/v1/assignments/", ["question", "question2", "answer", "answer2"]),
    ]
    missing = []
    for client, url, keys in expected:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), url
        found = strings(response.json())
        assert not [s for s in found if "&lt;" in s or "&quot;" in s], f"{url}: HTML-escaped JSON"
        missing += [f"{url}: {key}" for key in keys if not any(T[key] in s for s in found)]
    assert not missing, "; ".join(missing)


def test_a_corpus_import_refuses_javascript_links():
    from apps.corpus import import_services
    from apps.corpus.models import ImportBatch

    csv = f"original,url\nA sentence about the liver.,{JS_URL}\n".encode()
    options = import_services.import_options(file_name="links.csv", preset="simpledc")
    refused = import_services.corpus_import_start(
        upload=SimpleUploadedFile("links.csv", csv),
        file_name="links.csv",
        options=options,
        skip_invalid=False,
        user=None,
    )

    assert refused.state == ImportBatch.State.REJECTED
    problem = refused.report[0]
    assert problem["row"] == 2 and problem["column"] == "url"
    assert "http:// or https://" in problem["problem"]
    assert not Document.objects.exists() and not Segment.objects.exists()
