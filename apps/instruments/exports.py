"""Instrument export records, streamed in constant memory (`apps.core.exports.export_response`).

- `instrument-answers`: one record per item of every assessment (unanswered items included, blank);
- `instrument-scores`: one record per scale of every assessment, with the counts behind the score.

Assessments come from a server-side cursor; their answers are read per chunk as plain values and each
instrument version's items are loaded once.
"""

from collections.abc import Iterator
from itertools import islice

from django.db.models import Count, F, QuerySet

from apps.instruments import selectors
from apps.instruments.models import InstrumentAssessment, InstrumentGroup, InstrumentItem, ItemAnswer

SCHEMA_VERSION = 1
CHUNK = 200

BASE_FIELDS = [
    "assessment_id",
    "assessment_status",
    "assessor",
    "submitted_at",
    "instrument_key",
    "instrument",
    "instrument_version",
    "document_id",
    "document_title",
    "side",
    "text_sha256",
]
ANSWER_FIELDS = [
    *BASE_FIELDS,
    "group",
    "item_code",
    "item_text",
    "item_verified",
    "value",
    "answer_label",
    "points",
    "text",
    "comment",
    "source",
    "confirmed",
    "counts",
    "rule",
    "rule_value",
    "rule_note",
    "rule_inputs",
    "updated_by",
    "updated_at",
]
SCORE_FIELDS = [
    *BASE_FIELDS,
    "scale",
    "percent",
    "points",
    "applicable_items",
    "not_applicable_items",
    "unanswered_items",
    "unconfirmed_automatic_items",
    "items",
    "complete",
    "reading_aid_threshold",
    "score_rule",
]
_ANSWER_VALUES = (
    "item_id",
    "value",
    "text",
    "comment",
    "source",
    "confirmed",
    "rule",
    "rule_value",
    "rule_note",
    "rule_inputs",
    "updated_at",
)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _base(a: InstrumentAssessment) -> dict:
    return {
        "assessment_id": a.pk,
        "assessment_status": a.status,
        "assessor": a.assessor.username,
        "submitted_at": _iso(a.submitted_at),
        "instrument_key": a.instrument.key,
        "instrument": a.instrument.name,
        "instrument_version": a.instrument.version,
        "document_id": a.document_id,
        "document_title": a.document.title,
        "side": a.side,
        "text_sha256": a.text_sha256,
    }


def _chunks(assessments: QuerySet[InstrumentAssessment]) -> Iterator[tuple[list, dict]]:
    rows = (
        assessments.select_related("instrument", "assessor", "document")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    while chunk := list(islice(rows, CHUNK)):
        answers = {
            (r["assessment_id"], r["item_id"]): r
            for r in ItemAnswer.objects.filter(assessment_id__in=[a.pk for a in chunk]).values(
                "assessment_id", *_ANSWER_VALUES, updated_by_name=F("updated_by__username")
            )
        }
        yield chunk, answers


def _count(assessments: QuerySet[InstrumentAssessment], per_instrument: QuerySet) -> int:
    """Σ over assessments of the rows its instrument gives (`per_instrument`: instrument id → n)."""
    by_instrument = dict(
        assessments.order_by()
        .values_list("instrument_id")
        .annotate(n=Count("id"))
        .values_list("instrument_id", "n")
    )
    rows = dict(per_instrument.filter(instrument_id__in=by_instrument).values_list("instrument_id", "n"))
    return sum(n * rows.get(instrument_id, 0) for instrument_id, n in by_instrument.items())


def answer_count(assessments: QuerySet[InstrumentAssessment]) -> int:
    """How many records `answer_records` yields: each assessment × its instrument's items."""
    items = InstrumentItem.objects.order_by().values("instrument_id").annotate(n=Count("id"))
    return _count(assessments, items)


def answer_records(assessments: QuerySet[InstrumentAssessment]) -> Iterator[dict]:
    items_of: dict[int, list[InstrumentItem]] = {}
    for chunk, answers in _chunks(assessments):
        for a in chunk:
            items = items_of.get(a.instrument_id)
            if items is None:
                items = items_of[a.instrument_id] = list(
                    InstrumentItem.objects.filter(instrument=a.instrument_id)
                    .select_related("group")
                    .order_by("order")
                )
            base = _base(a)
            for item in items:
                answer = answers.get((a.pk, item.pk))
                value = answer["value"] if answer else ""
                option = item.option(value) if value else None
                yield {
                    **base,
                    "group": item.group.name,
                    "item_code": item.code,
                    "item_text": item.text,
                    "item_verified": item.verified,
                    "value": value,
                    "answer_label": selectors.answer_label(item, value) if value else "",
                    "points": option["points"] if option else None,
                    "text": answer["text"] if answer else "",
                    "comment": answer["comment"] if answer else "",
                    "source": answer["source"] if answer else "",
                    "confirmed": answer["confirmed"] if answer else None,
                    "counts": bool(answer and answer["confirmed"] and (value or answer["text"])),
                    "rule": answer["rule"] if answer else "",
                    "rule_value": answer["rule_value"] if answer else "",
                    "rule_note": answer["rule_note"] if answer else "",
                    "rule_inputs": (answer["rule_inputs"] or None) if answer else None,
                    "updated_by": answer["updated_by_name"] if answer else None,
                    "updated_at": _iso(answer["updated_at"]) if answer else None,
                }


def score_count(assessments: QuerySet[InstrumentAssessment]) -> int:
    """How many records `score_records` yields: each assessment × its instrument's scales."""
    scales = (
        InstrumentGroup.objects.filter(kind=InstrumentGroup.Kind.SCALE)
        .order_by()
        .values("instrument_id")
        .annotate(n=Count("id"))
    )
    return _count(assessments, scales)


def score_records(assessments: QuerySet[InstrumentAssessment]) -> Iterator[dict]:
    codes: dict[int, dict[int, str]] = {}
    specs: dict[int, tuple] = {}
    for chunk, answers in _chunks(assessments):
        for a in chunk:
            if a.instrument_id not in codes:
                codes[a.instrument_id] = dict(a.instrument.items.values_list("pk", "code"))
                specs[a.instrument_id] = selectors.item_specs(a.instrument)
            mine = {
                codes[a.instrument_id][item_id]: (row["value"], row["confirmed"])
                for (assessment_id, item_id), row in answers.items()
                if assessment_id == a.pk
            }
            base = _base(a)
            for result in selectors.scores_from_answers(a.instrument, mine, specs=specs[a.instrument_id]):
                score = result.score.as_dict()
                yield {
                    **base,
                    **{k: score[k] for k in SCORE_FIELDS if k in score},
                    "scale": result.group.name,
                    "reading_aid_threshold": result.group.reading_aid_threshold,
                    "score_rule": a.instrument.score_rule,
                }
