"""Fixtures shared with tests/scoring (short segments with human references, a small training corpus)."""

from tests.scoring.conftest import document, segments, training_corpus  # noqa: F401
