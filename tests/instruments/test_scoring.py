"""Scores by the instruments' own rules, checked against examples scored by hand (the derivation is in
each test): points ÷ items that are not N/A × 100, per scale, counting only confirmed answers."""

import pytest

from apps.instruments import selectors, services
from tests.instruments.conftest import answer, item, start

pytestmark = pytest.mark.django_db


def scores_of(assessment) -> dict:
    return {s.group.code: s.score for s in selectors.assessment_scores(assessment)}


def test_pemat_p_scores_understandability_and_actionability_apart_leaving_out_na(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    # Understandability, 17 items: Agree 1 2 5 6 7 10 (6 points); Disagree 3 4 12 15 (0);
    # N/A 8 9 11 16 17 18 19 (7 items left out) → 17 − 7 = 10 applicable → 6 / 10 = 60%.
    answer(
        assessment,
        curator,
        {
            **dict.fromkeys(["1", "2", "5", "6", "7", "10"], "agree"),
            **dict.fromkeys(["3", "4", "12", "15"], "disagree"),
            **dict.fromkeys(["8", "9", "11", "16", "17", "18", "19"], "na"),
            # Actionability, 7 items: Agree 20 21 (2); Disagree 22 23 26; N/A 24 25 → 2 / 5 = 40%.
            **dict.fromkeys(["20", "21"], "agree"),
            **dict.fromkeys(["22", "23", "26"], "disagree"),
            **dict.fromkeys(["24", "25"], "na"),
        },
    )
    scores = scores_of(assessment)
    understand, act = scores["understandability"], scores["actionability"]
    assert (understand.points, understand.applicable, understand.na, understand.items) == (6, 10, 7, 17)
    assert understand.percent == pytest.approx(60.0)
    assert (act.points, act.applicable, act.na, act.items) == (2, 5, 2, 7)
    assert act.percent == pytest.approx(40.0)
    assert understand.complete and act.complete


def test_the_cci_scores_points_over_applicable_items_and_item_17_counts_no_as_the_point(
    curator, cci, document
):
    assessment = start(curator, cci, document)
    answer(
        assessment,
        curator,
        {
            "I1": "Adults aged 45 to 75",  # introductory questions: never scored
            # Part A (11 items): yes 1 2 5 6 10 → 5 points; no 3 4 7 8 9 11.
            **dict.fromkeys(["1", "2", "5", "6", "10"], "yes"),
            **dict.fromkeys(["3", "4", "7", "8", "9", "11"], "no"),
            # Part B: yes 12 13, no 14 → 2 points.
            "12": "yes",
            "13": "yes",
            "14": "no",
            # Part C: 15 yes (1), 16 no (0), 17 "no" — the reader need not calculate — scores 1 → 2 points.
            "15": "yes",
            "16": "no",
            "17": "no",
            # Part D: no risk information → 18–20 N/A.
            **dict.fromkeys(["18", "19", "20"], "na"),
        },
    )
    # 5 + 2 + 2 = 9 points over 20 − 3 = 17 applicable items → 9 / 17 × 100 = 52.94.
    index = scores_of(assessment)["cci"]
    assert (index.points, index.applicable, index.na, index.items) == (9, 17, 3, 20)
    assert index.percent == pytest.approx(900 / 17)

    # Changing item 17 to "yes" (the reader must calculate) takes its point away: 8 / 17.
    services.answer_save(assessment=assessment, item=item(assessment, "17"), actor=curator, value="yes")
    assert scores_of(assessment)["cci"].percent == pytest.approx(800 / 17)


def test_a_scale_with_every_answer_na_has_no_score_rather_than_zero(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    answer(assessment, curator, dict.fromkeys(["24", "25"], "na"))
    act = scores_of(assessment)["actionability"]
    assert act.percent is None  # 0 applicable items: no score yet, not 0%
    assert (act.na, act.unanswered) == (2, 5)


def test_unanswered_items_and_unconfirmed_automatic_answers_do_not_count(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document, prefill=True)
    pending = {
        a.item.code: a.value for a in assessment.answers.filter(confirmed=False).select_related("item")
    }
    assert pending, "the rules pre-fill some items of this document"
    understand = scores_of(assessment)["understandability"]
    assert understand.applicable == 0 and understand.percent is None
    assert understand.unconfirmed == sum(1 for code in pending if int(code) <= 19)

    services.answer_confirm(assessment=assessment, item=item(assessment, "7"), actor=curator)
    understand = scores_of(assessment)["understandability"]
    assert understand.unconfirmed == sum(1 for code in pending if int(code) <= 19) - 1
    assert understand.applicable == 1 and understand.percent == (100.0 if pending["7"] == "agree" else 0.0)
