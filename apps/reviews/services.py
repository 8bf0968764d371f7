"""Writes of the reviews app: rubrics, rating corrections, and raters' deactivation and reactivation
(which release and restore their work). Building and running a study (items, quotas, launch, pause,
close) is in `studies.py`, re-exported here so every write is `services.<noun>_<verb>`; leasing and
submitting live in `assignment.py` (the engine). Every function validates before it writes
and raises `django.core.exceptions.ValidationError` keyed by the field to fix (a response that breaks
the rubric: `RubricError`, keyed by question); nothing is written then.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import RaterProfile
from apps.core.limits import text_problem
from apps.core.services import audit_record
from apps.reviews.assignment import leases_release_for_rater
from apps.reviews.models import Assignment, ItemFlag, Rating, Rubric, Study
from apps.reviews.rubric import RubricError, definition_validate, response_validate
from apps.reviews.studies import study_create, study_quotas_set, study_texts_update, study_transition

User = get_user_model()


def _rubric_errors(exc: RubricError) -> ValidationError:
    return ValidationError(
        {"definition": [f"{key}: {msg}" for key, msgs in exc.errors.items() for msg in msgs]}
    )


def rubric_is_frozen(rubric: Rubric) -> bool:
    """Frozen once it has ratings or a launched study uses it: its meaning is then part of the data."""
    if Rating.objects.filter(assignment__study__rubric=rubric).exists():
        return True
    return rubric.studies.exclude(status=Study.Status.DRAFT).exists()


@transaction.atomic
def rubric_create(*, name: str, kind: str, definition, description: str = "", actor=None) -> Rubric:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Give the rubric a name."]
    elif Rubric.objects.filter(name=name).exists():
        errors["name"] = [f'A rubric named "{name}" exists; edit it to make a new version.']
    if kind not in Rubric.Kind.values:
        errors["kind"] = [f"kind must be one of {', '.join(Rubric.Kind.values)}."]
    try:
        definition = definition_validate(definition)
    except RubricError as exc:
        errors.update(_rubric_errors(exc).message_dict)
    if errors:
        raise ValidationError(errors)
    rubric = Rubric.objects.create(
        name=name, kind=kind, definition=definition, description=description, created_by=actor
    )
    audit_record(actor=actor, action="rubric.create", obj=rubric)
    return rubric


@transaction.atomic
def rubric_revise(*, rubric: Rubric, definition, description: str | None = None, actor=None) -> Rubric:
    """Change a rubric: in place while nothing depends on it, else as the next version (returned)."""
    try:
        definition = definition_validate(definition)
    except RubricError as exc:
        raise _rubric_errors(exc) from exc
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if hasattr(rubric, "next_version"):
        raise ValidationError({"version": [f"{rubric} has a newer version; edit the latest one."]})
    description = rubric.description if description is None else description
    if not rubric_is_frozen(rubric):
        rubric.definition, rubric.description = definition, description
        rubric.save(update_fields=["definition", "description", "updated_at"])
        audit_record(actor=actor, action="rubric.edit", obj=rubric)
        return rubric
    revised = Rubric.objects.create(
        name=rubric.name,
        kind=rubric.kind,
        version=rubric.version + 1,
        definition=definition,
        description=description,
        previous=rubric,
        created_by=actor,
    )
    audit_record(actor=actor, action="rubric.new_version", obj=revised, details={"previous": rubric.pk})
    return revised


@transaction.atomic
def rating_correct(*, rating_id: int, response, actor, reason: str) -> Rating:
    """A corrected response as the next version of a rating (the old one is kept, no longer current).

    Raters correct their own ratings while the study is open; curators any rating, with a reason.
    """
    rating = Rating.objects.select_for_update().select_related("assignment__study__rubric").get(pk=rating_id)
    study = rating.assignment.study
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["Say why the rating is corrected."]})
    if not rating.is_current:
        raise ValidationError({"rating": ["Correct the current version of this rating."]})
    from apps.core.roles import is_curator

    if not is_curator(actor) and (
        rating.assignment.rater_id != actor.pk or study.status == Study.Status.CLOSED
    ):
        raise ValidationError({"rating": ["Only a curator can correct this rating."]})
    cleaned = response_validate(study.rubric.definition, response)  # RubricError: 400, per question
    Rating.objects.filter(pk=rating.pk).update(is_current=False)
    corrected = Rating.objects.create(
        assignment=rating.assignment,
        version=rating.version + 1,
        response=cleaned,
        submitted_at=timezone.now(),
        author=actor,
        reason=reason.strip()[:500],
    )
    audit_record(
        actor=actor,
        action="rating.correct",
        obj=corrected,
        details={"previous_version": rating.version, "previous": rating.response, "reason": reason.strip()},
    )
    return corrected


# --- raters flag items for the curators ---


@transaction.atomic
def item_flag_create(*, assignment: Assignment, rater, kind: str, note: str = "") -> ItemFlag:
    """Record the rater's flag on the item of their own assignment (any status, while the study is not
    closed); audited (`item.flag`). Refuses an unknown kind, a missing note for "other" and an over-long
    note with a ValidationError per field, writing nothing."""
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in ItemFlag.Kind.values:
        errors["kind"] = [f"Choose what is wrong: one of {', '.join(ItemFlag.Kind.values)}."]
    elif kind == ItemFlag.Kind.OTHER and not note:
        errors["note"] = ['Say what is wrong with the item (a note is needed for "Something else").']
    problem = text_problem(
        len(note),
        limit=settings.EQUITEXT_MAX_COMMENT_CHARS,
        setting="EQUITEXT_MAX_COMMENT_CHARS",
        what="The note",
    )
    if problem:
        errors["note"] = [problem]
    if assignment.rater_id != rater.pk:
        errors["assignment"] = ["Flag only items you were given."]
    if assignment.study.status == Study.Status.CLOSED:
        errors["assignment"] = ["The study is closed; it takes no more flags."]
    if errors:
        raise ValidationError(errors)
    flag = ItemFlag.objects.create(
        study_id=assignment.study_id,
        item_id=assignment.item_id,
        assignment=assignment,
        rater=rater,
        kind=kind,
        note=note,
    )
    audit_record(
        actor=rater,
        action="item.flag",
        obj=flag,
        details={"study": assignment.study_id, "item": assignment.item_id, "kind": kind},
    )
    return flag


# --- raters: deactivation and reactivation ---


@transaction.atomic
def rater_deactivate(*, profile: RaterProfile, actor, reason: str = "") -> RaterProfile:
    """Deactivate a rater: their live leases (and pre-assignments) go back to the pool at once, they get
    no more items, and they can no longer log in (sessions and API tokens stop working). Their submitted
    ratings stay. Returns the profile."""
    profile = RaterProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    user = profile.user
    if actor is not None and actor.pk == user.pk:
        raise ValidationError({"rater": ["You cannot deactivate yourself."]})
    released = leases_release_for_rater(rater=user)
    if profile.active or user.is_active:
        profile.active = False
        profile.save(update_fields=["active", "updated_at"])
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        audit_record(
            actor=actor,
            action="rater.deactivate",
            obj=profile,
            details={"username": user.username, "released_leases": released, "reason": reason.strip()[:500]},
        )
    return profile


@transaction.atomic
def rater_reactivate(*, profile: RaterProfile, actor) -> RaterProfile:
    """Let a deactivated rater log in and rate again."""
    profile = RaterProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if not profile.active or not profile.user.is_active:
        profile.active = True
        profile.save(update_fields=["active", "updated_at"])
        User.objects.filter(pk=profile.user_id).update(is_active=True)
        profile.user.is_active = True
        audit_record(
            actor=actor, action="rater.reactivate", obj=profile, details={"username": profile.user.username}
        )
    return profile


__all__ = [
    "Assignment",
    "item_flag_create",
    "rater_deactivate",
    "rater_reactivate",
    "rating_correct",
    "rubric_create",
    "rubric_is_frozen",
    "rubric_revise",
    "study_create",
    "study_quotas_set",
    "study_texts_update",
    "study_transition",
]
