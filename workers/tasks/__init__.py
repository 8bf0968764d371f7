"""Thin Celery tasks: load ids, call a service, record progress. Importing one module per concept."""

from workers.tasks import (
    autorater,  # noqa: F401
    core,  # noqa: F401
    corpus,  # noqa: F401
    equity,  # noqa: F401
    evaluation,  # noqa: F401
    scoring,  # noqa: F401
    training,  # noqa: F401
)
