"""Reads of the instruments app, already limited to what the user may see.

Curators see every instrument and every assessment; a rater sees only their own assessments made
through instrument studies (`study_assessments_own`), blinded to the side on their pages.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from apps.core.roles import is_curator
from apps.corpus.models import Document
from apps.instruments import scores
from apps.instruments.models import (
    NA,
    Instrument,
    InstrumentAssessment,
    InstrumentGroup,
    InstrumentItem,
    ItemAnswer,
)
from apps.instruments.rules import rule_label


def instruments_visible_to(user) -> QuerySet[Instrument]:
    if not is_curator(user):
        return Instrument.objects.none()
    return Instrument.objects.annotate(
        item_count=Count(
            "items", filter=Q(items__answer_kind=InstrumentItem.AnswerKind.CHOICE), distinct=True
        ),
        assessment_count=Count("assessments", distinct=True),
    ).order_by("family", "key", "-version")


def instruments_current(user) -> list[Instrument]:
    """The newest version of each instrument: what new assessments use."""
    newest = {}
    for instrument in instruments_visible_to(user):
        newest.setdefault(instrument.key, instrument)
    return list(newest.values())


def assessments_visible_to(user) -> QuerySet[InstrumentAssessment]:
    if not is_curator(user):
        return InstrumentAssessment.objects.none()
    return InstrumentAssessment.objects.select_related("instrument", "assessor", "document")


def study_assessments_own(user) -> QuerySet[InstrumentAssessment]:
    """A rater's own assessments made through studies (their items of instrument studies)."""
    if not user.is_authenticated:
        return InstrumentAssessment.objects.none()
    return InstrumentAssessment.objects.select_related("instrument", "assessor", "document").filter(
        origin=InstrumentAssessment.Origin.STUDY, assessor=user
    )


def assessment_for(user, pk: int) -> InstrumentAssessment | None:
    """The assessment `pk` if `user` may see it: curators every one; anyone else their own study ones."""
    found = assessments_visible_to(user) if is_curator(user) else study_assessments_own(user)
    return found.filter(pk=pk).first()


def documents_assessed(user, limit: int = 50) -> list[tuple[Document, int, int]]:
    """(document, assessments, submitted) for the documents assessed most recently."""
    counts = (
        assessments_visible_to(user)
        .order_by()
        .values("document_id")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(status=InstrumentAssessment.Status.SUBMITTED)),
            last=Max("updated_at"),
        )
        .order_by("-last")[:limit]
    )
    rows = list(counts)
    documents = Document.objects.in_bulk([r["document_id"] for r in rows])
    return [
        (documents[r["document_id"]], r["n"], r["submitted"]) for r in rows if r["document_id"] in documents
    ]


# --- the form ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    item: InstrumentItem
    answer: ItemAnswer | None

    @property
    def value(self) -> str:
        return self.answer.value if self.answer else ""

    @property
    def pending(self) -> bool:
        """An automatic answer no person has confirmed yet."""
        return bool(
            self.answer and self.answer.source == ItemAnswer.Source.RULE and not self.answer.confirmed
        )

    @property
    def automatic(self) -> bool:
        return bool(self.answer and self.answer.source == ItemAnswer.Source.RULE)

    @property
    def overridden(self) -> bool:
        """A person changed what a rule proposed."""
        return bool(self.answer and self.answer.source == ItemAnswer.Source.PERSON and self.answer.rule)

    @property
    def answer_label(self) -> str:
        return answer_label(self.item, self.value) if self.value else ""

    @property
    def rule_label(self) -> str:
        return rule_label(self.answer.rule) if self.answer and self.answer.rule else ""

    @property
    def rule_value_label(self) -> str:
        proposed = self.answer.rule_value if self.answer else ""
        return answer_label(self.item, proposed) if proposed else ""


@dataclass
class Section:
    group: InstrumentGroup
    rows: list[Row] = field(default_factory=list)
    topics: list["Section"] = field(default_factory=list)

    @property
    def all_rows(self) -> list[Row]:
        return self.rows + [row for topic in self.topics for row in topic.rows]

    @property
    def answered(self) -> int:
        return sum(1 for row in self.all_rows if row.answer and row.answer.is_answered and not row.pending)

    @property
    def total(self) -> int:
        return len(self.all_rows)


def assessment_sections(assessment: InstrumentAssessment) -> list[Section]:
    """The instrument's top groups (scales, the introductory questions), each with its topics and every
    item with its answer (or None), in the instrument's order."""
    groups = list(assessment.instrument.groups.order_by("order"))
    items = list(assessment.instrument.items.order_by("order"))
    answers = {a.item_id: a for a in assessment.answers.select_related("updated_by")}
    sections = {g.pk: Section(group=g) for g in groups}
    for item in items:
        sections[item.group_id].rows.append(Row(item=item, answer=answers.get(item.pk)))
    top = []
    for group in groups:
        if group.parent_id is None:
            top.append(sections[group.pk])
        else:
            sections[group.parent_id].topics.append(sections[group.pk])
    return top


def item_specs(instrument: Instrument) -> tuple[list[scores.ItemSpec], list[InstrumentGroup]]:
    """The scored items of `instrument` as scoring inputs, and its scales."""
    groups = {g.pk: g for g in instrument.groups.all()}
    specs = []
    for item in instrument.items.order_by("order"):
        if not item.is_scored:
            continue
        group = groups[item.group_id]
        scale = groups[group.parent_id] if group.parent_id else group
        specs.append(
            scores.ItemSpec(
                code=item.code,
                group=scale.code,
                topic=group.name,
                points={o["value"]: o["points"] for o in item.options},
                na_allowed=item.na_allowed,
            )
        )
    scales = sorted(
        (g for g in groups.values() if g.kind == InstrumentGroup.Kind.SCALE), key=lambda g: g.order
    )
    return specs, scales


@dataclass
class ScaleResult:
    group: InstrumentGroup
    score: scores.ScaleScore

    @property
    def reaches_reading_aid(self) -> bool | None:
        if self.score.percent is None or self.group.reading_aid_threshold is None:
            return None
        return self.score.percent >= self.group.reading_aid_threshold


def scores_from_answers(
    instrument: Instrument, answers: dict[str, tuple[str, bool]], *, specs: tuple | None = None
) -> list[ScaleResult]:
    """Scale scores from `answers` (item code → (value, counts)); `counts` False: an automatic answer
    awaiting confirmation. `specs`: `item_specs(instrument)`, when the caller already has it."""
    specs, scales = specs or item_specs(instrument)
    counted = {code: scores.Counted(value) for code, (value, counts) in answers.items() if counts and value}
    pending = {code for code, (value, counts) in answers.items() if not counts and value}
    by_code = scores.scale_scores(specs, counted, pending, [g.code for g in scales])
    return [ScaleResult(group=g, score=by_code[g.code]) for g in scales]


def assessment_scores(assessment: InstrumentAssessment) -> list[ScaleResult]:
    answers = {
        code: (value, confirmed)
        for code, value, confirmed in assessment.answers.values_list("item__code", "value", "confirmed")
    }
    return scores_from_answers(assessment.instrument, answers)


def answer_label(item: InstrumentItem, value: str) -> str:
    if value == NA:
        return f"N/A ({item.na_label})" if item.na_label else "N/A"
    option = item.option(value)
    return option["label"] if option else value
