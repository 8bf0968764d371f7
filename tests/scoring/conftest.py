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


# (document title, [(original, simplified, split, status)]): four approved train pairs over two documents,
# a test segment in each document, a test segment without a reference, an unlabelled original.
TRAINING_CORPUS = [
    (
        "Pain relief",
        [
            (
                "Do not take more than 4 grams of acetaminophen in 24 hours.",
                "Never take more than 4 grams in one day.",
                "train",
                "approved",
            ),
            (
                "Ibuprofen can irritate the lining of the stomach.",
                "Ibuprofen can upset your stomach.",
                "train",
                "approved",
            ),
            (
                "Take the tablets with food to reduce nausea.",
                "Eat when you take the pills so you feel less sick.",
                "test",
                "approved",
            ),
            ("Consult a pharmacist before combining analgesics.", "", "test", "draft"),
        ],
    ),
    (
        "Screening",
        [
            (
                "Screening should begin at age 45 for people at average risk.",
                "Start screening at 45 if your risk is average.",
                "train",
                "approved",
            ),
            (
                "Colonoscopy permits visualization of the entire colon.",
                "A colonoscopy lets the doctor see your whole colon.",
                "train",
                "approved",
            ),
            (
                "Polyps can be removed during the examination.",
                "The doctor can take out growths during the test.",
                "test",
                "in_review",
            ),
            ("Bowel preparation is required the day before the procedure.", "", "unlabelled", "draft"),
        ],
    ),
]


@pytest.fixture
def training_corpus(db):
    """Segments by original text (see TRAINING_CORPUS)."""
    made = {}
    for title, rows in TRAINING_CORPUS:
        document = DocumentFactory(title=title)
        for position, (original, simplified, split, status) in enumerate(rows, start=1):
            made[original] = SegmentFactory(
                document=document,
                position=position,
                original=original,
                simplified=simplified,
                split=split,
                status=status,
            )
    return made
