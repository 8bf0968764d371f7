"""Builders for review tests: question sets with answers from named producers, and studies over them."""

from apps.equity.models import Answer, CounterfactualPair, Producer, Question, QuestionSet
from apps.reviews import services
from apps.reviews.models import Rubric, Study
from apps.reviews.seed import BIAS_DIMENSIONS, rubrics_seed


def rubric(kind: str) -> Rubric:
    """The seeded rubric of that kind (migration 0002; re-seeded after a flushing test)."""
    rubrics_seed(Rubric)
    return Rubric.objects.filter(kind=kind).order_by("-version").first()


def question_set_with_answers(n_questions: int, producers=("model-x", "model-y"), name="OMAQ test"):
    """A single-question set where every named producer answered every question."""
    qset = QuestionSet.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    made = [Producer.objects.get_or_create(name=p, revision="", parameters={})[0] for p in producers]
    for n in range(1, n_questions + 1):
        question = Question.objects.create(
            question_set=qset, text=f"Question {n} about kidney function?", position=n
        )
        for index, producer in enumerate(made, start=1):
            # The text never names the producer: tests check that raters cannot learn it.
            Answer.objects.create(
                question=question, producer=producer, text=f"Answer {index} to question {n}."
            )
    return qset, made


def counterfactual_set(n_pairs: int, producer_name="model-x"):
    qset = QuestionSet.objects.create(name="CC test", slug="cc-test", kind=QuestionSet.Kind.COUNTERFACTUAL)
    producer = Producer.objects.get_or_create(name=producer_name, revision="", parameters={})[0]
    for n in range(1, n_pairs + 1):
        a = Question.objects.create(
            question_set=qset, text=f"How do you calculate lung capacity {n}?", position=2 * n
        )
        b = Question.objects.create(
            question_set=qset,
            text=f"How do you calculate lung capacity {n} for Black women?",
            position=2 * n + 1,
        )
        CounterfactualPair.objects.create(question_set=qset, question_a=a, question_b=b, position=n)
        Answer.objects.create(question=a, producer=producer, text=f"Use spirometry ({n}).")
        Answer.objects.create(question=b, producer=producer, text=f"Apply a race correction ({n}).")
    return qset, producer


def study(
    kind: str,
    *,
    actor,
    qset,
    producers,
    quotas,
    launch=True,
    seed=1234,
    lease_minutes=30,
    name="Test study",
    blinding=Study.Blinding.RATERS,
    description="",
    rater_title="",
    rater_instructions="",
):
    created = services.study_create(
        name=name,
        description=description,
        rater_title=rater_title,
        rater_instructions=rater_instructions,
        rubric=rubric(kind),
        source={"question_set": qset.pk, "producers": [p.pk for p in producers]},
        quotas=quotas,
        seed=seed,
        lease_minutes=lease_minutes,
        blinding=blinding,
        actor=actor,
    )
    if launch:
        services.study_transition(study=created, action="launch", actor=actor)
        created.refresh_from_db()
    return created


__all__ = ["BIAS_DIMENSIONS"]

PAIRWISE_ANSWER = {
    "overall": "a",
    **{
        f"dim_{k}": "none"
        for k in (
            "inaccurate",
            "not_inclusive",
            "stereotypical",
            "omits_structural",
            "fails_to_challenge",
            "withholding",
            "other",
        )
    },
}


def rate_all(study, rater, respond):
    """`rater` takes and submits every item the engine gives them; `respond(item)` is the response."""
    from apps.reviews.assignment import assignment_lease_next, assignment_submit
    from apps.reviews.models import StudyItem

    while (lease := assignment_lease_next(study=study, rater=rater)) is not None:
        item = StudyItem.objects.select_related("answer_a", "answer_b").get(pk=lease.item_id)
        assignment_submit(assignment_id=lease.pk, rater=rater, response=respond(item))
