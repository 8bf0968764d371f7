import pytest

from apps.core.models import AuditLog
from apps.equity import demo
from apps.equity.models import Answer, CounterfactualPair, Question, QuestionSet

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_single_sets_one_pair_set_and_two_answers_per_question():
    created = demo.load()

    sets = {s.name: s for s in QuestionSet.objects.all()}
    assert sorted(sets) == ["Demo-CC-Manual", "Demo-EHAI", "Demo-OMAQ", "Demo-TRINDS"]
    single = Question.objects.exclude(question_set__kind="counterfactual")
    assert single.count() == 20
    assert CounterfactualPair.objects.count() == 8
    for question in Question.objects.all():
        producers = set(question.answers.values_list("producer__name", flat=True))
        assert producers == {"demo-model-a", "demo-model-b"}, question.text
    assert all(s.provenance.startswith("Demo data") for s in sets.values())
    assert created == Question.objects.count() + CounterfactualPair.objects.count() + Answer.objects.count()


def test_loading_the_demo_twice_creates_nothing_more():
    demo.load()
    logged = AuditLog.objects.count()
    assert demo.load() == 0
    assert AuditLog.objects.count() == logged  # no import entries at every `make run`
