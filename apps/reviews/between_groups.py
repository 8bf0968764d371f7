"""Agreement between rater groups: per rubric question, how often two groups' majority answers on the same
item agree, for every pair of groups — beside each group's own alpha and kappa (`results.study_agreement`).

- **Unit**: an item and a rubric question (a multiple-choice question gives one variable per option:
  ticked or not).
- **Majority**: a group's answer on an item is the answer given by more of the group's ratings of that
  item than any other answer (a plurality; with two ratings both must agree). A **tie** for most leaves
  the group without a majority there, and the item is left out of every pair with that group (counted
  in `items left out` with the reason). Items rated by only one of the two groups are left out too.
- **Agreement rate**: the share of the remaining items where the two majorities are equal (a rate with
  n = items; BCa over items, Clopper–Pearson exact at 0 or 1), and **Cohen's kappa** of the two
  majority labellings (chance from each group's own answer frequencies; BCa over items).
"""

from collections import Counter, defaultdict
from dataclasses import replace
from itertools import combinations

from apps.reviews import agreement
from apps.reviews.cohen import COHEN, cohen_kappa_estimate
from apps.reviews.intervals import CLOPPER_PEARSON
from apps.reviews.rubric import question_kind
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, NO_RATINGS, Table

AGREEMENT_RATE = "agreement rate of the majorities"


def variable_label(question: dict, name: str) -> str:
    """A variable as a reader knows it: the question's label (and the option, for multiple choice)."""
    return question["label"] + name[len(question["key"]) :] if name.startswith(question["key"]) else name


def majority(values: list):
    """The answer given most often, or None when two or more answers tie for most (or no answer)."""
    counts = Counter(values).most_common()
    if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def between_groups_table(study, ratings, seed: int, variables) -> Table:
    """The table: one row per (question variable, pair of groups, statistic). `ratings` are the loaded
    ratings that count (`results._load`), `variables(question)` yields (name, categories, value_of)."""
    groups = sorted({r.group for r in ratings})
    table = Table(
        key="between_groups",
        title="Agreement between rater groups (majority answers per item)",
        columns=["question", "rater groups", "statistic", *ESTIMATE_COLUMNS, "seed", *DETAIL_COLUMNS],
        statistic=f"{AGREEMENT_RATE} and {COHEN} between the majority answers of two rater groups",
        label_count=3,
        seed=seed,
        chart_domain=(-1.0, 1.0),
        figure_layout={"panel": ["question"], "group": ["rater groups"], "series": "statistic"},
        section="between_groups",
        note=(
            NO_RATINGS
            if not ratings
            else "Needs ratings from at least two rater groups."
            if len(groups) < 2
            else "Unit: an item. A group's answer is its majority (more of its ratings than any other"
            " answer);"
            " items where a group ties, or that one group did not rate, are left out and counted."
        ),
    )
    if len(groups) < 2:
        return table
    for question in study.rubric.questions:
        if question_kind(question) == "none":
            continue
        for variable, categories, value_of in variables(question):
            per_group: dict[str, dict[int, list]] = {g: defaultdict(list) for g in groups}
            for r in ratings:
                value = value_of(r.response)
                if value is not None:
                    per_group[r.group][r.item_id].append(value)
            for first, second in combinations(groups, 2):
                table_rows(
                    table, variable_label(question, variable), categories, first, second, per_group, seed
                )
    return table


def table_rows(table, variable, categories, first, second, per_group, seed) -> None:
    a_items, b_items = per_group[first], per_group[second]
    both = sorted(set(a_items) & set(b_items))
    rated_by_one = len(set(a_items) ^ set(b_items))
    labels_a, labels_b, n_ratings, ties = [], [], 0, 0
    for item in both:
        ma, mb = majority(a_items[item]), majority(b_items[item])
        if ma is None or mb is None:
            ties += 1
            continue
        labels_a.append(ma)
        labels_b.append(mb)
        n_ratings += len(a_items[item]) + len(b_items[item])
    reasons = []
    if ties:
        reasons.append(f"{ties:,} with a tie for the majority in a group")
    if rated_by_one:
        reasons.append(f"{rated_by_one:,} rated by only one of the two groups")
    left = {"n_items_left_out": ties + rated_by_one, "left_out_reason": "; ".join(reasons)}
    hits = [1.0 if x == y else 0.0 for x, y in zip(labels_a, labels_b, strict=True)]
    rate = agreement.rate_estimate(hits, [1.0] * len(hits), seed=seed, **left)
    rate = replace(rate, statistic=AGREEMENT_RATE, n_ratings=n_ratings)
    if rate.interval_method == CLOPPER_PEARSON:  # say items, not ratings: the unit here is an item
        rate = replace(rate, note=f"{int(sum(hits)):,} of {len(hits):,} items agree: exact interval.")
    kappa = cohen_kappa_estimate(labels_a, labels_b, categories, seed=seed, n_ratings=n_ratings, **left)
    pair = f"{first} vs {second}"
    table.add([variable, pair, AGREEMENT_RATE], rate)
    table.add([variable, pair, COHEN], kappa)
