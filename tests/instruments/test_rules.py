"""The automatic items: what each rule decides from the text, that its answers are marked automatic with
the rule and its inputs, that they count only once confirmed, and that a person's answer always wins."""

import pytest

from apps.core.errors import Conflict
from apps.instruments import rules, services
from apps.instruments.models import ItemAnswer
from tests.instruments.conftest import answer, item, start

pytestmark = pytest.mark.django_db


def outcome(rule: str, text: str):
    return rules.rule_run(rule, text)


def test_numbers_written_as_words_decimals_or_fractions_fail_and_no_numbers_is_na():
    assert outcome("numbers_clear", "Wash your hands often.").outcome == rules.NA
    clear = outcome("numbers_clear", "Take 2 tablets, 3 times a day. About 20% of people feel sick.")
    assert clear.outcome == rules.MEETS and clear.inputs["numerals"] == 3 and clear.inputs["percentages"] == 1
    words = outcome("numbers_clear", "Take two tablets a day.")
    assert words.outcome == rules.FAILS and "written as words (two)" in words.note
    assert outcome("numbers_clear", "Take 2.5 mL.").outcome == rules.FAILS
    assert outcome("numbers_clear", "Fill 1/3 of the cup.").outcome == rules.FAILS


def test_percentages_without_calculations_pass_and_calculation_cues_fail():
    assert outcome("no_calculations", "About 20% of adults have high blood pressure.").outcome == rules.MEETS
    cue = outcome("no_calculations", "Add up the grams of sugar in each food to get your total.")
    assert cue.outcome == rules.FAILS and "add up" in cue.inputs["calculation_cues"]
    assert outcome("no_calculations", "Your dose is 5 + 2 units.").outcome == rules.FAILS
    none = outcome("no_calculations", "Rest and drink water.")
    assert none.outcome == rules.MEETS and none.na_if_allowed  # PEMAT 7: agree; CCI 17: N/A (no numbers)


def test_reading_grade_compares_flesch_kincaid_and_sentence_length_with_the_target():
    easy = outcome("reading_grade", "Eat more fruit. Walk each day. Sleep well.")
    assert easy.outcome == rules.MEETS and easy.inputs["target_grade"] == 8.0
    hard = outcome(
        "reading_grade",
        "Individuals demonstrating persistent gastrointestinal symptomatology should consult appropriately "
        "qualified healthcare professionals regarding comprehensive diagnostic evaluation.",
    )
    assert hard.outcome == rules.FAILS and hard.inputs["flesch_kincaid_grade"] > 8
    assert "needs a person's judgement" in hard.note


def test_lists_need_one_list_of_at_most_seven_items_not_only_at_the_end():
    assert outcome("lists", "No list here.").outcome == rules.FAILS
    ok = "What to do:\n- Eat well\n- Move more\nCall us with questions."
    assert outcome("lists", ok).outcome == rules.MEETS
    long = "Foods:\n" + "\n".join(f"- food {i}" for i in range(8)) + "\nThat is all."
    assert outcome("lists", long).outcome == rules.FAILS
    at_end = "Read this first.\nReferences:\n1. One source\n2. Another source"
    assert "at the end" in outcome("lists", at_end).note


def test_plain_text_has_no_visual_aids_or_tables_but_markup_leaves_it_to_a_person():
    assert outcome("text_has_no_visual_aids", "Just words.").outcome == rules.NA
    assert outcome("text_has_no_visual_aids", "See ![a plate](plate.png).").outcome is None
    assert outcome("no_tables", "Just words.").outcome == rules.NA
    assert outcome("no_tables", "| food | grams |\n| rice | 50 |").outcome is None


def test_probability_and_numbers_parts_are_na_only_without_them():
    assert outcome("probability_present", "Wash your hands.").outcome == rules.NA
    assert outcome("probability_present", "About 1 in 23 men get it.").outcome is None
    assert outcome("numbers_present", "Wash your hands.").outcome == rules.NA
    assert outcome("numbers_present", "Wash for 20 seconds.").outcome is None


def test_prefilled_answers_are_marked_automatic_with_their_rule_and_inputs(curator, cci, document):
    assessment = start(curator, cci, document, side="simplified", prefill=True)
    automatic = {a.item.code: a for a in assessment.answers.select_related("item")}
    # 15, 16 and 20 stay a person's: the text has numbers and a probability ("1 in 23").
    assert set(automatic) == {"7", "8", "17"}
    reading = automatic["7"]
    assert (reading.source, reading.confirmed, reading.rule, reading.value) == (
        "rule",
        False,
        "reading_grade",
        "yes",
    )
    assert reading.rule_inputs["flesch_kincaid_grade"] <= 8 and "Flesch–Kincaid grade" in reading.rule_note
    # Item 17 asks "does the audience have to calculate?": no calculation found → "No", the point.
    assert automatic["17"].value == "no"


def test_a_person_confirms_or_changes_an_automatic_answer_and_pre_fill_never_overwrites_it(
    curator, pemat_p, document
):
    assessment = start(curator, pemat_p, document, prefill=True)
    services.answer_confirm(assessment=assessment, item=item(assessment, "7"), actor=curator)
    answer(assessment, curator, {"3": "agree"})  # the rule said "disagree" (grade above the target)
    changed = assessment.answers.get(item__code="3")
    assert (changed.source, changed.confirmed, changed.rule_value) == ("person", True, "disagree")
    confirmed = assessment.answers.get(item__code="7")
    assert (confirmed.source, confirmed.confirmed, confirmed.updated_by) == ("rule", True, curator)

    services.assessment_prefill(assessment=assessment, actor=curator)
    assert assessment.answers.get(item__code="3").value == "agree"
    assert assessment.answers.get(item__code="7").confirmed
    # Choosing the proposed option is confirming it: it stays marked automatic.
    answer(assessment, curator, {"6": assessment.answers.get(item__code="6").value})
    six = assessment.answers.get(item__code="6")
    assert (six.source, six.confirmed) == ("rule", True)


def test_an_automatic_answer_cannot_be_confirmed_where_there_is_none(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    with pytest.raises(services.ServiceError) as refused:
        services.answer_confirm(assessment=assessment, item=item(assessment, "1"), actor=curator)
    assert refused.value.errors["item"] == ["Item 1 has no automatic answer to confirm."]


def test_rules_do_not_run_again_on_a_text_that_changed_since_the_assessment_began(curator, pemat_p, document):
    assessment = start(curator, pemat_p, document, prefill=True)
    before = ItemAnswer.objects.filter(assessment=assessment).count()
    segment = document.segments.get(position=1)
    segment.original = "A new original text with two numbers: 3 and 4."
    segment.version += 1
    segment.save()
    with pytest.raises(Conflict) as refused:
        services.assessment_prefill(assessment=assessment, actor=curator)
    assert "changed since this assessment began" in str(refused.value)
    assert ItemAnswer.objects.filter(assessment=assessment).count() == before
