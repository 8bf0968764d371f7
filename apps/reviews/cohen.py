"""Cohen's kappa between two labellings of the same items (Cohen 1960), with a BCa interval over items.

Used where two *single* verdicts per item are compared: the majority answers of two rater groups
(`between_groups`), and a model rater against a group's majority (`autoraters.calibration`).

kappa = (p_o − p_e) / (1 − p_e), where p_o is the share of items with the same label and
p_e = Σ_c p_1c p_2c the agreement expected from the two labellings' own label frequencies. Undefined
(no estimate, a note says why) when p_e = 1: both labellings use one and the same label throughout.
"""

import numpy as np

from apps.reviews.agreement import IDENTICAL_ITEMS, TOO_FEW_ITEMS, Estimate, _no_interval, _with_interval
from apps.reviews.intervals import MIN_ITEMS_FOR_BOOTSTRAP, N_RESAMPLES, bca_interval

COHEN = "Cohen's kappa"


def one_hot(labels: list, categories: list) -> np.ndarray:
    index = {category: column for column, category in enumerate(categories)}
    matrix = np.zeros((len(labels), len(categories)), dtype=float)
    for row, label in enumerate(labels):
        matrix[row, index[label]] = 1.0
    return matrix


def kappa_from_one_hot(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two (..., items, k) one-hot labellings, vectorised over leading axes; NaN where
    chance agreement is 1."""
    observed = (first * second).sum(axis=-1).mean(axis=-1)
    chance = (first.mean(axis=-2) * second.mean(axis=-2)).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(chance < 1.0, (observed - chance) / (1.0 - chance), np.nan)


def cohen_kappa_estimate(
    first: list,
    second: list,
    categories: list,
    *,
    seed: int,
    n_ratings: int,
    n_items_left_out: int = 0,
    left_out_reason: str = "",
    n_resamples: int = N_RESAMPLES,
) -> Estimate:
    """Cohen's kappa of `first[i]` against `second[i]` (one label each per item), BCa over items.

    `n_ratings` is the number of ratings behind the labels (reported; the statistic sees one label per
    item and side)."""
    base = {
        "n_items": len(first),
        "n_ratings": n_ratings,
        "seed": seed,
        "statistic": COHEN,
        "n_items_left_out": n_items_left_out,
        "left_out_reason": left_out_reason,
    }
    if not first:
        return Estimate(value=None, low=None, high=None, note="No items to compare.", **base)
    a, b = one_hot(first, categories), one_hot(second, categories)
    value = float(kappa_from_one_hot(a, b))
    if np.isnan(value):
        note = (
            "Both sides give one and the same answer on every item: chance agreement is 1, kappa undefined."
        )
        return Estimate(value=None, low=None, high=None, note=note, **base)
    k = len(categories)
    if len(first) < MIN_ITEMS_FOR_BOOTSTRAP:
        interval = _no_interval(TOO_FEW_ITEMS)
    elif all(x == first[0] for x in first) and all(y == second[0] for y in second):
        interval = _no_interval(IDENTICAL_ITEMS)
    else:

        def statistic(*columns, axis=-1):
            stacked = np.stack(columns, axis=-1)
            return kappa_from_one_hot(stacked[..., :k], stacked[..., k:])

        columns = tuple(np.concatenate([a, b], axis=1).T)
        interval = bca_interval(columns, statistic, seed=seed, n_resamples=n_resamples)
    return Estimate(value=value, **_with_interval(base, interval))
