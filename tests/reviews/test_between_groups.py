"""Agreement between rater groups equals a hand computation: each group's majority per item, ties and
items one group did not rate left out and counted, the agreement rate and Cohen's kappa of the two
majority labellings — and a single group gets no rows, only a note saying why."""

import pytest

from apps.reviews.between_groups import AGREEMENT_RATE, majority
from apps.reviews.cohen import COHEN
from apps.reviews.results import study_between_groups
from tests.factories import make_rater
from tests.reviews import factories

pytestmark = pytest.mark.django_db
BIAS = "Is there bias in this answer?"
OTHER = "Which kinds of bias are present?: Other"

# Each rater's bias answer on the items of questions 1..4 ("other" ticked whenever there is bias).
ANSWERS = {
    "bob": ["none", "minor", "severe", "none"],  # physicians' majority: none, minor, (tie), none
    "dave": ["none", "minor", "minor", "none"],
    "carol": ["none", "none", "minor", "minor"],  # consumers' majority: none, (tie), minor, minor
    "cora": ["none", "minor", "minor", "minor"],
}


def _respond(username):
    def respond(item):
        bias = ANSWERS[username][item.answer_a.question.position - 1]
        return {"bias": bias} | ({"dimensions": ["other"]} if bias != "none" else {})

    return respond


def _rows(table):
    return {tuple(row[:3]): estimate for row, estimate in zip(table.rows, table.estimates, strict=True)}


def test_majority_is_a_plurality_and_a_tie_has_none():
    assert majority(["a", "a", "b"]) == "a"
    assert majority(["a", "b"]) is None
    assert majority(["a", "b", "b", "c"]) == "b"
    assert majority([]) is None


def test_agreement_between_two_groups_equals_the_hand_computation(curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(4, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 2}
    )
    raters = {"bob": rater_physician, "dave": dave}
    raters |= {name: make_rater(name, "consumer") for name in ("carol", "cora")}
    for name, rater in raters.items():
        factories.rate_all(study, rater, _respond(name))
    [table] = study_between_groups(study)
    rows = _rows(table)
    groups = {pair for _, pair, _ in rows}
    assert len(groups) == 1 and " vs " in next(iter(groups))
    pair = next(iter(groups))

    # Bias: items 2 and 3 have a tie in one group; of items 1 and 4 the majorities agree on item 1 only.
    rate, kappa = rows[(BIAS, pair, AGREEMENT_RATE)], rows[(BIAS, pair, COHEN)]
    assert (rate.value, rate.n_items, rate.n_ratings, rate.n_items_left_out) == (0.5, 2, 8, 2)
    assert "2 with a tie for the majority in a group" in rate.left_out_reason
    # p_o = 1/2; physicians say "none" on both, consumers "none" once: p_e = 1 · 1/2; kappa = 0.
    assert kappa.value == pytest.approx(0.0) and kappa.n_items == 2

    # "Other" ticked: majorities F,T,T,F against F,(tie),T,T — items 1, 3, 4 compared, two agree.
    rate, kappa = rows[(OTHER, pair, AGREEMENT_RATE)], rows[(OTHER, pair, COHEN)]
    assert rate.value == pytest.approx(2 / 3) and (rate.n_items, rate.n_items_left_out) == (3, 1)
    # p_o = 2/3; p_e = 2/3 · 1/3 + 1/3 · 2/3 = 4/9; kappa = (2/3 − 4/9) / (5/9) = 2/5.
    assert kappa.value == pytest.approx(0.4)
    assert table.seed == study.seed and all(e.seed == study.seed for e in table.estimates)


def test_one_rater_group_gets_a_note_and_no_rows(curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(2, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}
    )
    for name, rater in {"bob": rater_physician, "dave": dave}.items():
        factories.rate_all(study, rater, _respond(name))
    [table] = study_between_groups(study)
    assert table.rows == [] and "at least two rater groups" in table.note
