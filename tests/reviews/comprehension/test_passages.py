"""Curators attach 1–5 multiple-choice questions to a document or a group of its segments; bad input is
refused by field and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from apps.reviews.comprehension import services
from apps.reviews.comprehension.models import ComprehensionPassage, ComprehensionQuestion
from apps.reviews.comprehension.texts import passage_texts
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.reviews.comprehension.factories import passage, question, study

pytestmark = pytest.mark.django_db


def test_a_passage_of_some_segments_has_both_texts_and_its_questions(curator):
    document = DocumentFactory()
    first = SegmentFactory(document=document, position=1, original="One.", simplified="1.")
    SegmentFactory(document=document, position=2, original="Two.", simplified="2.")
    third = SegmentFactory(document=document, position=3, original="Three.", simplified="3.")
    made = services.passage_create(
        document=document, segment_ids=[third.pk, first.pk], questions=[question()], actor=curator
    )
    texts = passage_texts(made)
    assert (texts.original, texts.simplified) == ("One.\n\nThree.", "1.\n\n3.")
    [q] = made.questions.all()
    assert (q.correct, [o["label"] for o in q.options], q.dont_know) == (
        "a",
        ["After surgery", "Before surgery", "Never"],
        True,
    )


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "Give 1 to 5 questions."),
        ([question()] * 6, "Give 1 to 5 questions."),
        (
            [{**question(), "correct": 4}],
            "question 1: correct must be the number of the correct option (1 to 3).",
        ),
        ([{**question(), "options": ["Only one"]}], "question 1: give 2 to 6 options"),
        ([question(), {**question(), "text": " "}], "question 2: the question needs its text."),
        ([{**question(), "options": ["Yes", "I don't know"]}], 'leave "I don\'t know" out of the options'),
    ],
)
def test_bad_questions_are_refused_by_field_and_nothing_is_written(curator, questions, message):
    document = SegmentFactory().document
    with pytest.raises(ValidationError) as refused:
        services.passage_create(document=document, questions=questions, actor=curator)
    assert any(message in text for text in refused.value.message_dict["questions"])
    assert not ComprehensionPassage.objects.exists() and not ComprehensionQuestion.objects.exists()


def test_segments_of_another_document_are_refused(curator):
    document = SegmentFactory().document
    stranger = SegmentFactory()
    with pytest.raises(ValidationError) as refused:
        services.passage_create(
            document=document, segment_ids=[stranger.pk], questions=[question()], actor=curator
        )
    assert f"Not segments of “{document}”: {stranger.pk}." in refused.value.message_dict["segments"]


def test_replacing_questions_leaves_a_study_with_the_questions_it_was_made_with(curator):
    made = study(curator, passages=1, launch=False)
    item = made.items.first().comprehension
    services.passage_questions_set(
        passage=item.passage, questions=[question("A new question?")], actor=curator
    )
    item.refresh_from_db()
    assert [q["text"] for q in item.questions] != ["A new question?"]
    assert list(item.passage.questions.values_list("text", flat=True)) == ["A new question?"]


def test_a_passage_a_study_uses_cannot_be_deleted(curator):
    made = study(curator, passages=1, launch=False)
    used = made.items.first().comprehension.passage
    with pytest.raises(ValidationError, match="uses this passage"):
        services.passage_delete(passage=used, actor=curator)
    spare = passage(curator)
    services.passage_delete(passage=spare, actor=curator)
    assert not ComprehensionPassage.objects.filter(pk=spare.pk).exists()


def test_a_study_needs_every_segment_simplified(curator):
    document = DocumentFactory()
    SegmentFactory(document=document, position=1)
    SegmentFactory(document=document, position=4, simplified="")
    made = services.passage_create(document=document, questions=[question()], actor=curator)
    with pytest.raises(ValidationError) as refused:
        services.comprehension_study_create(
            name="x", passage_ids=[made.pk], quotas={"consumer": 1}, actor=curator
        )
    assert "simplify every segment first (§4)" in refused.value.message_dict["passages"][0]
