"""POST /api/v1/readability/: every metric for a posted text; bounded size; signed-in users only."""

import pytest

from apps.metrics.models import TextScore
from apps.metrics.readability import readability_metrics

pytestmark = pytest.mark.django_db
URL = "/api/v1/readability/"
TEXT = "Pancreatic cancer starts in the pancreas. The pancreas is an organ behind the stomach."


def test_a_rater_gets_every_metric(api_as, rater_physician):
    response = api_as(rater_physician).post(URL, {"text": TEXT}, format="json")
    assert response.status_code == 200
    assert response.json()["metrics"] == readability_metrics(TEXT)
    assert TextScore.objects.filter(sha256=response.json()["sha256"]).exists()


def test_text_over_the_limit_is_refused_with_the_limit_named(api_as, curator):
    response = api_as(curator).post(URL, {"text": "word " * 4001}, format="json")  # 20,005 characters
    assert response.status_code == 400
    assert "20,000" in response.json()["detail"]
    assert "20,005" in response.json()["detail"]
    assert TextScore.objects.count() == 0


def test_text_at_the_limit_is_accepted(api_as, curator):
    response = api_as(curator).post(URL, {"text": "word " * 3999 + "word."}, format="json")
    assert response.status_code == 200
    assert response.json()["metrics"]["words"] == 4000


def test_missing_text_is_a_clear_400(api_as, curator):
    response = api_as(curator).post(URL, {}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["detail"]


def test_anonymous_callers_are_refused(api):
    response = api.post(URL, {"text": TEXT}, format="json")
    assert response.status_code == 401
    assert TextScore.objects.count() == 0


def test_arabic_text_gets_no_grade_and_the_reason(api_as, curator):
    response = api_as(curator).post(URL, {"text": "الفحص المبكر ينقذ الأرواح."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["metrics"]["english"] is False and body["metrics"]["flesch_kincaid_grade"] is None
    assert body["grade"]["applies"] is False and body["grade"]["grade"] is None
    assert body["grade"]["reason"].startswith("Readability formulas apply to English only")


def test_english_text_gets_the_grade_its_formula_and_the_spread(api_as, curator):
    body = api_as(curator).post(URL, {"text": TEXT}, format="json").json()
    assert body["grade"]["applies"] is True
    assert body["grade"]["formula"] == "flesch_kincaid_grade"
    assert body["grade"]["grade"] == body["metrics"]["flesch_kincaid_grade"]
    assert "formulas disagree by" in body["grade"]["spread_text"]
    assert len(body["grade"]["grades"]) == 6
