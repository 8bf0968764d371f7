import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curator_logs_in_and_sees_the_dashboard(login, curator):
    page = login("alice")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs")).to_be_visible()


def test_rater_lands_on_their_queue_and_cannot_open_the_dashboard(login, rater_physician):
    page = login("bob")
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    response = page.goto("/dashboard/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_wrong_password_shows_an_error(page, curator):
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
