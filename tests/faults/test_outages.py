"""Outages of the servers under a running deployment: gunicorn serving `apps.wsgi` and a Celery worker,
both real processes on a throwaway PostgreSQL cluster and a throwaway Redis (the demo data loaded).

- PostgreSQL restarted: requests fail with a 5xx while it is down (promptly, no hang), then succeed again
  in the same web process, and what was saved before is still there.
- Redis stopped: editing a segment and submitting a rating keep working; starting a job answers 503 and
  creates nothing; /healthz names the broker. Redis back: a job started now runs to `succeeded` on the
  worker that was running all along.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import stop_process, wait_for
from tests.faults.conftest import manage, start_web, start_worker, web_env

pytestmark = pytest.mark.slow

BOUND = 20  # seconds: a request that takes longer than this while a server is down counts as a hang


@dataclass
class Stack:
    base: str
    web: object
    worker: object
    db: object  # PgCluster
    database: str

    def web_pids(self) -> set[int]:
        """The gunicorn master and its worker: a restarted worker would change this set."""
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        return {self.web.pid, *map(int, children)}

    def query(self, sql: str, *params):
        with self.db.connect(self.database) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def stack(pg_cluster, redis_server, tmp_path_factory):
    tmp: Path = tmp_path_factory.mktemp("stack")
    database = "equitext_outages"
    env = web_env(
        database_url=pg_cluster.create_database(database), redis_url=redis_server.url, media=tmp / "media"
    )
    # One process for both (each Django start costs seconds): the schema, then the demo accounts and data.
    setup = "from django.core.management import call_command as c; c('migrate', verbosity=0); "
    setup += "c('demo_load', force=True)"
    result = manage("shell", "-c", setup, env=env)
    assert result.returncode == 0, result.stderr
    web, base = start_web(env, tmp / "web.log")
    try:
        worker = start_worker(env, tmp / "worker.log", redis_server.client())
    except BaseException:
        stop_process(web)
        raise
    yield Stack(base=base, web=web, worker=worker, db=pg_cluster, database=database)
    web.terminate()  # both at once: each takes a moment to shut down
    stop_process(worker)
    stop_process(web)


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=BOUND)
    answer = session.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=BOUND,
    )
    assert answer.status_code == 302, f"{username} could not log in ({answer.status_code})"
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]  # rotated at login
    return session


def save_segment(stack: Stack, session: requests.Session, segment_id: int, text: str) -> requests.Response:
    """Save through the corpus editor's form, as the page does without JavaScript."""
    version, status, split = stack.query(
        "SELECT version, status, split FROM corpus_segment WHERE id = %s", segment_id
    )[0]
    return session.post(
        f"{stack.base}/corpus/segments/{segment_id}/save/",
        data={"version": version, "simplified": text, "status": status, "split": split, "notes": ""},
        allow_redirects=False,
        timeout=BOUND,
    )


def first_segment(stack: Stack) -> tuple[int, int]:
    return stack.query("SELECT id, document_id FROM corpus_segment ORDER BY id LIMIT 1")[0]


def test_a_postgres_restart_fails_requests_briefly_then_the_same_app_process_serves_again(stack):
    curator = login(stack.base, "curator", "equitext-curator")
    segment_id, document_id = first_segment(stack)
    page = f"{stack.base}/corpus/documents/{document_id}/"
    before = "Take one tablet each morning, before the restart."
    assert save_segment(stack, curator, segment_id, before).status_code == 302
    pids = stack.web_pids()

    # A restart between two requests: the app's kept connection is dead; the health check replaces it.
    stack.db.restart()
    answer = curator.get(page, timeout=BOUND)
    assert answer.status_code == 200 and before in answer.text

    stack.db.stop()
    try:
        down = [
            curator.get(page, timeout=BOUND),
            save_segment_while_down(stack, curator, segment_id),
            requests.get(f"{stack.base}/healthz", timeout=BOUND),
        ]
        assert [r.status_code // 100 for r in down] == [5, 5, 5], [r.status_code for r in down]
        health = down[2].json()
        assert health["database"]["ok"] is False and health["database"]["error"]
    finally:
        stack.db.start()

    answer = curator.get(page, timeout=BOUND)  # the same login: the session is in the database
    assert answer.status_code == 200 and before in answer.text
    after = "Take one tablet each morning, after the restart."
    assert save_segment(stack, curator, segment_id, after).status_code == 302
    assert stack.query("SELECT simplified FROM corpus_segment WHERE id = %s", segment_id) == [(after,)]
    assert stack.web_pids() == pids, "the web process was restarted"
    assert requests.get(f"{stack.base}/healthz", timeout=BOUND).json()["database"] == {"ok": True}


def save_segment_while_down(stack: Stack, session: requests.Session, segment_id: int) -> requests.Response:
    # The version cannot be read from the stopped server: any number will do, the request fails first.
    return session.post(
        f"{stack.base}/corpus/segments/{segment_id}/save/",
        data={"version": 1, "simplified": "Lost while the database is down.", "status": "draft", "split": ""},
        allow_redirects=False,
        timeout=BOUND,
    )


def test_with_redis_stopped_editing_and_rating_work_jobs_answer_503_and_run_once_it_is_back(
    stack, redis_server
):
    curator = login(stack.base, "curator", "equitext-curator")
    rater = login(stack.base, "physician", "equitext-rater")
    # A webhook on study progress: every submitted rating then queues a delivery (a Celery task).
    hook = curator.post(
        f"{stack.base}/api/v1/webhooks/",
        json={"url": "http://127.0.0.1:9/hook", "events": ["study.progress"], "progress_percents": [1]},
        timeout=BOUND,
    )
    assert hook.status_code == 201, hook.text
    ((study_id,),) = stack.query("SELECT id FROM reviews_study WHERE name = 'Demo: EHAI answers of model A'")
    segment_id, _ = first_segment(stack)
    jobs_before = stack.query("SELECT count(*) FROM core_job")[0][0]

    redis_server.stop()
    try:
        text = "Drink water often while Redis is down."
        assert save_segment(stack, curator, segment_id, text).status_code == 302
        assert stack.query("SELECT simplified FROM corpus_segment WHERE id = %s", segment_id) == [(text,)]

        leased = rater.post(
            f"{stack.base}/reviews/rate/{study_id}/next/", allow_redirects=False, timeout=BOUND
        )
        assert leased.status_code == 302, leased.status_code
        assignment_id = int(re.search(r"/assignments/(\d+)/", leased.headers["Location"])[1])
        assert (
            rater.get(f"{stack.base}/reviews/assignments/{assignment_id}/", timeout=BOUND).status_code == 200
        )
        submitted = rater.post(
            f"{stack.base}/reviews/assignments/{assignment_id}/submit/",
            data={"bias": "none", "comment": "rated during the outage", "time_spent_ms": "4000"},
            allow_redirects=False,
            timeout=BOUND,
        )
        assert submitted.status_code == 302, submitted.status_code
        assert stack.query(
            "SELECT a.status, r.response->>'comment' FROM reviews_assignment a "
            "JOIN reviews_rating r ON r.assignment_id = a.id WHERE a.id = %s",
            assignment_id,
        ) == [("submitted", "rated during the outage")]
        # The webhook's delivery could not be queued: recorded as pending, with the reason.
        ((status, note),) = stack.query("SELECT status, last_response FROM core_webhookdelivery")
        assert status == "pending" and note.startswith("Not sent: the job queue (Redis) was not reachable")

        refused = curator.post(f"{stack.base}/jobs/recount/", allow_redirects=False, timeout=BOUND)
        assert refused.status_code == 503
        assert "job queue (Redis) is not reachable" in refused.text
        assert stack.query("SELECT count(*) FROM core_job")[0][0] == jobs_before

        health = requests.get(f"{stack.base}/healthz", timeout=BOUND)
        assert health.status_code == 503
        assert health.json()["database"] == {"ok": True}
        assert health.json()["broker"]["ok"] is False and "Connection" in health.json()["broker"]["error"]
    finally:
        redis_server.start()

    started = curator.post(f"{stack.base}/jobs/recount/", allow_redirects=False, timeout=BOUND)
    assert started.status_code == 302, started.status_code
    job_id = int(re.search(r"/jobs/(\d+)/", started.headers["Location"])[1])
    status = wait_for(
        lambda: (
            dict(stack.query("SELECT status, error FROM core_job WHERE id = %s", job_id)).keys()
            & {"succeeded", "failed"}
        ),
        timeout=90,
        interval=0.5,
    )
    assert status == {"succeeded"}, stack.query("SELECT error FROM core_job WHERE id = %s", job_id)
    assert stack.worker.poll() is None, "the worker reconnected by itself, without a restart"
