"""The tables of study results (`Table`: what a curator reads, downloads as CSV and sees as a chart) and
the rate tables of each rubric kind: bias rates and dimensions (independent), pairwise preferences
with the randomised sides undone, counterfactual outcomes, simplification scores and error rates.

Each rate pools the ratings of every item (ratings that found X / ratings) and carries a 95% BCa
interval from `agreement` (1,000 resamples of items, the study's seed). `results.py` loads the ratings
and calls these; the functions here moved from there unchanged.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from apps.reviews import agreement

ALL_GROUPS = "All raters"


@dataclass
class Table:
    key: str  # used in the CSV file name
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: list[dict] = field(default_factory=list)  # {"label", "value", "low", "high", "n"}
    chart_domain: tuple[float, float] = (0.0, 1.0)
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
        }


@dataclass
class _Rating:
    item_id: int
    group: str
    response: dict
    stratum: tuple  # (question set, producer label) or () — what a rate is reported per
    swapped: bool


def _fmt(value, digits: int = 3):
    return None if value is None else round(value, digits)


def _estimate_row(prefix: list, estimate: agreement.Estimate) -> list:
    return [
        *prefix,
        _fmt(estimate.value),
        _fmt(estimate.low),
        _fmt(estimate.high),
        estimate.n_items,
        estimate.n_ratings,
        estimate.note,
    ]


ESTIMATE_COLUMNS = ["estimate", "95% CI low", "95% CI high", "n items", "n ratings", "note"]


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
    is true, among the ratings for which it is defined (outcome returns None to leave a rating out)."""
    table = Table(key=key, title=title, columns=[*labels, "rater group", "outcome", *ESTIMATE_COLUMNS])
    groups = sorted({r.group for r in ratings})
    strata = sorted({r.stratum for r in ratings}) if by_stratum else [()]
    for stratum in strata:
        for group in [*groups, ALL_GROUPS] if len(groups) > 1 else groups:
            subset = [
                r
                for r in ratings
                if (not by_stratum or r.stratum == stratum) and (group == ALL_GROUPS or r.group == group)
            ]
            for outcome_label, outcome in outcomes.items():
                hits, totals = defaultdict(float), defaultdict(float)
                for r in subset:
                    value = outcome(r)
                    if value is None:
                        continue
                    totals[r.item_id] += 1
                    hits[r.item_id] += float(value)
                items = sorted(totals)
                estimate = agreement.rate_estimate(
                    [hits[i] for i in items], [totals[i] for i in items], seed=seed
                )
                prefix = [*stratum, group, outcome_label]
                table.rows.append(_estimate_row(prefix, estimate))
                if estimate.value is not None:
                    table.chart.append(
                        {
                            "label": " · ".join(str(p) for p in prefix),
                            "value": estimate.value,
                            "low": estimate.low,
                            "high": estimate.high,
                            "n": estimate.n_ratings,
                        }
                    )
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
            columns=["rater group", "question", *ESTIMATE_COLUMNS],
        )
        groups = sorted({r.group for r in ratings})
        for question in scales:
            table.chart_domain = (question["min"], question["max"])
            for group in [*groups, ALL_GROUPS] if len(groups) > 1 else groups:
                sums, totals = defaultdict(float), defaultdict(float)
                for r in ratings:
                    if (group == ALL_GROUPS or r.group == group) and question["key"] in r.response:
                        sums[r.item_id] += r.response[question["key"]]
                        totals[r.item_id] += 1
                items = sorted(totals)
                estimate = agreement.mean_estimate(
                    [sums[i] for i in items], [totals[i] for i in items], seed=seed
                )
                table.rows.append(_estimate_row([group, question["label"]], estimate))
                if estimate.value is not None:
                    table.chart.append(
                        {
                            "label": f"{group} · {question['key']}",
                            "value": estimate.value,
                            "low": estimate.low,
                            "high": estimate.high,
                            "n": estimate.n_ratings,
                        }
                    )
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
