"""Liveness of the parts the product needs: database, broker, and at least one worker heartbeat.

Workers write `equitext:heartbeat:<hostname>` into Redis every few seconds with a short expiry
(workers/celery.py); a worker that stops beating disappears from Redis by itself.
"""

import time

import redis
from django.conf import settings
from django.db import connection

HEARTBEAT_PREFIX = "equitext:heartbeat:"


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def heartbeat_write(hostname: str, client: redis.Redis | None = None) -> None:
    client = client or redis_client()
    client.set(HEARTBEAT_PREFIX + hostname, str(time.time()), ex=settings.WORKER_HEARTBEAT_SECONDS * 4)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_broker() -> dict:
    redis_client().ping()
    return {"ok": True}


def check_workers() -> dict:
    client = redis_client()
    names = sorted(
        key.decode().removeprefix(HEARTBEAT_PREFIX)
        for key in client.scan_iter(HEARTBEAT_PREFIX + "*", count=100)
    )
    if not names:
        return {
            "ok": False,
            "error": "no worker heartbeat in the last "
            f"{settings.WORKER_HEARTBEAT_SECONDS * 4} s: is a Celery worker running?",
        }
    return {"ok": True, "workers": names}


def health_report() -> tuple[bool, dict]:
    """Run every check; a check that raises is reported with its error, not propagated."""
    report = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("worker", check_workers)):
        try:
            report[name] = check()
        except Exception as exc:  # any failure of a dependency is a health answer, not a crash
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return all(part["ok"] for part in report.values()), report
