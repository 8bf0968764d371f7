"""A consumer on a phone-width screen (390 px) takes part in a comprehension study end to end: reads each
text, answers its questions without it, and the curator's results show the version difference with its
interval."""

import os

import pytest
from playwright.sync_api import expect

from apps.reviews import assignment as engine
from apps.reviews.comprehension import reading
from apps.reviews.comprehension.models import ComprehensionExposure, ComprehensionItem
from tests.factories import UserFactory, make_rater
from tests.reviews.comprehension.factories import study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("EQUITEXT_SCREENSHOTS")  # a folder: save what the test sees (kept out of the repo)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_consumer_reads_and_answers_on_a_phone_and_the_results_show_the_difference(browser, live_server):
    carol = make_rater("carol", "consumer")
    ann = make_rater("ann", "consumer")
    curator = UserFactory(username="alice", role="curator")
    made = study(curator, passages=4, quotas={"consumer": 1}, questions=1)
    for _ in range(4):  # ann (the first arm) reads her versions and answers everything right
        lease = engine.assignment_lease_next(study=made, rater=ann)
        reading.reading_done(assignment_id=lease.pk, rater=ann, visible_ms=None)
        [question] = ComprehensionItem.objects.get(item_id=lease.item_id).questions
        engine.assignment_submit(assignment_id=lease.pk, rater=ann, response={question["key"]: "a"})

    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill(_password())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    page.get_by_role("button", name="Start rating").first.click()

    answers = ["After surgery", "I don't know", "Before surgery", "After surgery"]
    seen_texts = []
    for n, choice in enumerate(answers):
        expect(page.get_by_role("heading", name="Read this text")).to_be_visible()
        text = page.locator(".cq-text").inner_text()
        assert text and text not in seen_texts
        seen_texts.append(text)
        expect(page.locator("body")).not_to_contain_text("simplified", ignore_case=True)
        _no_sideways_scroll(page)
        if n == 0:
            _shot(page, "comprehension-read-390")
        page.wait_for_timeout(300)
        page.get_by_role("button", name="I have read it — show the questions").click()
        expect(page.get_by_role("heading", name="Questions about the text")).to_be_visible()
        expect(page.locator(".cq-text")).to_have_count(0)  # the questions come without the text
        page.reload()
        expect(page.locator(".cq-text")).to_have_count(0)  # and it does not come back
        _no_sideways_scroll(page)
        if n == 0:
            page.get_by_role("button", name="Submit answers").click()  # nothing chosen: refused, named
            expect(page.get_by_role("alert")).to_contain_text("Required")
            _shot(page, "comprehension-questions-390")
        page.get_by_role("radio", name=choice).check()
        page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Nothing more to read")

    exposures = ComprehensionExposure.objects.filter(study=made, rater=carol)
    assert exposures.count() == 4 and len({e.passage_id for e in exposures}) == 4
    assert {e.version for e in exposures} == {"original", "simplified"}
    assert all(e.reading_ms is not None and e.reading_ms >= 300 for e in exposures)
    context.close()

    curator_context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = curator_context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(_password())
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/reviews/comprehension/studies/{made.pk}/results/")
    row = page.locator('#cq-difference tr[data-group="All raters"]')
    expect(row).to_be_visible()
    assert row.locator("[data-value]").inner_text() != "—"
    expect(row.locator("[data-interval]")).to_contain_text(" to ")
    expect(page.locator("#cq-difference svg[role=img] > title")).to_have_text(
        "Difference in accuracy, simplified − original"
    )
    _shot(page, "comprehension-results-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, "comprehension-results-desktop")
    curator_context.close()


def _password() -> str:
    from tests.factories import PASSWORD

    return PASSWORD
