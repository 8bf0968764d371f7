"""Results of a study: the tables a curator reads (and downloads as CSV), each number with its n, the
statistic it is and how its interval was made.

Rates pool ratings over items (ratings that found X / ratings) and get 95% BCa bootstrap intervals
resampling items (1,000 resamples, the study's seed as recorded), or the Clopper–Pearson interval when a
rate is exactly 0 or 1 (see `agreement` and `intervals`). Agreement is computed per rubric question and
per rater group (and across all raters): Krippendorff's alpha at the question's level of measurement
(`rubric.question_kind`) and Randolph's kappa. Multiple-choice questions count each option as ticked /
not ticked in every rating of the item (a rating that found no bias ticks no dimension).

Every rating table carries one `agreement.Estimate` per row (`Table.estimates`): rows hold the
unrounded values and, after the original columns, the seed, interval method, resamples, undefined
resamples, resampling unit and the items left out with the reason; pages round (`display_rows`).

This module loads the ratings that count, caches the bootstrap tables and builds completion and
agreement; `result_tables.py` holds the rate tables of each rubric kind, `tables.py` the table type.
"""

import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Max

from apps.reviews import agreement
from apps.reviews.between_groups import between_groups_table
from apps.reviews.counterfactual_sides import sides_table
from apps.reviews.models import Rating, Rubric, Study, StudyItem
from apps.reviews.rankings import ranking_table
from apps.reviews.result_tables import (
    ALL_GROUPS,
    _counterfactual_tables,
    _groups,
    _independent_tables,
    _pairwise_tables,
    _Rating,
    _simplification_tables,
)
from apps.reviews.rubric import question_kind
from apps.reviews.selectors import current_ratings, study_completion
from apps.reviews.tables import DETAIL_COLUMNS, ESTIMATE_COLUMNS, NO_RATINGS, Table

CACHE_VERSION = 3  # bump when the cached tables change shape


def _producer_labels(study: Study) -> dict[int, str]:
    """Producer labels for results; coded ("Producer 1") while a double-blind study is open."""
    from apps.equity.models import Producer

    ids = [int(pk) for pk in study.source.get("producers", [])]
    producers = {p.pk: p for p in Producer.objects.filter(pk__in=ids)}
    coded = study.blinding == Study.Blinding.DOUBLE and study.status != Study.Status.CLOSED
    return {
        pk: (f"Producer {n}" if coded else producers[pk].label)
        for n, pk in enumerate(ids, 1)
        if pk in producers
    }


def _load(study: Study, exclude: frozenset[int] = frozenset()) -> list[_Rating]:
    """The ratings that count (regular items), leaving out the raters in `exclude` (user ids)."""
    ratings = current_ratings(study, counted_only=True)
    if exclude:
        ratings = ratings.exclude(assignment__rater_id__in=exclude)
    rows = ratings.values_list(
        "assignment__item_id",
        "assignment__group__name",
        "response",
        "assignment__item__swapped",
        "assignment__item__answer_a__question__question_set__name",
        "assignment__item__answer_a__producer_id",
        "assignment__item__answer_a__question_id",
        "assignment__item__answer_b__producer_id",
        "assignment__rater__username",
    )
    labels = _producer_labels(study)
    kind = study.rubric.kind
    loaded = []
    for item_id, group, response, swapped, set_name, producer_id, question_id, producer_b, rater in rows:
        pair = None
        if kind == Rubric.Kind.INDEPENDENT:
            stratum = (set_name, labels.get(producer_id, str(producer_id)))
        elif kind in (Rubric.Kind.PAIRWISE, Rubric.Kind.COUNTERFACTUAL):
            stratum = (set_name,)
            if kind == Rubric.Kind.PAIRWISE:
                pair = (producer_b, producer_id) if swapped else (producer_id, producer_b)
        else:
            stratum = ()
        loaded.append(_Rating(item_id, group, response, stratum, swapped, question_id, pair, rater))
    return loaded


def study_results(study: Study, *, exclude: frozenset[int] = frozenset()) -> list[Table]:
    """Every results table of the study: completion, then the tables of its rubric kind.

    `exclude` (rater user ids) leaves those raters' ratings out of the rating tables; completion always
    counts everyone's work."""
    seed = int(study.seed)  # as recorded: NumPy seeds from the whole integer, however large
    completion = study_completion(study)
    tables = [
        Table(
            key="completion_groups",
            title="Completion by rater group",
            columns=["rater group", "ratings submitted", "ratings needed", "open leases", "percent"],
            rows=[
                [g["group__name"], g["submitted"], g["needed"], g["leased"], g["percent"]]
                for g in completion["groups"]
            ],
        ),
        Table(
            key="completion_raters",
            title="Completion by rater",
            columns=[
                "rater",
                "rater group",
                "submitted",
                "open",
                "skipped",
                "expired",
                "mean seconds per item",
            ],
            rows=[
                [
                    r["rater__username"],
                    r["group__name"],
                    r["submitted"],
                    r["open"],
                    r["skipped"],
                    r["expired"],
                    r["mean_seconds"],
                ]
                for r in completion["raters"]
            ],
        ),
    ]
    rates = _cached(study, "rates", lambda: _rating_tables(study, seed, exclude), exclude)
    return tables + rates + study_between_groups(study, exclude=exclude) + _extra_tables(study, exclude)


def study_between_groups(study: Study, *, exclude: frozenset[int] = frozenset()) -> list[Table]:
    """Agreement between rater groups (majority answers per item; `between_groups`)."""

    def compute():
        return [between_groups_table(study, _load(study, exclude), int(study.seed), _variables)]

    return _cached(study, "between_groups", compute, exclude)


def _rating_tables(study: Study, seed: int, exclude: frozenset[int] = frozenset()) -> list[Table]:
    ratings = _load(study, exclude)
    kind = study.rubric.kind
    if kind == Rubric.Kind.INDEPENDENT:
        tables = _independent_tables(study, ratings, seed)
        sides = _counterfactual_sides(study)
        if sides:
            tables.append(sides_table(ratings, seed, sides, _groups(ratings)))
        return tables
    if kind == Rubric.Kind.PAIRWISE:
        labels = _producer_labels(study)
        return [*_pairwise_tables(study, ratings, seed, labels), ranking_table(study, ratings, seed, labels)]
    if kind == Rubric.Kind.COUNTERFACTUAL:
        return _counterfactual_tables(study, ratings, seed)
    return _simplification_tables(study, ratings, seed)


def _counterfactual_sides(study: Study) -> dict[int, tuple[int, str]]:
    """Question id → (counterfactual pair id, side) for the pairs of the study's question set."""
    from apps.equity.models import CounterfactualPair

    sides = {}
    pairs = CounterfactualPair.objects.filter(question_set_id=study.source.get("question_set"))
    for pk, question_a, question_b in pairs.values_list("pk", "question_a_id", "question_b_id"):
        sides[question_a], sides[question_b] = (pk, "a"), (pk, "b")
    return sides


def _cached(study: Study, name: str, compute, exclude: frozenset[int] = frozenset()):
    """Bootstrap tables are recomputed only when the ratings change (a new rating or correction has a new
    id), the study's status or blinding does (they decide the producer labels), the excluded raters do,
    or an item's role does (gold and practice items are left out)."""
    state = Rating.objects.filter(assignment__study=study).aggregate(n=Count("id"), last=Max("id"))
    roles = StudyItem.objects.filter(study=study).exclude(role=StudyItem.Role.REGULAR).count()
    excluded = ",".join(map(str, sorted(exclude))) or "-"
    key = (
        f"reviews:{CACHE_VERSION}:{name}:{study.pk}:{state['n']}:{state['last']}:{study.status}:{study.blinding}:{study.seed}"
        f":{roles}:{excluded}"
    )
    if len(key) > 200:  # many excluded raters: keep the cache key short
        key = f"reviews:{CACHE_VERSION}:{name}:{study.pk}:" + hashlib.sha256(key.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=3600)
    return value


def study_agreement(study: Study, *, exclude: frozenset[int] = frozenset()) -> Table:
    """Agreement per rubric question and rater group (and all raters together), without the raters in
    `exclude` (user ids)."""
    return _cached(study, "agreement", lambda: _agreement_table(study, exclude), exclude)


def _agreement_table(study: Study, exclude: frozenset[int] = frozenset()) -> Table:
    seed = int(study.seed)
    ratings = _load(study, exclude)
    table = Table(
        key="agreement",
        title="Agreement per question and rater group",
        columns=["question", "level", "rater group", "statistic", *ESTIMATE_COLUMNS, "seed", *DETAIL_COLUMNS],
        chart_domain=(-1.0, 1.0),
        note=(
            "Items where fewer than two ratings answer the question carry no agreement information and are "
            "left out (counted in each row)."
            if ratings
            else NO_RATINGS
        ),
        statistic=f"{agreement.ALPHA} and {agreement.KAPPA}",
        label_count=4,
        seed=seed,
    )
    for question in study.rubric.questions:
        level = question_kind(question)
        if level == "none":
            continue
        measure = "nominal" if question["type"] == "multi" else level
        for variable, categories, value_of in _variables(question):
            for group in _groups(ratings):
                units = defaultdict(list)
                for r in ratings:
                    if group != ALL_GROUPS and r.group != group:
                        continue
                    value = value_of(r.response)
                    if value is not None:
                        units[r.item_id].append(value)
                unit_values = [units[i] for i in sorted(units)]
                try:
                    alpha = agreement.alpha_estimate(unit_values, categories, measure, seed=seed)
                except agreement.LevelError as exc:
                    alpha = agreement.Estimate(None, None, None, 0, 0, seed, str(exc), agreement.ALPHA)
                kappa = agreement.kappa_estimate(unit_values, categories, seed=seed)
                for name, estimate in ((agreement.ALPHA, alpha), (agreement.KAPPA, kappa)):
                    symbol = "α" if name == agreement.ALPHA else "κ"
                    table.add([variable, measure, group, name], estimate, f"{variable} · {group} · {symbol}")
    return table


def _variables(question: dict):
    """(name, categories, value_of(response)) for each agreement variable a question yields."""
    key = question["key"]
    if question["type"] == "single":
        return [(key, [o["value"] for o in question["options"]], lambda response: response.get(key))]
    if question["type"] == "scale":
        return [(key, list(range(question["min"], question["max"] + 1)), lambda response: response.get(key))]
    return [
        (
            f"{key}: {option['label']}",
            [False, True],
            lambda response, value=option["value"]: value in response.get(key, []),
        )
        for option in question["options"]
    ]


def _extra_tables(study: Study, exclude: frozenset[int]) -> list[Table]:
    """The calibration section: each model rater against each human group, and each person against the
    rest of their group (only once the study has a model rater). Model ratings are read here only."""
    from apps.reviews.autoraters import calibration
    from apps.reviews.autoraters.models import Autorater, AutoraterRating

    autoraters = list(Autorater.objects.filter(study=study).order_by("id"))
    if not autoraters:
        return []
    state = AutoraterRating.objects.filter(autorater__study=study).aggregate(n=Count("id"), last=Max("id"))
    names = ",".join(f"{a.pk}:{a.model_revision}" for a in autoraters)

    def compute():
        seed = int(study.seed)
        ratings = _load(study, exclude)
        tables = []
        for autorater in autoraters:
            model_ratings = list(
                AutoraterRating.objects.filter(autorater=autorater).values_list("item_id", "response")
            )
            tables += calibration.autorater_tables(study, autorater, model_ratings, ratings, seed, _variables)
        humans = calibration.humans_table(study, ratings, seed, _variables)
        return tables + ([humans] if humans else [])

    name = f"calibration:{state['n']}:{state['last']}:{hashlib.sha256(names.encode()).hexdigest()[:16]}"
    return _cached(study, name, compute, exclude)
