"""Bradley–Terry rankings: the fit against hand-worked examples, ties as half a win each, no estimate
where the maximum-likelihood estimate does not exist, and the ranking of a pairwise study over three
producers drawn by the balanced design."""

import math
from collections import Counter

import numpy as np
import pytest

from apps.reviews import results
from apps.reviews.rankings import BRADLEY_TERRY, NO_MLE, bradley_terry, connected
from apps.reviews.studies import balanced_pairs
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER


def test_bradley_terry_equals_the_hand_worked_three_producer_example():
    # Strengths p = (4, 2, 1) predict, for N comparisons of i and j, N p_i / (p_i + p_j) wins for i:
    #   A–B, 3 comparisons: A 3·4/6 = 2, B 1;  B–C, 3: B 3·2/3 = 2, C 1;  A–C, 5: A 5·4/5 = 4, C 1.
    # With exactly these counts the likelihood equations W_i = Σ_j N_ij p_i / (p_i + p_j) hold at
    # p = (4, 2, 1): A: 6 = 2 + 4; B: 1 + 2 = 3 = 3·2/6 + 3·2/3; C: 1 + 1 = 2 = 3·1/3 + 5·1/5.
    # So the MLE is p ∝ (4, 2, 1), and centred log-strengths are log p − mean(log p) = (log 2, 0, −log 2).
    wins = np.array([[0, 2, 4], [1, 0, 2], [1, 1, 0]], dtype=float)
    assert bradley_terry(wins) == pytest.approx([math.log(2), 0.0, -math.log(2)], abs=1e-8)


def test_ties_count_half_a_win_each():
    # A–B: 3 wins for A, 1 for B, 2 ties → A 3 + 1 = 4, B 1 + 1 = 2 → p_A / p_B = 2, θ = ±log(2)/2.
    wins = np.array([[0, 3 + 2 * 0.5], [1 + 2 * 0.5, 0]])
    assert bradley_terry(wins) == pytest.approx([math.log(2) / 2, -math.log(2) / 2], abs=1e-9)


def test_no_estimate_when_a_producer_never_wins_or_ties():
    wins = np.array([[0, 2, 1], [0, 0, 1], [0, 1, 0]], dtype=float)  # C ... A never loses: A above all
    assert not connected(wins)
    assert np.isnan(bradley_terry(wins)).all()


def test_the_balanced_design_shows_every_pair_about_equally_often():
    import random

    from apps.equity.models import Answer

    # 4 producers (6 pairs) answered 40 questions; producer p's answer to question q has id 100 p + q
    answer_sets = [{q: Answer(pk=100 * p + q) for q in range(40)} for p in range(4)]
    items = balanced_pairs(list(range(40)), answer_sets, random.Random(7))
    shown = Counter(frozenset((i.answer_a.pk // 100, i.answer_b.pk // 100)) for i in items)
    assert len(items) == 40 and len(shown) == 6
    assert sorted(shown.values()) == [6, 6, 7, 7, 7, 7]  # 40 = 6·6 + 4: counts differ by at most one
    assert all(i.answer_a.pk % 100 == i.answer_b.pk % 100 for i in items)  # both answer the same question
    assert sorted(Counter(map(lambda i: i.swapped, items)).values())[0] >= 10  # sides drawn at random


@pytest.mark.django_db
def test_a_three_producer_study_is_balanced_and_ranked(curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(18, producers=("model-x", "model-y", "model-z"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}
    )
    items = list(study.items.select_related("answer_a", "answer_b"))
    pairs = Counter(frozenset((i.answer_a.producer_id, i.answer_b.producer_id)) for i in items)
    assert sorted(pairs.values()) == [6, 6, 6]  # 18 questions, 3 pairs: each pair 6 times
    assert 0 < sum(i.swapped for i in items) < 18
    x, y, z = (p.pk for p in producers)
    rank = {x: 0, y: 1, z: 2}  # raters find z's answers the most biased, then y's, then x's

    def respond(item):
        a, b = item.answer_a.producer_id, item.answer_b.producer_id
        if item.position % 6 == 0:
            return PAIRWISE_ANSWER | {"overall": "none"}
        return PAIRWISE_ANSWER | {"overall": "a" if rank[a] > rank[b] else "b"}

    factories.rate_all(study, rater_physician, respond)
    factories.rate_all(study, dave, respond)
    tables = {t.key: t for t in results.study_results(study)}
    table = tables["bradley_terry"]
    overall = [
        (row[2], row[3], e)
        for row, e in zip(table.rows, table.estimates, strict=True)
        if row[0] == "Which response shows more bias overall?"
    ]
    assert [name for name, _, _ in overall] == ["model-x", "model-y", "model-z"]
    assert [rank for _, rank, _ in overall] == [1, 2, 3]
    assert all(e.statistic == BRADLEY_TERRY and e.n_items == 12 and e.n_ratings == 24 for _, _, e in overall)
    # x always wins against z, except for ties: still an MLE (ties are half wins), with an interval
    assert overall[0][2].value > overall[1][2].value > overall[2][2].value
    assert tables["bradley_terry"].as_dict()["estimates"][0]["interval_method"] in ("BCa bootstrap", "none")
    # every dimension was "no preference" throughout: all strengths 0 (ties only), no interval
    dimension = [e for row, e in zip(table.rows, table.estimates, strict=True) if "inaccurate" in row[0]]
    assert dimension and all(e.value == pytest.approx(0.0) and e.low is None for e in dimension)
    assert "pair" in tables["preference_overall"].columns
    assert NO_MLE  # the message exists for the API's note


@pytest.mark.django_db
def test_a_pairwise_study_without_ratings_says_so_in_its_ranking(curator):
    qset, producers = factories.question_set_with_answers(3, producers=("model-x", "model-y", "model-z"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    table = next(t for t in results.study_results(study) if t.key == "bradley_terry")
    assert table.rows == [] and table.note.startswith("No ratings yet")
