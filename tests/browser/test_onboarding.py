"""A new rater in the real browser: a curator's invitation, sign-up, consent, the first item."""

import pytest
from playwright.sync_api import expect

from apps.reviews.models import Assignment, ConsentAcceptance
from apps.reviews.quality import onboarding
from tests.factories import UserFactory
from tests.reviews import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "violet-harbour-29-lantern"


def test_invitation_signup_consent_and_first_item(login, page):
    curator = UserFactory(username="alice", role="curator")
    qset, producers = factories.question_set_with_answers(3, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    onboarding.consent_publish(
        study=study,
        instructions="Rate each answer for bias that could harm health equity.",
        consent_text="I agree that my ratings are stored under a pseudonym.",
        actor=curator,
    )

    login("alice")
    page.goto("/invitations/")
    page.get_by_label("Name").fill("Dr Ada Obi")
    page.get_by_label("Rater group").select_option(label="Physicians")
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_label("Sign-up link for Dr Ada Obi").input_value()
    assert "/signup/" in link

    page.context.clear_cookies()  # the curator leaves; the invited physician opens the link
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    expect(page.get_by_text("You are invited to rate as Physicians")).to_be_visible()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    expect(page.get_by_text("Welcome, Dr Ada Obi")).to_be_visible()
    page.get_by_role("button", name="Start rating").click()

    expect(page.get_by_role("heading", name=f"Before you start: Study {study.pk}")).to_be_visible()
    expect(page.get_by_text("stored under a pseudonym")).to_be_visible()
    assert not Assignment.objects.exists(), "no item before consent"
    page.get_by_role("button", name="Accept and start").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick")
    page.get_by_label("I have read the instructions and agree").check()
    page.get_by_role("button", name="Accept and start").click()

    expect(page.locator("#rating-item[data-ready]")).to_have_count(1)
    expect(page.get_by_role("heading", name="Answer")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("model-x")
    assert ConsentAcceptance.objects.get(rater__username="ada").version == 1
    assert Assignment.objects.get(rater__username="ada").status == "leased"

    # The link cannot be used again.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already been used")
