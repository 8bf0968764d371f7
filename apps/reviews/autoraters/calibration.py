"""Calibration of model raters against each human group, and of each person against their own group.

For every rubric question (a multiple-choice question: each option, ticked or not) and human rater group:

- **Agreement with the group's majority**: Cohen's kappa between the model's answer and the group's
  majority answer (`between_groups.majority`: the answer more of the group's ratings gave than any
  other; ties leave the item out) over the items where both exist, BCa over items.
- **Leniency**: the share of those items the model answers "no bias" (for the bias question "none", for
  a preference "no preference", for a dimension "not ticked"), beside the share of the group's ratings
  that do, on the same items (rates; BCa over items, Clopper–Pearson at 0 or 1).
- **Confusion matrix**: items by model answer × group majority (counts).
- **Yardstick**: each person against the majority of the *other* raters of their group on the items
  they rated (leave-one-out), with the same kappa and leniency — what a human rater achieves.

Outputs that did not parse are left out and counted (their raw text is on the run's page): a model that
rarely answers in the rubric's format shows few items, wide or no intervals, and says so.
"""

from collections import Counter, defaultdict
from dataclasses import replace

from apps.reviews import agreement
from apps.reviews.between_groups import majority, variable_label
from apps.reviews.cohen import cohen_kappa_estimate
from apps.reviews.intervals import CLOPPER_PEARSON
from apps.reviews.rubric import question_kind
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, Table

KAPPA_VS_MAJORITY = "Cohen's kappa against the group's majority"
SHARE_NONE = "share answering no bias"
MAX_RATERS_IN_FIGURE = 12
# Landis & Koch (1977): kappa up to 0.20 is "slight" agreement, below 0 "poor".
SLIGHT = 0.20
# The two calibration tables (model vs each group, each human vs the rest of their group) share columns.
CALIBRATION_COLUMNS = (
    "question",
    "rater group",
    "compared",
    "statistic",
    *ESTIMATE_COLUMNS,
    "seed",
    *DETAIL_COLUMNS,
)


def _none_value(question: dict, categories: list):
    """The answer that means "no bias" for this variable, or None when it has none (scales)."""
    if question["type"] == "multi":
        return False
    values = [o["value"] for o in question.get("options", [])]
    return "none" if "none" in values else None


def _variables(study, variables):
    for question in study.rubric.questions:
        if question_kind(question) == "none":
            continue
        for name, categories, value_of in variables(question):
            yield question, variable_label(question, name), categories, value_of


def _groups_of(ratings) -> dict[str, dict[int, list]]:
    per_group: dict[str, list] = defaultdict(list)
    for r in ratings:
        per_group[r.group].append(r)
    return dict(sorted(per_group.items()))


def _share(values: list[bool], seed: int, **left) -> agreement.Estimate:
    """A share over items (one 0/1 per item)."""
    estimate = agreement.rate_estimate(
        [1.0 if v else 0.0 for v in values], [1.0] * len(values), seed=seed, **left
    )
    if estimate.interval_method == CLOPPER_PEARSON:
        estimate = replace(estimate, note=f"{sum(values):,} of {len(values):,} items: exact interval.")
    return estimate


def _compare(table, variable, group, compared, own, others, categories, none, seed, group_label) -> None:
    """Rows comparing one labelling (`own`: item → answer) with a group (`others`: item → its answers):
    kappa against the group's majority, then the share answering "no bias" for each side."""
    shared = sorted(set(own) & set(others))
    ties = [i for i in shared if majority(others[i]) is None]
    items = [i for i in shared if majority(others[i]) is not None]
    reason = f"the group ties for its majority on {len(ties):,}" if ties else ""
    left = {"n_items_left_out": len(ties), "left_out_reason": reason}
    n_ratings = sum(len(others[i]) + 1 for i in items)
    kappa = cohen_kappa_estimate(
        [own[i] for i in items],
        [majority(others[i]) for i in items],
        categories,
        seed=seed,
        n_ratings=n_ratings,
        **left,
    )
    table.add([variable, group, compared, KAPPA_VS_MAJORITY], replace(kappa, statistic=KAPPA_VS_MAJORITY))
    if none is None:
        return
    mine = _share([own[i] == none for i in items], seed, **left)
    table.add([variable, group, compared, SHARE_NONE], replace(mine, n_ratings=len(items)))
    hits = [sum(v == none for v in others[i]) for i in items]
    theirs = agreement.rate_estimate(hits, [len(others[i]) for i in items], seed=seed, **left)
    table.add([variable, group, group_label, SHARE_NONE], theirs)


def autorater_tables(study, autorater, model_ratings, ratings, seed: int, variables) -> list[Table]:
    """The calibration and confusion tables of one model rater. `model_ratings`: its AutoraterRating
    rows (item id, response or None); `ratings`: the human ratings that count (`results._load`)."""
    parsed = {item: response for item, response in model_ratings if response is not None}
    unparsed = len(model_ratings) - len(parsed)
    groups = _groups_of(ratings)
    name = autorater.name
    table = Table(
        key=f"calibration_{autorater.pk}",
        title=f"Model rater “{name}” against each human group",
        columns=list(CALIBRATION_COLUMNS),
        statistic=f"{KAPPA_VS_MAJORITY} (BCa over items) and {SHARE_NONE} (leniency: model vs group)",
        label_count=4,
        seed=seed,
        chart_domain=(-1.0, 1.0),
        figure_layout={"panel": ["question"], "group": ["compared", "statistic"], "series": "rater group"},
        section="calibration",
    )
    confusion = Table(
        key=f"confusion_{autorater.pk}",
        title=f"Model rater “{name}”: confusion with each group's majority (items)",
        columns=["question", "rater group", "model answer", "group majority", "items"],
        section="calibration",
    )
    for question, variable, categories, value_of in _variables(study, variables):
        none = _none_value(question, categories)
        own = {}
        for item, response in parsed.items():
            value = value_of(response)
            if value is not None:
                own[item] = value
        for group, group_ratings in groups.items():
            others: dict[int, list] = defaultdict(list)
            for r in group_ratings:
                value = value_of(r.response)
                if value is not None:
                    others[r.item_id].append(value)
            _compare(table, variable, group, "model", own, others, categories, none, seed, "group's ratings")
            counts = Counter(
                (own[i], majority(others[i]))
                for i in set(own) & set(others)
                if majority(others[i]) is not None
            )
            for mine in categories:
                for theirs in categories:
                    confusion.rows.append([variable, group, mine, theirs, counts.get((mine, theirs), 0)])
    kappas = [
        e.value for row, e in zip(table.rows, table.estimates, strict=True) if row[3] == KAPPA_VS_MAJORITY
    ]
    defined = [k for k in kappas if k is not None]
    verdict = (
        f"Best kappa {max(defined):.2f}: "
        + (
            "at most slight agreement (κ ≤ 0.20, Landis & Koch 1977) with every group on every question."
            if max(defined) <= SLIGHT
            else "read each row; κ ≤ 0.20 is slight agreement or worse."
        )
        if defined
        else "No kappa could be computed: too few parsed outputs or items with a group majority."
    )
    table.note = (
        f"{len(parsed):,} of {len(model_ratings):,} model outputs parsed as rubric answers"
        + (f"; {unparsed:,} did not (left out; their raw text is on the run's page)" if unparsed else "")
        + f". {verdict} Model ratings appear only here, never in the human tables."
    )
    record = autorater.run_record or {}
    table.methods_text = (
        f'Model rater "{name}": {autorater.model_name or "model not loaded yet"} '
        f"(weights {autorater.model_revision or 'unknown'}), prompt template {autorater.template_version}, "
        f"decoding {autorater.decoding}, seed {autorater.seed}, device {record.get('device', '?')} "
        f"{record.get('dtype', '')}; outputs parsed strictly (the first JSON object, validated by the "
        f"rubric; {unparsed:,} of {len(model_ratings):,} did not parse and are left out). Against each human "
        "group's majority answer (ties left out): Cohen's kappa (BCa bootstrap over items, "
        f'1,000 resamples, seed {seed}), the share of items answered "no bias" by the model and of the '
        "group's ratings on the same items (leniency), and the confusion matrix."
    )
    return [table, confusion]


def humans_table(study, ratings, seed: int, variables) -> Table | None:
    """Each person against the majority of the other raters of their group (the yardstick)."""
    raters = sorted({(r.group, r.rater) for r in ratings})
    if not raters:
        return None
    table = Table(
        key="calibration_humans",
        title="Yardstick: each rater against the majority of the others in their group",
        columns=list(CALIBRATION_COLUMNS),
        statistic=f"{KAPPA_VS_MAJORITY} (the others of the group; BCa over items) and {SHARE_NONE}",
        label_count=4,
        seed=seed,
        chart_domain=(-1.0, 1.0),
        figure_layout={"panel": ["question", "rater group"], "group": ["compared"], "series": "statistic"}
        if len(raters) <= MAX_RATERS_IN_FIGURE
        else {"figure": False},
        section="calibration",
        note="Items where no other rater of the group answered, or where the others tie, are left out.",
        methods_text=(
            "Yardstick: each rater against the majority answer of the other raters of their group on the "
            "items they rated (ties left out), with Cohen's kappa (BCa bootstrap over items, 1,000 "
            f'resamples, seed {seed}) and the share answering "no bias" beside the others\' share.'
        ),
    )
    for question, variable, categories, value_of in _variables(study, variables):
        none = _none_value(question, categories)
        for group, rater in raters:
            own, others = {}, defaultdict(list)
            for r in ratings:
                if r.group != group:
                    continue
                value = value_of(r.response)
                if value is None:
                    continue
                if r.rater == rater:
                    own[r.item_id] = value
                else:
                    others[r.item_id].append(value)
            label = f"others of {rater}"
            _compare(table, variable, group, rater, own, others, categories, none, seed, label)
    return table
