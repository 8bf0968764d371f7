"""The job queue client: queue names, task routes, and `task_send`, the one way apps/ sends a task.

- queue `default`: web-side work (imports, exports, recounts, scheduled readability scoring, webhooks);
- queue `gpu`: anything that loads a model (task names starting with `equitext.ml.`). GPU hosts run
  workers with `-Q gpu` only; a CPU-only install runs one worker on both queues.

The web process sends tasks by name and never imports task code (`workers/`): the worker's Celery app
(`workers/celery.py`) is built by `celery_app` from the same names and routes. Celery is imported on the
first send, not when this module is imported, so a web process that starts no job never loads it.
"""

import functools

QUEUE_DEFAULT = "default"
QUEUE_GPU = "gpu"
QUEUES = (QUEUE_DEFAULT, QUEUE_GPU)
TASK_ROUTES = {"equitext.ml.*": {"queue": QUEUE_GPU}, "equitext.*": {"queue": QUEUE_DEFAULT}}


def celery_app(**options):
    """A Celery app configured from the Django settings (`CELERY_*`) with Equitext's queues and routes.

    `options` go to `Celery(...)`; the worker passes its task modules and task class."""
    from celery import Celery
    from kombu import Queue

    app = Celery("equitext", **options)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.task_queues = [Queue(name) for name in QUEUES]
    app.conf.task_routes = TASK_ROUTES
    return app


@functools.cache
def client():
    """The process's sending client (one per process; it never becomes Celery's "current app", so a
    worker process keeps its own app for running tasks)."""
    return celery_app(set_as_current=False)


def task_send(name: str, *, args: list | tuple = (), kwargs: dict | None = None, **options) -> None:
    """Send task `name` with `args`/`kwargs`, routed by TASK_ROUTES. `options` go to Celery's
    `send_task` (e.g. `retry_policy`). Raises whatever the broker client raises when Redis is down."""
    client().send_task(name, args=list(args), kwargs=kwargs or {}, **options)
