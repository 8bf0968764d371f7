import pytest

from tests.corpus.factories import DocumentFactory, SegmentFactory

SHORT_SEGMENTS = [
    (
        "Do not take more than 4 grams of acetaminophen in 24 hours.",
        "Never take more than 4 grams in one day.",
    ),
    (
        "Screening should begin at age 45 for people at average risk.",
        "Start screening at 45 if your risk is average.",
    ),
]


@pytest.fixture
def document(db):
    document = DocumentFactory(title="Pain relief and screening")
    for position, (original, simplified) in enumerate(SHORT_SEGMENTS, start=1):
        SegmentFactory(document=document, position=position, original=original, simplified=simplified)
    return document


@pytest.fixture
def segments(document):
    return list(document.segments.order_by("position"))
