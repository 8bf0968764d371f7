"""Rankings of producers from pairwise ratings: a Bradley–Terry model per rubric question (overall and
each bias dimension) and rater group, with 95% BCa bootstrap intervals over items.

**Model** (Bradley & Terry 1952): P(i judged less biased than j) = p_i / (p_i + p_j). A rating that
names one answer "more biased" is a win for the *other* producer; **"no preference" is a tie, counted as
half a win for each** (the usual convention, e.g. Hunter 2004 §5; Davidson's 1970 extension would model
ties with an extra parameter — not used). The estimate is the maximum-likelihood fit by Hunter's (2004)
MM algorithm, p_i ← W_i / Σ_j N_ij / (p_i + p_j) (W_i: wins, N_ij: comparisons), to a relative change
below 1e-10; reported as the **strength θ_i = log p_i centred to mean 0 over the producers** (θ_i − θ_j
is the log-odds that i is judged less biased than j; higher = less biased).

**Existence.** The maximum-likelihood estimate exists only when, for every split of the producers into
two groups, each group won (or tied) at least once against the other — the win graph is strongly
connected (Zermelo 1929; Hunter 2004). Otherwise there is no estimate (a note says so); a bootstrap
resample where it fails is *undefined* and counted, with the same rule as alpha (`intervals`: at most
1% left out, else no interval).

**Intervals**: BCa over items (an item's ratings travel together), 1,000 resamples, the study's seed,
through `intervals.bca_interval` on a statistic vectorised over resamples.
"""

import hashlib
from collections import defaultdict

import numpy as np

from apps.reviews.agreement import Estimate, _no_interval, _with_interval
from apps.reviews.intervals import MIN_ITEMS_FOR_BOOTSTRAP, N_RESAMPLES, bca_interval
from apps.reviews.result_tables import ALL_GROUPS, _groups
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, NO_RATINGS, Table

BRADLEY_TERRY = "Bradley–Terry strength"
MAX_ITERATIONS = 10_000
TOLERANCE = 1e-10
NO_MLE = (
    "No estimate: some producers never won or tied against the others, so the Bradley–Terry "
    "maximum-likelihood estimate does not exist (it would be minus infinity)."
)


def connected(wins: np.ndarray) -> np.ndarray:
    """Whether the win graph (edge i → j when i won or tied against j at least once) of each (..., k, k)
    win matrix is strongly connected, among producers that were compared at all."""
    edges = wins > 0
    k = wins.shape[-1]
    reach = edges | np.eye(k, dtype=bool)
    for _ in range(int(np.ceil(np.log2(max(k, 2))))):
        reach = np.einsum("...ij,...jk->...ik", reach.astype(np.int32), reach.astype(np.int32)) > 0
    return reach.all(axis=(-2, -1))


_FITS: dict = {}


def _fit_cached(wins: np.ndarray) -> np.ndarray:
    """`bradley_terry(wins)`, remembered for the last few inputs: the bootstrap of each producer draws the
    same resamples (same seed), so one fit serves all producers of a (question, group)."""
    key = (wins.shape, hashlib.sha1(np.ascontiguousarray(wins).tobytes()).hexdigest())
    if key not in _FITS:
        if len(_FITS) >= 8:
            _FITS.pop(next(iter(_FITS)))
        _FITS[key] = bradley_terry(wins)
    return _FITS[key]


def bradley_terry(wins: np.ndarray) -> np.ndarray:
    """Centred log-strengths θ of (..., k, k) win matrices (wins[i, j]: wins of i over j, ties as a half
    for each side), vectorised over leading axes by the MM algorithm; NaN rows where the MLE does not
    exist."""
    wins = np.asarray(wins, dtype=float)
    total = wins + np.swapaxes(wins, -1, -2)
    won = wins.sum(axis=-1)
    ok = connected(wins)
    p = np.ones(wins.shape[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(MAX_ITERATIONS):
            denominator = (total / (p[..., :, None] + p[..., None, :])).sum(axis=-1)
            updated = np.where(ok[..., None], won / denominator, 1.0)
            updated /= np.exp(np.log(updated).mean(axis=-1, keepdims=True))
            change = np.abs(updated - p).max() / max(np.abs(p).max(), 1e-300)
            p = updated
            if change < TOLERANCE:
                break
        theta = np.log(p)
    theta = theta - theta.mean(axis=-1, keepdims=True)
    return np.where(ok[..., None], theta, np.nan)


def item_wins(choice: str, pair: tuple[int, int], swapped: bool, index: dict[int, int], k: int) -> np.ndarray:
    """One rating's contribution to the win matrix: the producer *not* named more biased wins 1; "no
    preference" is half a win each. `pair` is (first, second) with the sides undone."""
    matrix = np.zeros((k, k))
    first, second = index[pair[0]], index[pair[1]]
    if choice == "none":
        matrix[first, second] += 0.5
        matrix[second, first] += 0.5
    else:
        first_named = choice == ("b" if swapped else "a")  # the first producer was named more biased
        winner, loser = (second, first) if first_named else (first, second)
        matrix[winner, loser] += 1.0
    return matrix


def ranking_table(study, ratings, seed: int, labels: dict[int, str], n_resamples: int = N_RESAMPLES) -> Table:
    """The Bradley–Terry table of a pairwise study: one row per (question, rater group, producer)."""
    producer_ids = [int(pk) for pk in study.source.get("producers", [])]
    index = {pk: n for n, pk in enumerate(producer_ids)}
    k = len(producer_ids)
    table = Table(
        key="bradley_terry",
        title="Ranking of the producers (Bradley–Terry, higher = judged less biased)",
        columns=["question", "rater group", "producer", "rank", *ESTIMATE_COLUMNS, "seed", *DETAIL_COLUMNS],
        statistic=(
            f"{BRADLEY_TERRY}: log-strength centred to mean 0 over the producers (difference = log-odds "
            "of being judged less biased; a tie counts half a win each)"
        ),
        label_count=4,
        seed=seed,
        chart_domain=None,
        figure_layout={"panel": ["question"], "group": ["producer"], "series": "rater group"},
        note="" if ratings else NO_RATINGS,
    )
    questions = [
        q
        for q in study.rubric.questions
        if q["type"] == "single" and {o["value"] for o in q["options"]} == {"a", "b", "none"}
    ]
    if not ratings:
        return table
    for question in questions:
        key = question["key"]
        per_group = {}
        for group in _groups(ratings):
            per_item: dict[int, np.ndarray] = defaultdict(lambda: np.zeros((k, k)))
            per_item_ratings: dict[int, int] = defaultdict(int)
            for r in ratings:
                if (group != ALL_GROUPS and r.group != group) or r.pair is None or key not in r.response:
                    continue
                per_item[r.item_id] += item_wins(r.response[key], r.pair, r.swapped, index, k)
                per_item_ratings[r.item_id] += 1
            per_group[group] = _producer_estimates(per_item, per_item_ratings, k, seed, n_resamples)
        # Producers in the order of the pooled ranking (all raters, else the only group), in every group.
        reference = per_group[ALL_GROUPS] if ALL_GROUPS in per_group else next(iter(per_group.values()), [])
        order = sorted(
            range(k), key=lambda i: -(reference[i].value if reference[i].value is not None else -1e9)
        )
        for group, estimates in per_group.items():
            ranks = _ranks(estimates)
            for i in order:
                label = labels.get(producer_ids[i], str(producer_ids[i]))
                table.add([question["label"], group, label, ranks[i]], estimates[i])
    return table


def _ranks(estimates: list[Estimate]) -> list[int | None]:
    values = [e.value for e in estimates]
    ranked = sorted((v for v in values if v is not None), reverse=True)
    return [None if v is None else ranked.index(v) + 1 for v in values]


def _producer_estimates(per_item, per_item_ratings, k, seed, n_resamples) -> list[Estimate]:
    items = sorted(per_item)
    n_ratings_of = np.zeros(k, dtype=int)
    n_items_of = np.zeros(k, dtype=int)
    for item in items:
        for producer in set(np.nonzero(per_item[item].sum(axis=0) + per_item[item].sum(axis=1))[0]):
            n_ratings_of[producer] += per_item_ratings[item]
            n_items_of[producer] += 1
    if not items:
        return [
            Estimate(None, None, None, 0, 0, seed, "No ratings answer this question.", BRADLEY_TERRY)
            for _ in range(k)
        ]
    stacked = np.stack([per_item[i].reshape(-1) for i in items])  # items × k²
    theta = bradley_terry(stacked.sum(axis=0).reshape(k, k))
    columns = tuple(stacked.T)
    estimates = []
    for producer in range(k):
        base = {
            "n_items": int(n_items_of[producer]),
            "n_ratings": int(n_ratings_of[producer]),
            "seed": seed,
            "statistic": BRADLEY_TERRY,
        }
        if np.isnan(theta[producer]):
            estimates.append(Estimate(value=None, low=None, high=None, note=NO_MLE, **base))
            continue
        if len(items) < MIN_ITEMS_FOR_BOOTSTRAP:
            interval = _no_interval(f"No interval: fewer than {MIN_ITEMS_FOR_BOOTSTRAP} items.")
        else:

            def statistic(*cols, axis=-1, producer=producer):
                wins = _sum_items(cols)
                return _fit_cached(wins.reshape(*wins.shape[:-1], k, k))[..., producer]

            interval = bca_interval(columns, statistic, seed=seed, n_resamples=n_resamples)
        estimates.append(Estimate(value=float(theta[producer]), **_with_interval(base, interval)))
    return estimates


def _sum_items(columns) -> np.ndarray:
    """(..., items) columns, one per cell of the win matrix → (..., k²) sums over items."""
    return np.stack([np.asarray(c).sum(axis=-1) for c in columns], axis=-1)
