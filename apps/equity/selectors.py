"""Reads of the equity app. Everything here except `answer_for_rater` is curator-only data: callers check
the curator role first. Rater-facing code (the reviews app) shows answers only through
`answer_for_rater`, which never carries the producer."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Count, Prefetch, Q, QuerySet

from apps.equity.counterfactual import PairDiff, word_diff
from apps.equity.models import (
    SEARCH_CONFIG,
    Answer,
    CounterfactualPair,
    IdentityAxis,
    Producer,
    Question,
    QuestionSet,
)


def question_sets_with_counts() -> QuerySet[QuestionSet]:
    """Every set with `question_count`, `pair_count`, `answer_count` and `producer_count`."""
    return QuestionSet.objects.annotate(
        question_count=Count("questions", distinct=True),
        pair_count=Count("pairs", distinct=True),
        answer_count=Count("questions__answers", distinct=True),
        producer_count=Count("questions__answers__producer", distinct=True),
    ).order_by("name")


def questions_search(
    *,
    question_set: QuestionSet | None = None,
    q: str = "",
    identity_axes: list[str] | None = None,
    topics: list[str] | None = None,
) -> QuerySet[Question]:
    """Questions matching a PostgreSQL full-text query (web-search syntax: words, "phrases", -not, or)
    and carrying all the given tags; best match first when there is a query, else set order.
    Each question has `answer_count`."""
    questions = Question.objects.select_related("question_set").annotate(
        answer_count=Count("answers", distinct=True)
    )
    if question_set is not None:
        questions = questions.filter(question_set=question_set)
    if identity_axes:
        questions = questions.filter(identity_axes__contains=list(identity_axes))
    if topics:
        questions = questions.filter(topics__contains=list(topics))
    q = (q or "").strip()
    if q:
        # The same expression as the GIN index on Question, so the index serves the search.
        vector = SearchVector("text", config=SEARCH_CONFIG)
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        return (
            questions.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "position", "id")
        )
    return questions.order_by("question_set__name", "position", "id")


def topics_in_use(question_set: QuestionSet | None = None) -> list[str]:
    questions = Question.objects.all()
    if question_set is not None:
        questions = questions.filter(question_set=question_set)
    values = set()
    for tags in questions.values_list("topics", flat=True).distinct():
        values.update(tags)
    return sorted(values)


def identity_axes() -> QuerySet[IdentityAxis]:
    return IdentityAxis.objects.all()


def answers_by_producer(question: Question) -> list[tuple[Producer, list[Answer]]]:
    """The question's answers grouped by producer (curators only: this shows producer labels)."""
    groups: dict[int, tuple[Producer, list[Answer]]] = {}
    for answer in question.answers.select_related("producer").order_by("producer__name", "created_at"):
        groups.setdefault(answer.producer_id, (answer.producer, []))[1].append(answer)
    return list(groups.values())


def pairs_of_question(question: Question) -> QuerySet[CounterfactualPair]:
    return CounterfactualPair.objects.filter(Q(question_a=question) | Q(question_b=question))


def pairs_list(*, question_set: QuestionSet | None = None, axis: str = "") -> QuerySet[CounterfactualPair]:
    pairs = CounterfactualPair.objects.select_related("question_set", "question_a", "question_b")
    if question_set is not None:
        pairs = pairs.filter(question_set=question_set)
    if axis:
        pairs = pairs.filter(changed_axes__contains=[axis])
    return pairs.order_by("question_set__name", "position", "id")


def pair_with_answers(pk: int) -> tuple[CounterfactualPair, PairDiff]:
    """A pair, its questions' answers prefetched (by producer), and the word diff for highlighting."""
    answers = Prefetch(
        "answers", queryset=Answer.objects.select_related("producer").order_by("producer__name")
    )
    pair = CounterfactualPair.objects.select_related("question_set").get(pk=pk)
    a = Question.objects.prefetch_related(answers).get(pk=pair.question_a_id)
    b = Question.objects.prefetch_related(answers).get(pk=pair.question_b_id)
    pair.question_a, pair.question_b = a, b
    return pair, word_diff(a.text, b.text)


def answers_list(*, question_set: QuestionSet | None = None) -> QuerySet[Answer]:
    answers = Answer.objects.select_related("producer", "question", "question__question_set")
    if question_set is not None:
        answers = answers.filter(question__question_set=question_set)
    return answers.order_by("question__question_set__name", "question__position", "producer__name", "id")


def answer_for_rater(answer: Answer) -> dict:
    """What a rater may see of an answer: its id, its question and its text. Never the producer, its
    revision, parameters, origin or job (those would unblind the study)."""
    return {
        "id": answer.pk,
        "question_id": answer.question_id,
        "question": answer.question.text,
        "text": answer.text,
    }
