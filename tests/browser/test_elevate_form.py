"""A curator fills ELEVATE items in the browser; each saves on change (htmx) and is there after a reload."""

import re

import pytest
from playwright.sync_api import expect

from apps.elevate import services
from apps.elevate.models import ItemResponse
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_items_save_on_change_and_survive_a_reload(login, curator):
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title="LLM-assisted screening study"
    )
    page = login("alice")
    page.goto(f"/elevate/{assessment.pk}/")
    expect(page.get_by_role("heading", name="LLM-assisted screening study")).to_be_visible()

    first = page.locator('form[data-item-code="1.1"]')
    first.get_by_label("Reported", exact=True).check()
    expect(first.get_by_text("Saved")).to_be_visible()
    expect(page.locator("#domain-1 .elevate-domain-progress")).to_have_text("1/6 answered")

    # "Not reported" without a comment is refused inline and nothing is stored.
    seed = page.locator('form[data-item-code="5.3"]')
    seed.get_by_label("Not reported", exact=True).check()
    expect(seed.get_by_role("alert")).to_contain_text("comment is required")
    assert not ItemResponse.objects.filter(assessment=assessment, item__code="5.3").exists()
    seed.get_by_label("Comment").fill("Seeds are not reported.")
    seed.get_by_label("Comment").blur()
    expect(seed.get_by_text("Saved")).to_be_visible()

    prompts = page.locator('form[data-item-code="5.1"]')
    prompts.get_by_label("Where reported").fill("Supplement S1")
    prompts.get_by_label("Partially reported", exact=True).check()
    expect(prompts.get_by_role("alert")).to_contain_text("comment is required")
    prompts.get_by_label("Comment").fill("System prompt missing.")
    prompts.get_by_label("Comment").blur()
    expect(prompts.get_by_text("Saved")).to_be_visible()
    expect(page.locator("#overall-progress")).to_contain_text("3 of")

    page.reload()
    expect(page.locator('form[data-item-code="1.1"]').get_by_label("Reported", exact=True)).to_be_checked()
    expect(seed.get_by_label("Not reported", exact=True)).to_be_checked()
    expect(seed.get_by_label("Comment")).to_have_value("Seeds are not reported.")
    expect(prompts.get_by_label("Partially reported", exact=True)).to_be_checked()
    expect(prompts.get_by_label("Where reported")).to_have_value("Supplement S1")
    expect(prompts.get_by_label("Comment")).to_have_value("System prompt missing.")
    expect(page.locator("#domain-5 .elevate-domain-progress").first).to_have_text("2/6 answered")


def test_written_fields_save_while_typing_without_leaving_the_field(login, curator):
    """Failed before: the comment and location saved only on blur; a reload lost what was typed."""
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title="Typing study"
    )
    page = login("alice")
    page.goto(f"/elevate/{assessment.pk}/")
    item = page.locator('form[data-item-code="1.1"]')
    item.get_by_label("Reported", exact=True).check()
    expect(item.get_by_text("Saved")).to_be_visible()
    item.get_by_label("Comment").press_sequentially("Stated in the abstract")
    # Focus stays in the field; the debounced save shows its time.
    expect(item.get_by_label("Comment")).to_be_focused()
    wait_for(
        lambda: ItemResponse.objects.filter(
            assessment=assessment, item__code="1.1", comment="Stated in the abstract"
        ).exists(),
        timeout=10,
        what="the comment saved while typing",
    )
    expect(item.get_by_label("Comment")).to_be_focused()
    expect(item.locator(".elevate-saved")).to_have_text(re.compile(r"Saved \d\d:\d\d:\d\d"))
    page.reload()
    expect(page.locator('form[data-item-code="1.1"]').get_by_label("Comment")).to_have_value(
        "Stated in the abstract"
    )


def test_text_typed_just_before_leaving_is_sent_when_the_page_goes(login, curator):
    """Failed before: text typed and not blurred was dropped when the curator navigated away."""
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title="Leaving study"
    )
    page = login("alice")
    page.goto(f"/elevate/{assessment.pk}/")
    item = page.locator('form[data-item-code="1.2"]')
    item.get_by_label("Reported", exact=True).check()
    expect(item.get_by_text("Saved")).to_be_visible()
    item.get_by_label("Where reported").press_sequentially("Methods, p. 4", delay=0)
    page.goto("/elevate/")  # within the debounce: the page-hide beacon carries it
    wait_for(
        lambda: ItemResponse.objects.filter(
            assessment=assessment, item__code="1.2", location="Methods, p. 4"
        ).exists(),
        timeout=10,
        what="the location sent on page hide",
    )
