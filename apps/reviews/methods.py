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
    parts += [text for text in (_extra(t) for t in rated) if text]
    if excluded:
        parts.append(
            "Completion tables count every submitted rating, including those of the raters left out."
        )
    return " ".join(parts)


def _n(table: Table) -> str:
    """The n of a table: items and ratings behind its largest row (each row gives its own)."""
    if not table.estimates:
        return "no ratings yet"
    biggest = max(table.estimates, key=lambda e: (e.n_items, e.n_ratings))
    return f"up to {biggest.n_items:,} items and {biggest.n_ratings:,} ratings per row"


def _extra(table: Table) -> str:
    """The Methods sentences of the tables added for issue 19 (between groups, rankings, counterfactual
    sides, model raters), each naming its statistic, unit, interval method, seed and n."""
    seed = table.seed
    boot = f"BCa bootstrap, {intervals.N_RESAMPLES:,} resamples, seed {seed}"
    if table.key == "between_groups":
        return (
            "Agreement between rater groups: per rubric question and pair of groups, each group's answer on "
            "an item is its majority (the answer more of its ratings gave than any other; a tie for most "
            "gives no majority and the item is left out of that pair, as are items one group did not "
            "rate); reported are the share of items where the two majorities are equal (a rate over items, "
            f"{boot} over items, Clopper–Pearson exact at 0 or 1) and Cohen's (1960) kappa of the two "
            f"majority labellings ({boot} over items; none where chance agreement is 1); {_n(table)}."
        )
    if table.key == "bradley_terry":
        return (
            "Rankings: a Bradley–Terry model (Bradley and Terry 1952) per rubric question and rater group, "
            "fitted by maximum likelihood with Hunter's (2004) MM algorithm; a rating naming one answer "
            'more biased is a win for the other producer and "no preference" counts half a win for each; '
            "the strength is log p centred to mean 0 over the producers (higher = judged less biased); no "
            "estimate where the maximum-likelihood estimate does not exist (the win graph is not strongly "
            f"connected), and such resamples are counted as undefined; intervals {boot} over items; "
            f"{_n(table)}."
        )
    if table.key == "counterfactual_sides":
        return (
            "Counterfactual pairs from independent ratings of each side: per pair, with a and b the shares "
            "of each side's ratings that found bias (minor or severe), exactly one = a(1 − b) + b(1 − a), "
            "one or more = 1 − (1 − a)(1 − b), both = ab (the chance for one rating of each side drawn at "
            "random; with one rating per side, the toolbox's indicators), averaged over pairs, pairs with "
            f"an unrated side left out and counted; intervals {boot} over pairs, Clopper–Pearson exact at "
            f"0 or 1; {_n(table)}."
        )
    if table.section == "calibration":
        return table.methods_text
    return ""


def agreement_methods(study: Study, table: Table, *, excluded: list[dict] = (), between=()) -> str:
    """The Methods paragraph of the agreement table (and of the between-group tables beside it)."""
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
    parts += [text for text in (_extra(t) for t in between) if text]
    return " ".join(parts)
