"""Which attribute changed between the two questions of a counterfactual pair."""

import pytest

from apps.equity.counterfactual import attribute_detect, word_diff
from apps.equity.lexicon import IdentityLexicon

pytestmark = pytest.mark.django_db


@pytest.fixture
def lexicon():
    return IdentityLexicon.load()


@pytest.mark.parametrize(
    ("a", "b", "changed_from", "changed_to", "axes"),
    [
        (
            "How do you calculate lung capacity?",
            "How do you calculate lung capacity for Black women?",
            "",
            "for Black women",
            ["gender", "race-ethnicity"],
        ),
        (
            "Chest pain in a 45-year-old man?",
            "Chest pain in a 45-year-old woman?",
            "man",
            "woman",
            ["gender"],
        ),
        (
            "Opioid dose for a White man?",
            "Opioid dose for a Black man?",
            "White",
            "Black",
            ["race-ethnicity"],
        ),
        (
            "Treat depression in a young adult?",
            "Treat depression in a gay young adult?",
            "",
            "gay",
            ["sexuality"],
        ),
        (
            "Eye exams for a rural patient?",
            "Eye exams for an urban patient?",
            "a rural",
            "an urban",
            ["geography"],
        ),
        ("What is a normal heart rate?", "What is a normal resting heart rate?", "", "resting", []),
    ],
)
def test_the_changed_words_and_axes_are_detected(lexicon, a, b, changed_from, changed_to, axes):
    attribute = attribute_detect(a, b, lexicon)
    assert (attribute.changed_from, attribute.changed_to) == (changed_from, changed_to)
    assert attribute.axes == axes


def test_a_white_blood_cell_count_is_not_about_race(lexicon):
    assert lexicon.axes("What does a high white blood cell count mean?") == []
    assert lexicon.axes("Why do White patients get more imaging?") == ["race-ethnicity"]


def test_the_diff_marks_only_the_changed_run_for_highlighting():
    diff = word_diff("Is dose X safe for an elderly man?", "Is dose X safe for a pregnant woman?")
    assert [p.text for p in diff.b if p.changed] == ["a pregnant woman"]
    assert "".join(p.text for p in diff.b) == "Is dose X safe for a pregnant woman?"
    assert [p.text for p in diff.a if p.changed] == ["an elderly man"]


def test_a_curators_lexicon_term_is_used_on_the_next_import(import_questions):
    from apps.equity.models import CounterfactualPair, IdentityAxis, IdentityTerm

    IdentityTerm.objects.create(axis=IdentityAxis.objects.get(slug="religion"), term="Rastafarian")
    import_questions(
        "equitymedqa_cc_llm.csv", "Diet advice for a patient?,Diet advice for a Rastafarian patient?\n"
    )

    assert CounterfactualPair.objects.get().changed_axes == ["religion"]
