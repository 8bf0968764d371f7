"""Shared fixtures: personas (alice the curator, raters by group, charlie the outsider), API clients,
and a real Celery worker process against the test database and the test Redis database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from apps.core.roles import Role
from tests.factories import UserFactory, make_rater

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def curator(db):
    return UserFactory(username="alice", role=Role.CURATOR)


@pytest.fixture
def rater_physician(db):
    return make_rater("bob", "physician")


@pytest.fixture
def rater_consumer(db):
    return make_rater("carol", "consumer")


@pytest.fixture
def outsider(db):
    return UserFactory(username="charlie")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture(scope="session")
def test_redis():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.ping()
    return client


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, test_redis):
    """A real `celery worker` process consuming both queues, on the test database and test Redis DB."""
    from django.db import connection

    test_redis.flushdb()  # no stale tasks from an earlier run
    db = connection.settings_dict
    env = {
        **os.environ,
        "EQUITEXT_TESTING": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WORKER_HEARTBEAT_SECONDS": "1",
    }
    log_path = Path(settings.DATA_DIR) / f"test-worker{os.environ.get('EQUITEXT_TEST_DB_SUFFIX', '')}.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery",
            "worker",
            "-Q",
            "default,gpu",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not any(test_redis.scan_iter("equitext:heartbeat:*")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the test worker did not start; see {log.name}")
        time.sleep(0.2)
    yield proc
    stop_process(proc)
    log.close()
    test_redis.flushdb()


def stop_process(proc: subprocess.Popen) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it has not within 20 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
