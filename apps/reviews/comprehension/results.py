"""Results of a comprehension study: accuracy by version and rater group, the difference simplified −
original with a 95% interval, reading time by version, and per-question difficulty.

Definitions (every number carries its n, method and seed, on the page and in the API):
- **Accuracy**: correct answers / answers, pooled over the submitted ratings of regular items (current
  versions). "I don't know" is an answer and is not correct (its share is reported beside).
- **Interval of an accuracy**: `agreement.rate_estimate` — 95% BCa bootstrap resampling **texts**
  (passages: all answers about one text travel together), 1,000 resamples, the study's seed; Clopper–
  Pearson for a rate of exactly 0 or 1; none below 3 texts.
- **Difference** simplified − original (percentage points / 100): the two pooled accuracies over the same
  resampled texts — each resample draws texts with replacement and recomputes both versions' pooled
  accuracy — 95% BCa (`intervals.bca_interval`, scipy.stats.bootstrap), 1,000 resamples, the study's
  seed. Texts resampled rather than answers because a text's questions and readers are not independent.
  Resamples in which a version has no answer are undefined and handled by the engine's 1% rule.
- **Reading time**: the visible time of the text page (capped by the lease clock), median and mean
  seconds per version and group, over submitted items.
- **Difficulty** (classical item analysis): per question and version, the share answering correctly (p;
  lower = harder), with n and the "I don't know" share.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean, median

import numpy as np

from apps.reviews import agreement
from apps.reviews.comprehension.models import DONT_KNOW, ComprehensionExposure, ComprehensionItem, Version
from apps.reviews.intervals import BCA, MIN_ITEMS_FOR_BOOTSTRAP, N_RESAMPLES, NO_INTERVAL, bca_interval
from apps.reviews.selectors import current_ratings

ALL = "All raters"
RESAMPLING_UNIT = "texts (passages)"
DIFFERENCE = "difference in accuracy, simplified − original"
DIFFERENCE_METHOD = (
    "95% BCa bootstrap (scipy.stats.bootstrap), 1,000 resamples of texts (passages; all answers about a "
    "text resampled together), pooled accuracy of each version recomputed in every resample"
)


@dataclass
class _Answer:
    passage: int
    question: str
    version: str
    group: str
    correct: bool
    dont_know: bool


@dataclass
class ComprehensionResults:
    seed: int
    n_texts: int
    n_ratings: int
    n_raters: int
    accuracy: list[dict] = field(default_factory=list)  # group × version
    difference: list[dict] = field(default_factory=list)  # group
    reading: list[dict] = field(default_factory=list)  # group × version
    difficulty: list[dict] = field(default_factory=list)  # question × version
    methods: str = ""


def _load(study):
    ratings = list(
        current_ratings(study, counted_only=True).values_list(
            "assignment_id",
            "assignment__item_id",
            "assignment__group__name",
            "assignment__rater_id",
            "response",
        )
    )
    items = {ci.item_id: ci for ci in ComprehensionItem.objects.filter(item__study=study)}
    reading = dict(
        ComprehensionExposure.objects.filter(
            study=study, assignment_id__in=[r[0] for r in ratings]
        ).values_list("assignment_id", "reading_ms")
    )
    return ratings, items, reading


def _answers(ratings, items) -> list[_Answer]:
    answers = []
    for _, item_id, group, _, response in ratings:
        item = items[item_id]
        for question in item.questions:
            value = response.get(question["key"])
            if value is None:
                continue
            answers.append(
                _Answer(
                    passage=item.passage_id,
                    question=question["key"],
                    version=item.version,
                    group=group,
                    correct=value == question["correct"],
                    dont_know=value == DONT_KNOW,
                )
            )
    return answers


def _per_text(answers: list[_Answer], passages: list[int], version: str) -> tuple[list[int], list[int]]:
    hits, totals = defaultdict(int), defaultdict(int)
    for a in answers:
        if a.version == version:
            totals[a.passage] += 1
            hits[a.passage] += a.correct
    return [hits[p] for p in passages], [totals[p] for p in passages]


def _estimate_dict(estimate: agreement.Estimate) -> dict:
    row = estimate.as_dict()
    row["resampling_unit"] = RESAMPLING_UNIT if estimate.n_resamples else None
    return row


def difference_estimate(answers: list[_Answer], passages: list[int], *, seed: int) -> dict:
    """Simplified − original pooled accuracy with its 95% BCa interval over texts (dict for the API)."""
    hs, ts = (np.asarray(v, dtype=float) for v in _per_text(answers, passages, Version.SIMPLIFIED))
    ho, to = (np.asarray(v, dtype=float) for v in _per_text(answers, passages, Version.ORIGINAL))
    both = int(((ts > 0) & (to > 0)).sum())
    row = {
        "statistic": DIFFERENCE,
        "value": None,
        "low": None,
        "high": None,
        "interval_method": NO_INTERVAL,
        "n_texts": len(passages),
        "n_texts_both_versions": both,
        "n_answers_simplified": int(ts.sum()),
        "n_answers_original": int(to.sum()),
        "seed": seed,
        "n_resamples": None,
        "n_resamples_undefined": 0,
        "resampling_unit": RESAMPLING_UNIT,
        "confidence_level": 0.95,
        "note": "",
    }
    if not ts.sum() or not to.sum():
        row["note"] = "No interval: one of the versions has no answers yet."
        return row
    row["value"] = float(hs.sum() / ts.sum() - ho.sum() / to.sum())
    if len(passages) < MIN_ITEMS_FOR_BOOTSTRAP:
        row["note"] = f"No interval: fewer than {MIN_ITEMS_FOR_BOOTSTRAP} texts."
        return row

    def statistic(hs, ts, ho, to, axis=-1):
        with np.errstate(divide="ignore", invalid="ignore"):
            return hs.sum(axis=axis) / ts.sum(axis=axis) - ho.sum(axis=axis) / to.sum(axis=axis)

    interval = bca_interval((hs, ts, ho, to), statistic, seed=seed, n_resamples=N_RESAMPLES)
    row.update(
        low=interval.low,
        high=interval.high,
        interval_method=interval.method,
        n_resamples=interval.n_resamples,
        n_resamples_undefined=interval.n_undefined,
        note=interval.note,
    )
    return row


def _groups(answers: list[_Answer]) -> list[str]:
    return sorted({a.group for a in answers}) + [ALL]


def comprehension_results(study) -> ComprehensionResults:
    seed = int(study.seed)
    ratings, items, reading = _load(study)
    answers = _answers(ratings, items)
    passages = sorted({ci.passage_id for ci in items.values()})
    result = ComprehensionResults(
        seed=seed,
        n_texts=len(passages),
        n_ratings=len(ratings),
        n_raters=len({r[3] for r in ratings}),
    )
    for group in _groups(answers) if answers else []:
        mine = [a for a in answers if group == ALL or a.group == group]
        for version in Version:
            hits, totals = _per_text(mine, passages, version)
            estimate = agreement.rate_estimate(hits, totals, seed=seed)
            subset = [a for a in mine if a.version == version]
            result.accuracy.append(
                {
                    "group": group,
                    "version": version.value,
                    "dont_know_share": (sum(a.dont_know for a in subset) / len(subset)) if subset else None,
                    "n_answers": len(subset),
                    **_estimate_dict(estimate),
                }
            )
        result.difference.append({"group": group, **difference_estimate(mine, passages, seed=seed)})
    by_group_version = defaultdict(list)
    for assignment_id, item_id, group, _, _ in ratings:
        ms = reading.get(assignment_id)
        if ms is not None:
            for g in (group, ALL):
                by_group_version[(g, items[item_id].version)].append(ms / 1000)
    for group in sorted({g for g, _ in by_group_version}, key=lambda g: (g == ALL, g)):
        for version in Version:
            seconds = by_group_version.get((group, version), [])
            result.reading.append(
                {
                    "group": group,
                    "version": version.value,
                    "n": len(seconds),
                    "median_seconds": median(seconds) if seconds else None,
                    "mean_seconds": mean(seconds) if seconds else None,
                }
            )
    texts = {}
    for ci in items.values():
        for q in ci.questions:
            texts[q["key"]] = (ci.passage_id, q["position"], q["text"])
    for key, (passage, position, text) in sorted(texts.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        for version in Version:
            subset = [a for a in answers if a.question == key and a.version == version]
            result.difficulty.append(
                {
                    "question": key,
                    "passage": passage,
                    "position": position,
                    "text": text,
                    "version": version.value,
                    "n": len(subset),
                    "p_correct": (sum(a.correct for a in subset) / len(subset)) if subset else None,
                    "dont_know_share": (sum(a.dont_know for a in subset) / len(subset)) if subset else None,
                }
            )
    result.methods = methods_text(result)
    return result


def methods_text(result: ComprehensionResults) -> str:
    import scipy

    return (
        f"Comprehension: {result.n_ratings} submitted items by {result.n_raters} raters over "
        f"{result.n_texts} texts; each rater read one version of each text (seeded between-subjects design, "
        "apps/reviews/comprehension/design.py), then answered its questions without it. Accuracy is "
        'correct answers / answers, pooled; "I don\'t know" counts as an answer that is not correct. '
        "Intervals: 95% BCa bootstrap resampling texts (1,000 resamples, NumPy default_rng seeded with the "
        f"study's seed {result.seed}; Clopper–Pearson for an accuracy of exactly 0 or 1; none below "
        f"{MIN_ITEMS_FOR_BOOTSTRAP} texts). The difference simplified − original recomputes both pooled "
        f"accuracies in each resample of texts ({BCA}). Reading time: seconds the text page was visible, "
        f"capped by the lease clock. SciPy {scipy.__version__}, NumPy {np.__version__}."
    )
