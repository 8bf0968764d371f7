import pytest

from apps.corpus import demo
from apps.corpus.models import Document, Segment, SegmentRevision
from apps.metrics.readability import readability_scores

pytestmark = pytest.mark.django_db


def test_demo_corpus_loads_once_with_plain_versions_at_or_below_grade_8():
    assert demo.load() == 30
    assert demo.load() == 0  # idempotent
    assert Document.objects.count() == 5
    assert Segment.objects.count() == 30
    assert set(Segment.objects.values_list("status", flat=True)) == {"draft", "in_review", "approved"}
    assert {"train", "dev", "test", "unlabelled"} == set(Segment.objects.values_list("split", flat=True))
    for simplified in Segment.objects.exclude(simplified="").values_list("simplified", flat=True):
        assert readability_scores(simplified)["flesch_kincaid_grade"] <= 8.5, simplified
    approved = Segment.objects.filter(status="approved").first()
    assert approved.version == 3 and approved.revisions.count() == 3
    assert SegmentRevision.objects.count() >= 30
