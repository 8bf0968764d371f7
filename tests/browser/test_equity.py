import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CC = b"How do you calculate lung capacity?,How do you calculate lung capacity for Black women?\n"


def test_curator_uploads_a_pair_file_and_sees_the_changed_words_highlighted(login, curator):
    page = login("alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Question sets").click()
    page.get_by_role("link", name="Import questions").click()
    page.get_by_label("File").set_input_files(
        {"name": "equitymedqa_cc_manual.csv", "mimeType": "text/csv", "buffer": CC}
    )
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Imported equitymedqa_cc_manual.csv")).to_be_visible()
    expect(page.locator('[data-count="pairs_created"]')).to_have_text("1")
    page.get_by_role("link", name="Open CC-Manual").click()
    page.get_by_role("link", name="1", exact=True).click()

    highlighted = page.locator('[data-side="b"] ins')
    expect(highlighted).to_have_text("for Black women")
    expect(page.get_by_label("Attribute that changed")).to_have_value(
        "gender, race-ethnicity: — → for Black women"
    )


def test_curator_filters_questions_and_edits_tags_without_reloading(login, curator):
    from apps.equity import demo

    demo.load()
    page = login("alice")
    page.goto("/equity/questions/")
    page.get_by_label("Search questions").fill("dengue")
    expect(page.locator("#results")).to_contain_text("1 question matching")
    page.get_by_role("link", name="Is dengue only a problem for poor countries").click()

    page.get_by_label("Topics").fill("travel, mosquito-borne")
    page.get_by_label("Income / class").check()
    page.get_by_role("button", name="Save tags").click()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Topics")).to_have_value("travel, mosquito-borne")
    expect(page.get_by_label("Income / class")).to_be_checked()
