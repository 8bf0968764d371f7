"""Every write of the instruments app: instrument versions, assessments, answers, pre-fill, submit.

Rules kept here (views and API only call these):
- an instrument is frozen once an assessment uses it; changing a frozen one makes a new version;
- assessors are curators, or raters through a study (studies.py); only an assessment's own assessor
  changes it, and only while it is a draft;
- an answer is one of the item's options, or N/A where the instrument allows N/A; anything else is
  refused with the reason and nothing is written;
- a rule's answer counts only once a person confirms it, and pre-fill never overwrites a person's
  answer or a confirmed one;
- submitting needs every required item answered and confirmed, and the answers the instrument forces
  (CCI: "no" to item 1 makes items 2–4 "no"); it freezes the assessment.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.core import limits
from apps.core.errors import Conflict, Refused, ServiceError
from apps.core.roles import is_curator
from apps.core.services import audit_record
from apps.instruments import rules
from apps.instruments.models import (
    NA,
    Instrument,
    InstrumentAssessment,
    InstrumentGroup,
    InstrumentItem,
    ItemAnswer,
    Side,
)
from apps.instruments.subjects import subject_text

# --- instruments -----------------------------------------------------------------------------------------


@transaction.atomic
def instrument_new_version(*, instrument: Instrument, actor) -> Instrument:
    """A copy of `instrument` (groups and items) as the next version of its key; not frozen."""
    latest = (
        Instrument.objects.select_for_update()
        .filter(key=instrument.key)
        .aggregate(Max("version"))["version__max"]
    )
    copied = {
        field.name: getattr(instrument, field.name)
        for field in Instrument._meta.concrete_fields
        if field.name not in ("id", "version", "previous", "frozen_at", "created_at", "updated_at")
    }
    new = Instrument.objects.create(**copied, version=latest + 1, previous=instrument)
    groups = {}
    for group in instrument.groups.order_by("order"):
        groups[group.pk] = InstrumentGroup.objects.create(
            instrument=new,
            parent=groups.get(group.parent_id),
            order=group.order,
            code=group.code,
            name=group.name,
            kind=group.kind,
            description=group.description,
            reading_aid_threshold=group.reading_aid_threshold,
            reading_aid=group.reading_aid,
        )
    item_fields = [
        f.name for f in InstrumentItem._meta.concrete_fields if f.name not in ("id", "instrument", "group")
    ]
    InstrumentItem.objects.bulk_create(
        InstrumentItem(
            instrument=new, group=groups[item.group_id], **{name: getattr(item, name) for name in item_fields}
        )
        for item in instrument.items.order_by("order")
    )
    audit_record(
        actor=actor, action="instruments.instrument.new_version", obj=new, details={"from": instrument.pk}
    )
    return new


@transaction.atomic
def instrument_item_update(
    *, item: InstrumentItem, actor, text: str | None = None, guidance: str | None = None
):
    """Change an item's text or guidance; returns the item changed. A frozen instrument's item is changed
    in a new version of the instrument (the returned item belongs to it); assessments keep theirs."""
    instrument = Instrument.objects.select_for_update().get(pk=item.instrument_id)
    if text is not None and not text.strip():
        raise ServiceError(errors={"text": "An item needs its text: give the published wording."})
    if instrument.is_frozen:
        instrument = instrument_new_version(instrument=instrument, actor=actor)
        item = InstrumentItem.objects.get(instrument=instrument, code=item.code)
    if text is not None:
        item.text = text.strip()
    if guidance is not None:
        item.guidance = guidance.strip()
    item.save(update_fields=["text", "guidance"])
    audit_record(
        actor=actor, action="instruments.item.update", obj=item, details={"instrument": instrument.pk}
    )
    return item


def _instrument_freeze(instrument: Instrument) -> None:
    Instrument.objects.filter(pk=instrument.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())


# --- assessments ------------------------------------------------------------------------------------------


def _require_assessor_role(user) -> None:
    if not is_curator(user):
        raise Refused("Instrument assessments are made by curators; your account is not one.")


def _require_editable(assessment: InstrumentAssessment, actor) -> None:
    if assessment.assessor_id != actor.pk:
        raise Refused(
            f"Assessment #{assessment.pk} belongs to {assessment.assessor}; only its assessor can change it."
        )
    if assessment.is_submitted:
        raise Conflict(
            f"Assessment #{assessment.pk} was submitted on {assessment.submitted_at:%Y-%m-%d %H:%M} and is "
            "frozen; its answers can be read but not changed."
        )


@transaction.atomic
def assessment_start(
    *, assessor, instrument: Instrument, document, side: str, prefill: bool = True
) -> tuple[InstrumentAssessment, bool]:
    """A draft assessment of one side of `document` as its text is now, and whether it was created.

    Starting again on the same text gives the assessor's existing assessment of it (created False)."""
    _require_assessor_role(assessor)
    if side not in Side.values:
        raise ServiceError(
            errors={"side": f'"{side}" is not a side; choose one of: {", ".join(Side.values)}.'}
        )
    subject = subject_text(document, side)
    if not subject.complete:
        if not subject.text.strip():
            problem = f"Document “{document}” has no {Side(side).label.lower()} to assess."
        else:
            shown = ", ".join(f"§{p}" for p in subject.missing[:10]) + (
                " …" if len(subject.missing) > 10 else ""
            )
            problem = (
                f"Document “{document}” has {len(subject.missing)} segment(s) without a simplified text "
                f"({shown}); simplify them before assessing the simplified version."
            )
        raise ServiceError(errors={"side": problem})
    existing = InstrumentAssessment.objects.filter(
        instrument=instrument, document=document, side=side, text_sha256=subject.sha256, assessor=assessor
    ).first()
    if existing is not None:
        return existing, False
    assessment = InstrumentAssessment.objects.create(
        instrument=instrument,
        assessor=assessor,
        document=document,
        side=side,
        text_sha256=subject.sha256,
        segment_versions=subject.segment_versions,
        text_chars=len(subject.text),
    )
    _instrument_freeze(instrument)
    audit_record(
        actor=assessor,
        action="instruments.assessment.start",
        obj=assessment,
        details={"instrument": instrument.pk, "document": document.pk, "side": side},
    )
    if prefill:
        _prefill(assessment, subject.text)
    return assessment, True


def _clean_answer(item: InstrumentItem, *, value: str, text: str, comment: str) -> dict:
    """The values to store, or ServiceError naming the field and what to fix."""
    value, text, comment = (value or "").strip(), (text or "").strip(), (comment or "").strip()
    errors = {}
    if item.is_scored:
        allowed = [o["value"] for o in item.options]
        if value == NA and not item.na_allowed:
            errors["value"] = (
                f"Item {item.code} of {item.instrument.name} has no N/A option; choose one of: "
                f"{', '.join(allowed)}."
            )
        elif value and value != NA and value not in allowed:
            choices = allowed + ([NA] if item.na_allowed else [])
            errors["value"] = (
                f'"{value}" is not an answer to item {item.code}; choose one of: {", ".join(choices)}.'
            )
        if text:
            errors["text"] = f"Item {item.code} is answered by choosing an option, not with text."
    else:
        if value:
            errors["value"] = f"Item {item.code} is answered in words (text), not with an option."
        too_long = limits.text_problem(
            len(text),
            limit=settings.EQUITEXT_MAX_ANSWER_CHARS,
            setting="EQUITEXT_MAX_ANSWER_CHARS",
            what="The answer",
        )
        if too_long:
            errors["text"] = too_long
    too_long = limits.text_problem(
        len(comment),
        limit=settings.EQUITEXT_MAX_COMMENT_CHARS,
        setting="EQUITEXT_MAX_COMMENT_CHARS",
        what="The comment",
    )
    if too_long:
        errors["comment"] = too_long
    if errors:
        raise ServiceError(errors=errors)
    return {"value": value, "text": text, "comment": comment}


def _locked(assessment: InstrumentAssessment) -> InstrumentAssessment:
    # A save and a submit of the same assessment must not interleave.
    return InstrumentAssessment.objects.select_for_update().select_related("assessor").get(pk=assessment.pk)


def _item_of(assessment: InstrumentAssessment, item: InstrumentItem) -> None:
    if item.instrument_id != assessment.instrument_id:
        raise ServiceError(errors={"item": f"Item {item.code} is not part of {assessment.instrument}."})


@transaction.atomic
def answer_save(
    *,
    assessment: InstrumentAssessment,
    item: InstrumentItem,
    actor,
    value: str = "",
    text: str = "",
    comment: str = "",
) -> ItemAnswer:
    """A person's answer to one item (created or changed). A refused answer changes nothing."""
    assessment = _locked(assessment)
    _require_editable(assessment, actor)
    _item_of(assessment, item)
    values = _clean_answer(item, value=value, text=text, comment=comment)
    answer = ItemAnswer.objects.filter(assessment=assessment, item=item).first()
    if answer is None:
        answer = ItemAnswer(assessment=assessment, item=item)
    elif all(getattr(answer, k) == v for k, v in values.items()) and answer.confirmed:
        return answer  # nothing changed: keep the last editor
    if answer.source == ItemAnswer.Source.RULE and values["value"] == answer.value and not values["text"]:
        # Choosing the option the rule proposed confirms it; the answer stays marked as automatic.
        answer.comment = values["comment"]
        action = "instruments.answer.confirm"
    else:
        for key, stored in values.items():
            setattr(answer, key, stored)
        answer.source = ItemAnswer.Source.PERSON  # what the rule proposed stays in rule/rule_value/rule_note
        action = "instruments.answer.save"
    answer.confirmed = True
    answer.updated_by = actor
    answer.save()
    _touch(assessment, actor, action, item, value=answer.value)
    return answer


@transaction.atomic
def answer_confirm(*, assessment: InstrumentAssessment, item: InstrumentItem, actor) -> ItemAnswer:
    """Confirm the automatic answer to `item` as it stands: from now on it counts."""
    assessment = _locked(assessment)
    _require_editable(assessment, actor)
    _item_of(assessment, item)
    answer = ItemAnswer.objects.filter(
        assessment=assessment, item=item, source=ItemAnswer.Source.RULE
    ).first()
    if answer is None:
        raise ServiceError(errors={"item": f"Item {item.code} has no automatic answer to confirm."})
    if not answer.confirmed:
        answer.confirmed = True
        answer.updated_by = actor
        answer.save(update_fields=["confirmed", "updated_by", "updated_at"])
        _touch(assessment, actor, "instruments.answer.confirm", item)
    return answer


def _touch(assessment, actor, action: str, item: InstrumentItem, **details) -> None:
    InstrumentAssessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    audit_record(actor=actor, action=action, obj=assessment, details={"item": item.code, **details})


def rule_answer_value(item: InstrumentItem, result: rules.RuleResult) -> str | None:
    """The answer a rule's outcome gives `item`, or None when it gives none."""
    if result.outcome is None:
        return None
    if result.outcome == rules.NA or (result.na_if_allowed and item.na_allowed):
        return NA if item.na_allowed else None
    by_points = sorted(item.options, key=lambda o: o["points"])
    return (by_points[-1] if result.outcome == rules.MEETS else by_points[0])["value"]


def _prefill(assessment: InstrumentAssessment, text: str) -> int:
    """Run the rules of the assessment's items on `text`; returns the automatic answers written."""
    items = assessment.instrument.items.exclude(auto_rule="")
    existing = {a.item_id: a for a in assessment.answers.all()}
    written = 0
    for item in items:
        answer = existing.get(item.pk)
        if answer is not None and (answer.source == ItemAnswer.Source.PERSON or answer.confirmed):
            continue  # a person's answer, or a confirmed one, is never overwritten
        if item.auto_rule not in rules.RULES:
            continue
        result = rules.rule_run(item.auto_rule, text)
        value = rule_answer_value(item, result)
        if value is None:
            if answer is not None:
                answer.delete()  # the rule no longer decides: its stale proposal goes
            continue
        answer = answer or ItemAnswer(assessment=assessment, item=item)
        answer.value = value
        answer.source = ItemAnswer.Source.RULE
        answer.confirmed = False
        answer.rule = item.auto_rule
        answer.rule_value = value
        answer.rule_note = result.note
        answer.rule_inputs = result.inputs
        answer.updated_by = None
        answer.save()
        written += 1
    return written


@transaction.atomic
def assessment_prefill(*, assessment: InstrumentAssessment, actor) -> int:
    """Run the automatic rules again (unconfirmed automatic answers are refreshed); returns how many
    automatic answers were written. Refused when the document's text changed since the assessment began."""
    assessment = _locked(assessment)
    _require_editable(assessment, actor)
    subject = subject_text(assessment.document, assessment.side)
    if subject.sha256 != assessment.text_sha256:
        raise Conflict(
            f"The {assessment.get_side_display().lower()} of “{assessment.document}” changed since this "
            "assessment began; the rules would read a text the assessment is not about. Start a new "
            "assessment of the current text instead."
        )
    written = _prefill(assessment, subject.text)
    audit_record(
        actor=actor, action="instruments.assessment.prefill", obj=assessment, details={"written": written}
    )
    return written


def _forced_answer_problems(items: list[InstrumentItem], answers: dict[str, ItemAnswer]) -> list[str]:
    problems = []
    for item in items:
        for rule in item.constraints_rule:
            when = answers.get(rule["when"]["item"])
            mine = answers.get(item.code)
            if when and when.value == rule["when"]["value"] and mine and mine.value not in (rule["then"], ""):
                problems.append(
                    f"item {item.code} must be “{rule['then']}” because item {rule['when']['item']} is "
                    f"“{rule['when']['value']}”"
                )
    return problems


def assessment_submit(*, assessment: InstrumentAssessment, actor) -> InstrumentAssessment:
    """Submit an assessment. A curator's is frozen here (`assessment_freeze`); a rater's in a study is
    submitted through the study's assignment, which freezes it in the same transaction (studies.py)."""
    if assessment.origin == InstrumentAssessment.Origin.STUDY:
        from apps.instruments.studies import study_assessment_submit  # studies.py builds on this module

        return study_assessment_submit(assessment=assessment, actor=actor)
    return assessment_freeze(assessment=assessment, actor=actor)


@transaction.atomic
def assessment_freeze(*, assessment: InstrumentAssessment, actor) -> InstrumentAssessment:
    """Freeze a complete draft: every required item answered, no automatic answer left unconfirmed, and
    the answers the instrument forces respected."""
    assessment = _locked(assessment)
    _require_editable(assessment, actor)
    items = list(assessment.instrument.items.order_by("order"))
    answers = {a.item.code: a for a in assessment.answers.select_related("item")}
    missing = [
        i.code for i in items if i.required and not (answers.get(i.code) and answers[i.code].is_answered)
    ]
    unconfirmed = [code for code, a in answers.items() if not a.confirmed]
    errors = {}
    if missing:
        errors["missing"] = f"{len(missing)} item(s) have no answer yet: {', '.join(missing)}."
    if unconfirmed:
        errors["unconfirmed"] = (
            f"{len(unconfirmed)} automatic answer(s) still need a person to confirm or change them: "
            f"{', '.join(unconfirmed)}."
        )
    forced = _forced_answer_problems(items, answers)
    if forced:
        errors["forced"] = "The instrument forces some answers: " + "; ".join(forced) + "."
    if errors:
        raise ServiceError("Not submitted: " + " ".join(errors.values()), errors=errors)
    assessment.status = InstrumentAssessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action="instruments.assessment.submit", obj=assessment)
    return assessment
