"""The grade everywhere it is shown: the corpus editor and the run page give the spread across
formulas and the target formula, and Arabic text gets "readability formulas apply to English only",
never a grade or a green "at or below target"."""

import pytest
from django.utils import timezone

from apps.metrics.readability import readability_metrics
from tests.corpus.factories import SegmentFactory
from tests.scoring.factories import CandidateFactory

pytestmark = pytest.mark.django_db
ARABIC = "يبدأ سرطان القولون والمستقيم في القولون أو المستقيم. اسأل طبيبك متى تبدأ الفحص."
ENGLISH = "Hepatocellular carcinoma characteristically arises in cirrhotic parenchyma."


def _card(html: str, side: str) -> str:
    return html.split(f'data-side="{side}"', 1)[1].split("</div>", 1)[0]


def test_the_editor_shows_the_spread_and_the_formula_the_target_uses(client, curator):
    client.force_login(curator)
    segment = SegmentFactory(original=ENGLISH)
    html = client.get(f"/corpus/documents/{segment.document_id}/").content.decode()
    assert "US school grade by Flesch–Kincaid grade level" in html
    original = _card(html, "original")
    assert "formulas disagree by" in original and "(FKGL)" in original
    assert f"{readability_metrics(ENGLISH)['flesch_kincaid_grade']:.1f}" in original


def test_arabic_in_the_editor_gets_no_grade_and_no_green_target(client, curator):
    client.force_login(curator)
    segment = SegmentFactory(original=ARABIC)
    html = client.get(f"/corpus/documents/{segment.document_id}/").content.decode()
    original = _card(html, "original")
    assert "Readability formulas apply to English only" in original
    assert "at or below target" not in original and "cp-grade" not in original
    segment.refresh_from_db()
    assert segment.original_grade is None  # nor a stored grade for lists and exports


def test_typing_arabic_in_the_live_panel_gets_no_grade(client, curator):
    client.force_login(curator)
    segment = SegmentFactory()
    html = client.post(
        f"/corpus/segments/{segment.pk}/readability/", {"simplified": ARABIC}, HTTP_HX_REQUEST="true"
    ).content.decode()
    simplified = _card(html, "simplified")
    assert "Readability formulas apply to English only" in simplified
    assert "at or below target" not in simplified


def test_the_run_page_shows_the_spread_and_english_only_per_candidate(client, curator):
    client.force_login(curator)
    segment = SegmentFactory()
    now = timezone.now()
    english = CandidateFactory(
        segment=segment, text=ENGLISH, readability=readability_metrics(ENGLISH), scored_at=now
    )
    arabic = CandidateFactory(
        run=english.run,
        segment=segment,
        index=1,
        text=ARABIC,
        readability=readability_metrics(ARABIC),
        scored_at=now,
    )
    english.run.segments.add(segment)
    html = client.get(f"/scoring/runs/{english.run_id}/").content.decode()
    first = html.split(f'id="candidate-{english.pk}"', 1)[1].split("sc-actions", 1)[0]
    second = html.split(f'id="candidate-{arabic.pk}"', 1)[1].split("sc-actions", 1)[0]
    assert "formulas disagree by" in first and "FKGL" in first
    assert "Readability formulas apply to English only" in second and "cp-grade" not in second
