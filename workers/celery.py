"""The worker's Celery app: the queues and routes of `apps.core.queue`, the task modules, a task class
that runs jobs (and fails one whose pool process died), and a heartbeat.

Queue names and routing are defined once, in `apps/core/queue.py` (the web process sends through it).
"""

import inspect
import logging
import os
import socket

from billiard.exceptions import WorkerLostError
from celery import Task, bootsteps
from celery.worker.request import Request

from apps.core.queue import celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")

logger = logging.getLogger(__name__)


def _job_id(task, args, kwargs) -> int | None:
    """The `job_id` argument of a task message, if the task takes one."""
    if kwargs.get("job_id") is not None:
        return kwargs["job_id"]
    try:
        names = list(inspect.signature(task.run).parameters)
    except (TypeError, ValueError):
        return None
    if "job_id" in names and names.index("job_id") < len(args or ()):
        return args[names.index("job_id")]
    return None


class JobRequest(Request):
    """A task message, as the worker's main process handles it. When the pool process running a job dies
    (SIGKILL: the out-of-memory killer), Celery requeues the message (acks_late, reject_on_worker_lost),
    but the job stays claimed by a process that no longer exists: fail it here, in the process that saw
    it die (apps.core.jobs.job_process_lost). The sweeper handles workers that die altogether."""

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        super().on_failure(exc_info, send_failed_event=send_failed_event, return_ok=return_ok)
        exc = getattr(exc_info.exception, "exc", exc_info.exception)  # ExceptionWithTraceback wraps it
        job_id = _job_id(self.task, self.args, self.kwargs) if isinstance(exc, WorkerLostError) else None
        if job_id is None:
            return
        from django.db import connection

        from apps.core.jobs import job_process_lost

        try:
            job_process_lost(
                job_id=job_id,
                worker=self.hostname or "",
                error=f"The worker process running this job died ({exc}); it may have run out of memory. "
                "What it finished is kept; start the job again.",
            )
        except Exception:
            logger.exception("could not fail job %s after its worker process died", job_id)
        finally:
            connection.close()  # no connection of the main process for the next pool process to inherit


class JobTask(Task):
    Request = JobRequest

    def run_job(self, job_id: int, work) -> bool:
        """Run `work(job, progress)` as job `job_id` on this worker (apps.core.jobs.job_run)."""
        from apps.core.jobs import job_run

        return job_run(job_id=job_id, worker=self.request.hostname or "", work=work)


# `include` is imported by worker processes only; the web process uses this app just to send tasks.
app = celery_app(include=["workers.tasks"], task_cls=JobTask)


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
