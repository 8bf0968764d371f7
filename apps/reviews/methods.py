"""The "Methods" paragraph of the results and agreement pages (and of their API answers): what a paper
can cite — statistic, level of measurement, interval method, resampling unit, resamples, seed, software
versions and exclusions — written from the tables actually computed, so it never describes a method
that was not used."""

from collections import Counter
from importlib.metadata import PackageNotFoundError, version

from django.db.models import Count

from apps.reviews import intervals
from apps.reviews.models import Rubric, Study
from apps.reviews.selectors import current_ratings
from apps.reviews.tables import Table

STRATA = {
    Rubric.Kind.INDEPENDENT: "question set × producer",
    Rubric.Kind.PAIRWISE: "question set",
    Rubric.Kind.COUNTERFACTUAL: "question set",
}


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - every deployment installs them
        return "(version unknown)"


def _counted(study: Study, excluded: list[dict]) -> str:
    """Which ratings the tables count, after the raters left out."""
    ratings = current_ratings(study, counted_only=True)
    ids = [r["rater_id"] for r in excluded]
    if ids:
        ratings = ratings.exclude(assignment__rater_id__in=ids)
    counts = ratings.aggregate(
        n=Count("id"),
        items=Count("assignment__item", distinct=True),
        raters=Count("assignment__rater", distinct=True),
    )
    groups = (
        ratings.values("assignment__group__name").annotate(n=Count("id")).order_by("assignment__group__name")
    )
    if not counts["n"]:
        text = "No ratings yet."
    else:
        by_group = ", ".join(f"{g['assignment__group__name']} {g['n']:,}" for g in groups)
        text = (
            f"Counted: {counts['n']:,} ratings ({by_group}) of {counts['items']:,} items by "
            f"{counts['raters']:,} raters: the current version of each rating, regular items only (gold and "
            "practice items are left out)."
        )
    if excluded:
        per_group = Counter(r["group"] or "no group" for r in excluded)
        who = ", ".join(f"{group} {n}" for group, n in sorted(per_group.items()))
        text += (
            f" Left out: {len(excluded)} rater{'s' if len(excluded) != 1 else ''} with open quality flags "
            f"({who}), with all their ratings."
        )
    return text


def _bootstrap(seed: int) -> str:
    return (
        "95% confidence intervals are bias-corrected and accelerated (BCa) bootstrap intervals (Efron 1987) "
        f"from scipy.stats.bootstrap (SciPy {_version('scipy')}): {intervals.N_RESAMPLES:,} resamples of "
        "items (all ratings of an item are resampled together), drawn with NumPy "
        f"{_version('numpy')} default_rng seeded with the study seed {seed}. No interval is given with "
        f"fewer than {intervals.MIN_ITEMS_FOR_BOOTSTRAP} items or when every resample would give the same "
        "value; a zero-width interval is never reported."
    )


def _without_interval(tables: list[Table]) -> str:
    estimates = [e for t in tables for e in t.estimates if e.value is not None]
    missing = sum(e.interval_method == intervals.NO_INTERVAL for e in estimates)
    if not missing:
        return ""
    return f" {missing:,} of {len(estimates):,} estimates have no interval; each row's note says why."


def results_methods(study: Study, tables: list[Table], *, excluded: list[dict] = ()) -> str:
    """The Methods paragraph of the results tables."""
    seed = int(study.seed)
    rubric = study.rubric
    rated = [t for t in tables if t.statistic]
    strata = STRATA.get(rubric.kind)
    parts = [
        f'Study "{study.name}", rubric "{rubric.name}" version {rubric.version} '
        f"({rubric.kind}), seed {seed}.",
        _counted(study, list(excluded)),
        "Rates are shares of ratings pooled over items: ratings that record the outcome divided by the "
        "ratings that answer the question it needs"
        + (f", per {strata} and rater group" if strata else ", per rater group")
        + " and for all raters together.",
    ]
    if any(t.key == "scores" for t in rated):
        parts.append("Mean scores pool the scale answers of all ratings in the same way.")
    if rubric.kind == Rubric.Kind.PAIRWISE:
        parts.append("Pairwise preferences name the producers with the randomised sides undone.")
    parts.append(_bootstrap(seed))
    exact = sum(e.interval_method == intervals.CLOPPER_PEARSON for t in rated for e in t.estimates)
    parts.append(
        "A rate of exactly 0 or 1 has no bootstrap spread; it gets the Clopper–Pearson exact interval with "
        "n = items, conservative because the ratings of one item may agree"
        + (f" ({exact:,} estimates)." if exact else " (none here).")
        + _without_interval(rated)
    )
    if excluded:
        parts.append(
            "Completion tables count every submitted rating, including those of the raters left out."
        )
    return " ".join(parts)


def agreement_methods(study: Study, table: Table, *, excluded: list[dict] = ()) -> str:
    """The Methods paragraph of the agreement table."""
    seed = int(study.seed)
    levels: dict[str, str] = {}
    for row in table.rows:
        question = row[0].split(": ")[0]
        levels.setdefault(question, row[1])
    levels_text = "; ".join(f"{question}: {level}" for question, level in levels.items()) or "none"
    undefined = [e.n_resamples_undefined for e in table.estimates if e.n_resamples_undefined]
    left_out = max((e.n_items_left_out for e in table.estimates), default=0)
    parts = [
        f'Study "{study.name}", rubric "{study.rubric.name}" version {study.rubric.version}, seed {seed}.',
        _counted(study, list(excluded)),
        "Agreement per rubric question and rater group, and for all raters together: Krippendorff's alpha "
        f"(Krippendorff 2011; krippendorff package {_version('krippendorff')}) at the level of measurement "
        f"of each question ({levels_text}), interval and ratio alpha on the answers' numeric values; and "
        "Randolph's free-marginal multirater kappa (Randolph 2005), chance agreement 1/k for the "
        "question's k options or scale points. Multiple-choice questions count each option as ticked or "
        "not ticked (nominal). Items where fewer than two ratings answer a question carry no agreement "
        f"information and are left out of that row (each row counts them; at most {left_out:,} here).",
        _bootstrap(seed),
        "A resample without variation has no alpha (its expected disagreement is 0): such resamples are "
        f"counted in each row; when more than {intervals.MAX_UNDEFINED_SHARE:.0%} of them are undefined "
        "there is no interval, otherwise the BCa interval is formed from the defined resamples"
        + (
            f" ({len(undefined):,} estimates had undefined resamples, at most {max(undefined):,} of "
            f"{intervals.N_RESAMPLES:,})."
            if undefined
            else " (none had any here)."
        )
        + _without_interval([table]),
    ]
    return " ".join(parts)
