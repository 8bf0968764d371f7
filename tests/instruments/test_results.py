"""Results per document: original vs simplified side by side, the item breakdown, and agreement between
assessors (Krippendorff's α per scale with a BCa interval, n and method named)."""

import pytest
from django.urls import reverse

from apps.instruments import results, services
from tests.instruments.conftest import answer, answer_all, start

pytestmark = pytest.mark.django_db

UNDERSTANDABILITY_CODES = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "15",
    "16",
    "17",
    "18",
    "19",
]


def filled(user, instrument, document, side, agree: set[str]):
    """A submitted PEMAT-P assessment: `agree` items Agree, every other item Disagree."""
    assessment = start(user, instrument, document, side=side)
    answer_all(assessment, user, value_for=lambda it: "agree" if it.code in agree else "disagree")
    return services.assessment_submit(assessment=assessment, actor=user)


def test_original_and_simplified_side_by_side_with_means_of_submitted_assessments(
    curator, other_curator, pemat_p, document
):
    filled(curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:5]))  # 5/17
    filled(other_curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:7]))  # 7/17
    filled(
        curator, pemat_p, document, "simplified", agree=set(UNDERSTANDABILITY_CODES[:15]) | {"20"}
    )  # 15/17
    draft = start(other_curator, pemat_p, document, side="simplified")
    answer(draft, other_curator, {"1": "disagree"})  # a draft is listed but not averaged

    [result] = results.document_results(document, curator)
    rows = {row["scale"]: row for row in result.side_by_side}
    understand = rows["understandability"]
    assert understand["original"] == pytest.approx(100 * 6 / 17)  # mean of 5/17 and 7/17
    assert (understand["original_n"], understand["simplified_n"]) == (2, 1)
    assert understand["simplified"] == pytest.approx(100 * 15 / 17)
    assert understand["difference"] == pytest.approx(100 * 9 / 17)
    assert rows["actionability"]["simplified"] == pytest.approx(100 / 7)
    item_1 = next(row for row in result.items if row.item.code == "1")
    assert (item_1.original, item_1.simplified) == (["Agree", "Agree"], ["Agree"])


def test_agreement_per_scale_names_n_and_method_and_needs_two_submitted_assessments(
    curator, other_curator, pemat_p, document
):
    filled(curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:9]) | {"20", "21"})
    filled(
        other_curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:8]) | {"20", "22"}
    )
    filled(curator, pemat_p, document, "simplified", agree={"1"})

    [result] = results.document_results(document, curator)
    [original] = result.subjects["original"]
    alpha = {a.scale: a.estimate for a in original.agreement}
    # Understandability: the two assessors differ on one of 17 items (item 9).
    assert alpha["understandability"].n_items == 17 and alpha["understandability"].n_ratings == 34
    assert alpha["understandability"].value is not None and 0.7 < alpha["understandability"].value < 1
    assert alpha["understandability"].seed == results.AGREEMENT_SEED
    assert alpha["actionability"].n_items == 7
    [simplified] = result.subjects["simplified"]
    assert simplified.agreement == []  # one submitted assessment: no agreement to compute
    assert "Krippendorff's α, nominal" in results.AGREEMENT_METHOD and "BCa" in results.AGREEMENT_METHOD


def test_an_assessment_of_an_earlier_text_is_shown_apart(curator, pemat_p, document):
    filled(curator, pemat_p, document, "original", agree={"1"})
    segment = document.segments.get(position=2)
    segment.original = "Colorectal cancer is common."
    segment.version += 1
    segment.save()
    [result] = results.document_results(document, curator)
    [earlier] = result.subjects["original"]
    assert not earlier.current
    assert result.side_by_side[0]["original"] is None  # the current text has no assessment yet


def test_the_results_page_shows_scores_side_by_side_and_agreement(
    client, curator, other_curator, pemat_p, document
):
    filled(curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:9]))
    filled(other_curator, pemat_p, document, "original", agree=set(UNDERSTANDABILITY_CODES[:8]))
    filled(curator, pemat_p, document, "simplified", agree=set(UNDERSTANDABILITY_CODES))
    client.force_login(curator)
    page = client.get(reverse("instruments:document_results", args=[document.pk])).content.decode()
    assert "Simplified − original" in page and "n = 2" in page and "n = 1" in page
    assert "100%" in page  # simplified understandability: 17 of 17
    assert "Krippendorff&#x27;s α" in page and "95% BCa interval" in page and "n items" in page
    assert "≥ 70% is the usual reading" in page
