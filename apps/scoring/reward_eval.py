"""How a reward classifier is trained and judged: the document split and the held-out metrics (pure code).

**Split rule (by document, seeded).** The documents that contribute texts are sorted by id and shuffled
with `random.Random(seed)`; the first `max(1, round(test_fraction · n))` are held out (never all of
them: at least one document stays for training). Every text of a document — both sides of each pair and
any unlabelled originals — goes to the same side, so no pair (and no near-duplicate sentence of the same
page) leaks between training and test. Same documents + same seed → same split.

**Metrics (on the held-out texts only; nothing here is tuned on them).**
- accuracy: share of held-out texts labelled correctly, the classifier at P(simplified) ≥ 0.5;
- ROC AUC of P(simplified) against the labels (sklearn);
- pair-ranking accuracy: share of held-out pairs whose simplified text scores higher than its
  original (a tie counts one half).

**Flesch–Kincaid baseline**, the same three figures with score = −grade (lower grade = more simplified).
Its accuracy needs a grade cut-off: the one that best separates the *training* texts (midpoints between
sorted training grades; ties → the lowest), then applied unchanged to the test texts.

The reward **beats grade level** only when both its ROC AUC and its pair-ranking accuracy are strictly
higher than the baseline's; the reward model's page says so plainly either way.
"""

import random
from collections.abc import Sequence


def document_split(document_ids: Sequence[int], *, seed: int, test_fraction: float) -> tuple[set, set]:
    """(train document ids, test document ids) by the rule above. Needs at least two documents."""
    documents = sorted(set(document_ids))
    if len(documents) < 2:
        raise ValueError(
            f"A by-document split needs texts from at least two documents; found {len(documents)}. "
            "Approve pairs in more documents (or include more statuses) and train again."
        )
    random.Random(seed).shuffle(documents)
    n_test = min(max(1, round(test_fraction * len(documents))), len(documents) - 1)
    return set(documents[n_test:]), set(documents[:n_test])


def accuracy(labels: Sequence[int], predicted: Sequence[int]) -> float:
    return sum(int(a == b) for a, b in zip(labels, predicted, strict=True)) / len(labels)


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """ROC AUC, or None when the labels hold one class only."""
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return None
    return float(roc_auc_score(list(labels), list(scores)))


def pair_ranking_accuracy(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Share of (original score, simplified score) pairs where the simplified scores higher; ties ½."""
    if not pairs:
        return None
    wins = sum(1.0 if simple > original else 0.5 if simple == original else 0.0 for original, simple in pairs)
    return wins / len(pairs)


def grade_cutoff(grades: Sequence[float], labels: Sequence[int]) -> float:
    """The grade below which a text is called simplified that best separates the given (training) texts."""
    ordered = sorted(set(grades))
    cuts = [ordered[0] - 1.0] + [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)]
    cuts.append(ordered[-1] + 1.0)
    best, best_accuracy = cuts[0], -1.0
    for cut in cuts:
        value = accuracy(labels, [int(g < cut) for g in grades])
        if value > best_accuracy:
            best, best_accuracy = cut, value
    return best


def _round(value):
    return None if value is None else round(value, 4)


def evaluate(
    *,
    test_labels: Sequence[int],
    test_scores: Sequence[float],
    test_pairs: Sequence[tuple[int, int]],
    test_grades: Sequence[float],
    train_grades: Sequence[float],
    train_labels: Sequence[int],
) -> dict:
    """Held-out metrics of the reward and of the Flesch–Kincaid baseline, and whether the reward beats it.

    `test_pairs` are (index of the original, index of the simplified) into the test lists."""
    cutoff = grade_cutoff(train_grades, train_labels)
    reward = {
        "accuracy": accuracy(test_labels, [int(s >= 0.5) for s in test_scores]),
        "roc_auc": roc_auc(test_labels, test_scores),
        "pair_accuracy": pair_ranking_accuracy([(test_scores[o], test_scores[s]) for o, s in test_pairs]),
    }
    baseline = {
        "accuracy": accuracy(test_labels, [int(g < cutoff) for g in test_grades]),
        "roc_auc": roc_auc(test_labels, [-g for g in test_grades]),
        "pair_accuracy": pair_ranking_accuracy([(-test_grades[o], -test_grades[s]) for o, s in test_pairs]),
        "grade_cutoff": cutoff,
    }
    comparable = all(reward[k] is not None and baseline[k] is not None for k in ("roc_auc", "pair_accuracy"))
    beats = comparable and all(reward[k] > baseline[k] for k in ("roc_auc", "pair_accuracy"))
    return {
        "reward": {k: _round(v) for k, v in reward.items()},
        "baseline_fk": {k: _round(v) for k, v in baseline.items()},
        "beats_baseline": bool(beats),
        "test_texts": len(test_labels),
        "test_pairs": len(test_pairs),
    }
