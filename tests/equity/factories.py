import factory

from apps.equity.models import Answer, Producer, Question, QuestionSet


class QuestionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionSet
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Set {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    question_set = factory.SubFactory(QuestionSetFactory)
    text = factory.Sequence(lambda n: f"Why does question {n} assume a biased premise?")
    position = factory.Sequence(lambda n: n + 1)


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer
        django_get_or_create = ("name", "revision")

    name = "secret-model"
    revision = "r1"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    producer = factory.SubFactory(ProducerFactory)
    text = factory.Sequence(lambda n: f"Answer number {n}.")
