"""Leaving a page with unsaved changes asks first (editor, ELEVATE, rubric and study forms); a page with
nothing changed, and a form being submitted, leave without a question. Each failed before: no warning."""

import pytest
from playwright.sync_api import expect

from apps.elevate import services as elevate_services
from tests.corpus.factories import SegmentFactory
from tests.reviews.factories import rubric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _leave(page, url: str) -> list[str]:
    """Navigate away, dismissing any leave-page question; returns the kinds of dialog that were asked."""
    asked = []

    def dismiss(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    try:
        start = page.url
        page.evaluate("url => { window.location.href = url; }", url)
        for _ in range(50):  # until the question is asked or the new page is there
            if asked or page.url != start:
                break
            page.wait_for_timeout(100)
        page.wait_for_load_state()
    finally:
        page.remove_listener("dialog", dismiss)
    return asked


def test_the_corpus_editor_warns_about_an_unsaved_text(login, curator):
    segment = SegmentFactory()
    page = login("alice")
    page.goto(f"/corpus/documents/{segment.document_id}/")
    assert _leave(page, "/corpus/") == []  # nothing changed: no question
    page.goto(f"/corpus/documents/{segment.document_id}/")
    card = page.locator(f"#segment-{segment.pk}")
    card.get_by_label("Simplified").fill("A new text not saved yet.")
    assert _leave(page, "/corpus/") == ["beforeunload"]
    expect(card.get_by_label("Simplified")).to_have_value("A new text not saved yet.")

    card.get_by_role("button", name="Save").click()
    expect(page.locator(f"#segment-{segment.pk}")).to_contain_text("Saved as version 2")
    assert _leave(page, "/corpus/") == []


def test_a_refused_corpus_save_still_counts_as_unsaved(login, curator):
    segment = SegmentFactory()
    page = login("alice")
    page.goto(f"/corpus/documents/{segment.document_id}/")
    card = page.locator(f"#segment-{segment.pk}")
    card.get_by_label("Status").select_option("Approved")  # a draft cannot jump to approved
    card.get_by_role("button", name="Save").click()
    expect(page.locator(f"#segment-{segment.pk}").get_by_role("alert")).to_be_visible()
    assert _leave(page, "/corpus/") == ["beforeunload"]


def test_the_rubric_and_study_forms_warn_but_their_submit_does_not(login, curator):
    page = login("alice")
    chosen = rubric("simplification")
    page.goto(f"/reviews/rubrics/{chosen.pk}/")
    page.get_by_label("Description").fill("Edited description")
    assert _leave(page, "/reviews/rubrics/") == ["beforeunload"]

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_label("Seconds (0 turns the speed flag off)").fill("7")
    page.locator("form.inline-form").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert asked == []

    page.goto("/reviews/studies/new/")
    page.get_by_label("Name").fill("Half-typed study")
    assert _leave(page, "/reviews/studies/") == ["beforeunload"]


def test_elevate_warns_while_a_typed_answer_is_refused(login, curator):
    assessment = elevate_services.assessment_create(
        assessor=curator, subject_kind="publication", title="Warned study"
    )
    page = login("alice")
    page.goto(f"/elevate/{assessment.pk}/")
    item = page.locator('form[data-item-code="5.3"]')
    item.get_by_label("Not reported", exact=True).check()  # refused: a comment is required
    expect(item.get_by_role("alert").first).to_contain_text("comment is required")
    assert _leave(page, "/elevate/") == ["beforeunload"]
    item.get_by_label("Comment").fill("Seeds missing.")
    item.get_by_label("Comment").blur()
    expect(item.locator(".elevate-saved")).to_be_visible()
    assert _leave(page, "/elevate/") == []
