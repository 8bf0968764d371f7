"""Instruments filled by raters through a reviews study of kind "instrument".

A curator makes a study over documents with one instrument version: each document gives two items, its
original and its simplified text as they are now (copied: later corpus edits change nothing), in seeded
random order. Each document's two texts are labelled "Version 1" and "Version 2" by a seeded coin, and
that label is all raters learn about the side. The reviews assignment engine does the rest — quotas per
rater group, leases, consent, the rater's queue — through the hooks registered in `apps.py`
(`apps.reviews.kinds`): the rater's page for an item is this app's instrument form, blinded, and
submitting the assignment freezes the assessment in the same transaction (`response_clean`). The
answers are instrument assessments with origin "study", so the instruments' scores, results and
agreement apply unchanged (`study_results`).
"""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from apps.core.errors import Refused
from apps.core.services import audit_record
from apps.corpus.models import Document
from apps.instruments import results, services
from apps.instruments.models import Instrument, InstrumentAssessment, InstrumentStudyItem, Side
from apps.instruments.subjects import subject_text
from apps.reviews import assignment as engine
from apps.reviews.models import Assignment, Rubric, Study, StudyItem, StudyQuota
from apps.reviews.rubric import response_validate
from apps.reviews.seed import INSTRUMENT_RUBRIC
from apps.reviews.studies import quotas_validate, study_basics_clean

MAX_DOCUMENTS = 500


@transaction.atomic
def instrument_study_create(
    *,
    name: str,
    instrument: Instrument,
    document_ids,
    quotas: dict,
    actor,
    seed: int | None = None,
    lease_minutes: int = 60,
    description: str = "",
) -> Study:
    """A draft study: two items per document (original and simplified, blinded as Version 1/2)."""
    errors: dict = {}
    name, seed = study_basics_clean(name=name, seed=seed, lease_minutes=lease_minutes, errors=errors)
    if instrument.next_versions.exists():
        errors["instrument"] = [f"{instrument} has a newer version; use the newest one."]
    quota_rows = quotas_validate(quotas, errors)
    ids = list(dict.fromkeys(int(v) for v in document_ids or [] if str(v).isdigit()))
    documents = Document.objects.in_bulk(ids)
    problems = []
    if not ids or len(ids) != len(document_ids or []) or len(ids) > MAX_DOCUMENTS:
        problems.append(f"Choose 1 to {MAX_DOCUMENTS} documents (by number), each once.")
    subjects = []
    for pk in ids:
        document = documents.get(pk)
        if document is None:
            problems.append(f"No document #{pk}.")
            continue
        sides = {side: subject_text(document, side) for side in Side.values}
        missing = sides[Side.SIMPLIFIED].missing
        if not sides[Side.ORIGINAL].complete or not sides[Side.SIMPLIFIED].complete:
            where = ", ".join(f"§{p}" for p in missing[:10]) or "no text"
            problems.append(f"Document #{pk} (“{document}”): both texts are needed; simplify {where} first.")
            continue
        subjects.append((document, sides))
    if problems:
        errors["documents"] = problems
    rubric = Rubric.objects.filter(name=INSTRUMENT_RUBRIC, next_version__isnull=True).first()
    if rubric is None:
        errors["rubric"] = [f"The rubric “{INSTRUMENT_RUBRIC}” is missing; run migrate (it seeds it)."]
    if errors:
        raise ValidationError(errors)
    rng = random.Random(f"{seed}:instrument-study")
    units = []
    for document, sides in subjects:
        original_first = rng.random() < 0.5  # which side is "Version 1"
        for side in Side.values:
            number = 1 if (side == Side.ORIGINAL) == original_first else 2
            units.append((document, side, number, sides[side]))
    rng.shuffle(units)
    study = Study.objects.create(
        name=name,
        description=description,
        rubric=rubric,
        seed=seed,
        lease_minutes=lease_minutes,
        source={"instrument": instrument.pk, "documents": ids, "items": len(units)},
        created_by=actor,
    )
    items = StudyItem.objects.bulk_create(
        StudyItem(study=study, position=n, kind=Rubric.Kind.INSTRUMENT) for n in range(1, len(units) + 1)
    )
    InstrumentStudyItem.objects.bulk_create(
        InstrumentStudyItem(
            item=item,
            instrument=instrument,
            document=document,
            side=side,
            version_number=number,
            text=subject.text,
            text_sha256=subject.sha256,
            segment_versions=subject.segment_versions,
        )
        for item, (document, side, number, subject) in zip(items, units, strict=True)
    )
    StudyQuota.objects.bulk_create(
        StudyQuota(study=study, group=group, quota=quota) for group, quota in quota_rows
    )
    audit_record(
        actor=actor,
        action="study.create",
        obj=study,
        details={"items": len(items), "seed": seed, "kind": "instrument", "instrument": instrument.pk},
    )
    return study


def _own_assignment(assignment_id: int, rater) -> Assignment:
    assignment = (
        Assignment.objects.select_related("study__rubric", "item__instrument_item")
        .filter(pk=assignment_id, rater=rater, study__rubric__kind=Rubric.Kind.INSTRUMENT)
        .first()
    )
    if assignment is None:
        raise engine.AssignmentError("Not found, or not visible to your account.", status=404)
    return assignment


@transaction.atomic
def study_assessment_start(*, assignment_id: int, rater) -> tuple[InstrumentAssessment, bool]:
    """The rater's assessment for their assignment (created with the automatic answers on first use),
    and whether it was created. Only the assignment's own rater, while it is leased (or has expired and
    can still be submitted) or already submitted."""
    assignment = _own_assignment(assignment_id, rater)
    existing = InstrumentAssessment.objects.filter(
        origin=InstrumentAssessment.Origin.STUDY, assignment_id=assignment.pk
    ).first()
    if existing is not None:
        return existing, False
    if assignment.status == Assignment.Status.SKIPPED:
        raise engine.AssignmentError("You skipped this item; it can no longer be filled.")
    subject = assignment.item.instrument_item
    assessment = InstrumentAssessment.objects.create(
        instrument=subject.instrument,
        assessor=rater,
        document=subject.document,
        side=subject.side,
        text_sha256=subject.text_sha256,
        segment_versions=subject.segment_versions,
        text_chars=len(subject.text),
        origin=InstrumentAssessment.Origin.STUDY,
        assignment_id=assignment.pk,
    )
    services._instrument_freeze(subject.instrument)
    services._prefill(assessment, subject.text)
    audit_record(
        actor=rater,
        action="instruments.assessment.start",
        obj=assessment,
        details={"study": assignment.study_id, "assignment": assignment.pk},
    )
    return assessment, True


def study_assessment_submit(*, assessment: InstrumentAssessment, actor) -> InstrumentAssessment:
    """Submit a rater's study assessment through the engine (rubric comment none): the assignment and the
    assessment are submitted together or not at all."""
    if assessment.assessor_id != actor.pk:
        raise Refused(f"Assessment #{assessment.pk} belongs to another rater; only its assessor submits it.")
    engine.assignment_submit(assignment_id=assessment.assignment_id, rater=actor, response={})
    return InstrumentAssessment.objects.get(pk=assessment.pk)


# --- hooks for the assignment engine (registered in apps.py) ---


def response_clean(assignment: Assignment, response) -> dict:
    """Engine hook: submitting an instrument item freezes the rater's assessment in the submit transaction
    (all items answered, automatic ones confirmed, forced answers respected) and stores its answers
    (item code → value) with the assessment id in the rating; the rubric's optional comment as the
    rubric says. Submitting again returns the same response (the engine's idempotency)."""
    assessment = InstrumentAssessment.objects.filter(
        origin=InstrumentAssessment.Origin.STUDY, assignment_id=assignment.pk
    ).first()
    if assessment is None:
        raise engine.AssignmentError(
            "Fill the instrument first: open the item (POST /api/v1/instruments/study-assessments/ with "
            '{"assignment": id}), answer every item, then submit.',
            status=400,
        )
    comment = response_validate(assignment.study.rubric.definition, dict(response or {}))
    if not assessment.is_submitted and assignment.status != Assignment.Status.SUBMITTED:
        assessment = services.assessment_freeze(assessment=assessment, actor=assignment.rater)
    answers = dict(assessment.answers.filter(confirmed=True).values_list("item__code", "value"))
    texts = dict(assessment.answers.exclude(text="").values_list("item__code", "text"))
    return {**comment, "assessment": assessment.pk, "answers": answers, "texts": texts}


def rater_url(assignment) -> str:
    return reverse("instruments:study_item", args=[assignment.pk])


def rater_view(item_id: int) -> dict:
    """Engine hook: what raters are told of an item — the document's title and "Version 1/2"."""
    subject = InstrumentStudyItem.objects.select_related("document", "instrument").get(item_id=item_id)
    return {
        "instrument": subject.instrument.name,
        "document_title": subject.document.title,
        "version_label": subject.version_label,
        "instructions": "Fill the instrument: POST /api/v1/instruments/study-assessments/ with "
        '{"assignment": id}, then answer its items there and submit.',
    }


# --- results ---


def study_results(study: Study) -> list[tuple[Document, dict[str, int], list]]:
    """Per document of the study: the document, which side is Version 1/2, and the instruments' results
    (scores per side, difference, agreement between the raters) over the study's assessments."""
    subjects = list(InstrumentStudyItem.objects.filter(item__study=study).select_related("document"))
    assignment_ids = list(Assignment.objects.filter(study=study).values_list("pk", flat=True))
    assessments = InstrumentAssessment.objects.filter(
        origin=InstrumentAssessment.Origin.STUDY, assignment_id__in=assignment_ids
    ).select_related("instrument", "assessor", "document")
    out = []
    for document_id in dict.fromkeys(s.document_id for s in subjects):
        mine = [s for s in subjects if s.document_id == document_id]
        hashes = {s.side: s.text_sha256 for s in mine}
        labels = {s.side: s.version_label for s in mine}
        out.append(
            (
                mine[0].document,
                labels,
                results.results_for(assessments.filter(document_id=document_id), hashes),
            )
        )
    return out
