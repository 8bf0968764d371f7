"""Writes for scoring.

Readability: `text_scores_get_or_compute` is the one way the product scores stored texts; it reads the
`TextScore` cache by SHA-256 and computes and stores only what is missing (or was computed by another
engine version).
"""

import hashlib
from collections.abc import Iterable

from apps.scoring.models import TextScore
from apps.scoring.readability import ENGINE, readability_scores

# PostgreSQL takes large IN lists well; this keeps each query and insert a reasonable size.
_CHUNK = 2000


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_scores_get_or_compute(texts: Iterable[str]) -> list[dict]:
    """Readability metrics for each text, in the order given (equal texts share one cached row).

    Unchanged text costs one indexed lookup; new text is scored once and stored. Not wrapped in a
    transaction of its own: the rows are an idempotent cache (an upsert of equal values), and the caller's
    transaction, if any, still holds them.
    """
    texts = list(texts)
    hashes = [text_sha256(text) for text in texts]
    by_hash: dict[str, dict] = {}
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        by_hash.update(
            TextScore.objects.filter(sha256__in=chunk, engine=ENGINE).values_list("sha256", "metrics")
        )
    missing: dict[str, str] = {}
    for text, digest in zip(texts, hashes, strict=True):
        if digest not in by_hash and digest not in missing:
            missing[digest] = text
    if missing:
        rows = []
        for digest, text in missing.items():
            metrics = readability_scores(text)
            by_hash[digest] = metrics
            rows.append(TextScore(sha256=digest, engine=ENGINE, metrics=metrics))
        # An upsert: a row left by an older engine is replaced; a concurrent writer's row is equal.
        TextScore.objects.bulk_create(
            rows,
            batch_size=_CHUNK,
            update_conflicts=True,
            unique_fields=["sha256"],
            update_fields=["engine", "metrics", "created_at"],
        )
    return [by_hash[digest] for digest in hashes]
