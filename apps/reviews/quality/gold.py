"""Gold and practice items: an item's role, the expected answers of a gold item, and how a response
is checked against them.

Gold items are study items with known expected answers for chosen rubric questions. They have no quota
slots; the engine mixes them into each rater's queue at `study.gold_rate` (assignment.py). A rater's gold
accuracy is the share of expected answers they matched (one check per expected question of each gold
item answered). Practice items (onboarding.py) have no slots either.
"""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.core.services import audit_record
from apps.reviews.models import Assignment, GoldStandard, ItemSlot, Rating, Rubric, Study, StudyItem
from apps.reviews.rubric import RubricError, answers_validate


def gold_expected_validate(rubric: Rubric, expected) -> dict:
    """Expected answers normalised to {key: [acceptable values]} (single, scale) or {key: [options]}
    (multiple choice: the exact set to tick). Raises ValidationError keyed "expected"."""
    questions = {q["key"]: q for q in rubric.questions}
    if not isinstance(expected, dict) or not expected:
        raise ValidationError(
            {"expected": ['Give the expected answer for at least one question, e.g. {"bias": "none"}.']}
        )
    problems, cleaned = [], {}
    for key, value in expected.items():
        question = questions.get(key)
        if question is None:
            problems.append(f"{key}: the rubric has no such question; choose from {', '.join(questions)}.")
            continue
        if question["type"] == "text":
            problems.append(f"{key}: free-text answers cannot be checked; choose a choice or scale question.")
            continue
        try:
            if question["type"] == "multi":
                cleaned[key] = answers_validate(rubric.definition, {key: value})[key]
            else:
                values = value if isinstance(value, list) else [value]
                accepted = [answers_validate(rubric.definition, {key: v})[key] for v in values]
                if not accepted:
                    raise RubricError({key: ["Give at least one acceptable answer."]})
                cleaned[key] = list(dict.fromkeys(accepted))
        except RubricError as exc:
            problems.extend(f"{k}: {m}" for k, msgs in exc.errors.items() for m in msgs)
    if problems:
        raise ValidationError({"expected": problems})
    return cleaned


def gold_checks(rubric: Rubric, expected: dict, response: dict) -> tuple[int, int]:
    """(matched, checked) expected answers of one gold item in one response."""
    questions = {q["key"]: q for q in rubric.questions}
    matched = 0
    for key, wanted in expected.items():
        answer = response.get(key)
        if questions.get(key, {}).get("type") == "multi":
            matched += sorted(answer or []) == sorted(wanted)
        else:
            matched += answer in wanted
    return matched, len(expected)


def _slots_add(study: Study, item: StudyItem) -> None:
    """Quota slots for an item that becomes regular in a launched study."""
    rng = random.Random(f"{study.seed}:slots:{item.pk}")
    ItemSlot.objects.bulk_create(
        ItemSlot(study=study, item=item, group_id=q.group_id, quota=q.quota, rank=rng.getrandbits(62))
        for q in study.quotas.all()
    )


@transaction.atomic
def item_role_set(*, item: StudyItem, role: str, actor, expected=None) -> StudyItem:
    """Make an item regular, gold (with `expected` answers) or practice; returns it.

    An item's role changes only while nobody has been given it (no assignment in any status) and the
    study is open: its quota slots are removed (gold, practice) or created (regular, once launched).
    The expected answers of a gold item can be edited at any time; every change is audited.
    """
    item = StudyItem.objects.select_for_update().select_related("study__rubric").get(pk=item.pk)
    study = item.study
    if role not in StudyItem.Role.values:
        raise ValidationError({"role": [f"The role is one of {', '.join(StudyItem.Role.values)}."]})
    cleaned = gold_expected_validate(study.rubric, expected) if role == StudyItem.Role.GOLD else None
    previous_gold = GoldStandard.objects.filter(item=item).first()
    if role != item.role:
        if study.status == Study.Status.CLOSED:
            raise ValidationError({"role": [f'The study "{study.name}" is closed.']})
        if Assignment.objects.filter(item=item).exists():
            raise ValidationError(
                {
                    "role": [
                        f"Item {item.position} has already been given to raters; only items nobody has "
                        "seen can become gold, practice or regular."
                    ]
                }
            )
        if item.role == StudyItem.Role.REGULAR:
            ItemSlot.objects.filter(item=item).delete()  # no assignment, so nothing was taken
        elif role == StudyItem.Role.REGULAR and study.slots.exists():
            _slots_add(study, item)
        item.role = role
        item.save(update_fields=["role"])
    if role == StudyItem.Role.GOLD:
        if previous_gold is None or previous_gold.expected != cleaned:
            GoldStandard.objects.update_or_create(
                item=item, defaults={"expected": cleaned, "updated_by": actor}
            )
            audit_record(
                actor=actor,
                action="gold.set",
                obj=item,
                details={
                    "study": study.pk,
                    "item": item.pk,
                    "expected": cleaned,
                    "previous": previous_gold.expected if previous_gold else None,
                },
            )
    elif previous_gold is not None:
        previous_gold.delete()
        audit_record(
            actor=actor,
            action="gold.unset",
            obj=item,
            details={"study": study.pk, "item": item.pk, "previous": previous_gold.expected, "role": role},
        )
    elif role == StudyItem.Role.PRACTICE:
        audit_record(actor=actor, action="item.practice", obj=item, details={"study": study.pk})
    return item


def gold_items(study: Study):
    """The study's gold items with their expected answers, in study order."""
    return (
        StudyItem.objects.filter(study=study, role=StudyItem.Role.GOLD)
        .select_related("gold")
        .order_by("position")
    )


def gold_answers(study_filter: Q) -> list[tuple[int, int, Rubric, dict, dict, object]]:
    """(study id, rater id, rubric, expected, response, submitted_at) of current ratings of gold items."""
    rows = (
        Rating.objects.filter(study_filter, is_current=True, assignment__item__role=StudyItem.Role.GOLD)
        .filter(assignment__item__gold__isnull=False)
        .values_list(
            "assignment__study_id",
            "assignment__rater_id",
            "assignment__study__rubric_id",
            "assignment__item__gold__expected",
            "response",
            "assignment__submitted_at",
        )
    )
    rubrics = {}
    out = []
    for study_id, rater_id, rubric_id, expected, response, submitted_at in rows:
        if rubric_id not in rubrics:
            rubrics[rubric_id] = Rubric.objects.get(pk=rubric_id)
        out.append((study_id, rater_id, rubrics[rubric_id], expected, response, submitted_at))
    return out
