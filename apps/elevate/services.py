"""Every write of the elevate app: template versions, assessments, responses, submit, revise, pre-fill.

Rules kept here (views and API only call these):
- a template is frozen once an assessment uses it; changing a frozen template makes a new version;
- only an assessment's own assessor (a curator) changes it, and only while it is a draft;
- "partially reported" and "not reported" need a comment; a refused save changes nothing;
- pre-fill never overwrites a person's answer.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.core import limits
from apps.core.roles import is_curator
from apps.core.services import audit_record
from apps.elevate.exceptions import AssessmentLocked, AssessmentRefused
from apps.elevate.models import (
    IN_PRODUCT_SUBJECTS,
    Assessment,
    ChecklistDomain,
    ChecklistItem,
    ChecklistTemplate,
    ItemResponse,
    SubjectKind,
)
from apps.elevate.prefill import prefill_for
from apps.elevate.selectors import template_current
from apps.elevate.subjects import subject_model, subject_object

# --- templates -------------------------------------------------------------------------------------


@transaction.atomic
def template_new_version(*, template: ChecklistTemplate, actor) -> ChecklistTemplate:
    """A copy of `template` (domains and items) as the next version of its name; not frozen."""
    latest = (
        ChecklistTemplate.objects.select_for_update()
        .filter(name=template.name)
        .aggregate(Max("version"))["version__max"]
    )
    new = ChecklistTemplate.objects.create(
        name=template.name, version=latest + 1, description=template.description, previous=template
    )
    for domain in template.domains.prefetch_related("items"):
        new_domain = ChecklistDomain.objects.create(
            template=new, order=domain.order, name=domain.name, description=domain.description
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                domain=new_domain, order=i.order, code=i.code, wording=i.wording, guidance=i.guidance
            )
            for i in domain.items.all()
        )
    audit_record(actor=actor, action="elevate.template.new_version", obj=new, details={"from": template.pk})
    return new


@transaction.atomic
def template_item_update(
    *, item: ChecklistItem, actor, wording: str | None = None, guidance: str | None = None
):
    """Change an item's wording or guidance; returns the item that was changed.

    If the item's template is frozen, the change goes to a new version of the template (the returned
    item belongs to it) and every assessment made with the old version keeps the old wording."""
    template = ChecklistTemplate.objects.select_for_update().get(pk=item.domain.template_id)
    if wording is not None and not wording.strip():
        raise ValidationError({"wording": "An item needs its wording; write what should be reported."})
    if template.is_frozen:
        template = template_new_version(template=template, actor=actor)
        item = ChecklistItem.objects.get(domain__template=template, code=item.code)
    if wording is not None:
        item.wording = wording.strip()
    if guidance is not None:
        item.guidance = guidance.strip()
    item.save(update_fields=["wording", "guidance"])
    audit_record(actor=actor, action="elevate.item.update", obj=item, details={"template": template.pk})
    return item


def _template_freeze(template: ChecklistTemplate) -> None:
    ChecklistTemplate.objects.filter(pk=template.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())


# --- assessments -----------------------------------------------------------------------------------

DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def doi_normalise(doi: str) -> str:
    """ "https://doi.org/10.1/X" and "doi:10.1/X" → "10.1/X"; blank stays blank."""
    return DOI_PREFIX.sub("", doi.strip())


def subject_key(*, subject_kind: str, subject_id: int | None, title: str, doi: str) -> str:
    """Assessments with the same key assess the same subject (and can be compared)."""
    if subject_kind != SubjectKind.PUBLICATION:
        return f"{subject_kind}:{subject_id}"
    if doi:
        return f"doi:{doi.lower()}"
    return "title:" + " ".join(title.lower().split())


def _require_assessor_role(user) -> None:
    if not is_curator(user):
        raise PermissionDenied("ELEVATE assessments are made by curators; your account is not one.")


def _require_editable(assessment: Assessment, actor) -> None:
    if assessment.assessor_id != actor.pk:
        raise PermissionDenied(
            f"Assessment #{assessment.pk} belongs to {assessment.assessor}; only its assessor can change it."
        )
    if assessment.is_submitted:
        raise AssessmentLocked(assessment)


def _clean_subject(*, subject_kind, subject_id, title, doi, url) -> dict:
    """Validated subject fields, or ValidationError naming each bad field."""
    errors = {}
    title, doi, url = title.strip(), doi_normalise(doi), url.strip()
    if subject_kind not in SubjectKind.values:
        raise ValidationError({"subject_kind": f"Choose one of: {', '.join(SubjectKind.values)}."})
    if subject_kind == SubjectKind.PUBLICATION:
        subject_id = None
        if not title:
            errors["title"] = "Give the publication's title."
        if doi and not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
            errors["doi"] = f'"{doi}" is not a DOI; a DOI looks like 10.1016/j.jval.2025.01.001.'
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = "Enter a full web address starting with http:// or https://."
    else:
        doi = url = ""
        model = subject_model(subject_kind)
        label = {SubjectKind.STUDY: "study", SubjectKind.MODEL_RUN: "model run"}[subject_kind]
        if model is None:
            errors["subject_kind"] = (
                f"This installation has no {IN_PRODUCT_SUBJECTS[subject_kind]} model yet, so a {label} "
                "cannot be assessed; assess it as an external publication instead."
            )
        elif subject_id in (None, ""):
            errors["subject_id"] = f"Choose the {label} to assess."
        else:
            obj = subject_object(subject_kind, subject_id)
            if obj is None:
                errors["subject_id"] = f"There is no {label} #{subject_id}."
            elif not title:
                title = str(obj)
    if len(title) > 500:
        errors["title"] = f"The title has {len(title)} characters; at most 500 fit."
    if errors:
        raise ValidationError(errors)
    return {"subject_kind": subject_kind, "subject_id": subject_id, "title": title, "doi": doi, "url": url}


@transaction.atomic
def assessment_create(
    *,
    assessor,
    subject_kind: str,
    subject_id: int | None = None,
    title: str = "",
    doi: str = "",
    url: str = "",
    template: ChecklistTemplate | None = None,
    prefill: bool = True,
) -> Assessment:
    """A draft assessment by `assessor`, pre-filled from data stored in Equitext when there is any."""
    _require_assessor_role(assessor)
    subject = _clean_subject(subject_kind=subject_kind, subject_id=subject_id, title=title, doi=doi, url=url)
    template = template or template_current()
    if template is None:
        raise ValidationError({"template": "There is no checklist template yet; an admin must create one."})
    assessment = Assessment.objects.create(
        template=template, assessor=assessor, subject_key=subject_key(**_key_fields(subject)), **subject
    )
    _template_freeze(template)
    audit_record(actor=assessor, action="elevate.assessment.create", obj=assessment)
    if prefill:
        assessment_prefill(assessment=assessment, actor=assessor)
    return assessment


def _key_fields(subject: dict) -> dict:
    return {k: subject[k] for k in ("subject_kind", "subject_id", "title", "doi")}


@transaction.atomic
def assessment_update(*, assessment: Assessment, actor, title=None, doi=None, url=None) -> Assessment:
    """Change a draft's title, DOI or URL (the subject kind and id stay)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(assessment, actor)
    subject = _clean_subject(
        subject_kind=assessment.subject_kind,
        subject_id=assessment.subject_id,
        title=assessment.title if title is None else title,
        doi=assessment.doi if doi is None else doi,
        url=assessment.url if url is None else url,
    )
    changed = {
        field: subject[field]
        for field in ("title", "doi", "url")
        if getattr(assessment, field) != subject[field]
    }
    if not changed:
        return assessment
    for field, value in changed.items():
        setattr(assessment, field, value)
    assessment.subject_key = subject_key(**_key_fields(subject))
    assessment.save(update_fields=["title", "doi", "url", "subject_key", "updated_at"])
    audit_record(
        actor=actor, action="elevate.assessment.update", obj=assessment, details={"fields": sorted(changed)}
    )
    return assessment


def _clean_response(*, status: str, location: str, comment: str) -> dict:
    status, location, comment = (status or "").strip(), (location or "").strip(), (comment or "").strip()
    errors = {}
    if status and status not in ItemResponse.Status.values:
        errors["status"] = (
            f'"{status}" is not a status; choose one of: {", ".join(ItemResponse.Status.values)}.'
        )
    elif status in ItemResponse.NEEDS_COMMENT and not comment:
        label = ItemResponse.Status(status).label.lower()
        errors["comment"] = f'Explain in a comment what is missing: a comment is required for "{label}".'
    too_long = limits.text_problem(
        len(comment),
        limit=settings.EQUITEXT_MAX_COMMENT_CHARS,
        setting="EQUITEXT_MAX_COMMENT_CHARS",
        what="The comment",
    )
    if too_long:
        errors["comment"] = too_long
    if len(location) > 500:
        errors["location"] = f"The location has {len(location)} characters; at most 500 fit."
    if errors:
        raise ValidationError(errors)
    return {"status": status, "location": location, "comment": comment}


@transaction.atomic
def response_save(
    *, assessment: Assessment, item: ChecklistItem, actor, status: str, location: str = "", comment: str = ""
) -> ItemResponse:
    """Save the answer to one item (create or change). Refused answers change nothing."""
    # Lock the assessment so a save and a submit cannot interleave.
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(assessment, actor)
    if item.domain.template_id != assessment.template_id:
        raise ValidationError({"item": f"Item {item.code} is not part of this assessment's checklist."})
    values = _clean_response(status=status, location=location, comment=comment)
    response = ItemResponse.objects.filter(assessment=assessment, item=item).first()
    if response is None:
        response = ItemResponse(assessment=assessment, item=item)
    elif all(getattr(response, k) == v for k, v in values.items()):
        return response  # nothing changed: keep the pre-fill mark and the last editor
    for key, value in values.items():
        setattr(response, key, value)
    response.prefilled = False  # a person's answer now (prefill_source still says where it started)
    response.updated_by = actor
    response.save()
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="elevate.response.save",
        obj=assessment,
        details={"item": item.code, "status": values["status"]},
    )
    return response


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor) -> Assessment:
    """Freeze a complete draft. Every item needs an answer."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(assessment, actor)
    answered = set(assessment.responses.exclude(status="").values_list("item_id", flat=True))
    missing = [
        code
        for pk, code in ChecklistItem.objects.filter(domain__template=assessment.template_id).values_list(
            "pk", "code"
        )
        if pk not in answered
    ]
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise AssessmentRefused(
            f"{len(missing)} item{'s' if len(missing) != 1 else ''} still "
            f"{'have' if len(missing) != 1 else 'has'} no answer ({shown}); answer every item before "
            'submitting (use "not applicable" where an item does not apply).'
        )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action="elevate.assessment.submit", obj=assessment)
    return assessment


@transaction.atomic
def assessment_revise(*, assessment: Assessment, actor) -> Assessment:
    """A new draft that starts from a submitted assessment's answers (same checklist version).

    Starting a revision twice gives the same open draft."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.assessor_id != actor.pk:
        raise PermissionDenied(
            f"Assessment #{assessment.pk} belongs to {assessment.assessor}; only its assessor can revise it."
        )
    if not assessment.is_submitted:
        raise AssessmentRefused(f"Assessment #{assessment.pk} is still a draft: edit it directly.")
    open_draft = assessment.revisions.filter(status=Assessment.Status.DRAFT, assessor=actor).first()
    if open_draft is not None:
        return open_draft
    revision = Assessment.objects.create(
        template=assessment.template,
        assessor=actor,
        subject_kind=assessment.subject_kind,
        subject_id=assessment.subject_id,
        title=assessment.title,
        doi=assessment.doi,
        url=assessment.url,
        subject_key=assessment.subject_key,
        revision_of=assessment,
    )
    ItemResponse.objects.bulk_create(
        ItemResponse(
            assessment=revision,
            item_id=r.item_id,
            status=r.status,
            location=r.location,
            comment=r.comment,
            prefilled=r.prefilled,
            prefill_source=r.prefill_source,
            updated_by=r.updated_by,
        )
        for r in assessment.responses.all()
    )
    audit_record(actor=actor, action="elevate.assessment.revise", obj=revision, details={"of": assessment.pk})
    return revision


@transaction.atomic
def assessment_prefill(*, assessment: Assessment, actor) -> int:
    """Fill answers from data stored in Equitext; returns how many answers were written.

    Items a person has answered are left alone; answers still marked as pre-filled are refreshed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(assessment, actor)
    answers = prefill_for(assessment)
    if not answers:
        return 0
    items = {i.code: i for i in ChecklistItem.objects.filter(domain__template=assessment.template_id)}
    existing = {r.item_id: r for r in assessment.responses.all()}
    written = 0
    for code, answer in answers.items():
        item = items.get(code)
        if item is None:
            continue  # the provider knows an item this template version does not have
        response = existing.get(item.pk)
        if response is not None and response.is_answered and not response.prefilled:
            continue
        values = _clean_response(status=answer.status, location=answer.location, comment=answer.comment)
        if response is None:
            response = ItemResponse(assessment=assessment, item=item)
        for key, value in values.items():
            setattr(response, key, value)
        response.prefilled = True
        response.prefill_source = answer.source[:200]
        response.updated_by = None
        response.save()
        written += 1
    if written:
        audit_record(
            actor=actor, action="elevate.assessment.prefill", obj=assessment, details={"answers": written}
        )
    return written
