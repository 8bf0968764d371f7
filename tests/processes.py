"""Real processes the tests run: one Celery-worker launcher, one poller, one way to stop a child."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(
    predicate, timeout: float = 30, interval: float = 0.2, *, what: str = "condition", proc=None, log=None
):
    """Poll `predicate` until it returns a truthy value, and return that value.

    Fails with a message naming `what` after `timeout` seconds, or at once when `proc` (a process the
    condition waits on) has exited — pointing at its `log`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {proc.returncode}; see {log}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s" + (f"; see {log}" if log else ""))
        time.sleep(interval)


def celery_worker_start(
    *, env: dict, log: Path, name: str, queues: str = "default,gpu", new_session: bool = False
) -> subprocess.Popen:
    """A real `celery worker` process (prefork, one child) on `queues`, writing to `log`.

    `new_session` puts it in its own process group, so a test can kill the worker and its child at once.
    Callers wait for its heartbeat (`worker_heartbeat_seen`) before sending it work."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "workers.celery", "worker", "-Q", queues),
                *("--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO"),
                *("--without-mingle", "--without-gossip", "-n", name),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )


def worker_heartbeat_seen(redis_client, name: str | None = None) -> bool:
    """True once a worker (the one called `name`, or any) has written its heartbeat into Redis."""
    if name is not None:
        return bool(redis_client.exists("equitext:heartbeat:" + name))
    return any(redis_client.scan_iter("equitext:heartbeat:*"))


def worker_env(db_settings: dict, **extra) -> dict:
    """The environment of a test worker: the test database, the test Redis database, fast heartbeats."""
    db = db_settings
    return {
        **os.environ,
        "EQUITEXT_TESTING": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WORKER_HEARTBEAT_SECONDS": "1",
        **extra,
    }


def stop_process(proc: subprocess.Popen) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it has not within 20 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
