"""Corpus export records: one flat record per segment, streamed in constant memory.

`records(segments)` walks the queryset with a server-side cursor (`.iterator(chunk_size=…)`) and scores
each chunk's texts through the TextScore cache, so memory does not grow with the corpus.
"""

from collections.abc import Iterator

from apps.metrics.readability import METRICS
from apps.metrics.text_scores import text_scores_by_text

CHUNK = 1000
SCHEMA_VERSION = 1
BASE_FIELDS = [
    "id",
    "source",
    "source_url",
    "source_licence",
    "document_id",
    "document_title",
    "document_url",
    "topic",
    "position",
    "original",
    "simplified",
    "split",
    "status",
    "version",
    "notes",
    "annotation",
    "updated_at",
]
FIELDS = BASE_FIELDS + [f"original_{m}" for m in METRICS] + [f"simplified_{m}" for m in METRICS]


def records(segments) -> Iterator[dict]:
    chunk = []
    for segment in segments.iterator(chunk_size=CHUNK):
        chunk.append(segment)
        if len(chunk) >= CHUNK:
            yield from _records(chunk)
            chunk = []
    if chunk:
        yield from _records(chunk)


def _records(chunk) -> Iterator[dict]:
    scores = text_scores_by_text(t for s in chunk for t in (s.original, s.simplified))
    for s in chunk:
        document, source = s.document, s.document.source
        record = {
            "id": s.pk,
            "source": source.name,
            "source_url": source.url,
            "source_licence": source.licence,
            "document_id": document.pk,
            "document_title": document.title,
            "document_url": document.url,
            "topic": document.topic,
            "position": s.position,
            "original": s.original,
            "simplified": s.simplified,
            "split": s.split,
            "status": s.status,
            "version": s.version,
            "notes": s.notes,
            "annotation": s.annotation or None,
            "updated_at": s.updated_at.isoformat(),
        }
        for side, text in (("original", s.original), ("simplified", s.simplified)):
            side_scores = scores.get(text)
            for metric in METRICS:
                record[f"{side}_{metric}"] = side_scores[metric] if side_scores else None
        yield record
