"""Right-to-left names and texts keep their own direction without reordering the English around them:
a title in a heading or a list is isolated (<bdi>, or dir="auto" when it is the element's whole text),
and every user-written text, typed ones included, finds its direction from its content. Failed before:
an Arabic document title and its text rendered left to right, with the punctuation around them moved."""

import pytest

from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.reviews import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC_TITLE = "فحص سرطان القولون"
ARABIC_TEXT = "يبدأ الفحص في سن 45 للأشخاص ذوي الخطر المتوسط."
HEBREW_TITLE = "מחקר בדיקה"


def _direction(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).direction")


def test_rtl_titles_and_texts_take_their_own_direction_for_curators_and_raters(
    login, curator, rater_physician
):
    document = DocumentFactory(title=ARABIC_TITLE)
    SegmentFactory(document=document, original=ARABIC_TEXT, simplified="")
    english = SegmentFactory(original="Screening starts at 45.", simplified="")
    page = login("alice")

    page.goto("/corpus/")
    assert _direction(page.get_by_role("link", name=ARABIC_TITLE)) == "rtl"
    assert _direction(page.get_by_role("link", name=english.document.title)) == "ltr"

    page.goto(f"/corpus/documents/{document.pk}/")
    assert _direction(page.get_by_role("heading", name=ARABIC_TITLE, level=1)) == "rtl"
    assert _direction(page.locator(".cp-original").first) == "rtl"
    box = page.locator("textarea[data-simplified]").first
    box.fill("الفحص يبدأ في سن 45.")
    assert _direction(box) == "rtl"  # a typed text turns the box around as it is typed
    box.fill("Checks start at 45.")
    assert _direction(box) == "ltr"

    page.goto("/corpus/segments/")
    row = page.get_by_role("row").filter(has_text=ARABIC_TEXT)
    assert _direction(row.get_by_role("cell").filter(has_text=ARABIC_TEXT)) == "rtl"

    qset, made = factories.question_set_with_answers(1, producers=("model-x",), name="Mixed set")
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=made,
        quotas={"physician": 1},
        name=f"Internal {HEBREW_TITLE}",
        rater_title=HEBREW_TITLE,
    )
    page.goto(f"/reviews/studies/{study.pk}/results/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Results: Internal {HEBREW_TITLE}"
    assert heading.locator("bdi").inner_text() == f"Internal {HEBREW_TITLE}"  # isolated from "Results:"

    page.context.clear_cookies()
    rater_page = login("bob")
    rater_page.goto("/queue/")
    assert _direction(rater_page.get_by_role("heading", name=HEBREW_TITLE)) == "rtl"
