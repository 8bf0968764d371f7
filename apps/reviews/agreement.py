"""Agreement and interval statistics (pure numpy/scipy; no database).

- Krippendorff's alpha: the point estimate comes from the `krippendorff` package (nominal for choices,
  ordinal for scales). Its bootstrap needs ~1,300 evaluations per table cell, so resamples use
  `alpha_from_counts`, a vectorised form of the same coincidence-matrix formula (Krippendorff 2011);
  tests hold it equal to the package.
- Randolph's free-marginal multirater kappa (Randolph 2005): observed agreement among the raters of each
  item, chance agreement 1/k for k categories.
- Intervals: scipy.stats.bootstrap, BCa, 1,000 resamples, resampling *items* (all ratings of an item
  travel together), with the seed recorded next to every interval.

Every function takes per-item value counts: an (items × categories) array whose cell holds how many
raters chose that category for that item. Items with fewer than two ratings carry no agreement
information and are left out of alpha and kappa (their n is reported separately).
"""

import warnings
from dataclasses import asdict, dataclass

import numpy as np

# scipy.stats and krippendorff are imported where they are used: together they add ~0.7 s and ~60 MB to
# every web process, and only the results and agreement pages need them.

N_RESAMPLES = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A statistic with its 95% BCa interval (None where no interval can be computed) and its n."""

    value: float | None
    low: float | None
    high: float | None
    n_items: int
    n_ratings: int
    seed: int | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def value_counts(units: list[list], categories: list) -> np.ndarray:
    """Per-item counts: `units` holds, for each item, the list of values its raters gave."""
    index = {category: column for column, category in enumerate(categories)}
    counts = np.zeros((len(units), len(categories)), dtype=float)
    for row, values in enumerate(units):
        for value in values:
            counts[row, index[value]] += 1
    return counts


def reliability_matrix(units: list[list], categories: list) -> np.ndarray:
    """The raters × items matrix the `krippendorff` package reads (values as category indices, NaN for
    no rating). Raters are anonymous slots: alpha depends only on the values within each item."""
    index = {category: column for column, category in enumerate(categories)}
    width = max((len(values) for values in units), default=0)
    matrix = np.full((width, len(units)), np.nan)
    for column, values in enumerate(units):
        for row, value in enumerate(values):
            matrix[row, column] = index[value]
    return matrix


def krippendorff_alpha(units: list[list], categories: list, level: str) -> float | None:
    """Krippendorff's alpha through the `krippendorff` package; None when undefined (fewer than two
    pairable ratings, or a single category used throughout)."""
    pairable = [values for values in units if len(values) >= 2]
    if not pairable:
        return None
    matrix = reliability_matrix(pairable, categories)
    if len(np.unique(matrix[~np.isnan(matrix)])) < 2:
        return None  # no variation at all: expected disagreement is 0, alpha is undefined
    import krippendorff

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(
            reliability_data=matrix,
            level_of_measurement=level,
            value_domain=list(range(len(categories))),
        )
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


def alpha_from_counts(counts: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's alpha from per-item value counts; counts has shape (..., items, k).

    Vectorised over leading axes (bootstrap resamples). NaN where alpha is undefined.
    """
    counts = np.asarray(counts, dtype=float)
    per_item = counts.sum(axis=-1)
    weight = np.where(per_item >= 2, 1.0 / np.maximum(per_item - 1, 1), 0.0)
    # coincidences o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)
    weighted = counts * weight[..., None]
    coincidence = np.einsum("...uc,...uk->...ck", weighted, counts)
    k = counts.shape[-1]
    coincidence = coincidence - np.einsum("...uc,ck->...ck", weighted, np.eye(k))
    totals = coincidence.sum(axis=-1)
    n = totals.sum(axis=-1)
    if level == "nominal":
        delta = 1.0 - np.eye(k)
    elif level == "ordinal":
        delta = _ordinal_delta(totals)
    else:
        raise ValueError(f"Unsupported level of measurement: {level}")
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


def bca_interval(data: tuple[np.ndarray, ...], statistic, *, seed: int, n_resamples: int = N_RESAMPLES):
    """95% BCa interval of a vectorised `statistic(*columns, axis=-1)` over paired per-item columns.

    Returns (low, high), or (None, None) when the bootstrap distribution is degenerate or undefined.
    """
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
    low, high = result.confidence_interval
    return _clean(low), _clean(high)


def _columns(counts: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(counts[:, column] for column in range(counts.shape[1]))


def alpha_estimate(units: list[list], categories: list, level: str, *, seed: int) -> Estimate:
    """Krippendorff's alpha (package) with a BCa interval resampling items."""
    pairable = [values for values in units if len(values) >= 2]
    n_ratings = sum(len(values) for values in pairable)
    value = krippendorff_alpha(pairable, categories, level)
    if value is None:
        note = "fewer than two ratings per item" if not pairable else "all ratings identical: alpha undefined"
        return Estimate(None, None, None, len(pairable), n_ratings, seed, note)
    if len(pairable) < 3:
        return Estimate(value, None, None, len(pairable), n_ratings, seed, "too few items for an interval")
    counts = value_counts(pairable, categories)

    def statistic(*columns, axis=-1):
        return alpha_from_counts(np.stack(columns, axis=-1), level)

    low, high = bca_interval(_columns(counts), statistic, seed=seed)
    return Estimate(value, low, high, len(pairable), n_ratings, seed)


def kappa_estimate(units: list[list], categories: list, *, seed: int) -> Estimate:
    """Randolph's kappa with a BCa interval resampling items."""
    pairable = [values for values in units if len(values) >= 2]
    n_ratings = sum(len(values) for values in pairable)
    if not pairable:
        return Estimate(None, None, None, 0, 0, seed, "fewer than two ratings per item")
    counts = value_counts(pairable, categories)
    k = len(categories)
    value = _clean(randolph_kappa_from_counts(counts, k))
    if len(pairable) < 3:
        return Estimate(value, None, None, len(pairable), n_ratings, seed, "too few items for an interval")

    def statistic(*columns, axis=-1):
        return randolph_kappa_from_counts(np.stack(columns, axis=-1), k)

    low, high = _interval_or_point(counts, statistic, seed, value)
    return Estimate(value, low, high, len(pairable), n_ratings, seed)


def _interval_or_point(counts, statistic, seed, value):
    # Identical items (every resample gives the same value) have a zero-width interval; BCa cannot
    # compute one (its acceleration is 0/0), so report the point itself.
    if np.all(counts == counts[0]):
        return value, value
    return bca_interval(_columns(counts), statistic, seed=seed)


def rate_estimate(successes: list[float], totals: list[float], *, seed: int) -> Estimate:
    """A rate pooled over items (sum of successes / sum of ratings) with a BCa interval resampling items.

    `successes[i]` and `totals[i]` are the counts of item i (e.g. ratings that found bias, ratings).
    """
    successes_arr = np.asarray(successes, dtype=float)
    totals_arr = np.asarray(totals, dtype=float)
    keep = totals_arr > 0
    successes_arr, totals_arr = successes_arr[keep], totals_arr[keep]
    n_items, n_ratings = int(keep.sum()), int(totals_arr.sum())
    if n_items == 0:
        return Estimate(None, None, None, 0, 0, seed, "no ratings")
    value = float(successes_arr.sum() / totals_arr.sum())
    if n_items < 3:
        return Estimate(value, None, None, n_items, n_ratings, seed, "too few items for an interval")

    def statistic(hits, total, axis=-1):
        return hits.sum(axis=axis) / total.sum(axis=axis)

    rates = successes_arr / totals_arr
    if np.all(rates == rates[0]):
        return Estimate(value, value, value, n_items, n_ratings, seed, "every item has the same rate")
    low, high = bca_interval((successes_arr, totals_arr), statistic, seed=seed)
    return Estimate(value, low, high, n_items, n_ratings, seed)


def mean_estimate(sums: list[float], totals: list[float], *, seed: int) -> Estimate:
    """A mean score pooled over items (sum of scores / number of ratings) with a BCa interval: the same
    ratio estimator as `rate_estimate`, with scores in place of 0/1 outcomes."""
    return rate_estimate(sums, totals, seed=seed)
