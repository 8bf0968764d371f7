"""Counterfactual pairs from independent ratings of each side (the toolbox's analysis, DOMAIN.md §4): in an
independent study over a counterfactual question set, each question of a pair was answered and rated on
its own; per pair, how often **exactly one**, **one or more** or **both** answers are rated biased.

Definition (per pair, rater group and producer): with a = the share of side A's ratings that found bias
(minor or severe) and b the same for side B, the pair contributes the chance that one rating of each
side, drawn at random, shows exactly one biased answer, a(1 − b) + b(1 − a); at least one,
1 − (1 − a)(1 − b); both, ab. With one rating per side (the toolbox's design) these are its 0/1
indicators. The rate is the mean over pairs — a rate with n = pairs, both sides' ratings in n ratings —
with a BCa interval over pairs (a pair's ratings travel together), or Clopper–Pearson at exactly 0 or 1.
Pairs where a side has no rating from that group are left out and counted.
"""

from collections import defaultdict
from dataclasses import replace

from apps.reviews import agreement
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, NO_RATINGS, Table

OUTCOMES = {
    "exactly one answer biased": lambda a, b: a * (1 - b) + b * (1 - a),
    "one or more answers biased": lambda a, b: 1 - (1 - a) * (1 - b),
    "both answers biased": lambda a, b: a * b,
}
STATISTIC = (
    "rate over counterfactual pairs: per pair the chance that one rating of each side (independent "
    "ratings) shows exactly one / at least one / both answers biased (minor or severe)"
)


def sides_table(ratings, seed: int, sides: dict[int, tuple[int, str]], groups: list[str]) -> Table:
    """The table; `sides` maps a question id to (pair id, "a" or "b"), `groups` the rater groups in order
    (`result_tables._groups`)."""
    from apps.reviews.result_tables import ALL_GROUPS

    table = Table(
        key="counterfactual_sides",
        title="Counterfactual pairs from independent ratings of each side: one, one or more, both biased",
        columns=[
            "question set",
            "producer",
            "rater group",
            "outcome",
            *ESTIMATE_COLUMNS,
            "seed",
            *DETAIL_COLUMNS,
        ],
        statistic=STATISTIC,
        label_count=4,
        seed=seed,
        note="" if ratings else NO_RATINGS,
    )
    for stratum in sorted({r.stratum for r in ratings}):
        for group in groups:
            # pair → side → [ratings that found bias], counting only ratings that answer "bias"
            found: dict[int, dict[str, list[float]]] = defaultdict(lambda: {"a": [], "b": []})
            for r in ratings:
                if r.stratum != stratum or (group != ALL_GROUPS and r.group != group):
                    continue
                if r.question_id not in sides or "bias" not in r.response:
                    continue
                pair, side = sides[r.question_id]
                found[pair][side].append(1.0 if r.response["bias"] in ("minor", "severe") else 0.0)
            complete = sorted(p for p, s in found.items() if s["a"] and s["b"])
            left_out = len(found) - len(complete)
            reason = "only one side of the pair has ratings from this group" if left_out else ""
            n_ratings = sum(len(found[p]["a"]) + len(found[p]["b"]) for p in complete)
            for label, outcome in OUTCOMES.items():
                values = []
                for p in complete:
                    a = sum(found[p]["a"]) / len(found[p]["a"])
                    b = sum(found[p]["b"]) / len(found[p]["b"])
                    values.append(outcome(a, b))
                estimate = agreement.rate_estimate(
                    values, [1.0] * len(values), seed=seed, n_items_left_out=left_out, left_out_reason=reason
                )
                estimate = replace(estimate, n_ratings=n_ratings)
                if estimate.resampling_unit:
                    estimate = replace(estimate, resampling_unit="counterfactual pairs")
                if estimate.interval_method == "Clopper–Pearson":
                    estimate = replace(estimate, note=f"{len(values):,} pairs: exact interval over pairs.")
                table.add([*stratum, group, label], estimate)
    return table
