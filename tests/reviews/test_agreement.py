"""Agreement statistics against worked examples.

Krippendorff's alpha is held to the worked example of Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability" (section C, and its ordinal, interval and ratio variants), at every level of
measurement the product offers, and to the `krippendorff` package on random data; Randolph's kappa to a
hand computation.
"""

from fractions import Fraction as F

import numpy as np
import pytest
from scipy import stats

from apps.reviews import agreement

# Krippendorff (2011), section C: 4 observers × 12 units, values 1–5 with missing values. The paper
# gives alpha = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval) and 0.797 (ratio) for these data.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
VALUES = [1, 2, 3, 4, 5]
# The paper's coincidence matrix o_ck (each unit u with m_u values adds 1/(m_u - 1) for every ordered
# pair of its values; unit 12, rated once, adds nothing). E.g. unit 6 holds 1, 2, 3, 4 (m = 4): it adds
# 1/3 to o_12, o_13, o_14, o_23, ... ; units 1, 8 and 9 hold 1,1,1 / 1,1,2,1 / 2,2,2,2 and so on.
PAPER_COINCIDENCES = [
    [7, F(4, 3), F(1, 3), F(1, 3), 0],
    [F(4, 3), 10, F(4, 3), F(1, 3), 0],
    [F(1, 3), F(4, 3), 8, F(1, 3), 0],
    [F(1, 3), F(1, 3), F(1, 3), 4, 0],
    [0, 0, 0, 0, 3],
]
PAPER_TOTALS = [9, 13, 10, 5, 3]  # n_c, the row sums; n = 40 pairable values
PAPER_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def units_of(observers):
    return [[row[unit] for row in observers if row[unit] is not None] for unit in range(len(observers[0]))]


def paper_alpha(delta, values=VALUES) -> F:
    """alpha = 1 - (n - 1) * sum_ck o_ck delta2_ck / sum_ck n_c n_k delta2_ck, from the paper's own
    coincidences and totals (exact fractions): the hand computation the product is checked against."""
    n = sum(PAPER_TOTALS)
    k = range(len(values))
    observed = sum(PAPER_COINCIDENCES[c][g] * delta(c, g, values) for c in k for g in k)
    expected = sum(PAPER_TOTALS[c] * PAPER_TOTALS[g] * delta(c, g, values) for c in k for g in k)
    return 1 - (n - 1) * F(observed) / F(expected)


def nominal(c, g, values):
    return 0 if c == g else 1


def ordinal(c, g, values):
    # delta2_cg = (sum of n_h for h from c to g, minus (n_c + n_g) / 2)^2, e.g. delta2_12 = (9/2 + 13/2)^2
    # = 121 and delta2_13 = (9/2 + 13 + 10/2)^2 = 506.25 (Krippendorff 2011, ordinal metric)
    low, high = min(c, g), max(c, g)
    return (sum(PAPER_TOTALS[low : high + 1]) - F(PAPER_TOTALS[c] + PAPER_TOTALS[g], 2)) ** 2


def interval(c, g, values):
    return F(values[c] - values[g]) ** 2  # e.g. delta2_15 = (1 - 5)^2 = 16


def ratio(c, g, values):
    # ((v_c - v_g) / (v_c + v_g))^2, e.g. delta2_12 = (-1/3)^2 = 1/9, delta2_15 = (-4/6)^2 = 4/9
    total = values[c] + values[g]
    return F(values[c] - values[g], total) ** 2 if total else F(0)


METRICS = {"nominal": nominal, "ordinal": ordinal, "interval": interval, "ratio": ratio}


def test_coincidences_equal_the_published_matrix():
    pairable = [u for u in units_of(KRIPPENDORFF_2011) if len(u) >= 2]
    coincidences = agreement.coincidence_matrix(agreement.value_counts(pairable, VALUES))
    assert coincidences == pytest.approx(np.array(PAPER_COINCIDENCES, dtype=float), abs=1e-12)
    assert coincidences.sum(axis=1) == pytest.approx(PAPER_TOTALS)


@pytest.mark.parametrize("level", list(PAPER_ALPHA))
def test_krippendorff_2011_worked_example_at_every_level(level):
    # By hand from the paper's matrix (n = 40, n - 1 = 39):
    #   nominal:  sum o_ck (c != k) = 40 - 32 = 8; sum n_c n_k (c != k) = 1600 - 384 = 1216;
    #             alpha = 1 - 39 * 8 / 1216 = 113/152 = 0.7434
    #   ordinal:  sum o delta2 = 1891, sum n n delta2 = 399480; alpha = 1 - 39 * 1891 / 399480 = 0.8154
    #   interval: sum o delta2 = 52/3, sum n n delta2 = 4480; alpha = 1 - 39 * (52/3) / 4480 = 951/1120
    #             = 0.8491
    #   ratio:    sum o delta2 = 59357/66150, sum n n delta2 = 4570493/26460; alpha = 0.7974
    by_hand = paper_alpha(METRICS[level])
    assert round(float(by_hand), 3) == PAPER_ALPHA[level], "the hand computation reproduces the paper"
    assert {"nominal": F(113, 152), "interval": F(951, 1120)}.get(level, by_hand) == by_hand
    units = units_of(KRIPPENDORFF_2011)
    package = agreement.krippendorff_alpha(units, VALUES, level)
    assert package == pytest.approx(float(by_hand), abs=1e-12)
    pairable = [u for u in units if len(u) >= 2]
    vectorised = agreement.alpha_from_counts(agreement.value_counts(pairable, VALUES), level, VALUES)
    assert vectorised == pytest.approx(float(by_hand), abs=1e-12)
    estimate = agreement.alpha_estimate(units, VALUES, level, seed=2011)
    assert estimate.value == pytest.approx(float(by_hand), abs=1e-12)
    assert (estimate.n_items, estimate.n_ratings, estimate.n_items_left_out) == (11, 40, 1), (
        "unit 12 has one value: left out, and counted"
    )


def test_interval_and_ratio_alpha_use_the_values_not_their_positions():
    # The same data coded on unevenly spaced values 1, 2, 4, 8, 16 (a 1–5 code mapped to doses, say):
    # the coincidences do not change, the distances do. By hand with delta2 = (v_c - v_k)^2 and
    # ((v_c - v_k)/(v_c + v_k))^2 over the paper's matrix: interval sum o delta2 = 260/3, sum n n delta2 =
    # 51582, alpha = 1 - 39 * (260/3) / 51582 = 24101/25791 ≈ 0.9345; ratio alpha ≈ 0.8254. Coding the
    # categories as 0-based indices instead would give 0.8491 and 0.7342.
    uneven = [1, 2, 4, 8, 16]
    recode = dict(zip(VALUES, uneven, strict=True))
    units = [[recode[v] for v in u] for u in units_of(KRIPPENDORFF_2011)]
    pairable = [u for u in units if len(u) >= 2]
    for level in ("interval", "ratio"):
        by_hand = float(paper_alpha(METRICS[level], uneven))
        assert agreement.krippendorff_alpha(units, uneven, level) == pytest.approx(by_hand, abs=1e-12)
        vectorised = agreement.alpha_from_counts(agreement.value_counts(pairable, uneven), level, uneven)
        assert vectorised == pytest.approx(by_hand, abs=1e-12)
        assert abs(by_hand - float(paper_alpha(METRICS[level], [0, 1, 2, 3, 4]))) > 0.01
    assert paper_alpha(interval, uneven) == 1 - 39 * F(260, 3) / 51582 == F(24101, 25791)
    # Ratio alpha is not shift-invariant: on the paper's values 1–5 it is 0.797, on indices 0–4 0.734.
    assert round(float(paper_alpha(ratio, [0, 1, 2, 3, 4])), 3) == 0.734


def test_levels_that_do_not_apply_are_refused_with_the_reason():
    labels = [["none", "minor"], ["minor", "minor"], ["none", "none"]]
    with pytest.raises(agreement.LevelError, match='ratio alpha needs numeric values.*use "nominal"'):
        agreement.alpha_estimate(labels, ["none", "minor", "severe"], "ratio", seed=1)
    with pytest.raises(agreement.LevelError, match="interval alpha needs numeric values"):
        agreement.krippendorff_alpha(labels, ["none", "minor", "severe"], "interval")
    with pytest.raises(agreement.LevelError, match="true zero.*from -2 to 2"):
        agreement.krippendorff_alpha([[-2, 1], [0, 0]], [-2, -1, 0, 1, 2], "ratio")
    with pytest.raises(agreement.LevelError, match="not a level of measurement"):
        agreement.krippendorff_alpha([[1, 2]], [1, 2], "cardinal")
    assert agreement.krippendorff_alpha([[-2, 1], [0, 0], [2, 2]], [-2, -1, 0, 1, 2], "interval") is not None


def test_vectorised_alpha_used_for_resamples_equals_the_package():
    units = units_of(KRIPPENDORFF_2011)
    pairable = [u for u in units if len(u) >= 2]
    counts = agreement.value_counts(pairable, [1, 2, 3, 4, 5])
    assert agreement.alpha_from_counts(counts, "nominal") == pytest.approx(0.743421, abs=1e-6)
    rng = np.random.default_rng(5)
    for _ in range(30):
        k = int(rng.integers(2, 6))
        # unevenly spaced, unsorted numeric values, so interval and ratio distances depend on them
        values = [float(v) for v in rng.permutation(rng.choice(np.arange(0, 40), size=k, replace=False))]
        units = [
            [values[int(i)] for i in rng.integers(0, k, size=int(rng.integers(2, 6)))]
            for _ in range(int(rng.integers(4, 30)))
        ]
        for level in agreement.LEVELS:
            categories = sorted(values) if level == "ordinal" else values
            expected = agreement.krippendorff_alpha(units, categories, level)
            if expected is None:
                continue
            counts = agreement.value_counts(units, categories)
            got = agreement.alpha_from_counts(counts, level, categories)
            assert got == pytest.approx(expected, abs=1e-9), level


def test_randolph_kappa_hand_computed():
    # Three items, three raters, categories a/b/c:
    #   [a, a, a] → 6 of 6 ordered rater pairs agree → 1
    #   [a, a, b] → 2 of 6 → 1/3
    #   [a, b, c] → 0 of 6 → 0
    # P_o = (1 + 1/3 + 0) / 3 = 4/9, P_e = 1/3, kappa = (4/9 - 1/3) / (1 - 1/3) = 1/6.
    units = [["a", "a", "a"], ["a", "a", "b"], ["a", "b", "c"]]
    estimate = agreement.kappa_estimate(units, ["a", "b", "c"], seed=1)
    assert estimate.value == pytest.approx(1 / 6)
    assert (estimate.n_items, estimate.n_ratings) == (3, 9)


def test_single_rated_items_are_left_out_of_agreement():
    units = [["a", "a"], ["a", "b"], ["b"], ["a", "a"]]
    estimate = agreement.kappa_estimate(units, ["a", "b"], seed=1)
    assert estimate.n_items == 3 and estimate.n_ratings == 6


def test_bca_rate_interval_equals_scipy_with_the_same_seed():
    hits = np.array([0, 1, 2, 3, 1, 0, 2, 3, 3, 1, 0, 2], dtype=float)
    totals = np.full(12, 3.0)
    estimate = agreement.rate_estimate(list(hits), list(totals), seed=42)
    reference = stats.bootstrap(
        (hits, totals),
        lambda h, t, axis=-1: h.sum(axis=axis) / t.sum(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=1000,
        confidence_level=0.95,
        method="BCa",
        random_state=np.random.default_rng(42),
    )
    assert estimate.value == pytest.approx(hits.sum() / totals.sum())
    assert estimate.low == pytest.approx(reference.confidence_interval.low)
    assert estimate.high == pytest.approx(reference.confidence_interval.high)
    assert estimate.low < estimate.value < estimate.high
    assert estimate.seed == 42 and estimate.n_items == 12 and estimate.n_ratings == 36


def test_alpha_interval_equals_scipy_resampling_items_with_the_package():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, size=40)
    units = [[int(t) if rng.random() < 0.7 else int(rng.integers(0, 3)) for _ in range(3)] for t in truth]
    estimate = agreement.alpha_estimate(units, [0, 1, 2], "nominal", seed=9)
    counts = agreement.value_counts(units, [0, 1, 2])
    # The reference recomputes every resample with the krippendorff package itself (slow, exact).
    import krippendorff

    def package_alpha(index):
        chosen = counts[index.astype(int)]
        reliability = []
        for row in chosen:
            reliability.append([c for c, n in enumerate(row) for _ in range(int(n))])
        width = max(len(r) for r in reliability)
        matrix = np.full((width, len(reliability)), np.nan)
        for column, values in enumerate(reliability):
            matrix[: len(values), column] = values
        return krippendorff.alpha(
            reliability_data=matrix, level_of_measurement="nominal", value_domain=[0, 1, 2]
        )

    reference = stats.bootstrap(
        (np.arange(len(units), dtype=float),),
        package_alpha,
        vectorized=False,
        n_resamples=1000,
        method="BCa",
        random_state=np.random.default_rng(9),
    )
    assert estimate.low == pytest.approx(reference.confidence_interval.low, abs=1e-9)
    assert estimate.high == pytest.approx(reference.confidence_interval.high, abs=1e-9)
    assert estimate.low < estimate.value < estimate.high


def test_no_variation_gives_no_alpha_but_says_why():
    estimate = agreement.alpha_estimate([["a", "a"], ["a", "a"]], ["a", "b"], "nominal", seed=1)
    assert estimate.value is None and "identical" in estimate.note
