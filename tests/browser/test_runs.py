"""A curator starts a model run in the browser, watches it finish, and accepts a candidate over the
human simplification after the confirmation panel has shown both texts."""

import pytest
from playwright.sync_api import expect

from apps.corpus.models import Segment, SegmentRevision
from apps.scoring.models import ModelRun
from tests.scoring.conftest import document, segments  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_curator_runs_the_model_on_a_document_and_accepts_a_candidate(
    login,
    curator,
    segments,  # noqa: F811 (the fixture imported above)
    celery_worker,
):
    page = login("alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Runs").click()
    page.get_by_role("link", name="Start a run").click()
    page.get_by_label("A whole document").check()
    page.get_by_label("Document", exact=True).select_option(label=str(segments[0].document))
    page.get_by_label("Max new tokens").fill("8")
    page.get_by_role("button", name="Start run").click()

    expect(page.get_by_role("heading", name="Run #")).to_be_visible()
    status = page.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=240_000)  # htmx polling
    cards = page.locator("[data-candidate]")
    expect(cards).to_have_count(2)
    first = page.locator(f"#segment-{segments[0].pk}")
    expect(first.locator("[data-role=original]")).to_have_text(segments[0].original)
    expect(first.locator("[data-role=reference]")).to_have_text(segments[0].simplified)
    expect(first.locator("[data-candidate] .sc-scores")).to_contain_text("SARI")
    # the human reference scored like a candidate (no reward model in this test, so no rank)
    expect(first.locator("[data-role=reference-score]")).to_contain_text("Scored like a candidate")
    text = first.locator("[data-role=candidate]").inner_text()

    human = segments[0].simplified
    first.get_by_role("button", name="Accept into the segment").click()
    confirm = first.get_by_role("dialog", name="Replace the human simplification?")
    expect(confirm).to_be_visible()
    expect(confirm.locator("[data-role=current]")).to_have_text(human)
    expect(confirm.locator("[data-role=consequence]")).to_contain_text("Undo: restore version 1")
    assert Segment.objects.get(pk=segments[0].pk).simplified == human  # asking changed nothing
    confirm.get_by_role("button", name="Replace it with this candidate").click()
    expect(first.locator("[data-decision]")).to_have_text("Accepted by alice")
    expect(first.locator("[data-role=undo]")).to_contain_text("Replaced version 1")
    segment = Segment.objects.get(pk=segments[0].pk)
    assert segment.simplified == text
    assert segment.revisions.get(version=segment.version).origin == SegmentRevision.Origin.MODEL


def test_curator_chooses_segments_by_a_search_and_sees_them_before_starting(
    login,
    curator,
    segments,  # noqa: F811 (the fixture imported above)
):
    page = login("alice")
    page.goto("/scoring/runs/new/")
    preview = page.get_by_role("status")
    expect(preview).to_have_text("Choose a document to see which segments the run covers.")
    page.get_by_label("Segments matching a search").check()
    page.get_by_label("Search", exact=True).fill("screening")
    expect(preview.locator("[data-role=preview-count]")).to_have_text("1 segment matches.")
    expect(preview.get_by_role("listitem")).to_have_text(
        f"{segments[1].document}, segment 2 (Train): {segments[1].original}"
    )
    page.get_by_label("Split", exact=True).select_option(label="Test")
    expect(preview.locator("[data-role=preview-count]")).to_have_text("0 segments match.")
    page.get_by_label("Split", exact=True).select_option(label="—")
    page.get_by_label("Max new tokens").fill("8")
    page.get_by_role("button", name="Start run").click()
    expect(page.get_by_role("heading", name="Run #")).to_be_visible()
    expect(page.locator("[data-role=selection]")).to_have_text("the search 'screening'")
    run = ModelRun.objects.get()
    assert list(run.segments.all()) == [segments[1]]


def test_a_rater_cannot_open_the_run_pages(login, rater_physician):
    page = login("bob")
    assert page.goto("/scoring/runs/").status == 403
    assert page.goto("/scoring/runs/new/").status == 403
