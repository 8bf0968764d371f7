"""Starting, answering, freezing: the rules of services.py, each refusal clear and changing nothing."""

import pytest

from apps.core.errors import Conflict, Refused, ServiceError
from apps.instruments import services
from apps.instruments.models import Instrument, InstrumentAssessment, ItemAnswer
from apps.instruments.subjects import subject_text
from tests.corpus.factories import SegmentFactory
from tests.instruments.conftest import answer, answer_all, item, start

pytestmark = pytest.mark.django_db


def test_an_assessment_records_the_text_it_was_filled_against(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document, side="simplified")
    segments = list(document.segments.order_by("position"))
    assert assessment.side == "simplified"
    assert assessment.segment_versions == {str(s.pk): s.version for s in segments}
    assert assessment.text_sha256 == subject_text(document, "simplified").sha256
    assert assessment.text_sha256 != subject_text(document, "original").sha256  # two subjects
    # Starting again on the same text gives the same draft back.
    again, created = services.assessment_start(
        assessor=curator, instrument=pemat_p, document=document, side="simplified"
    )
    assert again == assessment and not created


def test_a_document_with_unsimplified_segments_cannot_be_assessed_on_its_simplified_side(
    curator, pemat_p, document
):
    SegmentFactory(document=document, position=3, original="A third sentence.", simplified="")
    with pytest.raises(ServiceError) as refused:
        start(curator, pemat_p, document, side="simplified")
    assert refused.value.status == 400
    assert "1 segment(s) without a simplified text (§3)" in refused.value.errors["side"][0]
    assert not InstrumentAssessment.objects.exists()
    assert start(curator, pemat_p, document, side="original")  # the original side is complete


def test_a_bad_side_is_refused_by_name(curator, pemat_p, document):
    with pytest.raises(ServiceError) as refused:
        start(curator, pemat_p, document, side="both")
    assert "side" in refused.value.errors and "original, simplified" in refused.value.errors["side"][0]


def test_only_curators_assess(rater_physician, pemat_p, document):
    with pytest.raises(Refused):
        start(rater_physician, pemat_p, document)
    assert not InstrumentAssessment.objects.exists()


def test_an_answer_must_be_one_of_the_items_options_and_na_only_where_the_instrument_allows_it(
    curator, pemat_p, document
):
    assessment = start(curator, pemat_p, document)
    answer(assessment, curator, {"6": "na"})  # "No numbers" is an N/A option of item 6
    messages = {}
    for code, value in [("7", "na"), ("1", "maybe"), ("1", "yes")]:  # 7 has no N/A; "yes" is a CCI option
        with pytest.raises(ServiceError) as refused:
            services.answer_save(
                assessment=assessment, item=item(assessment, code), actor=curator, value=value
            )
        assert refused.value.status == 400
        messages[(code, value)] = refused.value.errors["value"][0]
    assert messages[("7", "na")] == "Item 7 of PEMAT-P has no N/A option; choose one of: agree, disagree."
    assert messages[("1", "maybe")] == '"maybe" is not an answer to item 1; choose one of: agree, disagree.'
    assert list(assessment.answers.values_list("item__code", "value")) == [
        ("6", "na")
    ]  # nothing else written


def test_an_item_of_another_instrument_is_refused(curator, pemat_p, cci, document):
    assessment = start(curator, pemat_p, document)
    with pytest.raises(ServiceError) as refused:
        services.answer_save(assessment=assessment, item=item(cci, "1"), actor=curator, value="yes")
    assert "item" in refused.value.errors
    assert not ItemAnswer.objects.exists()


def test_only_the_assessor_changes_an_assessment(curator, other_curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    with pytest.raises(Refused) as refused:
        services.answer_save(
            assessment=assessment, item=item(assessment, "1"), actor=other_curator, value="agree"
        )
    assert "belongs to alice" in str(refused.value)
    assert not assessment.answers.exists()


def test_submit_needs_every_item_and_then_freezes_the_assessment(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    answer(assessment, curator, {"1": "agree"})
    with pytest.raises(ServiceError) as refused:
        services.assessment_submit(assessment=assessment, actor=curator)
    assert "23 item(s) have no answer yet: 2, 3, 4" in refused.value.errors["missing"][0]
    assessment.refresh_from_db()
    assert assessment.status == "draft"

    answer_all(assessment, curator)
    submitted = services.assessment_submit(assessment=assessment, actor=curator)
    assert submitted.is_submitted and submitted.submitted_at
    with pytest.raises(Conflict) as frozen:
        services.answer_save(
            assessment=assessment, item=item(assessment, "1"), actor=curator, value="disagree"
        )
    assert frozen.value.status == 409 and "frozen" in str(frozen.value)
    assert assessment.answers.get(item__code="1").value == "agree"


def test_submit_refuses_unconfirmed_automatic_answers(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document, prefill=True)
    pending = sorted(assessment.answers.filter(confirmed=False).values_list("item__code", flat=True), key=int)
    answer_all_but(assessment, curator, set(pending))
    with pytest.raises(ServiceError) as refused:
        services.assessment_submit(assessment=assessment, actor=curator)
    assert refused.value.errors["unconfirmed"] == [
        f"{len(pending)} automatic answer(s) still need a person to confirm or change them: "
        f"{', '.join(pending)}."
    ]
    assert "missing" not in refused.value.errors
    for code in pending:
        services.answer_confirm(assessment=assessment, item=item(assessment, code), actor=curator)
    assert services.assessment_submit(assessment=assessment, actor=curator).is_submitted


def test_the_cci_forces_items_2_to_4_to_no_when_there_is_no_main_message(curator, cci, document):
    assessment = start(curator, cci, document)
    answer_all(assessment, curator, value_for=lambda it: "na" if it.na_allowed else "yes")
    answer(assessment, curator, {"1": "no"})
    with pytest.raises(ServiceError) as refused:
        services.assessment_submit(assessment=assessment, actor=curator)
    message = refused.value.errors["forced"][0]
    for code in ("2", "3", "4", "6"):
        assert f"item {code} must be “no” because item 1 is “no”" in message
    answer(assessment, curator, dict.fromkeys(["2", "3", "4", "6"], "no"))
    assert services.assessment_submit(assessment=assessment, actor=curator).is_submitted


def test_a_used_instrument_is_frozen_and_an_edit_makes_a_new_version_old_assessments_keep_theirs(
    curator, admin_user, pemat_p, document
):
    assessment = start(curator, pemat_p, document)
    pemat_p.refresh_from_db()
    assert pemat_p.is_frozen
    old_text = item(pemat_p, "3").text

    changed = services.instrument_item_update(
        item=item(pemat_p, "3"), actor=admin_user, text="Plain words only."
    )

    new = changed.instrument
    assert (new.key, new.version, new.previous) == ("pemat-p", 2, pemat_p) and not new.is_frozen
    assert new.items.count() == pemat_p.items.count() == 24
    assert item(new, "3").text == "Plain words only."
    assert item(assessment, "3").text == old_text  # the assessment keeps its version's wording
    assert Instrument.objects.filter(key="pemat-p").count() == 2
    # New assessments use the newest version.
    fresh, _ = services.assessment_start(
        assessor=curator, instrument=new, document=document, side="simplified"
    )
    assert fresh.instrument == new


def test_an_unused_instrument_is_edited_in_place(admin_user, cci):
    changed = services.instrument_item_update(
        item=item(cci, "1"), actor=admin_user, guidance="Read it twice."
    )
    assert changed.instrument == cci and item(cci, "1").guidance == "Read it twice."


def answer_all_but(assessment, user, skip: set[str]) -> None:
    for it in assessment.instrument.items.order_by("order"):
        if it.code not in skip:
            services.answer_save(assessment=assessment, item=it, actor=user, value=it.options[0]["value"])
