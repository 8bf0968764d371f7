"""Webhooks: signed deliveries to a real loopback receiver, retried by a real worker, attempts logged."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.core import jobs
from apps.core.models import Job, WebhookDelivery
from tests.conftest import wait_for


class Receiver:
    """A loopback HTTP server that answers the given status codes in turn and keeps what it received."""

    def __init__(self, codes):
        self.codes, self.received = list(codes), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"receiver is down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver_factory():
    made = []

    def make(*codes):
        made.append(Receiver(codes))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def finish_a_job(curator):
    job = Job.objects.create(kind="recount", requested_by=curator)
    jobs.job_run(job_id=job.id, worker="test", work=lambda job, progress: {"rows": 3})
    return job


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_finished_job_is_posted_signed_to_the_subscriber(api_as, curator, celery_worker, receiver_factory):
    receiver = receiver_factory(200)
    hook = (
        api_as(curator)
        .post("/api/v1/webhooks/", {"url": receiver.url, "events": ["job.finished"]}, format="json")
        .json()
    )
    job = finish_a_job(curator)

    wait_for(lambda: receiver.received)
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Equitext-Signature"], expected)
    envelope = json.loads(body)
    assert envelope["event"] == "job.finished"
    assert envelope["data"] == {
        "job": job.id,
        "kind": "recount",
        "status": "succeeded",
        "error": "",
        "progress_done": 0,
        "progress_total": 0,
    }
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_and_each_failure_logged(
    api_as, curator, celery_worker, receiver_factory
):
    receiver = receiver_factory(500, 503, 200)
    hook = (
        api_as(curator)
        .post("/api/v1/webhooks/", {"url": receiver.url, "events": ["job.finished"]}, format="json")
        .json()
    )
    finish_a_job(curator)

    delivery = wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").first(), timeout=60)
    assert delivery.attempts == 3
    assert [entry["status_code"] for entry in delivery.log] == [500, 503, 200]
    assert len(receiver.received) == 3
    listed = api_as(curator).get(f"/api/v1/webhooks/{hook['id']}/deliveries/").json()["results"]
    assert listed[0]["attempts"] == 3 and listed[0]["status"] == "delivered"


@pytest.mark.django_db
def test_webhooks_are_for_curators_and_validate_their_events(api, api_as, curator, rater_physician):
    assert api.get("/api/v1/webhooks/").status_code == 401
    assert api_as(rater_physician).get("/api/v1/webhooks/").status_code == 403
    response = api_as(curator).post(
        "/api/v1/webhooks/", {"url": "https://example.org/h", "events": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    assert "events" in response.json()["errors"]


@pytest.mark.django_db
def test_an_unsubscribed_event_sends_nothing(curator):
    from apps.core.webhooks import webhook_create

    webhook_create(owner=curator, url="https://example.org/h", events=["study.completed"])
    finish_a_job(curator)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_delivery_not_queued_during_a_redis_outage_is_sent_by_the_sweep_once(
    curator, celery_worker, receiver_factory
):
    from apps.core.webhooks import NOT_SENT, deliveries_requeue_unsent, webhook_create

    receiver = receiver_factory(200)
    hook = webhook_create(owner=curator, url=receiver.url, events=["job.finished"])
    unsent = WebhookDelivery.objects.create(
        webhook=hook, event="job.finished", payload={"job": 1}, last_response=f"{NOT_SENT} (ConnectionError)."
    )
    queued_normally = WebhookDelivery.objects.create(webhook=hook, event="job.finished", payload={"job": 2})

    assert deliveries_requeue_unsent() == [unsent.pk]
    assert deliveries_requeue_unsent() == []  # claimed: never queued twice
    wait_for(lambda: WebhookDelivery.objects.filter(pk=unsent.pk, status="delivered").exists())
    assert [json.loads(body)["data"] for _, body in receiver.received] == [{"job": 1}]
    queued_normally.refresh_from_db()
    assert queued_normally.status == "pending" and queued_normally.attempts == 0


@pytest.mark.django_db
def test_changing_and_deleting_a_webhook_is_checked_and_audited(api_as, curator):
    from apps.core.models import AuditLog, Webhook

    client = api_as(curator)
    hook = client.post(
        "/api/v1/webhooks/", {"url": "https://example.org/h", "events": ["job.finished"]}, format="json"
    ).json()
    url = f"/api/v1/webhooks/{hook['id']}/"

    changed = client.patch(
        url, {"events": ["study.completed", "job.finished"], "active": False}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert (
        changed.json()["events"] == ["job.finished", "study.completed"] and changed.json()["active"] is False
    )
    assert changed.json()["secret"] == hook["secret"]
    entry = AuditLog.objects.get(action="webhook.update")
    assert entry.actor == curator and entry.object_id == str(hook["id"])
    assert entry.details == {"events": ["job.finished", "study.completed"], "active": False}

    for body, field in [({"events": []}, "events"), ({"url": "ftp://example.org/h"}, "url")]:
        refused = client.patch(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json()["errors"], refused.json()
    assert Webhook.objects.get(pk=hook["id"]).url == "https://example.org/h"
    assert AuditLog.objects.filter(action="webhook.update").count() == 1

    assert (
        client.put(url, {"url": "https://example.org/new", "events": ["job.finished"]}, format="json").json()[
            "url"
        ]
        == "https://example.org/new"
    )
    assert client.delete(url).status_code == 204
    assert not Webhook.objects.filter(pk=hook["id"]).exists()
    deleted = AuditLog.objects.get(action="webhook.delete")
    assert deleted.actor == curator and deleted.details == {
        "url": "https://example.org/new",
        "events": ["job.finished"],
    }
