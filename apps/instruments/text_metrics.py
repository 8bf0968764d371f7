"""Readability metrics for the instruments' automatic rules.

The one module of this app that reads `apps.metrics`. Metrics come from the TextScore cache by text hash, so a
document's text is scored once however many assessments use it.
"""

from apps.metrics.readability import ENGINE
from apps.metrics.text_scores import text_scores_by_text

READABILITY_ENGINE = ENGINE


def readability(text: str) -> dict | None:
    """Every readability metric of `text` (Flesch–Kincaid grade, SMOG, sentences, words…), or None
    for blank text."""
    return text_scores_by_text([text]).get(text)
