"""Agreement and interval statistics (pure numpy/scipy; no database).

- Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") at the four
  levels of measurement: nominal, ordinal, interval, ratio. The point estimate comes from the
  `krippendorff` package; interval and ratio alpha are computed on the numeric values themselves (the
  distances depend on them), nominal and ordinal on the category order. Its bootstrap needs ~1,300
  evaluations per table cell, so resamples use `alpha_from_counts`, a vectorised form of the same
  coincidence-matrix formula; tests hold it equal to the package and to the paper's worked example.
- Randolph's free-marginal multirater kappa (Randolph 2005): observed agreement among the raters of each
  item, chance agreement 1/k for k categories.
- Intervals come from `intervals.py` and are named per estimate (`interval_method`): "BCa bootstrap"
  over items, "Clopper–Pearson" for a rate of exactly 0 or 1 (n = items: conservative, since an item's
  ratings may agree), or "none" with a note saying why. A zero-width interval is never reported.

Every function takes per-item value counts or per-item values: items with fewer than two ratings carry no
agreement information and are left out of alpha and kappa, and each estimate counts them
(`n_items_left_out`).
"""

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from apps.reviews.intervals import (
    CLOPPER_PEARSON,
    CONFIDENCE,
    MIN_ITEMS_FOR_BOOTSTRAP,
    N_RESAMPLES,
    NO_INTERVAL,
    RESAMPLING_UNIT,
    Interval,
    bca_interval,
    clopper_pearson,
)

# scipy.stats and krippendorff are imported where they are used: together they add ~0.7 s and ~60 MB to
# every web process, and only the results and agreement pages need them.

LEVELS = ("nominal", "ordinal", "interval", "ratio")

ALPHA = "Krippendorff's alpha"
KAPPA = "Randolph's kappa"
RATE = "rate"
MEAN = "mean score"


class LevelError(ValueError):
    """A level of measurement that does not apply to the values (message says why and what to use)."""


@dataclass(frozen=True)
class Estimate:
    """A statistic with its 95% interval (None where none is given), how that interval was made, and n.

    `interval_method` is BCA, CLOPPER_PEARSON or NO_INTERVAL; `n_resamples` is None when no bootstrap
    ran; `n_resamples_undefined` counts resamples in which the statistic is undefined."""

    value: float | None
    low: float | None
    high: float | None
    n_items: int
    n_ratings: int
    seed: int | None = None
    note: str = ""
    statistic: str = ""
    interval_method: str = NO_INTERVAL
    confidence_level: float = CONFIDENCE
    n_resamples: int | None = None
    n_resamples_undefined: int = 0
    resampling_unit: str | None = None
    n_items_left_out: int = 0
    left_out_reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def level_check(level: str, categories: list) -> None:
    """Raise LevelError when `level` does not apply to values drawn from `categories`."""
    if level not in LEVELS:
        raise LevelError(f'"{level}" is not a level of measurement; use one of {", ".join(LEVELS)}.')
    if level in ("interval", "ratio") and not all(_is_number(c) for c in categories):
        shown = ", ".join(repr(c) for c in categories[:4]) + (", …" if len(categories) > 4 else "")
        raise LevelError(
            f"{level} alpha needs numeric values, but these answers are labels ({shown}): "
            'use "nominal", or "ordinal" when the labels are in order.'
        )
    if level == "ratio" and min(categories) < 0:
        raise LevelError(
            f"ratio alpha needs values with a true zero and none below it; these run from {min(categories)} "
            f'to {max(categories)}: use "interval" or "ordinal".'
        )


def value_counts(units: list[list], categories: list) -> np.ndarray:
    """Per-item counts: `units` holds, for each item, the list of values its raters gave."""
    index = {category: column for column, category in enumerate(categories)}
    counts = np.zeros((len(units), len(categories)), dtype=float)
    for row, values in enumerate(units):
        for value in values:
            counts[row, index[value]] += 1
    return counts


def reliability_matrix(units: list[list], categories: list, *, numeric: bool = False) -> np.ndarray:
    """The raters × items matrix the `krippendorff` package reads (NaN for no rating): the values
    themselves when `numeric` (interval and ratio distances depend on them), else category indices.
    Raters are anonymous slots: alpha depends only on the values within each item."""
    code = (
        {category: float(category) for category in categories}
        if numeric
        else {category: column for column, category in enumerate(categories)}
    )
    width = max((len(values) for values in units), default=0)
    matrix = np.full((width, len(units)), np.nan)
    for column, values in enumerate(units):
        for row, value in enumerate(values):
            matrix[row, column] = code[value]
    return matrix


def krippendorff_alpha(units: list[list], categories: list, level: str) -> float | None:
    """Krippendorff's alpha through the `krippendorff` package; None when undefined (fewer than two
    pairable ratings, or a single value used throughout). Raises LevelError for a level that does not
    apply (interval or ratio on labels, ratio on negative values)."""
    level_check(level, categories)
    pairable = [values for values in units if len(values) >= 2]
    if not pairable:
        return None
    numeric = level in ("interval", "ratio")
    matrix = reliability_matrix(pairable, categories, numeric=numeric)
    if len(np.unique(matrix[~np.isnan(matrix)])) < 2:
        return None  # no variation at all: expected disagreement is 0, alpha is undefined
    import krippendorff

    domain = [float(c) for c in categories] if numeric else list(range(len(categories)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level, value_domain=domain)
    return _clean(value)


def _ordinal_delta(totals: np.ndarray) -> np.ndarray:
    """Squared ordinal distances between categories given the category totals; shape (..., k, k)."""
    cumulative = np.cumsum(totals, axis=-1)
    k = totals.shape[-1]
    c = np.arange(k)[:, None]
    g = np.arange(k)[None, :]
    low, high = np.minimum(c, g), np.maximum(c, g)
    # sum of totals from category `low` to `high` inclusive
    span = (
        np.take(cumulative, high, axis=-1) - np.take(cumulative, low, axis=-1) + np.take(totals, low, axis=-1)
    )
    half = (np.take(totals, c, axis=-1) + np.take(totals, g, axis=-1)) / 2
    return (span - half) ** 2


def _metric_delta(level: str, values: np.ndarray) -> np.ndarray:
    """Squared interval or ratio distances between the numeric category values; shape (k, k)."""
    difference = values[:, None] - values[None, :]
    if level == "interval":
        return difference**2
    total = values[:, None] + values[None, :]
    # ((c - k) / (c + k))^2, and 0 for the pair (0, 0), as in Krippendorff (2011) and the package
    return np.divide(difference, total, out=np.zeros_like(difference), where=total != 0) ** 2


def coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1) over items
    with m_u >= 2 ratings; counts (..., items, k) → (..., k, k). Its row sums are the totals n_c."""
    counts = np.asarray(counts, dtype=float)
    per_item = counts.sum(axis=-1)
    weight = np.where(per_item >= 2, 1.0 / np.maximum(per_item - 1, 1), 0.0)
    weighted = counts * weight[..., None]
    coincidence = np.einsum("...uc,...uk->...ck", weighted, counts)
    return coincidence - np.einsum("...uc,ck->...ck", weighted, np.eye(counts.shape[-1]))


def alpha_from_counts(counts: np.ndarray, level: str, values=None) -> np.ndarray:
    """Krippendorff's alpha from per-item value counts; counts has shape (..., items, k).

    `values` are the k numeric category values (needed for interval and ratio; the column order is the
    category order for ordinal). Vectorised over leading axes (bootstrap resamples). NaN where alpha is
    undefined (no variation)."""
    counts = np.asarray(counts, dtype=float)
    k = counts.shape[-1]
    if level in ("interval", "ratio"):
        if values is None or len(values) != k:
            raise LevelError(f"{level} alpha needs the {k} numeric category values.")
        level_check(level, list(values))
    elif level not in ("nominal", "ordinal"):
        level_check(level, [])
    coincidence = coincidence_matrix(counts)
    totals = coincidence.sum(axis=-1)
    n = totals.sum(axis=-1)
    if level == "nominal":
        delta = 1.0 - np.eye(k)
    elif level == "ordinal":
        delta = _ordinal_delta(totals)
    else:
        delta = _metric_delta(level, np.asarray(values, dtype=float))
    observed = (coincidence * delta).sum(axis=(-2, -1))
    expected = (totals[..., :, None] * totals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - (n - 1) * observed / expected


def randolph_kappa_from_counts(counts: np.ndarray, n_categories: int) -> np.ndarray:
    """Randolph's free-marginal multirater kappa; counts (..., items, k) with k = n_categories.

    P_o is the mean over items (with at least two ratings) of the share of agreeing rater pairs,
    sum_c n_ic (n_ic - 1) / (m_i (m_i - 1)); P_e = 1/k; kappa = (P_o - P_e) / (1 - P_e).
    """
    counts = np.asarray(counts, dtype=float)
    per_item = counts.sum(axis=-1)
    pairable = per_item >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = (counts * (counts - 1)).sum(axis=-1) / (per_item * (per_item - 1))
        observed = np.where(pairable, agreement, 0.0).sum(axis=-1) / pairable.sum(axis=-1)
    chance = 1.0 / n_categories
    return (observed - chance) / (1.0 - chance)


def _columns(counts: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(counts[:, column] for column in range(counts.shape[1]))


def _left_out(units: list[list]) -> tuple[list[list], dict]:
    """Pairable units and the Estimate fields that count the others."""
    pairable = [values for values in units if len(values) >= 2]
    left_out = len(units) - len(pairable)
    reason = "only one rating answers the question: no agreement information" if left_out else ""
    return pairable, {"n_items_left_out": left_out, "left_out_reason": reason}


def _with_interval(base: dict, interval: Interval, note: str = "") -> dict:
    return base | {
        "low": interval.low,
        "high": interval.high,
        "interval_method": interval.method,
        "n_resamples": interval.n_resamples,
        "n_resamples_undefined": interval.n_undefined,
        "resampling_unit": RESAMPLING_UNIT if interval.n_resamples else None,
        "note": " ".join(part for part in (note, interval.note) if part),
    }


def _no_interval(note: str) -> Interval:
    return Interval(None, None, NO_INTERVAL, note=note)


IDENTICAL_ITEMS = "No interval: every item has the same ratings, so every resample gives the same value."
TOO_FEW_ITEMS = f"No interval: fewer than {MIN_ITEMS_FOR_BOOTSTRAP} items."


def alpha_estimate(
    units: list[list], categories: list, level: str, *, seed: int, n_resamples: int = N_RESAMPLES
) -> Estimate:
    """Krippendorff's alpha (package) at `level` with a BCa interval resampling items. Raises LevelError
    for a level that does not apply to the categories."""
    pairable, left_out = _left_out(units)
    n_ratings = sum(len(values) for values in pairable)
    base = {"n_items": len(pairable), "n_ratings": n_ratings, "seed": seed, "statistic": ALPHA, **left_out}
    value = krippendorff_alpha(pairable, categories, level)
    if value is None:
        note = (
            "Fewer than two ratings per item: no agreement to measure."
            if not pairable
            else "All ratings identical: alpha is undefined (no variation), so no interval."
        )
        return Estimate(value=None, low=None, high=None, note=note, **base)
    counts = value_counts(pairable, categories)
    if len(pairable) < MIN_ITEMS_FOR_BOOTSTRAP:
        interval = _no_interval(TOO_FEW_ITEMS)
    elif np.all(counts == counts[0]):
        interval = _no_interval(IDENTICAL_ITEMS)
    else:
        values = categories if level in ("interval", "ratio") else None

        def statistic(*columns, axis=-1):
            return alpha_from_counts(np.stack(columns, axis=-1), level, values)

        interval = bca_interval(_columns(counts), statistic, seed=seed, n_resamples=n_resamples)
    return Estimate(value=value, **_with_interval(base, interval))


def kappa_estimate(
    units: list[list], categories: list, *, seed: int, n_resamples: int = N_RESAMPLES
) -> Estimate:
    """Randolph's kappa with a BCa interval resampling items."""
    pairable, left_out = _left_out(units)
    n_ratings = sum(len(values) for values in pairable)
    base = {"n_items": len(pairable), "n_ratings": n_ratings, "seed": seed, "statistic": KAPPA, **left_out}
    if not pairable:
        note = "Fewer than two ratings per item: no agreement to measure."
        return Estimate(value=None, low=None, high=None, note=note, **base)
    counts = value_counts(pairable, categories)
    k = len(categories)
    value = _clean(randolph_kappa_from_counts(counts, k))
    if len(pairable) < MIN_ITEMS_FOR_BOOTSTRAP:
        interval = _no_interval(TOO_FEW_ITEMS)
    elif np.all(counts == counts[0]):
        interval = _no_interval(IDENTICAL_ITEMS)
    else:

        def statistic(*columns, axis=-1):
            return randolph_kappa_from_counts(np.stack(columns, axis=-1), k)

        interval = bca_interval(_columns(counts), statistic, seed=seed, n_resamples=n_resamples)
    return Estimate(value=value, **_with_interval(base, interval))


def rate_estimate(
    successes: list[float],
    totals: list[float],
    *,
    seed: int,
    n_items_left_out: int = 0,
    left_out_reason: str = "",
    proportion: bool = True,
    n_resamples: int = N_RESAMPLES,
) -> Estimate:
    """A rate pooled over items (sum of successes / sum of ratings) with a BCa interval resampling items;
    a proportion of exactly 0 or 1 gets the Clopper–Pearson interval over items instead.

    `successes[i]` and `totals[i]` are the counts of item i (e.g. ratings that found bias, ratings).
    `proportion=False` (mean scores) never uses Clopper–Pearson."""
    successes_arr = np.asarray(successes, dtype=float)
    totals_arr = np.asarray(totals, dtype=float)
    keep = totals_arr > 0
    successes_arr, totals_arr = successes_arr[keep], totals_arr[keep]
    n_items, n_ratings = int(keep.sum()), int(totals_arr.sum())
    base = {
        "n_items": n_items,
        "n_ratings": n_ratings,
        "seed": seed,
        "statistic": RATE if proportion else MEAN,
        "n_items_left_out": n_items_left_out,
        "left_out_reason": left_out_reason,
    }
    if n_items == 0:
        return Estimate(value=None, low=None, high=None, note="No ratings.", **base)
    value = float(successes_arr.sum() / totals_arr.sum())
    rates = successes_arr / totals_arr
    if proportion and value in (0.0, 1.0):
        low, high = clopper_pearson(int(round(value)) * n_items, n_items)
        note = (
            f"{int(successes_arr.sum()):,} of {n_ratings:,} ratings: exact interval over {n_items:,} items."
        )
        interval = Interval(low, high, CLOPPER_PEARSON)
        return Estimate(value=value, **_with_interval(base, interval, note))
    if n_items < MIN_ITEMS_FOR_BOOTSTRAP:
        interval = _no_interval(TOO_FEW_ITEMS)
    elif np.all(rates == rates[0]):
        interval = _no_interval(
            f"No interval: every item has the same {'rate' if proportion else 'mean'} ({rates[0]:.3g}), "
            "so every resample gives the same value."
        )
    else:

        def statistic(hits, total, axis=-1):
            return hits.sum(axis=axis) / total.sum(axis=axis)

        interval = bca_interval((successes_arr, totals_arr), statistic, seed=seed, n_resamples=n_resamples)
    return Estimate(value=value, **_with_interval(base, interval))


def mean_estimate(sums: list[float], totals: list[float], *, seed: int, **counts) -> Estimate:
    """A mean score pooled over items (sum of scores / number of ratings) with a BCa interval: the same
    ratio estimator as `rate_estimate`, with scores in place of 0/1 outcomes (never Clopper–Pearson)."""
    return rate_estimate(sums, totals, seed=seed, proportion=False, **counts)
