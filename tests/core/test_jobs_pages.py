import pytest
from django.urls import reverse

from apps.core.models import Job

pytestmark = pytest.mark.django_db


def test_curator_sees_every_job_with_its_progress(client, curator, rater_physician):
    Job.objects.create(
        kind="recount", requested_by=rater_physician, progress_done=3, progress_total=4, status="running"
    )
    client.force_login(curator)
    page = client.get(reverse("core:job_list"))
    assert b"recount #" in page.content
    assert b'aria-valuenow="75"' in page.content
    assert b'hx-trigger="every 1s"' in page.content, "a running job keeps the table polling"


def test_htmx_poll_returns_only_the_table(client, curator):
    Job.objects.create(kind="recount", status="succeeded")
    client.force_login(curator)
    fragment = client.get(reverse("core:job_list"), headers={"HX-Request": "true"})
    assert fragment.content.lstrip().startswith(b'<div id="job-table"')
    assert b"<html" not in fragment.content
    assert b"hx-trigger" not in fragment.content, "polling stops once every job has finished"


def test_a_rater_cannot_open_someone_elses_job(client, curator, rater_physician):
    job = Job.objects.create(kind="recount", requested_by=curator)
    client.force_login(rater_physician)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404


def test_login_sends_curators_to_the_dashboard_and_raters_to_their_queue(client, curator, rater_physician):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:dashboard")
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:queue")
    assert client.get(reverse("core:dashboard")).status_code == 403


def test_the_dashboard_summarises_every_area_with_links(client, curator):
    from apps.corpus.models import Document, Segment, Source

    document = Document.objects.create(source=Source.objects.create(name="NCI"), title="Liver cancer")
    Segment.objects.create(document=document, position=1, original="Text.", status="in_review")
    client.force_login(curator)
    page = client.get(reverse("core:dashboard")).content.decode()
    for title in ["Corpus segments", "Question sets", "Studies", "Model runs", "ELEVATE assessments"]:
        assert title in page
    assert '<a href="/corpus/segments/?status=in_review">In review</a></dt><dd>1</dd>' in page
    assert 'aria-current="page">Dashboard' in page and 'aria-current="page">Jobs' not in page


def test_the_jobs_page_names_a_run_by_its_own_number_and_shows_the_duration(client, curator):
    """Failed before: the row read "model_run #<job id>" and no duration was shown."""
    from datetime import timedelta

    from django.utils import timezone

    end = timezone.now()
    job = Job.objects.create(
        kind="model_run",
        parameters={"run": 4321, "segments": 3},
        status="succeeded",
        started_at=end - timedelta(seconds=12.5),
        finished_at=end,
    )
    client.force_login(curator)
    text = client.get(reverse("core:job_list")).content.decode()
    assert "model run #4321" in text
    assert f"model_run #{job.pk}" not in text
    assert f"job #{job.pk}" in text
    assert "12.5 s" in text
