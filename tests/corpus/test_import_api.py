"""POST /api/v1/corpus/import/: small files answer at once; large files run as a Job on a real worker."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import Job
from apps.corpus import import_services
from apps.corpus.models import ImportBatch, Segment
from tests.conftest import wait_for

URL = "/api/v1/corpus/import/"


def csv_file(name: str, rows: list[tuple[str, str, str]]) -> SimpleUploadedFile:
    lines = ["original,simplified,split"] + [",".join(f'"{c}"' for c in row) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv")


@pytest.mark.django_db
def test_a_small_file_is_imported_at_once(api_as, curator):
    upload = csv_file("train.csv", [("The liver filters blood.", "The liver cleans your blood.", "train")])
    response = api_as(curator).post(URL, {"file": upload, "preset": "simpledc"}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["counts"]["rows_imported"] == 1
    assert Segment.objects.get().document.title == "train"


@pytest.mark.django_db
def test_a_bad_file_gets_400_with_the_rows_and_writes_nothing(api_as, curator):
    upload = csv_file("bad.csv", [("Fine.", "Fine.", "train"), ("Bad.", "Bad.", "sometimes")])
    response = api_as(curator).post(URL, {"file": upload, "preset": "simpledc"}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert "Nothing was imported" in body["detail"]
    assert [(p["row"], p["column"]) for p in body["errors"]] == [(3, "split")]
    assert Segment.objects.count() == 0


@pytest.mark.django_db
def test_a_mapping_must_name_the_original_column(api_as, curator):
    upload = csv_file("x.csv", [("a", "b", "train")])
    response = api_as(curator).post(
        URL,
        {"file": upload, "preset": "mapping", "mapping": json.dumps({"simplified": "simplified"})},
        format="multipart",
    )
    assert response.status_code == 400
    assert "original" in response.json()["errors"]["mapping"][0]


@pytest.mark.django_db
def test_a_rater_cannot_import(api_as, rater_physician):
    upload = csv_file("train.csv", [("a b c.", "a b.", "train")])
    response = api_as(rater_physician).post(URL, {"file": upload, "preset": "simpledc"}, format="multipart")
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_large_file_runs_as_a_job_with_progress(api_as, curator, celery_worker, settings, monkeypatch):
    monkeypatch.setattr(import_services, "IMPORT_INLINE_MAX_BYTES", 1000)  # the worker process is unaffected
    rows = [
        (f"Original sentence number {i} about colon cancer screening.", f"Plain sentence {i}.", "train")
        for i in range(3000)
    ]
    response = api_as(curator).post(
        URL, {"file": csv_file("big.csv", rows), "preset": "simpledc"}, format="multipart"
    )
    assert response.status_code == 202, response.json()
    job_id = response.json()["job"]
    job = wait_for(lambda: Job.objects.filter(pk=job_id, status__in=Job.FINISHED).first(), timeout=120)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (3000, 3000)
    assert Segment.objects.count() == 3000
    batch = ImportBatch.objects.get(pk=response.json()["batch"])
    assert (batch.state, batch.rows_imported) == ("done", 3000)
    assert api_as(curator).get(f"/api/v1/jobs/{job_id}/").json()["percent"] == 100
