"""Shared fixtures: personas (alice the curator, raters by group, charlie the outsider), API clients,
and a real Celery worker process against the test database and the test Redis database
(launched by tests/processes.py)."""

import os
from pathlib import Path

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from apps.core.roles import Role
from tests.factories import UserFactory, make_rater
from tests.processes import (  # noqa: F401 (ROOT, wait_for and stop_process are imported from here by tests)
    ROOT,
    celery_worker_start,
    stop_process,
    wait_for,
    worker_env,
    worker_heartbeat_seen,
)


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
    log = Path(settings.DATA_DIR) / f"test-worker{os.environ.get('EQUITEXT_TEST_DB_SUFFIX', '')}.log"
    proc = celery_worker_start(
        env=worker_env(connection.settings_dict), log=log, name=f"test-{os.getpid()}@%h"
    )
    try:
        wait_for(
            lambda: worker_heartbeat_seen(test_redis),
            60,
            what="the test worker's heartbeat",
            proc=proc,
            log=log,
        )
    except AssertionError:
        proc.kill()
        raise
    yield proc
    stop_process(proc)
    test_redis.flushdb()
