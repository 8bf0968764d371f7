"""The corpus editor in Chromium: live grade while typing, save, reload, revision in the history."""

import pytest
from playwright.sync_api import expect

from apps.metrics.readability import readability_scores
from tests.corpus.factories import SegmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HARD = (
    "Adjuvant chemotherapy, administered following surgical resection, eradicates residual "
    "micrometastatic disease and substantially diminishes recurrence probability."
)
PLAIN = "You get chemo after surgery. It kills cancer cells that are left. It helps keep the cancer away."


def test_typing_updates_the_grade_and_a_save_survives_a_reload(login, curator):
    segment = SegmentFactory(simplified=HARD)
    page = login("alice")
    page.goto(f"/corpus/documents/{segment.document_id}/")
    card = page.locator(f"#segment-{segment.pk}")
    grade = card.locator('[data-side="simplified"] .cp-grade')
    expect(grade).to_have_text(f"{readability_scores(HARD)['flesch_kincaid_grade']:.1f}")

    editor = card.get_by_label("Simplified")
    editor.fill(PLAIN)
    expect(grade).to_have_text(f"{readability_scores(PLAIN)['flesch_kincaid_grade']:.1f}")
    expect(card.locator('[data-side="simplified"]')).to_contain_text("at or below target 8")

    editor.press("Control+s")
    expect(page.locator(f"#segment-{segment.pk}")).to_contain_text("Saved as version 2")

    page.reload()
    card = page.locator(f"#segment-{segment.pk}")
    expect(card.get_by_label("Simplified")).to_have_value(PLAIN)
    expect(card.locator('[data-role="version"]')).to_have_text("version 2")

    card.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Version 2 (current)")).to_be_visible()
    expect(page.locator("#revision-2 ins").first).to_contain_text("You get chemo")


def test_a_conflicting_save_shows_both_texts(login, curator):
    from apps.core.roles import Role
    from apps.corpus import services
    from tests.factories import UserFactory

    curator2 = UserFactory(username="dave", role=Role.CURATOR)
    segment = SegmentFactory(simplified=HARD)
    page = login("alice")
    page.goto(f"/corpus/documents/{segment.document_id}/")
    services.segment_update(
        segment_id=segment.pk, user=curator2, version=1, simplified="Dave saved this first."
    )

    card = page.locator(f"#segment-{segment.pk}")
    card.get_by_label("Simplified").fill(PLAIN)
    card.get_by_role("button", name="Save").click()

    alert = page.locator(f"#segment-{segment.pk} .cp-conflict")
    expect(alert).to_contain_text("Dave saved this first.")
    expect(alert).to_contain_text(PLAIN)
    expect(page.locator(f"#segment-{segment.pk}").get_by_label("Simplified")).to_have_value(PLAIN)


def test_a_refused_save_keeps_every_field_as_the_user_left_it(login, curator):
    """Failed before: after a refused save the split, status and notes went back to the stored values."""
    segment = SegmentFactory(simplified=HARD)
    page = login("alice")
    page.goto(f"/corpus/documents/{segment.document_id}/")
    card = page.locator(f"#segment-{segment.pk}")
    card.get_by_label("Simplified").fill(PLAIN)
    card.get_by_label("Status").select_option("Approved")  # a draft cannot jump to approved: refused
    card.get_by_label("Split").select_option("Test")
    card.get_by_label("Notes").fill("Check the dose wording")
    card.get_by_role("button", name="Save").click()

    card = page.locator(f"#segment-{segment.pk}")
    expect(card.get_by_role("alert")).to_contain_text("cannot move to")
    expect(card.get_by_label("Simplified")).to_have_value(PLAIN)
    expect(card.get_by_label("Status")).to_have_value("approved")
    expect(card.get_by_label("Split")).to_have_value("test")
    expect(card.get_by_label("Notes")).to_have_value("Check the dose wording")
    segment.refresh_from_db()
    assert (segment.version, segment.split, segment.notes) == (1, "train", "")
