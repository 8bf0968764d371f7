"""Demo: one partly filled assessment of a (fictional) LLM-assisted systematic-review screening study."""

from django.contrib.auth import get_user_model

from apps.elevate import services
from apps.elevate.checklist import elevate_seed
from apps.elevate.models import Assessment, ChecklistDomain, ChecklistItem, ChecklistTemplate

DEMO_TITLE = (
    "Large language model-assisted title and abstract screening for a systematic review of "
    "cost-effectiveness studies (demo)"
)
DEMO_URL = "https://example.org/demo/llm-screening-study"

# item code → (status, location, comment); the rest stays unanswered, to show a draft in progress.
DEMO_ANSWERS = {
    "1.1": ("reported", "Methods, section 2.2", "GPT-4 with the dated API snapshot named."),
    "1.2": ("reported", "Methods, section 2.2", ""),
    "1.3": (
        "partial",
        "Methods, section 2.2",
        "Accessed through the vendor API; terms of use not discussed.",
    ),
    "1.4": ("not_reported", "", "Model size and context window not stated."),
    "1.5": ("not_reported", "", "No statement on training data or possible overlap with included studies."),
    "1.6": ("reported", "Methods, section 2.3", "No fine-tuning; zero-shot prompting only."),
    "2.1": ("reported", "Methods, section 2.4", "Two human reviewers with consensus as reference standard."),
    "2.2": ("reported", "Table 2", "Sensitivity and specificity with 95% CIs."),
    "2.3": ("partial", "Discussion", "Compared with human screening only; no comparison with other tools."),
    "5.1": ("reported", "Supplement S1", "Full screening prompt given verbatim."),
    "5.2": (
        "partial",
        "Methods, section 2.3",
        "Temperature reported; maximum tokens and top-p not reported.",
    ),
    "5.3": ("not_reported", "", "Seeds not reported and the API is not deterministic."),
    "7.1": ("not_applicable", "", "Screening of study records; no patient-level population groups."),
}


def load() -> int:
    """Seed the checklist if needed and create the demo assessment once; returns rows created."""
    created = elevate_seed(ChecklistTemplate, ChecklistDomain, ChecklistItem)
    User = get_user_model()
    curator = User.objects.filter(username="curator").first()
    if curator is None or Assessment.objects.filter(title=DEMO_TITLE).exists():
        return created
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title=DEMO_TITLE, url=DEMO_URL, prefill=False
    )
    items = {i.code: i for i in ChecklistItem.objects.filter(domain__template=assessment.template)}
    for code, (status, location, comment) in DEMO_ANSWERS.items():
        services.response_save(
            assessment=assessment,
            item=items[code],
            actor=curator,
            status=status,
            location=location,
            comment=comment,
        )
    return created + 1 + len(DEMO_ANSWERS)
