"""The rater's side of a comprehension item: read the text (its visible time is recorded), then answer
its questions without the text.

Stages of an assignment: **read** (the text, until the rater goes on), **answer** (the questions, the text
no longer shown — to pages and to the API alike), **done** (submitted or skipped). Going on is one way:
once `read_at` is set the text is not shown again.

Reading time is the time the text page was visible (the page counts it from its visibility events, as the
rating page counts time on item), capped by the lease clock: never more than the time since the lease
began. Without JavaScript the page sends nothing and the lease clock is used.
"""

from django.db import transaction
from django.utils import timezone

from apps.reviews.assignment import AssignmentError, _lock_own
from apps.reviews.comprehension.models import DONT_KNOW, ComprehensionExposure, ComprehensionItem
from apps.reviews.models import Assignment
from apps.reviews.rubric import RubricError, response_validate

DONT_KNOW_LABEL = "I don't know"


def stage(assignment: Assignment, exposure: ComprehensionExposure | None) -> str:
    if assignment.status in (Assignment.Status.SUBMITTED, Assignment.Status.SKIPPED):
        return "done"
    return "answer" if exposure is not None and exposure.read_at else "read"


def questions_for_rater(item: ComprehensionItem) -> list[dict]:
    """The questions as a rater sees them: never the correct option."""
    return [
        {
            "key": q["key"],
            "position": q["position"],
            "text": q["text"],
            "options": q["options"]
            + ([{"value": DONT_KNOW, "label": DONT_KNOW_LABEL}] if q["dont_know"] else []),
        }
        for q in item.questions
    ]


def rater_view(item_id: int) -> dict:
    """Engine hook (kinds.rater_view): the generic item view says where the item is answered, and shows
    neither the text nor the questions (their order matters: `comprehension/assignments/{id}/`)."""
    return {
        "comprehension": True,
        "instructions": "Read the text, then answer its questions without it: GET "
        "/api/v1/comprehension/assignments/{assignment id}/, POST …/read/ when done reading, then submit "
        'the answers to /api/v1/assignments/{assignment id}/submit/ as {"response": {question key: option}}.',
    }


def rater_item(assignment: Assignment) -> dict:
    """What the rater gets now: the text in the read stage, the questions in the answer stage."""
    item = ComprehensionItem.objects.get(item_id=assignment.item_id)
    exposure = ComprehensionExposure.objects.filter(assignment=assignment).first()
    now_stage = stage(assignment, exposure)
    view = {
        "assignment": assignment.pk,
        "study": assignment.study_id,
        "status": assignment.status,
        "stage": now_stage,
        "text": item.text if now_stage == "read" else None,
        "questions": questions_for_rater(item) if now_stage == "answer" else None,
        "n_questions": len(item.questions),
        "reading_ms": exposure.reading_ms if exposure else None,
    }
    return view


@transaction.atomic
def reading_done(*, assignment_id: int, rater, visible_ms: int | None, now=None) -> ComprehensionExposure:
    """The rater has read the text: record when and for how long it was visible (capped by the lease
    clock); from now on the text is not shown. Doing it again changes nothing."""
    now = now or timezone.now()
    assignment = _lock_own(assignment_id, rater)
    if assignment.status not in (Assignment.Status.LEASED, Assignment.Status.EXPIRED):
        raise AssignmentError("This item is no longer open; ask for the next one.")
    exposure = ComprehensionExposure.objects.select_for_update().get(assignment=assignment)
    if exposure.read_at is not None:
        return exposure
    lease_clock = max(0, int((now - assignment.leased_at).total_seconds() * 1000))
    exposure.reading_ms = lease_clock if visible_ms is None else max(0, min(int(visible_ms), lease_clock))
    exposure.read_at = now
    exposure.save(update_fields=["read_at", "reading_ms"])
    return exposure


def response_clean(assignment: Assignment, response) -> dict:
    """Engine hook (kinds.response_clean): every question of the item answered with one of its options
    (or "I don't know" where offered), after the text was read; the rubric's optional comment as the
    rubric says. Returns the answers (question key → option value) and the comment."""
    item = ComprehensionItem.objects.get(item_id=assignment.item_id)
    exposure = ComprehensionExposure.objects.filter(assignment=assignment).first()
    if not isinstance(response, dict):
        raise RubricError({"response": ["Send an object: question key → option value."]})
    if exposure is None or exposure.read_at is None:
        raise AssignmentError(
            "Read the text first: the questions are answered after it (POST …/read/ when done reading).",
            status=400,
        )
    problems: dict[str, list[str]] = {}
    cleaned = {}
    questions = {q["key"]: q for q in item.questions}
    for key, question in questions.items():
        value = response.get(key)
        allowed = [o["value"] for o in question["options"]] + ([DONT_KNOW] if question["dont_know"] else [])
        if value in (None, ""):
            problems.setdefault(key, []).append(f'Required: answer "{question["text"]}".')
        elif value not in allowed:
            problems.setdefault(key, []).append(
                f"Unknown option {value!r}; choose one of {', '.join(allowed)}."
            )
        else:
            cleaned[key] = value
    if problems:
        raise RubricError(problems, summary="The answers do not fit the questions")
    # Anything else is the rubric's (its optional comment); unknown keys are refused there by name.
    cleaned.update(
        response_validate(
            assignment.study.rubric.definition, {k: v for k, v in response.items() if k not in questions}
        )
    )
    return cleaned
