"""POST /api/v1/metrics/: SARI (both definitions), BLEU, readability of posted simplifications; curators only;
each bad item named; nothing stored unless asked."""

import pytest

from apps.core.roles import CURATE
from apps.metrics import api as metrics_api
from apps.metrics.models import TextScore
from apps.metrics.readability import readability_scores
from apps.metrics.sari import bleu_corpus, sari, sari_corpus

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/"
SOURCES = [
    "Do not take more than 4 grams of acetaminophen in 24 hours.",
    "Screening should begin at age 45 for people at average risk.",
]
PREDICTIONS = ["Never take more than 4 grams in a day.", "Start screening at 45."]
REFERENCES = [
    ["Never take more than 4 grams in one day."],
    ["Start screening at 45 if your risk is average."],
]


def test_a_curator_gets_both_sari_definitions_bleu_and_readability_each_named(api_as, curator):
    response = api_as(curator).post(
        URL, {"sources": SOURCES, "predictions": PREDICTIONS, "references": REFERENCES}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["n"] == 2 and body["stored"] is False
    first = body["items"][0]
    assert first["sari"] == pytest.approx(sari(SOURCES[0], PREDICTIONS[0], REFERENCES[0]).sari)
    assert first["readability"]["prediction"] == readability_scores(PREDICTIONS[0])
    assert first["readability"]["source"] == readability_scores(SOURCES[0])
    corpus = body["corpus"]
    assert corpus["sari_corpus"] == pytest.approx(sari_corpus(SOURCES, PREDICTIONS, REFERENCES).sari)
    assert corpus["bleu_corpus"] == pytest.approx(bleu_corpus(PREDICTIONS, REFERENCES))
    assert corpus["sari_mean"] == pytest.approx(sum(item["sari"] for item in body["items"]) / 2)
    assert "Hugging Face evaluate" in body["definitions"]["sari"]
    assert "EASSE" in body["definitions"]["sari_corpus"] and "13a" in body["definitions"]["sari_corpus"]
    assert TextScore.objects.count() == 0  # nothing stored unless asked


def test_store_true_keeps_the_readability_scores_in_the_cache(api_as, curator):
    body = {"sources": SOURCES, "predictions": PREDICTIONS, "references": REFERENCES, "store": True}
    assert api_as(curator).post(URL, body, format="json").status_code == 200
    assert TextScore.objects.count() == 4


def test_a_bad_item_is_named_by_field_and_index(api_as, curator):
    body = {
        "sources": [SOURCES[0], "   "],
        "predictions": PREDICTIONS,
        "references": [REFERENCES[0], []],
    }
    response = api_as(curator).post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"sources[1]", "references[1]"}
    assert "sources[1]" in response.json()["detail"]


def test_a_text_over_the_readability_limit_is_refused_naming_the_item(api_as, curator):
    body = {"sources": SOURCES, "predictions": [PREDICTIONS[0], "word " * 4001], "references": REFERENCES}
    response = api_as(curator).post(URL, body, format="json")
    assert response.status_code == 400
    assert "20,005" in response.json()["errors"]["predictions[1]"][0]


def test_different_numbers_of_references_are_refused_for_corpus_sari(api_as, curator):
    body = {"sources": SOURCES, "predictions": PREDICTIONS, "references": [REFERENCES[0], REFERENCES[1] * 2]}
    response = api_as(curator).post(URL, body, format="json")
    assert response.status_code == 400
    assert "same number of references" in response.json()["errors"]["references[1]"][0]


def test_lists_of_different_lengths_are_refused(api_as, curator):
    body = {"sources": SOURCES, "predictions": PREDICTIONS[:1], "references": REFERENCES}
    response = api_as(curator).post(URL, body, format="json")
    assert response.status_code == 400
    assert "1 predictions" in response.json()["errors"]["predictions"][0]


def test_too_many_items_are_refused(api_as, curator):
    n = metrics_api.METRICS_MAX_ITEMS + 1
    body = {"sources": ["a"] * n, "predictions": ["a"] * n, "references": [["a"]] * n}
    response = api_as(curator).post(URL, body, format="json")
    assert response.status_code == 400
    assert "at most 1,000" in response.json()["errors"]["sources"][0]


def test_raters_are_refused(api_as, rater_physician):
    body = {"sources": SOURCES, "predictions": PREDICTIONS, "references": REFERENCES}
    assert api_as(rater_physician).post(URL, body, format="json").status_code == 403


def test_the_permission_named_here_is_the_curator_role(curator):
    assert metrics_api.CURATE_PERMISSION == CURATE and curator.has_perm(metrics_api.CURATE_PERMISSION)
