"""The equity app's writes besides imports (`import_services.py`): set details, tags, counterfactual
attributes, producers, and answers from model runs.

Each refuses with `EquityError` (400, naming the field) and writes nothing then; each write is audited.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from apps.core.services import audit_record
from apps.equity.exceptions import EquityError
from apps.equity.models import (
    Answer,
    CounterfactualPair,
    IdentityAxis,
    Producer,
    Question,
    QuestionSet,
    text_hash,
    text_normalise,
)

# ---------------------------------------------------------------------------------------------------
# Question sets


def question_set_update(*, question_set: QuestionSet, actor=None, **fields) -> QuestionSet:
    """Change a set's name, description, provenance or licence."""
    allowed = {"name", "description", "provenance", "licence"}
    unknown = set(fields) - allowed
    if unknown:
        raise EquityError(
            f"Cannot change {', '.join(sorted(unknown))} of a question set.", field=sorted(unknown)[0]
        )
    for key, value in fields.items():
        setattr(question_set, key, value)
    with transaction.atomic():
        question_set.save()
        audit_record(
            actor=actor, action="equity.set_update", obj=question_set, details={"fields": sorted(fields)}
        )
    return question_set


# ---------------------------------------------------------------------------------------------------
# Tags and counterfactual attributes


def _clean_tags(values: Iterable[str], *, limit: int) -> list[str]:
    out = []
    for value in values:
        tag = text_normalise(str(value)).lower()
        if tag and tag not in out:
            out.append(tag[:limit])
    return out


def question_tags_update(
    *,
    question: Question,
    topics: Iterable[str] | None = None,
    identity_axes: Iterable[str] | None = None,
    actor=None,
) -> Question:
    """Replace a question's topic tags and/or identity axes. Axes must be slugs of known axes."""
    if identity_axes is not None:
        axes = _clean_tags(identity_axes, limit=40)
        known = set(IdentityAxis.objects.filter(slug__in=axes).values_list("slug", flat=True))
        unknown = [a for a in axes if a not in known]
        if unknown:
            raise EquityError(
                f"Unknown identity axis: {', '.join(unknown)}. Known: "
                f"{', '.join(IdentityAxis.objects.values_list('slug', flat=True))}.",
                field="identity_axes",
            )
        question.identity_axes = axes
    if topics is not None:
        question.topics = _clean_tags(topics, limit=60)
    with transaction.atomic():
        question.save(update_fields=["identity_axes", "topics", "updated_at"])
        audit_record(
            actor=actor,
            action="equity.question_tags",
            obj=question,
            details={"topics": question.topics, "identity_axes": question.identity_axes},
        )
    return question


def pair_attribute_update(
    *, pair: CounterfactualPair, changed_attribute: str, changed_axes: Iterable[str] | None = None, actor=None
) -> CounterfactualPair:
    """A curator's correction of the detected attribute; marked edited so re-detection keeps it."""
    label = text_normalise(changed_attribute)
    if not label:
        raise EquityError(
            "Describe the attribute that changed (e.g. race: White → Black).", field="changed_attribute"
        )
    pair.changed_attribute = label[:200]
    if changed_axes is not None:
        axes = _clean_tags(changed_axes, limit=40)
        unknown = set(axes) - set(IdentityAxis.objects.values_list("slug", flat=True))
        if unknown:
            raise EquityError(f"Unknown identity axis: {', '.join(sorted(unknown))}.", field="changed_axes")
        pair.changed_axes = axes
    pair.attribute_edited = True
    with transaction.atomic():
        pair.save(update_fields=["changed_attribute", "changed_axes", "attribute_edited", "updated_at"])
        audit_record(
            actor=actor, action="equity.pair_attribute", obj=pair, details={"label": pair.changed_attribute}
        )
    return pair


# ---------------------------------------------------------------------------------------------------
# Producers and answers


def producer_get_or_create(*, name: str, revision: str = "", parameters: dict | None = None) -> Producer:
    name = text_normalise(name)
    if not name:
        raise EquityError("A producer needs a name (e.g. the model's name).", field="producer")
    producer, _ = Producer.objects.get_or_create(
        name=name[:200], revision=text_normalise(revision)[:200], parameters=parameters or {}
    )
    return producer


@dataclass(frozen=True)
class AnswersCreated:
    created: list[Answer]
    existing: int


@transaction.atomic
def answer_create_many(
    *,
    question_set: QuestionSet,
    producer: Producer | Mapping,
    answers: list[tuple[int, str]],
    parameters: dict | None = None,
    job=None,
    origin: str = Answer.Origin.MODEL_RUN,
) -> AnswersCreated:
    """Store a producer's answers to questions of `question_set` (the entry point for model runs).

    `producer`: a Producer, or a mapping with `name`, optional `revision` and `parameters` (the
    generation settings that identify the producer). `answers`: (question id, text) pairs.
    `parameters`: how these answers were made (seed, prompt template…), stored on each answer.
    An answer identical to one the producer already gave that question is not stored twice.
    Raises EquityError, writing nothing, when a question is not in the set or a text is empty."""
    if isinstance(producer, Mapping):
        producer = producer_get_or_create(
            name=producer.get("name", ""),
            revision=producer.get("revision", "") or producer.get("version", ""),
            parameters=producer.get("parameters"),
        )
    ids = {qid for qid, _ in answers}
    found = set(Question.objects.filter(question_set=question_set, id__in=ids).values_list("id", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise EquityError(
            f"Questions {missing[:20]} are not in the set {question_set.name}.", field="answers"
        )
    empty = [qid for qid, text in answers if not (text or "").strip()]
    if empty:
        raise EquityError(f"Empty answers for questions {empty[:20]}.", field="answers")
    return answers_write(rows=answers, producer=producer, parameters=parameters or {}, job=job, origin=origin)


def answers_write(*, rows, producer: Producer, parameters: dict, job, origin: str) -> AnswersCreated:
    """Create the answers that do not exist yet for one producer; `rows` are (question id, text) of
    questions already checked. An answer the producer already gave that question is counted, not
    stored again. Call it inside the caller's transaction."""
    existing = set(
        Answer.objects.filter(producer=producer, question_id__in={qid for qid, _ in rows}).values_list(
            "question_id", "text_hash"
        )
    )
    new, skipped = [], 0
    for qid, text in rows:
        text = text.strip()
        key = (qid, text_hash(text))
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        new.append(
            Answer(
                question_id=qid,
                producer=producer,
                text=text,
                text_hash=key[1],
                origin=origin,
                parameters=parameters,
                job=job,
            )
        )
    return AnswersCreated(created=Answer.objects.bulk_create(new), existing=skipped)
