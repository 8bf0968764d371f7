"""Demo studies over the equity demo data (`make run`): one live pairwise study, one live independent
study and, when the demo answers allow it, a live counterfactual study, with quotas for the demo rater
groups. Idempotent (a study that exists by name is left alone); skipped when the equity demo is absent."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.equity.models import Producer, QuestionSet
from apps.reviews import services
from apps.reviews.models import Rubric, Study
from apps.reviews.seed import rubrics_seed

# internal name, rater-facing title (never naming the models), rubric kind, question-set name, producer
# names, quotas per rater group
DEMO_STUDIES = [
    (
        "Demo: OMAQ answers, model A vs model B",
        "Compare two answers to health questions",
        "pairwise",
        "Demo-OMAQ",
        ["demo-model-a", "demo-model-b"],
        {"physician": 2, "health-equity-expert": 1, "consumer": 1},
    ),
    (
        "Demo: EHAI answers of model A",
        "Review answers to health questions",
        "independent",
        "Demo-EHAI",
        ["demo-model-a"],
        {"physician": 2, "health-equity-expert": 1},
    ),
    (
        "Demo: counterfactual pairs, model B",
        "Compare answers to two similar questions",
        "counterfactual",
        "Demo-CC-Manual",
        ["demo-model-b"],
        {"physician": 1, "health-equity-expert": 1},
    ),
]


def load() -> int:
    """Create and launch the demo studies that do not exist yet; returns how many were created."""
    rubrics_seed(Rubric)
    curator = get_user_model().objects.filter(username="curator").first()
    created = 0
    for name, title, kind, set_name, producer_names, quotas in DEMO_STUDIES:
        if Study.objects.filter(name=name).exists():
            continue
        question_set = QuestionSet.objects.filter(name__iexact=set_name).first()
        producers = [Producer.objects.filter(name=p).order_by("id").first() for p in producer_names]
        if question_set is None or None in producers:
            continue  # the equity demo is not loaded (or changed): nothing to rate
        rubric = Rubric.objects.filter(kind=kind, next_version__isnull=True).order_by("-version").first()
        try:
            study = services.study_create(
                name=name,
                description="Demo study over made-up answers, for trying the rating workflow.",
                rater_title=title,
                rater_instructions=(
                    "Read each answer as a patient would. Rate what you see; there are no trick items. "
                    "This demo's answers are made up."
                ),
                rubric=rubric,
                source={"question_set": question_set.pk, "producers": [p.pk for p in producers]},
                quotas=quotas,
                seed=20240601 + created,
                lease_minutes=30,
                actor=curator,
            )
        except ValidationError:
            continue  # e.g. the demo answers do not cover both questions of any pair
        services.study_transition(study=study, action="launch", actor=curator)
        created += 1
    return created
