"""Intervals: each named by its method, never zero-width, undefined resamples counted, seeds used whole."""

import krippendorff
import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtr, ndtri

from apps.reviews import agreement, intervals


def ratio_statistic(hits, totals, axis=-1):
    return hits.sum(axis=axis) / totals.sum(axis=axis)


def scipy_bca(data, statistic, seed, **options):
    return stats.bootstrap(
        data,
        statistic,
        n_resamples=1000,
        confidence_level=0.95,
        method="BCa",
        random_state=np.random.default_rng(seed),
        **options,
    )


def test_clopper_pearson_at_zero_and_n_is_the_exact_bound():
    # 0 of 60 ratings over 20 items: the bootstrap has no spread. Clopper–Pearson with n = 20 items: the
    # upper bound solves P(X = 0 | p) = (1 - p)^20 = 0.025, so p = 1 - 0.025^(1/20) = 0.16843; lower 0.
    estimate = agreement.rate_estimate([0] * 20, [3] * 20, seed=1)
    assert estimate.value == 0.0 and estimate.low == 0.0
    assert estimate.high == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-12)
    assert estimate.high == pytest.approx(0.16843, abs=1e-5)
    assert estimate.interval_method == "Clopper–Pearson" and estimate.n_resamples is None
    assert estimate.note == "0 of 60 ratings: exact interval over 20 items."
    # 60 of 60: mirrored, lower bound 0.025^(1/20) = 0.83157.
    full = agreement.rate_estimate([3] * 20, [3] * 20, seed=1)
    assert (full.low, full.high) == (pytest.approx(0.025 ** (1 / 20), abs=1e-12), 1.0)
    # Away from the ends the formula is scipy's exact binomial interval.
    for x, n in ((0, 5), (3, 17), (17, 17), (1, 1)):
        exact = stats.binomtest(x, n).proportion_ci(method="exact")
        assert intervals.clopper_pearson(x, n) == pytest.approx((exact.low, exact.high), abs=1e-12)


def test_no_zero_width_interval_is_ever_reported():
    # Every item 1 of 3: every resample's pooled rate is exactly 1/3, so a bootstrap "interval" would be
    # [1/3, 1/3]; not 0 or 1, so no exact binomial bound applies either: no interval, and the note says why.
    same = agreement.rate_estimate([1] * 12, [3] * 12, seed=1)
    assert same.value == pytest.approx(1 / 3) and same.low is None and same.high is None
    assert same.interval_method == "none" and "every item has the same rate (0.333)" in same.note
    # A study rated all "none": kappa = 1 on every item, the same in every resample: no interval.
    unanimous = agreement.kappa_estimate([["none"] * 3] * 10, ["none", "minor", "severe"], seed=1)
    assert unanimous.value == 1.0 and (unanimous.low, unanimous.high) == (None, None)
    assert unanimous.interval_method == "none" and "same ratings" in unanimous.note
    # Mean scores of 5 everywhere: never Clopper–Pearson (not a proportion), no interval.
    scores = agreement.mean_estimate([10] * 6, [2] * 6, seed=1)
    assert scores.value == 5.0 and scores.low is None and scores.interval_method == "none"


def test_bca_from_the_distribution_is_scipys_formula():
    # The BCa interval `intervals` forms from defined resamples uses scipy's formula: on data without
    # undefined resamples it reproduces scipy.stats.bootstrap exactly.
    rng = np.random.default_rng(11)
    hits = rng.integers(0, 4, size=25).astype(float)
    totals = np.full(25, 3.0)
    reference = scipy_bca((hits, totals), ratio_statistic, 7, paired=True, vectorized=True)
    low, high = intervals.bca_from_distribution(
        (hits, totals), ratio_statistic, np.asarray(reference.bootstrap_distribution)
    )
    assert (low, high) == pytest.approx(tuple(reference.confidence_interval), abs=1e-12)


RARE = [["b", "b", "b"]] * 2 + [["a", "a", "b"]] * 3 + [["a", "a", "a"]] * 35


def package_alpha(units):
    width = max(len(u) for u in units)
    matrix = np.full((width, len(units)), np.nan)
    for column, values in enumerate(units):
        matrix[: len(values), column] = [0 if v == "a" else 1 for v in values]
    if len(np.unique(matrix[~np.isnan(matrix)])) < 2:
        return np.nan  # no variation: alpha undefined
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal", value_domain=[0, 1])


def test_undefined_resamples_are_counted_and_left_out_of_the_interval():
    # 40 items, 35 of them rated a, a, a: a resample that draws only those has no variation and no alpha.
    # P = (35/40)^40 ≈ 0.5%, so about 5 of 1,000 resamples; at most 1% may be left out.
    seed = 5
    estimate = agreement.alpha_estimate(RARE, ["a", "b"], "nominal", seed=seed)
    # Redraw scipy's resamples (item indices from default_rng(seed)) and count the undefined ones.
    draws = np.random.default_rng(seed).integers(0, 40, (1000, 40))
    undefined = int((draws >= 5).all(axis=1).sum())
    assert 0 < undefined <= 10
    assert estimate.n_resamples_undefined == undefined and estimate.n_resamples == 1000
    assert estimate.interval_method == "BCa bootstrap"
    assert f"{undefined} of 1,000 resamples ({undefined / 1000:.1%}) had no variation" in estimate.note
    # The interval is BCa over the defined resamples, each computed by the krippendorff package:
    # z0 = Φ⁻¹(share below the estimate, ties half), acceleration a = Σu³ / (6 (Σu²)^1.5) from the
    # leave-one-item-out jackknife (u_i = mean - θ_(i)), ends Φ(z0 + (z0 ± 1.96) / (1 - a (z0 ± 1.96))).
    theta = np.array([package_alpha([RARE[i] for i in row]) for row in draws])
    theta = theta[~np.isnan(theta)]
    theta_hat = package_alpha(RARE)
    assert estimate.value == pytest.approx(theta_hat, abs=1e-12)
    jackknife = np.array([package_alpha(RARE[:i] + RARE[i + 1 :]) for i in range(40)])
    u = jackknife.mean() - jackknife
    a = (u**3).sum() / (6 * ((u**2).sum()) ** 1.5)
    z0 = ndtri(((theta < theta_hat).sum() + (theta <= theta_hat).sum()) / (2 * theta.size))
    z = ndtri(0.025)
    ends = [ndtr(z0 + (z0 + zz) / (1 - a * (z0 + zz))) for zz in (z, -z)]
    low, high = np.quantile(theta, ends)
    assert (estimate.low, estimate.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert estimate.low < estimate.value < estimate.high


def test_too_many_undefined_resamples_give_no_interval_and_say_how_many():
    # Three varied items of 40: (37/40)^40 ≈ 4.4% of resamples have no variation: more than 1%.
    units = [["a", "a", "b"]] * 3 + [["a", "a", "a"]] * 37
    estimate = agreement.alpha_estimate(units, ["a", "b"], "nominal", seed=1)
    draws = np.random.default_rng(1).integers(0, 40, (1000, 40))
    undefined = int((draws >= 3).all(axis=1).sum())
    assert undefined > 10
    assert estimate.value is not None and (estimate.low, estimate.high) == (None, None)
    assert estimate.interval_method == "none" and estimate.n_resamples_undefined == undefined
    assert f"No interval: {undefined} of 1,000 resamples ({undefined / 1000:.1%})" in estimate.note
    assert "at most 1%" in estimate.note


def test_seeds_beyond_32_bits_are_used_whole():
    # A study seed of 2^32 + 5 must not be reduced to 5: NumPy seeds default_rng from the whole integer.
    hits = np.array([0, 1, 2, 3, 1, 0, 2, 3, 3, 1, 0, 2], dtype=float)
    totals = np.full(12, 3.0)
    big = 2**32 + 5
    estimate = agreement.rate_estimate(list(hits), list(totals), seed=big)
    reference = scipy_bca((hits, totals), ratio_statistic, big, paired=True, vectorized=True)
    small = scipy_bca((hits, totals), ratio_statistic, 5, paired=True, vectorized=True)
    assert estimate.seed == big
    assert (estimate.low, estimate.high) == pytest.approx(tuple(reference.confidence_interval), abs=1e-12)
    assert (estimate.low, estimate.high) != pytest.approx(tuple(small.confidence_interval), abs=1e-12)
    huge = agreement.rate_estimate(list(hits), list(totals), seed=2**63 - 1)
    assert huge.seed == 2**63 - 1 and huge.interval_method == "BCa bootstrap"
