"""Irreversible or far-reaching actions ask first in a dialog that says what will change; Cancel changes
nothing. Each failed before: one click launched or closed the study, restored the revision or deactivated
the rater."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import RaterProfile
from apps.corpus import services as corpus_services
from apps.reviews.models import Study
from tests.corpus.factories import SegmentFactory
from tests.reviews import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_launching_and_closing_a_study_ask_with_the_consequences(login, curator):
    qset, made = factories.question_set_with_answers(2, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=made, quotas={"physician": 1}, launch=False
    )
    page = login("alice")
    page.goto(f"/reviews/studies/{study.pk}/")

    page.get_by_role("button", name="Launch", exact=True).click()
    dialog = page.get_by_role("dialog", name="Launch this study?")
    expect(dialog).to_contain_text("are fixed from here on")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    study.refresh_from_db()
    assert study.status == Study.Status.DRAFT

    page.get_by_role("button", name="Launch", exact=True).click()
    dialog.get_by_role("button", name="Launch the study").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    study.refresh_from_db()
    assert study.status == Study.Status.LIVE

    page.get_by_role("button", name="Close", exact=True).click()
    dialog = page.get_by_role("dialog", name="Close this study? This cannot be undone.")
    expect(dialog).to_contain_text("cannot be resumed")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    study.refresh_from_db()
    assert study.status == Study.Status.LIVE
    page.get_by_role("button", name="Close", exact=True).click()
    dialog.get_by_role("button", name="Close the study for good").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Close", exact=True)).to_have_count(0)
    study.refresh_from_db()
    assert study.status == Study.Status.CLOSED


def test_restoring_a_revision_asks_first(login, curator):
    segment = SegmentFactory(simplified="First text.")
    corpus_services.segment_update(segment_id=segment.pk, user=curator, version=1, simplified="Second text.")
    page = login("alice")
    page.goto(f"/corpus/segments/{segment.pk}/history/")
    page.get_by_role("button", name="Restore version 1").click()
    dialog = page.get_by_role("dialog", name="Restore version 1?")
    expect(dialog).to_contain_text("saved as a new version 3")
    dialog.get_by_role("button", name="Cancel").click()
    segment.refresh_from_db()
    assert (segment.version, segment.simplified) == (2, "Second text.")
    page.get_by_role("button", name="Restore version 1").click()
    dialog.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_role("heading", name="Version 3 (current)")).to_be_visible()
    segment.refresh_from_db()
    assert segment.simplified == "First text."


def test_deactivating_a_rater_asks_first(login, curator, rater_physician):
    page = login("alice")
    page.goto("/raters/")
    name = rater_physician.username
    page.get_by_role("button", name=f"Deactivate {name}").click()
    dialog = page.get_by_role("dialog", name=f"Deactivate {name}?")
    expect(dialog).to_contain_text("can no longer log in")
    dialog.get_by_role("button", name="Cancel").click()
    assert RaterProfile.objects.get(user=rater_physician).active
    page.get_by_role("button", name=f"Deactivate {name}").click()
    dialog.get_by_role("button", name=f"Deactivate {name}").click()
    expect(page.get_by_role("button", name=f"Reactivate {name}")).to_be_visible()
    assert not RaterProfile.objects.get(user=rater_physician).active
