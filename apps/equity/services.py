"""Every write of the equity app: imports, answers from model runs, tag and attribute edits.

Imports validate the whole file first; with any error they return the report and write nothing.
Otherwise they write in one transaction, holding a lock on the question set so that two imports into
the same set cannot interleave. Re-importing a file creates nothing new (questions are unique per set by
text hash, pairs by their two questions, answers by question + producer + text hash).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from apps.core.services import audit_record
from apps.equity.counterfactual import attribute_detect
from apps.equity.imports import (
    RELEASE_LICENCE,
    RELEASE_PREFIXES,
    RELEASE_PROVENANCE,
    RELEASE_SETS,
    Report,
    answer_file_parse,
    kind_from_file,
    question_file_parse,
    set_name_from_file,
)
from apps.equity.lexicon import IdentityLexicon
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


class EquityError(ValueError):
    """A request that cannot be carried out; the message says what to change."""


# ---------------------------------------------------------------------------------------------------
# Question sets


def _set_for_import(*, name: str, kind: str, file_name: str) -> QuestionSet:
    """The set called `name` (locked for the rest of the transaction), created with release defaults."""
    description, _ = RELEASE_SETS.get(name, ("", None))
    is_release = file_name.lower().startswith(RELEASE_PREFIXES) and name in RELEASE_SETS
    question_set, _ = QuestionSet.objects.get_or_create(
        name=name,
        defaults={
            "slug": _unique_slug(name),
            "kind": kind,
            "description": description,
            "provenance": RELEASE_PROVENANCE.format(file=file_name)
            if is_release
            else f"Imported from {file_name}",
            "licence": RELEASE_LICENCE if is_release else "",
            "source_file_name": file_name,
        },
    )
    return QuestionSet.objects.select_for_update().get(pk=question_set.pk)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "set"
    slug, n = base, 2
    while QuestionSet.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def question_set_import(
    *, file_name: str, content: bytes, set_name: str = "", kind: str | None = None, actor=None
) -> Report:
    """Import a release-shaped question file into the set `set_name` (default: named after the file).

    Returns the report; `report.ok` is False when nothing was written. Counts: questions_created,
    questions_existing, pairs_created, pairs_existing."""
    report = Report(file_name=file_name)
    name = text_normalise(set_name) or set_name_from_file(file_name)
    if not name:
        report.error(None, "Cannot derive a set name from the file name; name the set.")
        return report
    report.question_set = name
    if kind is not None and kind not in QuestionSet.Kind.values:
        report.error(None, f'Unknown kind "{kind}"; use single or counterfactual.', "kind")
        return report
    existing = QuestionSet.objects.filter(name=name).first()
    kind = kind or kind_from_file(file_name) or (existing.kind if existing else None)
    parsed = question_file_parse(file_name=file_name, content=content, kind=kind, report=report)
    if existing and existing.kind != parsed.kind:
        report.error(
            None,
            f'The set "{name}" holds {existing.get_kind_display().lower()}; this file has '
            f"{QuestionSet.Kind(parsed.kind).label.lower()}. Import it under another set name.",
        )
    if not report.ok:
        return report
    with transaction.atomic():
        question_set = _question_rows_write(name=name, parsed=parsed, file_name=file_name, report=report)
        audit_record(
            actor=actor, action="equity.questions_import", obj=question_set, details=report.as_dict()
        )
    return report


def _question_rows_write(*, name, parsed, file_name, report) -> QuestionSet:
    """Write the parsed rows into the set `name`; returns the set (locked, created if new)."""
    question_set = _set_for_import(name=name, kind=parsed.kind, file_name=file_name)
    lexicon = IdentityLexicon.load()
    by_hash = dict(Question.objects.filter(question_set=question_set).values_list("text_hash", "id"))
    next_position = (question_set.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    new_questions: dict[str, Question] = {}
    for row in parsed.rows:
        for text in row.texts:
            digest = text_hash(text)
            if digest in by_hash or digest in new_questions:
                continue
            new_questions[digest] = Question(
                question_set=question_set,
                text=text,
                text_hash=digest,
                position=next_position,
                identity_axes=lexicon.axes(text),
            )
            next_position += 1
    Question.objects.bulk_create(new_questions.values())
    by_hash.update({digest: q.id for digest, q in new_questions.items()})
    created_questions = len(new_questions)
    distinct = {text_hash(t) for row in parsed.rows for t in row.texts}
    report.counts = {
        "questions_created": created_questions,
        "questions_existing": len(distinct) - created_questions,
    }
    if parsed.kind != QuestionSet.Kind.COUNTERFACTUAL:
        return question_set
    existing_pairs = set(question_set.pairs.values_list("question_a_id", "question_b_id"))
    pair_position = (question_set.pairs.aggregate(m=Max("position"))["m"] or 0) + 1
    new_pairs = []
    for row in parsed.rows:
        a_text, b_text = row.texts
        key = (by_hash[text_hash(a_text)], by_hash[text_hash(b_text)])
        if key in existing_pairs:
            continue
        existing_pairs.add(key)
        attribute = attribute_detect(a_text, b_text, lexicon)
        new_pairs.append(
            CounterfactualPair(
                question_set=question_set,
                question_a_id=key[0],
                question_b_id=key[1],
                position=pair_position,
                changed_from=attribute.changed_from,
                changed_to=attribute.changed_to,
                changed_axes=attribute.axes,
                changed_attribute=attribute.label,
            )
        )
        pair_position += 1
    CounterfactualPair.objects.bulk_create(new_pairs)
    report.counts["pairs_created"] = len(new_pairs)
    report.counts["pairs_existing"] = len(parsed.rows) - len(new_pairs)
    return question_set


def question_set_update(*, question_set: QuestionSet, actor=None, **fields) -> QuestionSet:
    """Change a set's name, description, provenance or licence."""
    allowed = {"name", "description", "provenance", "licence"}
    unknown = set(fields) - allowed
    if unknown:
        raise EquityError(f"Cannot change {', '.join(sorted(unknown))} of a question set.")
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
                f"{', '.join(IdentityAxis.objects.values_list('slug', flat=True))}."
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
        raise EquityError("Describe the attribute that changed (e.g. race: White → Black).")
    pair.changed_attribute = label[:200]
    if changed_axes is not None:
        axes = _clean_tags(changed_axes, limit=40)
        unknown = set(axes) - set(IdentityAxis.objects.values_list("slug", flat=True))
        if unknown:
            raise EquityError(f"Unknown identity axis: {', '.join(sorted(unknown))}.")
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
        raise EquityError("A producer needs a name (e.g. the model's name).")
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
        raise EquityError(f"Questions {missing[:20]} are not in the set {question_set.name}.")
    empty = [qid for qid, text in answers if not (text or "").strip()]
    if empty:
        raise EquityError(f"Empty answers for questions {empty[:20]}.")
    return _answers_write(
        rows=answers, producer=producer, parameters=parameters or {}, job=job, origin=origin
    )


def _answers_write(*, rows, producer, parameters, job, origin) -> AnswersCreated:
    """Create the answers that do not exist yet for one producer; rows are (question id, text)."""
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


def answers_import(
    *,
    file_name: str,
    content: bytes,
    question_set: QuestionSet | None = None,
    producer: str = "",
    revision: str = "",
    actor=None,
) -> Report:
    """Import answers from CSV or JSONL. Each row names its question by `question_id` or exact text
    (whitespace and case aside), within `question_set` when given (else within the row's `set`
    column, else across all sets; text found in several sets is reported as ambiguous).
    Counts: answers_created, answers_existing, producers."""
    report = Report(file_name=file_name, question_set=question_set.name if question_set else "")
    rows = answer_file_parse(
        file_name=file_name,
        content=content,
        default_producer=producer,
        default_revision=revision,
        report=report,
    )
    # Match even the rows of a file with errors, so one upload lists every problem.
    matched = _answer_rows_match(rows=rows, question_set=question_set, report=report)
    if not report.ok:
        report.errors.sort(key=lambda issue: issue.row or 0)
        return report
    created = existing = 0
    producers = set()
    with transaction.atomic():
        groups: dict[tuple, list] = {}
        for row, question_id in matched:
            groups.setdefault((row.producer, row.revision), []).append((row, question_id))
        for (name, rev), members in groups.items():
            params_groups: dict[str, list] = {}
            for row, question_id in members:
                params_groups.setdefault(repr(sorted(row.parameters.items())), []).append((row, question_id))
            prod = producer_get_or_create(name=name, revision=rev)
            producers.add(prod.label)
            for group in params_groups.values():
                result = _answers_write(
                    rows=[(qid, row.answer) for row, qid in group],
                    producer=prod,
                    parameters=group[0][0].parameters,
                    job=None,
                    origin=Answer.Origin.IMPORT,
                )
                created += len(result.created)
                existing += result.existing
        report.counts = {
            "answers_created": created,
            "answers_existing": existing,
            "producers": sorted(producers),
        }
        audit_record(actor=actor, action="equity.answers_import", obj=question_set, details=report.as_dict())
    return report


def _answer_rows_match(*, rows, question_set, report) -> list[tuple]:
    """(row, question id) for each row whose question is found; the others are reported by row."""
    sets_by_name = {s.name.casefold(): s for s in QuestionSet.objects.all()}
    ids = {r.question_id for r in rows if r.question_id is not None}
    questions_by_id = {
        q.id: q.question_set_id for q in Question.objects.filter(id__in=ids).only("id", "question_set")
    }
    hashes = {text_hash(r.question) for r in rows if r.question_id is None}
    by_hash: dict[str, list[tuple[int, int]]] = {}
    for qid, set_id, digest in Question.objects.filter(text_hash__in=hashes).values_list(
        "id", "question_set_id", "text_hash"
    ):
        by_hash.setdefault(digest, []).append((qid, set_id))
    names = {s.id: s.name for s in sets_by_name.values()}
    matched = []
    for row in rows:
        scope = question_set
        if scope is None and row.set_name:
            scope = sets_by_name.get(row.set_name.casefold())
            if scope is None:
                report.error(row.row, f'No question set is called "{row.set_name}".', "set")
                continue
        if row.question_id is not None:
            set_id = questions_by_id.get(row.question_id)
            if set_id is None:
                report.error(row.row, f"No question has id {row.question_id}.", "question_id")
            elif scope is not None and set_id != scope.id:
                report.error(
                    row.row,
                    f"Question {row.question_id} is in {names[set_id]}, not in {scope.name}.",
                    "question_id",
                )
            else:
                matched.append((row, row.question_id))
            continue
        candidates = by_hash.get(text_hash(row.question), [])
        if scope is not None:
            candidates = [c for c in candidates if c[1] == scope.id]
        if not candidates:
            where = f" in {scope.name}" if scope else ""
            report.error(row.row, f'No question{where} has this text: "{row.question[:80]}".', "question")
        elif len(candidates) > 1:
            in_sets = ", ".join(sorted(names[s] for _, s in candidates))
            report.error(
                row.row,
                f"This question is in several sets ({in_sets}); add a `set` column or choose the set.",
                "question",
            )
        else:
            matched.append((row, candidates[0][0]))
    return matched
