"""Corpus pages: the editor's live readability and save (htmx and plain POST), history, lists, roles."""

import pytest

from apps.corpus.models import ImportBatch, Segment
from apps.metrics.readability import readability_scores
from tests.corpus.factories import SegmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(client, curator):
    client.force_login(curator)
    return client


def test_the_editor_shows_both_sides_with_their_grades(alice):
    segment = SegmentFactory()
    page = alice.get(f"/corpus/documents/{segment.document_id}/").content.decode()
    assert segment.original in page
    assert segment.simplified in page
    grade = readability_scores(segment.original)["flesch_kincaid_grade"]
    assert f"{grade:.1f}" in page
    assert 'value="8.0"' in page or 'value="8"' in page  # default target grade


def test_the_editors_stylesheet_and_script_load_in_the_head(alice):
    segment = SegmentFactory()
    page = alice.get(f"/corpus/documents/{segment.document_id}/").content.decode()
    head, body = page.split("</head>", 1)
    assert "css/corpus.css" in head and "js/corpus.js" in head
    assert "css/corpus.css" not in body and "js/corpus.js" not in body


def test_typing_returns_fresh_metrics_and_diff_without_saving(alice):
    segment = SegmentFactory()
    draft = "Chemo is given after surgery. It kills small cancer cells."
    response = alice.post(
        f"/corpus/segments/{segment.pk}/readability/", {"simplified": draft, "target": "4"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    grade = readability_scores(draft)["flesch_kincaid_grade"]
    assert f"{grade:.1f}" in html
    assert "above target 4" in html
    assert "<ins>" in html and "<del>" in html
    segment.refresh_from_db()
    assert segment.version == 1  # typing saves nothing


def test_save_over_htmx_returns_the_updated_card(alice):
    segment = SegmentFactory()
    response = alice.post(
        f"/corpus/segments/{segment.pk}/save/",
        {
            "version": 1,
            "simplified": "New plain text.",
            "status": "in_review",
            "split": "train",
            "notes": "ok",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "Saved as version 2" in response.content.decode()
    segment.refresh_from_db()
    assert (segment.version, segment.simplified, segment.status, segment.notes) == (
        2,
        "New plain text.",
        "in_review",
        "ok",
    )


def test_a_stale_save_shows_both_versions_and_keeps_the_authors_text(alice, curator2):
    segment = SegmentFactory()
    from apps.corpus import services

    services.segment_update(segment_id=segment.pk, user=curator2, version=1, simplified="Dave saved first.")
    response = alice.post(
        f"/corpus/segments/{segment.pk}/save/",
        {"version": 1, "simplified": "Alice typed this.", "status": "draft", "split": "train"},
        **HTMX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Dave saved first." in html and "Alice typed this." in html
    assert 'name="version" value="2"' in html  # the next save starts from the version she has now seen
    assert Segment.objects.get().simplified == "Dave saved first."


def test_a_plain_form_post_redirects_back_to_the_segment(alice):
    segment = SegmentFactory()
    response = alice.post(
        f"/corpus/segments/{segment.pk}/save/",
        {"version": 1, "simplified": "Plain.", "status": "draft", "split": "dev"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/corpus/documents/{segment.document_id}/#segment-{segment.pk}")


def test_history_shows_revisions_and_reverts(alice):
    segment = SegmentFactory()
    original_text = segment.simplified
    alice.post(
        f"/corpus/segments/{segment.pk}/save/",
        {"version": 1, "simplified": "Second try.", "status": "draft", "split": "train"},
        **HTMX,
    )
    page = alice.get(f"/corpus/segments/{segment.pk}/history/").content.decode()
    assert "Version 2 (current)" in page and "Version 1" in page
    assert "<ins>Second try.</ins>" in page
    response = alice.post(f"/corpus/segments/{segment.pk}/revert/", {"version": 2, "to_version": 1})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.version, segment.simplified) == (3, original_text)


def test_segment_list_searches_and_filters(alice):
    liver = SegmentFactory(original="Cirrhosis scars the liver.", simplified="The liver gets scarred.")
    SegmentFactory(
        original="Polyps grow in the colon.", simplified="Growths in the colon.", status="in_review"
    )
    page = alice.get("/corpus/segments/", {"q": "liver"}).content.decode()
    assert "Cirrhosis scars the liver." in page and "Polyps grow" not in page
    page = alice.get("/corpus/segments/", {"status": "in_review"}, **HTMX).content.decode()
    assert "Polyps grow" in page and "Cirrhosis" not in page
    assert liver.document.title in alice.get("/corpus/").content.decode()


def test_raters_get_403_on_every_corpus_page(client, rater_physician):
    segment = SegmentFactory()
    client.force_login(rater_physician)
    for path in (
        "/corpus/",
        "/corpus/segments/",
        f"/corpus/documents/{segment.document_id}/",
        f"/corpus/segments/{segment.pk}/history/",
        "/corpus/import/",
    ):
        assert client.get(path).status_code == 403, path
    response = client.post(
        f"/corpus/segments/{segment.pk}/save/",
        {"version": 1, "simplified": "Rater text.", "status": "draft", "split": "train"},
    )
    assert response.status_code == 403
    assert Segment.objects.get().version == 1


def test_upload_page_previews_then_imports_a_file_and_shows_the_report_for_a_bad_one(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "good.csv", b"original,simplified\nThe colon is part of the gut.,The colon is in your belly.\n"
    )
    response = alice.post(
        "/corpus/import/", {"file": good, "preset": "simpledc", "default_split": "train"}, follow=True
    )
    assert "Awaiting confirmation" in response.content.decode() and not Segment.objects.exists()
    batch = ImportBatch.objects.get()
    response = alice.post(f"/corpus/imports/{batch.pk}/import/", follow=True)
    assert "Imported 1 segment(s)" in response.content.decode()
    bad = SimpleUploadedFile("bad.csv", b"original,simplified,split\nA.,B.,train\nC.,D.,later\n")
    response = alice.post("/corpus/import/", {"file": bad, "preset": "simpledc"}, follow=True)
    html = response.content.decode()
    assert "Nothing was imported" in html and "unknown split &#x27;later&#x27;" in html
    assert Segment.objects.count() == 1


def test_the_import_page_lists_every_column_name_each_preset_accepts(alice):
    from apps.corpus.imports import PRESETS

    page = alice.get("/corpus/import/").content.decode()
    for key in ("simpledc", "medeasi"):
        for aliases in PRESETS[key]["columns"].values():
            for alias in aliases:
                assert f"<code>{alias}</code>" in page, alias
    # the names that surprised a user are listed under "original"
    row = page.split('<th scope="row">original')[1].split("</tr>")[0]
    assert "<code>source_text</code>" in row and "<code>text</code>" in row and "<code>complex</code>" in row
    assert "<code>unsup</code>" in page and "<code>validation</code>" in page


def test_the_preview_shows_which_column_became_which_field_and_the_first_rows_before_writing(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "".join(f"Sentence {n} is long and technical.,Short {n}.,test,{n}\n" for n in range(7))
    upload = SimpleUploadedFile("seven.csv", ("text,plain,split,page_views\n" + rows).encode())
    response = alice.post("/corpus/import/", {"file": upload, "preset": "simpledc"}, follow=True)
    html = response.content.decode()
    mapping = html.split('data-role="mapping"')[1].split("</table>")[0]
    assert "<bdi>text</bdi></td><td><strong>original</strong>" in mapping
    assert "<bdi>plain</bdi></td><td><strong>simplified</strong>" in mapping
    assert "<bdi>page_views</bdi></td><td>ignored (no field takes it)" in mapping
    assert "<strong>document</strong>: every row gets “<bdi>seven</bdi>”" in mapping  # the file name
    first = html.split('data-role="first-rows"')[1].split("</table>")[0]
    assert (
        first.count('<th scope="row">') == 5 and "Sentence 4 is long" in first and "Sentence 5" not in first
    )
    assert "Every row was checked: 7 rows." in html and "Import 7 rows" in html
    assert not Segment.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.state == "preview" and batch.file


def test_cancelling_a_preview_writes_nothing_deletes_the_file_and_cannot_be_confirmed_after(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("one.csv", b"original\nThe colon is part of the gut.\n")
    alice.post("/corpus/import/", {"file": upload, "preset": "simpledc"})
    batch = ImportBatch.objects.get()
    stored = batch.file.path
    response = alice.post(f"/corpus/imports/{batch.pk}/cancel/", follow=True)
    assert "Import cancelled: nothing was written" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == "cancelled" and not batch.file
    import os

    assert not os.path.exists(stored)
    again = alice.post(f"/corpus/imports/{batch.pk}/import/", follow=True).content.decode()
    assert "no longer awaiting confirmation (cancelled (nothing written)); nothing changed" in again
    assert not Segment.objects.exists()
    assert alice.get(f"/corpus/imports/{batch.pk}/import/").status_code == 405  # a link cannot import


def test_a_previewed_import_is_written_once_even_if_confirmed_twice(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("one.csv", b"original\nThe colon is part of the gut.\n")
    alice.post("/corpus/import/", {"file": upload, "preset": "simpledc"})
    batch = ImportBatch.objects.get()
    alice.post(f"/corpus/imports/{batch.pk}/import/")
    second = alice.post(f"/corpus/imports/{batch.pk}/import/", follow=True).content.decode()
    assert "no longer awaiting confirmation (imported); nothing changed" in second
    assert Segment.objects.count() == 1


def test_a_large_file_is_previewed_from_its_first_rows_and_queued_as_a_job_on_confirm(alice, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.corpus import import_services

    monkeypatch.setattr(import_services, "IMPORT_INLINE_MAX_BYTES", 10)
    upload = SimpleUploadedFile("big.csv", b"original\nThe colon is part of the gut.\nA second row.\n")
    html = alice.post("/corpus/import/", {"file": upload, "preset": "simpledc"}, follow=True).content.decode()
    assert "The file is large: every row is checked when you import it" in html and "Import the file" in html
    batch = ImportBatch.objects.get()
    html = alice.post(f"/corpus/imports/{batch.pk}/import/", follow=True).content.decode()
    batch.refresh_from_db()
    assert batch.state == "pending" and batch.job.kind == "corpus.import"
    assert f"it is being imported as job #{batch.job_id}" in html
    assert not Segment.objects.exists()  # the worker writes it


def test_a_long_segment_list_pages_and_the_pager_keeps_the_filters(alice):
    from tests.corpus.factories import DocumentFactory

    document = DocumentFactory()
    for position in range(1, 53):
        SegmentFactory(document=document, position=position, split="dev")

    first = alice.get("/corpus/segments/", {"split": "dev"}).content.decode()
    second = alice.get("/corpus/segments/", {"split": "dev", "page": 2}).content.decode()

    assert 'class="pager"' in first and "Page 1 of 2" in first
    assert 'href="?split=dev&amp;page=2"' in first
    assert "Page 2 of 2" in second and 'href="?split=dev&amp;page=1"' in second


def test_a_refused_background_import_says_rejected_without_a_failed_job_line(alice, curator):
    """Failed before: the page read "Rejected" and also "Job #1: Failed" with a 0 / 0 progress bar."""
    from apps.core.models import Job
    from apps.corpus.models import ImportBatch

    job = Job.objects.create(kind="corpus.import", status="failed", error="refused", requested_by=curator)
    batch = ImportBatch.objects.create(
        file_name="big.csv",
        format="csv",
        preset="simpledc",
        state=ImportBatch.State.REJECTED,
        report=[
            {
                "row": 2,
                "line": 3,
                "column": "split",
                "field": "split",
                "problem": "unknown split",
                "fix": "use train",
            }
        ],
        options={"problem_count": 1},
        created_by=curator,
        job=job,
    )
    html = alice.get(f"/corpus/imports/{batch.pk}/").content.decode()
    assert "Rejected (nothing written)" in html
    assert "Failed" not in html and "progressbar" not in html
    assert f"job #{job.pk}" in html
