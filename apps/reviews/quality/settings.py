"""A study's quality-control settings (gold rate and threshold, flag limits, adjudication rule) and the
rubric's minimum seconds per item, which is a quality setting that never makes a new rubric version."""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.services import audit_record
from apps.reviews.models import Rubric, Study

QUALITY_FIELDS = (
    "gold_rate",
    "gold_min_accuracy",
    "gold_min_answers",
    "fast_flag_count",
    "identical_run_length",
    "adjudication_question",
    "adjudication_rule",
)
ADJUDICATION_RULES = ("any", "no_majority")


def _number(value, cast, low, high, message, errors, name):
    try:
        number = cast(value)
    except (TypeError, ValueError):
        errors[name] = [message]
        return None
    if isinstance(value, bool) or not low <= number <= high or (cast is int and number != float(value)):
        errors[name] = [message]
        return None
    return number


@transaction.atomic
def study_quality_set(*, study: Study, actor, **settings) -> Study:
    """Change the study's quality-control settings (any of QUALITY_FIELDS); validates all first."""
    study = Study.objects.select_for_update().select_related("rubric").get(pk=study.pk)
    unknown = set(settings) - set(QUALITY_FIELDS)
    if unknown:
        raise ValidationError({key: ["Not a quality-control setting."] for key in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned = {}
    checks = {
        "gold_rate": (
            float,
            0,
            0.5,
            "The gold rate is a share from 0 to 0.5 (e.g. 0.1 for one item in ten).",
        ),
        "gold_min_accuracy": (float, 0, 1, "The gold accuracy threshold is a share from 0 to 1 (e.g. 0.7)."),
        "gold_min_answers": (int, 1, 1000, "Gold answers before flagging: a whole number from 1 to 1000."),
        "fast_flag_count": (int, 0, 1000, "Fast submissions before flagging: a whole number, 0 to turn off."),
        "identical_run_length": (
            int,
            0,
            1000,
            "Identical answers in a row before flagging: a whole number from 2, or 0 to turn off.",
        ),
    }
    for name, (cast, low, high, message) in checks.items():
        if name in settings:
            number = _number(settings[name], cast, low, high, message, errors, name)
            if name == "identical_run_length" and number == 1:
                errors[name] = [message]
            elif number is not None:
                cleaned[name] = number
    if "adjudication_question" in settings:
        key = (settings["adjudication_question"] or "").strip()
        questions = {q["key"]: q for q in study.rubric.questions}
        if key and key not in questions:
            errors["adjudication_question"] = [
                f'The rubric has no question "{key}"; choose one of {", ".join(questions)} (or none).'
            ]
        elif key and questions[key]["type"] == "text":
            errors["adjudication_question"] = [f'"{key}" is free text; choose a choice or scale question.']
        else:
            cleaned["adjudication_question"] = key
    if "adjudication_rule" in settings:
        if settings["adjudication_rule"] not in ADJUDICATION_RULES:
            errors["adjudication_rule"] = [f"The rule is one of {', '.join(ADJUDICATION_RULES)}."]
        else:
            cleaned["adjudication_rule"] = settings["adjudication_rule"]
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(study, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(study, name, value)
        study.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="study.quality", obj=study, details=changed)
    return study


@transaction.atomic
def rubric_min_seconds_set(*, rubric: Rubric, min_seconds, actor) -> Rubric:
    """Set the rubric's minimum seconds per item (a quality setting: no new version)."""
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, int) or not 0 <= min_seconds <= 3600:
        raise ValidationError({"min_seconds": ["Minimum seconds per item: a whole number from 0 to 3600."]})
    if rubric.min_seconds != min_seconds:
        previous = rubric.min_seconds
        Rubric.objects.filter(pk=rubric.pk).update(min_seconds=min_seconds)
        rubric.min_seconds = min_seconds
        audit_record(
            actor=actor,
            action="rubric.min_seconds",
            obj=rubric,
            details={"previous": previous, "min_seconds": min_seconds},
        )
    return rubric
