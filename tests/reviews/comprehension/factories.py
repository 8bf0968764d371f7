"""Comprehension passages and studies for tests: documents with simplified segments, questions whose
correct option is the first one ("a")."""

from apps.reviews import services as review_services
from apps.reviews.comprehension import services
from tests.corpus.factories import DocumentFactory, SegmentFactory


def question(
    text: str = "When is chemo given?", options=("After surgery", "Before surgery", "Never")
) -> dict:
    return {"text": text, "options": list(options), "correct": 1, "dont_know": True}


def passage(actor, *, questions: int = 2, title: str = ""):
    document = DocumentFactory()
    SegmentFactory(
        document=document,
        position=1,
        original=f"{document.title}: adjuvant chemotherapy is administered following surgical resection.",
        simplified=f"{document.title}: you may get chemo after surgery.",
    )
    SegmentFactory(
        document=document,
        position=2,
        original="Neoadjuvant radiotherapy precedes resection in locally advanced rectal carcinoma.",
        simplified="Some people get radiation before surgery for rectal cancer.",
    )
    return services.passage_create(
        document=document,
        title=title or document.title,
        questions=[question(f"Question {n} about {document.title}?") for n in range(1, questions + 1)],
        actor=actor,
    )


def study(actor, *, passages: int = 4, quotas=None, seed: int = 7, launch: bool = True, questions: int = 2):
    made = [passage(actor, questions=questions) for _ in range(passages)]
    created = services.comprehension_study_create(
        name="Comprehension pilot",
        passage_ids=[p.pk for p in made],
        quotas=quotas or {"consumer": 2},
        seed=seed,
        actor=actor,
    )
    if launch:
        created = review_services.study_transition(study=created, action="launch", actor=actor)
    return created
