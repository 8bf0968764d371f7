"""The Celery app: two queues, routing by task name, a heartbeat, and the default beat schedules.

- queue `default`: web-side work (imports, exports, recounts, scheduled scoring of readability);
- queue `gpu`: anything that loads a model (task names starting with `equitext.ml.`). GPU hosts run
  workers with `-Q gpu` only; a CPU-only install runs one worker on both queues.
"""

import logging
import os
import socket

from celery import Celery, bootsteps
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")

# `include` is imported by worker processes only; the web process uses this app just to send tasks.
app = Celery("equitext", include=["workers.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue("default"), Queue("gpu")]
app.conf.task_routes = {"equitext.ml.*": {"queue": "gpu"}, "equitext.*": {"queue": "default"}}
logger = logging.getLogger(__name__)


class Heartbeat(bootsteps.StartStopStep):
    """Writes this worker's heartbeat into Redis every few seconds (read by /healthz)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        self.tref = None

    def start(self, worker):
        from django.conf import settings

        from apps.core.health import heartbeat_write, redis_client

        hostname = worker.hostname or socket.gethostname()
        client = redis_client()

        def beat():
            try:
                heartbeat_write(hostname, client)
            except Exception as exc:  # a missed beat must not kill the worker; /healthz shows the gap
                logger.warning("heartbeat failed: %s", exc)

        beat()
        self.tref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, beat)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()


app.steps["worker"].add(Heartbeat)
