"""A curator fills ELEVATE items in the browser; each saves on change (htmx) and is there after a reload."""

import pytest
from playwright.sync_api import expect

from apps.elevate import services
from apps.elevate.models import ItemResponse

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
