"""Confidence intervals for the review statistics, each named by the method that made it.

- BCA ("BCa bootstrap"): scipy.stats.bootstrap, bias-corrected and accelerated (Efron 1987), 1,000
  resamples of items (all ratings of an item travel together), NumPy `default_rng(seed)` with the seed as
  recorded (NumPy builds a SeedSequence from the whole integer, so seeds of any size are used as they
  are). Resamples in which the statistic is undefined (NaN: alpha of a resample without variation) are
  counted; at most `MAX_UNDEFINED_SHARE` of them are left out and the interval is the BCa interval of the
  others; beyond that there is no interval.
- CLOPPER_PEARSON: the exact binomial interval (Clopper & Pearson 1934).
- NO_INTERVAL ("none"): no interval, with a note saying why. A zero-width interval is never reported.
"""

import warnings
from dataclasses import dataclass

import numpy as np

N_RESAMPLES = 1000
CONFIDENCE = 0.95
MIN_ITEMS_FOR_BOOTSTRAP = 3
# An interval end at the 2.5th percentile of the defined resamples lies between the 2.475th and the
# 3.475th percentile of all resamples, whatever values the undefined ones would take: leaving out at most
# 1% moves each end by at most one percentile point. Beyond that the interval is not given.
MAX_UNDEFINED_SHARE = 0.01
RESAMPLING_UNIT = "items"

BCA = "BCa bootstrap"
CLOPPER_PEARSON = "Clopper–Pearson"
NO_INTERVAL = "none"


@dataclass(frozen=True)
class Interval:
    """An interval (low/high None when none is given), the method that made it and how many bootstrap
    resamples it drew and found undefined; `note` says why there is no interval, or what was left out."""

    low: float | None
    high: float | None
    method: str
    n_resamples: int | None = None
    n_undefined: int = 0
    note: str = ""


def _clean(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def bca_interval(
    data: tuple[np.ndarray, ...], statistic, *, seed: int, n_resamples: int = N_RESAMPLES
) -> Interval:
    """95% BCa interval of a vectorised `statistic(*columns, axis=-1)` over paired per-item columns.

    Resamples in which the statistic is NaN (undefined) are counted: with none, the interval is scipy's;
    with at most MAX_UNDEFINED_SHARE of them, it is the BCa interval of the defined resamples (same
    formula, `bca_from_distribution`); with more, or when the resamples have no spread or BCa is
    undefined, there is no interval and the note says why."""
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            data,
            statistic,
            paired=True,
            vectorized=True,
            n_resamples=n_resamples,
            confidence_level=CONFIDENCE,
            method="BCa",
            random_state=np.random.default_rng(seed),
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    undefined = int(np.isnan(distribution).sum())
    defined = distribution[~np.isnan(distribution)]
    share = f"{undefined:,} of {n_resamples:,} resamples ({undefined / n_resamples:.1%})"

    def none(note: str) -> Interval:
        return Interval(None, None, NO_INTERVAL, n_resamples, undefined, note)

    if undefined > MAX_UNDEFINED_SHARE * n_resamples:
        return none(
            f"No interval: {share} have no variation, so the statistic is undefined in them "
            f"(at most {MAX_UNDEFINED_SHARE:.0%} may be)."
        )
    if defined.size == 0 or defined.max() == defined.min():
        return none("No interval: every resample gives the same value (no sampling spread).")
    if undefined:
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = bca_from_distribution(data, statistic, defined)
    else:
        low, high = result.confidence_interval
    low, high = _clean(low), _clean(high)
    if low is None or high is None:
        return none("No interval: BCa is undefined here (the jackknife or the resamples have no spread).")
    if low == high:
        return none("No interval: 95% of resamples give the same value, so the interval has zero width.")
    note = f"{share} had no variation and are left out of the interval." if undefined else ""
    return Interval(low, high, BCA, n_resamples, undefined, note)


def bca_from_distribution(data: tuple[np.ndarray, ...], statistic, distribution: np.ndarray):
    """The BCa interval (Efron & Tibshirani 1993, 14.3; scipy's formula) from bootstrap values:
    z0 from the share of values below the estimate, acceleration from the leave-one-item-out jackknife.
    Returns (low, high); NaN where a jackknife value is undefined."""
    from scipy import stats
    from scipy.special import ndtr, ndtri

    theta_hat = float(statistic(*data, axis=-1))
    n = len(data[0])
    keep = ~np.eye(n, dtype=bool)
    leave_one_out = np.broadcast_to(np.arange(n), (n, n))[keep].reshape(n, n - 1)
    jackknife = np.asarray(statistic(*(column[leave_one_out] for column in data), axis=-1), dtype=float)
    if np.isnan(jackknife).any():
        return np.nan, np.nan
    below = (np.count_nonzero(distribution < theta_hat) + np.count_nonzero(distribution <= theta_hat)) / (
        2 * distribution.size
    )
    z0 = ndtri(below)
    u = (n - 1) * (jackknife.mean() - jackknife)
    acceleration = (np.sum(u**3) / n**3) / (6 * (np.sum(u**2) / n**2) ** 1.5)
    z = ndtri((1 - CONFIDENCE) / 2)
    ends = [ndtr(z0 + (z0 + zz) / (1 - acceleration * (z0 + zz))) for zz in (z, -z)]
    low, high = stats.quantile(distribution, np.asarray(ends))
    return float(low), float(high)


def clopper_pearson(successes: int, n: int) -> tuple[float, float]:
    """The exact (Clopper–Pearson 1934) 95% interval of a binomial proportion: the beta quantiles
    B(α/2; x, n − x + 1) and B(1 − α/2; x + 1, n − x), with 0 and 1 at the ends (x = 0: upper bound
    1 − (α/2)^(1/n); x = n: lower bound (α/2)^(1/n))."""
    from scipy.stats import beta

    tail = (1 - CONFIDENCE) / 2
    low = 0.0 if successes == 0 else float(beta.ppf(tail, successes, n - successes + 1))
    high = 1.0 if successes == n else float(beta.ppf(1 - tail, successes + 1, n - successes))
    return low, high
