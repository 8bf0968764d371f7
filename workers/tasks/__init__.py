"""Thin Celery tasks: load ids, call a service, record progress. Importing one module per concept."""

from workers.tasks import (
    core,  # noqa: F401
    corpus,  # noqa: F401
    equity,  # noqa: F401
    scoring,  # noqa: F401
)
