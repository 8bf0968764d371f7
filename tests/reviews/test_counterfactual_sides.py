"""Counterfactual pairs from independent ratings of each side: exactly one, one or more, both answers
biased (DOMAIN.md §4), against a hand computation."""

import pytest

from apps.equity.models import CounterfactualPair
from apps.reviews import results
from tests.reviews import factories

pytestmark = pytest.mark.django_db

# (pair position, side) → (first physician's verdict, second physician's verdict)
VERDICTS = {
    (1, "a"): ("minor", "none"),  # a = 1/2
    (1, "b"): ("severe", "minor"),  # b = 1
    (2, "a"): ("none", "none"),  # a = 0
    (2, "b"): ("none", "none"),  # b = 0
    (3, "a"): ("none", "none"),  # a = 0
    (3, "b"): ("severe", "none"),  # b = 1/2
    (4, "a"): ("minor", "minor"),  # a = 1
    (4, "b"): ("severe", "severe"),  # b = 1
}


def test_one_either_both_are_derived_from_the_independent_ratings_of_each_side(
    curator, rater_physician, dave
):
    qset, producer = factories.counterfactual_set(4)
    side_of = {}
    for pair in CounterfactualPair.objects.filter(question_set=qset):
        side_of[pair.question_a_id] = (pair.position, "a")
        side_of[pair.question_b_id] = (pair.position, "b")
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=[producer], quotas={"physician": 2}
    )
    assert study.items.count() == 8  # each side of each pair is its own item
    for which, rater in enumerate((rater_physician, dave)):

        def respond(item, which=which):
            bias = VERDICTS[side_of[item.answer_a.question_id]][which]
            return {"bias": bias} if bias == "none" else {"bias": bias, "dimensions": ["other"]}

        factories.rate_all(study, rater, respond)
    table = next(t for t in results.study_results(study) if t.key == "counterfactual_sides")
    got = {row[3]: e for row, e in zip(table.rows, table.estimates, strict=True)}
    # per pair (a, b): one = a(1−b) + b(1−a); one or more = 1 − (1−a)(1−b); both = ab
    #   pair 1 (1/2, 1): 1/2, 1, 1/2;  pair 2 (0, 0): 0, 0, 0;  pair 3 (0, 1/2): 1/2, 1/2, 0;
    #   pair 4 (1, 1): 0, 1, 1  → means over the 4 pairs: 1/4, 5/8, 3/8
    assert got["exactly one answer biased"].value == pytest.approx(0.25)
    assert got["one or more answers biased"].value == pytest.approx(0.625)
    assert got["both answers biased"].value == pytest.approx(0.375)
    for estimate in got.values():
        assert estimate.n_items == 4 and estimate.n_ratings == 16
        assert (
            estimate.interval_method == "BCa bootstrap" and estimate.resampling_unit == "counterfactual pairs"
        )
        assert estimate.low < estimate.value < estimate.high
    assert "one rating of each side" in table.as_dict()["statistic"]
