"""Fixtures shared with tests/scoring (two short segments with human references)."""

from tests.scoring.conftest import document, segments  # noqa: F401
