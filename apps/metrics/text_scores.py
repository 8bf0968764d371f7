"""The text-score cache: `text_scores_get_or_compute` is the one way the product scores stored texts.

It reads the `TextScore` cache by SHA-256 and computes and stores only what is missing (or was computed
by another engine version). Unstored drafts (the editor's live panel) call `readability_metrics` instead.
"""

import hashlib
import json
from collections.abc import Iterable

from django.db import connection, transaction

from apps.metrics.models import TextScore
from apps.metrics.readability import ENGINE, readability_metrics

# PostgreSQL takes large IN lists well; this keeps each query and insert a reasonable size.
_CHUNK = 2000


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_scores_get_or_compute(texts: Iterable[str]) -> list[dict]:
    """Readability metrics for each text, in the order given (equal texts share one cached row).

    Unchanged text costs one indexed lookup; new text is scored once and stored (an idempotent upsert, so
    concurrent callers scoring the same text agree).
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
        for digest, text in missing.items():
            by_hash[digest] = readability_metrics(text)
        _text_scores_store({digest: by_hash[digest] for digest in missing})
    return [by_hash[digest] for digest in hashes]


def text_scores_by_text(texts: Iterable[str]) -> dict[str, dict]:
    """`text_scores_get_or_compute` as text → metrics, for the texts that are not blank (blank texts have no
    scores: look them up with `.get`)."""
    texts = [text for text in dict.fromkeys(texts) if text and text.strip()]
    return dict(zip(texts, text_scores_get_or_compute(texts), strict=True))


def _text_scores_store(metrics_by_hash: dict[str, dict]) -> None:
    """Upsert TextScore rows: a row left by an older engine is replaced; a concurrent writer's is equal.

    COPY into a temporary table, then one INSERT … ON CONFLICT: several times faster than a multi-row
    INSERT, whose parameters psycopg quotes one by one in Python.
    """
    table = TextScore._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE textscore_incoming (sha256 varchar(64), metrics jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY textscore_incoming (sha256, metrics) FROM STDIN") as copy:
            for digest, metrics in metrics_by_hash.items():
                copy.write_row((digest, json.dumps(metrics)))
        cursor.execute(
            f"INSERT INTO {table} (sha256, engine, metrics, created_at) "
            "SELECT sha256, %s, metrics, now() FROM textscore_incoming "
            "ON CONFLICT (sha256) DO UPDATE "
            "SET engine = EXCLUDED.engine, metrics = EXCLUDED.metrics, created_at = EXCLUDED.created_at",
            [ENGINE],
        )
        cursor.execute("DROP TABLE textscore_incoming")
