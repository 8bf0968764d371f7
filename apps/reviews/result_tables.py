"""The rate tables of each rubric kind: bias rates and dimensions (independent), pairwise preferences
with the randomised sides undone, counterfactual outcomes, simplification scores and error rates.

Each rate pools the ratings of every item (ratings that found X / ratings) and carries a 95% interval
from `agreement` (BCa over items, or Clopper–Pearson at 0 or 1; see `intervals`). `results.py` loads the
ratings and calls these; `tables.py` holds the table type.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from apps.reviews import agreement
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, NO_RATINGS, Table

ALL_GROUPS = "All raters"


@dataclass
class _Rating:
    item_id: int
    group: str
    response: dict
    stratum: tuple  # (question set, producer label) or () — what a rate is reported per
    swapped: bool
    question_id: int | None = None  # of answer A (the question rated, for independent items)
    # pairwise: the two producers' ids with the sides undone (the study's earlier-listed one first)
    pair: tuple[int, int] | None = None
    rater: str = ""  # username (calibration: each person against the rest of their group)


def _groups(ratings: list[_Rating]) -> list[str]:
    """Each rater group of the ratings, then all raters together when there is more than one group."""
    groups = sorted({r.group for r in ratings})
    return [*groups, ALL_GROUPS] if len(groups) > 1 else groups


def _rate_table(
    key: str,
    title: str,
    labels: list[str],
    ratings: list[_Rating],
    outcomes: dict,
    seed: int,
    by_stratum=True,
) -> Table:
    """One row per (stratum, rater group, outcome): the share of ratings for which outcome(response)
    is true, among the ratings for which it is defined (outcome returns None to leave a rating out; an
    item none of whose ratings is defined is counted as left out)."""
    table = Table(
        key=key,
        title=title,
        columns=[*labels, "rater group", "outcome", *ESTIMATE_COLUMNS, "seed", *DETAIL_COLUMNS],
        statistic="rate: ratings that record the outcome / ratings, pooled over items",
        label_count=len(labels) + 2,
        seed=seed,
        note="" if ratings else NO_RATINGS,
    )
    strata = sorted({r.stratum for r in ratings}) if by_stratum else [()]
    for stratum in strata:
        for group in _groups(ratings):
            subset = [
                r
                for r in ratings
                if (not by_stratum or r.stratum == stratum) and (group == ALL_GROUPS or r.group == group)
            ]
            rated = {r.item_id for r in subset}
            for outcome_label, outcome in outcomes.items():
                hits, totals = defaultdict(float), defaultdict(float)
                for r in subset:
                    value = outcome(r)
                    if value is None:
                        continue
                    totals[r.item_id] += 1
                    hits[r.item_id] += float(value)
                items = sorted(totals)
                left_out = len(rated) - len(items)
                estimate = agreement.rate_estimate(
                    [hits[i] for i in items],
                    [totals[i] for i in items],
                    seed=seed,
                    n_items_left_out=left_out,
                    left_out_reason="no rating of the item answers the question the outcome needs"
                    if left_out
                    else "",
                )
                prefix = [*stratum, group, outcome_label]
                table.add(prefix, estimate, " · ".join(str(p) for p in prefix))
    return table


def _choice(key, *values):
    def outcome(r: _Rating):
        if key not in r.response:
            return None
        return r.response[key] in values

    return outcome


def _ticked(key, option, when=None):
    def outcome(r: _Rating):
        if when is not None and not when(r):
            return None
        return option in r.response.get(key, [])

    return outcome


def _independent_tables(study, ratings, seed) -> list[Table]:
    definition = {q["key"]: q for q in study.rubric.questions}
    tables = [
        _rate_table(
            "bias_rate",
            "Answers rated as biased (minor or severe)",
            ["question set", "producer"],
            ratings,
            {
                "biased (minor or severe)": _choice("bias", "minor", "severe"),
                "severe": _choice("bias", "severe"),
            },
            seed,
        )
    ]
    if "dimensions" in definition:
        outcomes = {
            option["label"]: _ticked("dimensions", option["value"])
            for option in definition["dimensions"]["options"]
        }
        tables.append(
            _rate_table(
                "dimensions",
                "Bias dimensions (share of all ratings that ticked the dimension)",
                ["question set", "producer"],
                ratings,
                outcomes,
                seed,
            )
        )
    return tables


def _pairwise_tables(study, ratings, seed, labels) -> list[Table]:
    producer_ids = [int(pk) for pk in study.source.get("producers", [])]
    if len(producer_ids) > 2:
        return _multi_pairwise_tables(study, ratings, seed, labels, producer_ids)
    first, second = (labels.get(pk, f"Producer {n}") for n, pk in enumerate(producer_ids[:2], 1))

    def prefers(key, producer_index):
        # Undo the randomised sides: on a swapped item, Response A is the second producer's answer.
        def outcome(r: _Rating):
            choice = r.response.get(key)
            if choice is None:
                return None
            if choice == "none":
                return producer_index is None
            side_of_first = "b" if r.swapped else "a"
            chosen_first = choice == side_of_first
            return producer_index == (0 if chosen_first else 1)

        return outcome

    tables = []
    for question in study.rubric.questions:
        if question["type"] != "single" or {o["value"] for o in question["options"]} != {"a", "b", "none"}:
            continue
        tables.append(
            _rate_table(
                f"preference_{question['key']}",
                f"Pairwise: {question['label']}",
                ["question set"],
                ratings,
                {
                    f"{first} more biased": prefers(question["key"], 0),
                    f"{second} more biased": prefers(question["key"], 1),
                    "no preference": prefers(question["key"], None),
                },
                seed,
            )
        )
    return tables


def _preference_questions(study) -> list[dict]:
    return [
        q
        for q in study.rubric.questions
        if q["type"] == "single" and {o["value"] for o in q["options"]} == {"a", "b", "none"}
    ]


def _multi_pairwise_tables(study, ratings, seed, labels, producer_ids) -> list[Table]:
    """Over more than two producers: per question, preference rates per pair of producers (the pair's
    study-order first and second, sides undone), reported per pair instead of per question set."""
    name = {pk: labels.get(pk, f"Producer {n}") for n, pk in enumerate(producer_ids, 1)}
    by_pair = [
        replace(r, stratum=(f"{name[r.pair[0]]} vs {name[r.pair[1]]}",))
        for r in ratings
        if r.pair is not None
    ]

    def prefers(key, which):
        def outcome(r: _Rating):
            choice = r.response.get(key)
            if choice is None:
                return None
            if choice == "none":
                return which is None
            return which == (0 if choice == ("b" if r.swapped else "a") else 1)

        return outcome

    return [
        _rate_table(
            f"preference_{question['key']}",
            f"Pairwise: {question['label']}",
            ["pair"],
            by_pair,
            {
                "first of the pair more biased": prefers(question["key"], 0),
                "second of the pair more biased": prefers(question["key"], 1),
                "no preference": prefers(question["key"], None),
            },
            seed,
        )
        for question in _preference_questions(study)
    ]


def _counterfactual_tables(study, ratings, seed) -> list[Table]:
    def should_not_but_biased(r: _Rating):
        if "ideal_differ" not in r.response:
            return None
        return r.response["ideal_differ"] == "no" and r.response.get("indicates_bias") == "yes"

    outcomes = {
        "ideal answers should not differ": _choice("ideal_differ", "no"),
        "actual answers differ": lambda r: (
            None if "actual_differ" not in r.response else r.response["actual_differ"] != "identical"
        ),
        "answers differ and indicate bias": lambda r: r.response.get("indicates_bias") == "yes",
        "ideal should not differ, but actual answers differ and indicate bias": should_not_but_biased,
    }
    tables = [
        _rate_table("counterfactual", "Counterfactual outcomes", ["question set"], ratings, outcomes, seed)
    ]
    definition = {q["key"]: q for q in study.rubric.questions}
    if "dimensions" in definition:
        tables.append(
            _rate_table(
                "counterfactual_dimensions",
                "Bias dimensions of the differences (share of all ratings)",
                ["question set"],
                ratings,
                {o["label"]: _ticked("dimensions", o["value"]) for o in definition["dimensions"]["options"]},
                seed,
            )
        )
    return tables


def _simplification_tables(study, ratings, seed) -> list[Table]:
    tables = []
    scales = [q for q in study.rubric.questions if q["type"] == "scale"]
    if scales:
        table = Table(
            key="scores",
            title="Mean scores",
            columns=["rater group", "question", *ESTIMATE_COLUMNS, "seed", *DETAIL_COLUMNS],
            statistic="mean score: sum of the scale answers / ratings, pooled over items",
            label_count=2,
            seed=seed,
            note="" if ratings else NO_RATINGS,
        )
        for question in scales:
            table.chart_domain = (question["min"], question["max"])
            for group in _groups(ratings):
                sums, totals, rated = defaultdict(float), defaultdict(float), set()
                for r in ratings:
                    if group != ALL_GROUPS and r.group != group:
                        continue
                    rated.add(r.item_id)
                    if question["key"] in r.response:
                        sums[r.item_id] += r.response[question["key"]]
                        totals[r.item_id] += 1
                items = sorted(totals)
                left_out = len(rated) - len(items)
                estimate = agreement.mean_estimate(
                    [sums[i] for i in items],
                    [totals[i] for i in items],
                    seed=seed,
                    n_items_left_out=left_out,
                    left_out_reason="no rating of the item answers the question" if left_out else "",
                )
                table.add([group, question["label"]], estimate, f"{group} · {question['key']}")
        tables.append(table)
    for question in study.rubric.questions:
        if question["type"] == "multi":
            tables.append(
                _rate_table(
                    f"errors_{question['key']}",
                    f"{question['label']} (share of ratings)",
                    [],
                    ratings,
                    {o["label"]: _ticked(question["key"], o["value"]) for o in question["options"]},
                    seed,
                    by_stratum=False,
                )
            )
    return tables
