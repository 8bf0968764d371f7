import pytest


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is False and "Connection" in body["broker"]["error"]


@pytest.mark.django_db
def test_starting_a_job_with_redis_down_answers_503_and_creates_nothing(client, curator, settings):
    from apps.core.models import Job

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(curator)
    response = client.post("/jobs/recount/")
    assert response.status_code == 503
    assert b"job queue (Redis) is not reachable" in response.content
    assert not Job.objects.exists()
    assert client.get("/dashboard/").status_code == 200, "pages that need no job keep working"
