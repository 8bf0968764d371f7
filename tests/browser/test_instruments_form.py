"""A curator fills PEMAT-P in Chromium: choices save on change, comments save while typing (debounced) and
when the page is left, automatic answers are confirmed in place, and everything is there after a reload."""

import pytest
from playwright.sync_api import expect

from apps.instruments.models import Instrument, ItemAnswer
from tests.instruments.conftest import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def document_with_text(db):
    from tests.corpus.factories import DocumentFactory, SegmentFactory

    document = DocumentFactory(title="Colon cancer screening")
    SegmentFactory(
        document=document,
        position=1,
        original="Screening is recommended for adults aged 45 to 75 years.",
        simplified="Get checked if you are 45 to 75.",
    )
    return document


def test_answers_and_typed_comments_survive_a_reload(login, curator, document_with_text):
    pemat = Instrument.objects.get(key="pemat-p", version=1)
    assessment = start(curator, pemat, document_with_text, prefill=True)
    page = login("alice")
    page.goto(f"/instruments/assessments/{assessment.pk}/")
    expect(page.get_by_role("heading", name="PEMAT-P: Colon cancer screening")).to_be_visible()

    first = page.locator('form[data-item-code="1"]')
    first.get_by_label("Agree", exact=True).check()
    expect(first.get_by_text("Saved")).to_be_visible()
    expect(page.locator('[data-scale="understandability"] [data-percent]')).to_have_text("100%")

    # Typing saves without leaving the field (debounced), and the saved time shows.
    first.get_by_label("Comment (optional)").press_sequentially("Purpose is in the title.", delay=20)
    expect(page.locator("#ins-last-saved")).to_contain_text("Last saved")
    stored_comment(page, assessment, "1", "Purpose is in the title.")

    # Typed and left at once (no pause, no blur): the page-hide flush sends it.
    second = page.locator('form[data-item-code="2"]')
    second.get_by_label("Disagree", exact=True).check()
    expect(second.get_by_text("Saved")).to_be_visible()
    second.get_by_label("Comment (optional)").fill("A side story distracts.")
    page.goto("/instruments/")
    stored_comment(page, assessment, "2", "A side story distracts.")
    page.goto(f"/instruments/assessments/{assessment.pk}/")

    # An automatic answer is confirmed in place and then counts.
    seven = page.locator('form[data-item-code="7"]')
    expect(seven.get_by_text("not counted until you confirm it")).to_be_visible()
    seven.get_by_role("button", name="Confirm “Agree”").click()
    expect(seven.get_by_text("Automatic, confirmed by alice")).to_be_visible()

    page.reload()
    expect(first.get_by_label("Agree", exact=True)).to_be_checked()
    expect(first.get_by_label("Comment (optional)")).to_have_value("Purpose is in the title.")
    expect(second.get_by_label("Disagree", exact=True)).to_be_checked()
    expect(second.get_by_label("Comment (optional)")).to_have_value("A side story distracts.")
    expect(seven.get_by_text("Automatic, confirmed by alice")).to_be_visible()
    # Items 1 (agree), 2 (disagree), 7 (agree, confirmed) count: 2 of 3.
    expect(page.locator('[data-scale="understandability"] [data-percent]')).to_have_text("67%")


def test_a_refused_answer_shows_its_reason_in_place(login, curator, document_with_text):
    cci = Instrument.objects.get(key="cci", version=1)
    assessment = start(curator, cci, document_with_text)
    page = login("alice")
    page.goto(f"/instruments/assessments/{assessment.pk}/")
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_text("Not submitted:")).to_contain_text("have no answer yet")
    assert not assessment.answers.exists()


def stored_comment(page, assessment, code: str, expected: str) -> None:
    """Wait (up to 5 s) until the item's stored comment is `expected`: saves arrive asynchronously."""
    for _ in range(50):
        answer = ItemAnswer.objects.filter(assessment=assessment, item__code=code).first()
        if answer and answer.comment == expected:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"item {code}'s comment was not saved: {answer.comment if answer else None!r}")
