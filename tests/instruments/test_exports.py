"""Streamed exports: one record per item (answers) and per scale (scores), the manifest's row count equal to
the rows, CSV cells neutralised, filters applied."""

import csv
import io
import json

import pytest

from apps.instruments import services
from tests.instruments.conftest import answer, answer_all, item, start

pytestmark = pytest.mark.django_db
E = "/api/v1/exports"


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_answers_jsonl_has_a_manifest_and_one_record_per_item(api_as, curator, pemat_p, cci, document):
    pemat = start(curator, pemat_p, document, prefill=True)
    answer(pemat, curator, {"1": "agree"})
    index = start(curator, cci, document, side="simplified")
    answer(index, curator, {"I1": "Adults 45 to 75"})
    response = api_as(curator).get(f"{E}/instrument-answers.jsonl")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    records = [json.loads(line) for line in body_of(response).splitlines()]
    manifest = json.loads(response["X-Export-Manifest"])  # the body holds records only
    assert manifest["row_count"] == len(records) == 24 + 24  # every item of both assessments
    one = next(r for r in records if r["assessment_id"] == pemat.pk and r["item_code"] == "1")
    assert (one["value"], one["answer_label"], one["points"], one["counts"], one["source"]) == (
        "agree",
        "Agree",
        1,
        True,
        "person",
    )
    automatic = next(r for r in records if r["assessment_id"] == pemat.pk and r["item_code"] == "7")
    assert (
        automatic["source"] == "rule"
        and automatic["counts"] is False
        and automatic["rule"] == "no_calculations"
    )
    intro = next(r for r in records if r["assessment_id"] == index.pk and r["item_code"] == "I1")
    assert intro["text"] == "Adults 45 to 75" and intro["side"] == "simplified"
    unanswered = next(r for r in records if r["assessment_id"] == pemat.pk and r["item_code"] == "2")
    assert unanswered["value"] == "" and unanswered["counts"] is False


def test_scores_csv_has_one_row_per_scale_with_the_counts_behind_it(api_as, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    answer_all(assessment, curator, value_for=lambda it: "na" if it.na_allowed else "agree")
    services.answer_save(assessment=assessment, item=item(assessment, "1"), actor=curator, value="disagree")
    response = api_as(curator).get(f"{E}/instrument-scores.csv")
    manifest = json.loads(response["X-Export-Manifest"])
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert manifest["row_count"] == len(rows) == 2
    understand = next(r for r in rows if r["scale"] == "Understandability")
    # 17 items, N/A allowed on 6 8 9 11 12 16 17 18 19 (9 N/A); 8 applicable, item 1 disagreed → 7/8.
    assert (understand["points"], understand["applicable_items"], understand["not_applicable_items"]) == (
        "7",
        "8",
        "9",
    )
    assert float(understand["percent"]) == 87.5 and understand["score_rule"].startswith("For each scale")


def test_exports_filter_and_neutralise_formula_cells(api_as, curator, other_curator, pemat_p, cci, document):
    mine = start(curator, pemat_p, document)
    services.answer_save(
        assessment=mine, item=item(mine, "1"), actor=curator, value="agree", comment="=HYPERLINK(1)"
    )
    start(other_curator, cci, document)
    response = api_as(curator).get(f"{E}/instrument-answers.csv?instrument_key=pemat-p&assessor=alice")
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert {r["assessment_id"] for r in rows} == {str(mine.pk)} and len(rows) == 24
    assert next(r for r in rows if r["item_code"] == "1")["comment"] == "'=HYPERLINK(1)"
    assert json.loads(response["X-Export-Manifest"])["filters"] == {
        "instrument_key": "pemat-p",
        "assessor": "alice",
    }


def test_a_bad_filter_is_a_400_and_raters_get_403(api_as, curator, rater_physician):
    assert api_as(curator).get(f"{E}/instrument-scores.jsonl?status=lost").status_code == 400
    assert api_as(rater_physician).get(f"{E}/instrument-answers.jsonl").status_code == 403
