"""Web → Redis → a real Celery worker process → PostgreSQL → the page the curator watches."""

import pytest
from django.urls import reverse

from apps.core.models import Job
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_recount_started_from_the_dashboard_succeeds_on_a_real_worker(
    client, curator, rater_physician, celery_worker
):
    client.force_login(curator)
    response = client.post(reverse("core:recount_start"))
    job = Job.objects.get()
    assert response.url == reverse("core:job_detail", args=[job.pk])

    wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=Job.FINISHED).exists())
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.progress_total > 0 and job.progress_done == job.progress_total
    assert job.result["counts"]["accounts.RaterProfile"] == 1
    assert job.result["counts"]["accounts.RaterGroup"] == 3, "the default groups survive test flushes"

    assert job.result["counts"]["core.Job"] == 1

    page = client.get(reverse("core:job_detail", args=[job.pk]))
    assert b'data-status="succeeded"' in page.content
    assert b"accounts.RaterGroup" in page.content


def test_healthz_is_green_with_a_worker_and_names_a_missing_heartbeat(client, celery_worker, test_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["ok"] is True

    celery_worker.send_signal(19)  # SIGSTOP: the worker stops beating
    try:
        for key in test_redis.scan_iter("equitext:heartbeat:*"):
            test_redis.delete(key)
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["database"]["ok"] and body["broker"]["ok"]
        assert body["worker"]["ok"] is False and "worker" in body["worker"]["error"]
    finally:
        celery_worker.send_signal(18)  # SIGCONT
