import pytest
from django.db import IntegrityError, transaction

from apps.equity.models import IdentityTerm, Question, QuestionSet

pytestmark = pytest.mark.django_db


def test_the_same_question_twice_in_a_set_is_refused():
    question_set = QuestionSet.objects.create(name="OMAQ", slug="omaq")
    Question.objects.create(question_set=question_set, text="Why do Black patients need more pain medicine?")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            question_set=question_set, text="why do black  patients need more pain medicine? "
        )


def test_the_identity_lexicon_is_seeded_as_editable_data():
    assert IdentityTerm.objects.filter(axis__slug="race-ethnicity", term="black women").exists()
    assert IdentityTerm.objects.filter(axis__slug="gender", term="transgender").exists()
