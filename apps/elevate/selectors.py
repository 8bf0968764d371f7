"""Reads of the elevate app, already limited to what the user may see.

Curators (assessors) see every template and every assessment; nobody else sees any.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, F, Q, QuerySet

from apps.core.roles import is_curator
from apps.elevate.checklist import ELEVATE_NAME
from apps.elevate.models import (
    Assessment,
    ChecklistDomain,
    ChecklistItem,
    ChecklistTemplate,
    ItemResponse,
    SubjectKind,
)
from apps.elevate.subjects import subject_model

GAP_STATUSES = (ItemResponse.Status.NOT_REPORTED, ItemResponse.Status.PARTIAL)


def template_current() -> ChecklistTemplate | None:
    """The template new assessments use: the newest version of the ELEVATE checklist (else any newest)."""
    templates = ChecklistTemplate.objects.order_by("-version", "-created_at")
    return templates.filter(name=ELEVATE_NAME).first() or templates.first()


def recent_subjects(user, limit: int = 10) -> list[tuple[str, str, list]]:
    """(kind, label, newest rows) for each in-product subject kind whose app is installed."""
    if not is_curator(user):
        return []
    found = []
    for kind in (SubjectKind.MODEL_RUN, SubjectKind.STUDY):
        model = subject_model(kind)
        if model is not None:
            found.append((kind, kind.label, list(model._default_manager.order_by("-pk")[:limit])))
    return found


def templates_visible_to(user) -> QuerySet[ChecklistTemplate]:
    if not is_curator(user):
        return ChecklistTemplate.objects.none()
    return ChecklistTemplate.objects.prefetch_related("domains__items").annotate(
        assessment_count=Count("assessments")
    )


def assessments_visible_to(user) -> QuerySet[Assessment]:
    if not is_curator(user):
        return Assessment.objects.none()
    return Assessment.objects.select_related("template", "assessor", "revision_of")


def assessments_with_progress(user) -> QuerySet[Assessment]:
    return assessments_visible_to(user).annotate(
        answered_count=Count("responses", filter=~Q(responses__status=""), distinct=True),
        item_count=Count("template__domains__items", distinct=True),
    )


def assessments_of_same_subject(assessment: Assessment, user) -> QuerySet[Assessment]:
    """Other assessments of this assessment's subject (to compare with)."""
    return (
        assessments_visible_to(user)
        .filter(subject_key=assessment.subject_key)
        .exclude(pk=assessment.pk)
        .order_by("assessor__username", "-created_at")
    )


@dataclass
class Row:
    item: ChecklistItem
    response: ItemResponse | None

    @property
    def status(self) -> str:
        return self.response.status if self.response else ""

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES or not self.status


@dataclass
class Section:
    domain: ChecklistDomain
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.status)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100

    @property
    def reported(self) -> int:
        """Items reported in full or not applicable: nothing missing."""
        return sum(1 for row in self.rows if row.status in ("reported", "not_applicable"))

    @property
    def gaps(self) -> list[Row]:
        return [row for row in self.rows if row.is_gap]


def assessment_sections(assessment: Assessment) -> list[Section]:
    """The assessment's checklist, domain by domain, each item with its response (or None)."""
    responses = {r.item_id: r for r in assessment.responses.select_related("updated_by")}
    return [
        Section(
            domain=domain,
            rows=[Row(item=item, response=responses.get(item.pk)) for item in domain.items.all()],
        )
        for domain in assessment.template.domains.prefetch_related("items")
    ]


def section_of(assessment: Assessment, domain: ChecklistDomain) -> Section:
    responses = {r.item_id: r for r in assessment.responses.filter(item__domain=domain)}
    return Section(
        domain=domain, rows=[Row(item=i, response=responses.get(i.pk)) for i in domain.items.all()]
    )


def progress_totals(assessment: Assessment) -> tuple[int, int]:
    """(answered, total) items of the whole assessment."""
    total = ChecklistItem.objects.filter(domain__template=assessment.template_id).count()
    answered = assessment.responses.exclude(status="").count()
    return answered, total


@dataclass
class CompareRow:
    code: str
    wording: str
    left: ItemResponse | None
    right: ItemResponse | None

    @property
    def disagree(self) -> bool:
        left = self.left.status if self.left else ""
        right = self.right.status if self.right else ""
        return left != right


@dataclass
class CompareSection:
    name: str
    rows: list[CompareRow]

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.rows if row.disagree)


def assessments_compare(left: Assessment, right: Assessment) -> list[CompareSection]:
    """Both assessments' answers item by item (matched by item code, so different template versions
    line up), in the left assessment's domain order; items only the right one has come last."""
    left_sections = assessment_sections(left)
    right_by_code = {row.item.code: row for section in assessment_sections(right) for row in section.rows}
    seen = set()
    sections = []
    for section in left_sections:
        rows = []
        for row in section.rows:
            other = right_by_code.get(row.item.code)
            rows.append(
                CompareRow(row.item.code, row.item.wording, row.response, other.response if other else None)
            )
            seen.add(row.item.code)
        sections.append(CompareSection(f"{section.domain.order}. {section.domain.name}", rows))
    extra = [
        CompareRow(code, row.item.wording, None, row.response)
        for code, row in right_by_code.items()
        if code not in seen
    ]
    if extra:
        sections.append(CompareSection("Only in the right assessment's checklist", extra))
    return sections


# --- export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = [
    "assessment_id",
    "assessment_status",
    "assessor",
    "submitted_at",
    "revision_of",
    "subject_kind",
    "subject_id",
    "subject_title",
    "subject_doi",
    "subject_url",
    "template",
    "template_version",
    "domain_order",
    "domain",
    "item_code",
    "item_wording",
    "status",
    "location",
    "comment",
    "prefilled",
    "prefill_source",
    "updated_by",
    "updated_at",
]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


RESPONSE_EXPORT_FIELDS = (
    "item_id",
    "status",
    "location",
    "comment",
    "prefilled",
    "prefill_source",
    "updated_at",
)


EXPORT_SCHEMA_VERSION = 1


def assessment_export_count(assessments: QuerySet[Assessment]) -> int:
    """How many records `assessment_export_records` yields: each assessment × its template's items."""
    per_template = dict(
        assessments.order_by()
        .values_list("template_id")
        .annotate(n=Count("id"))
        .values_list("template_id", "n")
    )
    items = dict(
        ChecklistItem.objects.filter(domain__template_id__in=per_template)
        .order_by()
        .values_list("domain__template_id")
        .annotate(n=Count("id"))
        .values_list("domain__template_id", "n")
    )
    return sum(n * items.get(template_id, 0) for template_id, n in per_template.items())


def assessment_export_records(assessments: QuerySet[Assessment], chunk_size: int = 200) -> Iterator[dict]:
    """One record per checklist item of every assessment (unanswered items included, status blank).

    Streams in constant memory: assessments come from a server-side cursor, their responses are read
    per chunk as plain values (no model instances holding each other), and each template's items are
    loaded once."""
    items_by_template: dict[int, list[ChecklistItem]] = {}
    rows = assessments.select_related("template", "assessor").order_by("pk").iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        responses: dict[tuple[int, int], dict] = {
            (r["assessment_id"], r["item_id"]): r
            for r in ItemResponse.objects.filter(assessment_id__in=[a.pk for a in chunk]).values(
                "assessment_id", *RESPONSE_EXPORT_FIELDS, updated_by_name=F("updated_by__username")
            )
        }
        for assessment in chunk:
            items = items_by_template.get(assessment.template_id)
            if items is None:
                items = list(
                    ChecklistItem.objects.filter(domain__template=assessment.template_id).select_related(
                        "domain"
                    )
                )
                items_by_template[assessment.template_id] = items
            base = {
                "assessment_id": assessment.pk,
                "assessment_status": assessment.status,
                "assessor": assessment.assessor.username,
                "submitted_at": _iso(assessment.submitted_at),
                "revision_of": assessment.revision_of_id,
                "subject_kind": assessment.subject_kind,
                "subject_id": assessment.subject_id,
                "subject_title": assessment.title,
                "subject_doi": assessment.doi,
                "subject_url": assessment.url,
                "template": assessment.template.name,
                "template_version": assessment.template.version,
            }
            for item in items:
                response = responses.get((assessment.pk, item.pk)) or NO_RESPONSE
                yield {
                    **base,
                    "domain_order": item.domain.order,
                    "domain": item.domain.name,
                    "item_code": item.code,
                    "item_wording": item.wording,
                    "status": response["status"],
                    "location": response["location"],
                    "comment": response["comment"],
                    "prefilled": response["prefilled"],
                    "prefill_source": response["prefill_source"],
                    "updated_by": response["updated_by_name"],
                    "updated_at": _iso(response["updated_at"]),
                }


NO_RESPONSE = {
    "status": "",
    "location": "",
    "comment": "",
    "prefilled": False,
    "prefill_source": "",
    "updated_by_name": None,
    "updated_at": None,
}
