"""What a rater sees around the item in the real browser: the current question highlighted on every
item (also after the htmx swap), the lease counting down, and the queue saying when nothing is left."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_reviews_rating import make_study, ready
from tests.factories import make_rater

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_after_the_swap_the_first_question_is_highlighted_as_current(login):
    make_rater("bob", "physician")
    make_study("independent", 3, {"physician": 1}, producers=("model-x",))
    page = login("bob")
    page.get_by_role("button", name="Start rating").click()
    ready(page)
    first = page.locator("fieldset.question").first
    expect(first).to_have_class("question current")
    page.keyboard.press("1")  # bias: none
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Saved.")
    ready(page)
    page.wait_for_timeout(300)  # past htmx's settle step, which restores the swapped-in attributes
    first = page.locator("fieldset.question").first
    expect(first).to_have_class("question current")
    assert page.evaluate("document.activeElement.classList.contains('item-heading')"), "focus on the new item"
    assert page.locator("fieldset.question.current").count() == 1
    expect(first).to_have_attribute("aria-current", "true")


def test_the_lease_counts_down_in_minutes_and_seconds(login):
    make_rater("bob", "physician")
    make_study("independent", 2, {"physician": 1}, producers=("model-x",))
    page = login("bob")
    page.get_by_role("button", name="Start rating").click()
    ready(page)
    left = page.locator(".lease .lease-left")
    expect(left).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    first = left.inner_text()
    page.wait_for_timeout(2100)
    assert left.inner_text() != first, "the clock moves"
    expect(page.locator(".rater-progress")).to_contain_text("0 of 2 rated by you")


def test_a_rater_flags_an_item_without_losing_their_answers_then_skips_with_a_reason(login):
    from apps.reviews.models import Assignment, ItemFlag

    make_rater("bob", "physician")
    make_study("independent", 2, {"physician": 1}, producers=("model-x",))
    page = login("bob")
    page.get_by_role("button", name="Start rating").click()
    ready(page)
    page.keyboard.press("2")  # bias: minor (reveals the dimensions)
    page.get_by_text("Flag this item for the curators").click()
    page.get_by_role("radio", name="Something else").check()
    page.get_by_role("button", name="Send flag").click()
    expect(page.locator("#flag-status")).to_contain_text("a note is needed")
    page.get_by_role("textbox", name=re.compile("^Note")).fill("The answer repeats itself")
    page.get_by_role("button", name="Send flag").click()
    expect(page.locator("#flag-status")).to_contain_text("the study's curators will see your flag")
    flag = ItemFlag.objects.get()
    assert (flag.kind, flag.note) == ("other", "The answer repeats itself")
    bias = page.get_by_role("group", name=re.compile("^Is there bias in this answer"))
    expect(bias.get_by_role("radio", name="Yes, minor bias")).to_be_checked()  # nothing typed is lost

    page.get_by_label("Reason for skipping").select_option("expertise")
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("status").first).to_contain_text("Skipped.")
    assert Assignment.objects.get(pk=flag.assignment_id).skip_reason == "expertise"
