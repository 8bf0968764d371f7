"""A rater works through a study with the keyboard alone, in the real browser."""

import pytest
from playwright.sync_api import expect

from apps.reviews.models import Assignment, Rating
from tests.factories import UserFactory, make_rater
from tests.reviews import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, name: str, limit: int = 40):
    """Press Tab until the focused element's accessible text contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if name in (page.evaluate("document.activeElement.innerText || ''") or ""):
            return
    raise AssertionError(f"no focusable element named {name!r}")


def ready(page):
    """Wait until the rating page's script has set up the item on screen."""
    expect(page.locator("#rating-item[data-ready]")).to_have_count(1)


def make_study(kind, n_items, quotas, producers=("model-x", "model-y")):
    curator = UserFactory(username="alice", role="curator")
    qset, made = factories.question_set_with_answers(n_items, producers=producers)
    return factories.study(kind, actor=curator, qset=qset, producers=made, quotas=quotas)


def test_rater_completes_three_pairwise_items_with_the_keyboard_alone(login):
    bob = make_rater("bob", "physician")  # raters (and their groups) first: a flushed database has none
    study = make_study("pairwise", 4, {"physician": 1}, producers=("gpt-secret", "llama-hidden"))
    page = login("bob")
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    tab_to(page, "Start rating")
    page.keyboard.press("Enter")
    ready(page)
    expect(page.get_by_role("heading", name="Response A")).to_be_visible()
    expect(page.get_by_role("heading", name="Response B")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # survives only if later items arrive without a reload

    headings = []
    for n in range(3):
        heading = page.locator(".item-heading")
        headings.append(heading.inner_text())
        expect(page.locator("body")).not_to_contain_text("gpt-secret")
        # overall: Response B (2); every dimension: no preference (3)
        page.keyboard.press("2")
        for _ in range(7):
            page.keyboard.press("3")
        overall = page.get_by_role("group", name="Which response shows more bias overall?")
        expect(overall.get_by_role("radio", name="Response B")).to_be_checked()
        page.keyboard.press("Enter")
        if n < 2:
            expect(page.locator(".item-heading")).not_to_have_text(headings[-1])
            expect(page.get_by_role("status").first).to_contain_text("Saved.")

    expect(page.locator(".item-heading")).not_to_have_text(headings[-1])
    assert page.evaluate("window.sameDocument === true"), "submitting reloaded the whole page"
    assert "/reviews/assignments/" in page.url, "the address follows the current item"

    ratings = Rating.objects.filter(assignment__rater=bob, assignment__study=study)
    assert ratings.count() == 3
    for rating in ratings:
        assert rating.response["overall"] == "b"
        assert all(rating.response[f"dim_{key}"] == "none" for key, _ in factories.BIAS_DIMENSIONS)
        assert rating.assignment.time_spent_ms > 0
    assert Assignment.objects.filter(rater=bob, status="leased").count() == 1, "the fourth item is on screen"


def test_conditional_questions_skip_and_the_keys_help(login):
    bob = make_rater("bob", "physician")
    study = make_study("independent", 3, {"physician": 1}, producers=("model-x",))
    page = login("bob")
    tab_to(page, "Start rating")
    page.keyboard.press("Enter")
    ready(page)
    dimensions = page.get_by_role("group", name="Which kinds of bias are present?")
    expect(dimensions).to_be_hidden()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard keys")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("3")  # severe → the dimensions appear and become the current question
    expect(dimensions).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("3")
    expect(page.get_by_label("Stereotypical language or characterization")).to_be_checked()
    first_heading = page.locator(".item-heading").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator(".item-heading")).not_to_have_text(first_heading)
    second_heading = page.locator(".item-heading").inner_text()
    page.keyboard.press("s")
    expect(page.get_by_role("status").first).to_contain_text("Skipped.")
    expect(page.locator(".item-heading")).not_to_have_text(second_heading)
    rating = Rating.objects.get(assignment__rater=bob, assignment__study=study)
    assert rating.response == {"bias": "severe", "dimensions": ["inaccurate", "stereotypical"]}
    assert Assignment.objects.filter(rater=bob, status="skipped").count() == 1


def test_missing_answer_is_explained_and_the_draft_survives_a_reload(login):
    make_rater("bob", "physician")
    make_study("independent", 2, {"physician": 1}, producers=("model-x",))
    page = login("bob")
    tab_to(page, "Start rating")
    page.keyboard.press("Enter")
    ready(page)
    page.keyboard.press("2")  # minor bias, no dimension yet
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Required")
    expect(page.get_by_role("group", name="Which kinds of bias are present?")).to_be_visible()
    page.keyboard.press("c")
    page.keyboard.type("Assumes one diet for everyone")
    expect(page.locator(".draft-status")).to_contain_text("Draft saved")
    page.reload()
    expect(page.get_by_label("Yes, minor bias")).to_be_checked()
    expect(page.get_by_role("textbox", name="Comment (optional)")).to_have_value(
        "Assumes one diet for everyone"
    )


def test_phone_width_stacks_the_two_responses(browser, live_server):
    from tests.factories import PASSWORD

    make_rater("bob", "physician")
    make_study("pairwise", 1, {"physician": 1})
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Start rating").click()
    a = page.locator("article.response").nth(0).bounding_box()
    b = page.locator("article.response").nth(1).bounding_box()
    assert b["y"] >= a["y"] + a["height"], "Response B sits below Response A"
    assert a["width"] <= 375 and page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
