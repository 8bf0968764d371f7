"""Instrument fixtures: the shipped instruments, a corpus document with two simplified segments, a
second curator (dave), and helpers to answer items."""

import pytest

from apps.core.roles import Role
from apps.instruments import services
from apps.instruments.models import Instrument, InstrumentItem, Side
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.factories import UserFactory

ORIGINAL_1 = (
    "Colorectal cancer screening is recommended for adults aged 45 to 75 years. Individuals with an "
    "elevated risk should consult their physician regarding earlier initiation."
)
ORIGINAL_2 = "Approximately 1 in 23 men will be diagnosed with colorectal cancer during their lifetime."
SIMPLE_1 = (
    "Get checked for colon cancer if you are 45 to 75 years old. Ask your doctor if you should start sooner."
)
SIMPLE_2 = "About 1 in 23 men get colon cancer in their life."


@pytest.fixture
def other_curator(db):
    return UserFactory(username="dave", role=Role.CURATOR)


@pytest.fixture
def document(db):
    document = DocumentFactory(title="Colon cancer screening")
    SegmentFactory(document=document, position=1, original=ORIGINAL_1, simplified=SIMPLE_1)
    SegmentFactory(document=document, position=2, original=ORIGINAL_2, simplified=SIMPLE_2)
    return document


def instrument(key: str) -> Instrument:
    return Instrument.objects.filter(key=key).order_by("-version").first()


@pytest.fixture
def pemat_p(db):
    return instrument("pemat-p")


@pytest.fixture
def cci(db):
    return instrument("cci")


def item(assessment_or_instrument, code: str) -> InstrumentItem:
    instrument_id = getattr(assessment_or_instrument, "instrument_id", None) or assessment_or_instrument.pk
    return InstrumentItem.objects.get(instrument_id=instrument_id, code=code)


def start(user, instr, document, side=Side.ORIGINAL, prefill=False):
    assessment, _ = services.assessment_start(
        assessor=user, instrument=instr, document=document, side=side, prefill=prefill
    )
    return assessment


def answer(assessment, user, answers: dict[str, str]) -> None:
    """Save `answers` (item code → value, or text for free-text items) as a person."""
    for code, value in answers.items():
        it = item(assessment, code)
        if it.is_scored:
            services.answer_save(assessment=assessment, item=it, actor=user, value=value)
        else:
            services.answer_save(assessment=assessment, item=it, actor=user, text=value)


def answer_all(
    assessment, user, value_for=lambda it: it.options[0]["value"], intro="Adults aged 45 to 75"
) -> None:
    """Answer every item: scored items with `value_for(item)`, free-text ones with `intro`."""
    for it in assessment.instrument.items.order_by("order"):
        if it.is_scored:
            services.answer_save(assessment=assessment, item=it, actor=user, value=value_for(it))
        else:
            services.answer_save(assessment=assessment, item=it, actor=user, text=intro)
