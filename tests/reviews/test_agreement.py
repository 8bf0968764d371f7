"""Agreement statistics against worked examples."""

import numpy as np
import pytest
from scipy import stats

from apps.reviews import agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units,
# nominal data with missing values; the paper gives alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def units_of(observers):
    return [[row[unit] for row in observers if row[unit] is not None] for unit in range(len(observers[0]))]


def test_krippendorff_published_nominal_example():
    alpha = agreement.krippendorff_alpha(units_of(KRIPPENDORFF_2011), [1, 2, 3, 4, 5], "nominal")
    assert round(alpha, 3) == 0.743


def test_vectorised_alpha_used_for_resamples_equals_the_package():
    units = units_of(KRIPPENDORFF_2011)
    pairable = [u for u in units if len(u) >= 2]
    counts = agreement.value_counts(pairable, [1, 2, 3, 4, 5])
    assert agreement.alpha_from_counts(counts, "nominal") == pytest.approx(0.743421, abs=1e-6)
    rng = np.random.default_rng(5)
    for _ in range(30):
        k = int(rng.integers(2, 6))
        units = [
            list(rng.integers(0, k, size=int(rng.integers(2, 6)))) for _ in range(int(rng.integers(4, 30)))
        ]
        for level in ("nominal", "ordinal"):
            expected = agreement.krippendorff_alpha(units, list(range(k)), level)
            if expected is None:
                continue
            got = agreement.alpha_from_counts(agreement.value_counts(units, list(range(k))), level)
            assert got == pytest.approx(expected, abs=1e-9)


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
