"""The instruments API: curators only; start, answer, confirm, submit; clear 400s that write nothing;
403 for someone else's assessment, 409 once submitted; results per document."""

import pytest

from apps.instruments.models import InstrumentAssessment, ItemAnswer
from tests.instruments.conftest import answer_all, start

pytestmark = pytest.mark.django_db
V = "/api/v1/instruments"


def test_instruments_list_with_items_options_na_and_sources(api_as, curator):
    body = api_as(curator).get(f"{V}/").json()
    by_key = {i["key"]: i for i in body["results"]}
    assert set(by_key) == {"pemat-p", "pemat-av", "cci", "cci-modified"}
    pemat = by_key["pemat-p"]
    assert pemat["licence_note"].startswith("US government work")
    items = {i["code"]: i for i in pemat["items"]}
    assert len(items) == 24 and items["6"]["na_allowed"] and not items["7"]["na_allowed"]
    assert items["24"]["verified"] is False and "UNVERIFIED" in items["24"]["source_note"]
    cci = by_key["cci"]
    assert [i["code"] for i in cci["items"] if i["answer_kind"] == "text"] == ["I1", "I2", "I3", "I4"]


def test_an_assessment_is_started_answered_confirmed_and_submitted(api_as, curator, pemat_p, document):
    client = api_as(curator)
    created = client.post(
        f"{V}/assessments/",
        {"instrument": pemat_p.pk, "document": document.pk, "side": "original"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    detail = created.json()
    assert detail["instrument_key"] == "pemat-p" and detail["side"] == "original"
    pending = [a["item_code"] for a in detail["answers"] if not a["confirmed"]]
    assert pending and all(a["source"] == "rule" and a["rule"] for a in detail["answers"])
    assert detail["scores"][0]["unconfirmed_automatic_items"] > 0 and detail["score_rule"]

    pk = detail["id"]
    saved = client.post(f"{V}/assessments/{pk}/answers/", {"item_code": "1", "value": "agree"}, format="json")
    assert saved.status_code == 200 and saved.json()["counts"] is True
    confirmed = client.post(f"{V}/assessments/{pk}/confirm/", {"item_code": pending[0]}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True

    incomplete = client.post(f"{V}/assessments/{pk}/submit/")
    assert incomplete.status_code == 400 and "missing" in incomplete.json()["errors"]

    answer_all(InstrumentAssessment.objects.get(pk=pk), curator)
    submitted = client.post(f"{V}/assessments/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.post(
        f"{V}/assessments/{pk}/answers/", {"item_code": "1", "value": "disagree"}, format="json"
    )
    assert again.status_code == 409 and "frozen" in again.json()["detail"]


def test_starting_again_returns_the_existing_assessment(api_as, curator, pemat_p, document):
    client = api_as(curator)
    body = {"instrument": pemat_p.pk, "document": document.pk, "side": "simplified"}
    first = client.post(f"{V}/assessments/", body, format="json")
    second = client.post(f"{V}/assessments/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"item_code": "7", "value": "na"}, "value", "Item 7 of PEMAT-P has no N/A option"),
        (
            {"item_code": "1", "value": "strongly agree"},
            "value",
            '"strongly agree" is not an answer to item 1',
        ),
        ({"item_code": "99", "value": "agree"}, "item_code", 'PEMAT-P v1 has no item "99"'),
        ({"value": "agree"}, "item_code", "This field is required."),
        ({"item_code": "1", "value": "agree", "comment": "x" * 5001}, "comment", "limit is 5,000"),
    ],
)
def test_bad_answers_are_400_naming_the_field_and_nothing_is_written(
    api_as, curator, pemat_p, document, payload, field, message
):
    assessment = start(curator, pemat_p, document)
    response = api_as(curator).post(f"{V}/assessments/{assessment.pk}/answers/", payload, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not ItemAnswer.objects.filter(assessment=assessment).exists()


def test_bad_starts_are_400_and_create_nothing(api_as, curator, pemat_p, document):
    client = api_as(curator)
    for payload, field in [
        ({"instrument": pemat_p.pk, "document": document.pk, "side": "both"}, "side"),
        ({"instrument": pemat_p.pk, "document": 999999, "side": "original"}, "document"),
        ({"instrument": 999999, "document": document.pk, "side": "original"}, "instrument"),
    ]:
        response = client.post(f"{V}/assessments/", payload, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], payload
    assert not InstrumentAssessment.objects.exists()


def test_someone_elses_assessment_is_read_only(api_as, curator, other_curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    client = api_as(other_curator)
    assert client.get(f"{V}/assessments/{assessment.pk}/").status_code == 200
    response = client.post(f"{V}/assessments/{assessment.pk}/answers/", {"item_code": "1", "value": "agree"})
    assert response.status_code == 403 and "belongs to alice" in response.json()["detail"]


def test_raters_and_anonymous_callers_are_refused(api, api_as, rater_physician, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    assert api.get(f"{V}/").status_code == 401
    rater = api_as(rater_physician)
    assert rater.get(f"{V}/").status_code == 403
    assert rater.get(f"{V}/assessments/{assessment.pk}/").status_code == 403
    assert rater.get(f"{V}/documents/{document.pk}/results/").status_code == 403


def test_results_per_document_name_the_definition_n_and_method(
    api_as, curator, other_curator, pemat_p, document
):
    for user in (curator, other_curator):
        assessment = start(user, pemat_p, document)
        answer_all(assessment, user)
        api_as(user).post(f"{V}/assessments/{assessment.pk}/submit/")
    body = api_as(curator).get(f"{V}/documents/{document.pk}/results/").json()
    [instrument] = body["instruments"]
    assert instrument["score_rule"].startswith("For each scale: points")
    understand = next(r for r in instrument["side_by_side"] if r["scale"] == "understandability")
    assert (
        understand["original"] == 100.0 and understand["original_n"] == 2 and understand["simplified"] is None
    )
    [subject] = instrument["subjects"]["original"]
    assert subject["n_submitted"] == 2 and subject["current_text"] is True
    agreement = {a["scale"]: a for a in subject["agreement"]}
    # Both assessors agreed on every item, all "agree": no variation, alpha undefined — and it says so.
    assert agreement["understandability"]["value"] is None
    assert (
        agreement["understandability"]["note"]
        == "All ratings identical: alpha is undefined (no variation), so no interval."
    )
    assert (
        agreement["understandability"]["n_items"] == 17
        and "Krippendorff" in agreement["understandability"]["method"]
    )
