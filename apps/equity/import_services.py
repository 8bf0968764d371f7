"""The equity imports: a release question file into a set, an answer file into answers.

Each file is read twice (`imports.py`, streaming): the check pass reports every problem by row and
writes nothing when there is one; the write pass runs in one transaction, in chunks, holding a lock on
the question set so that two imports into the same set cannot interleave. Re-importing a file creates
nothing new (questions are unique per set by text hash, pairs by their two questions, answers by question
+ producer + text hash). `file` is a binary file at its start that can be read again after a seek (an
upload, an open file, a BytesIO).
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from apps.core.services import audit_record
from apps.equity.counterfactual import attribute_detect
from apps.equity.imports import Report, answer_rows, question_file_check, question_rows
from apps.equity.lexicon import IdentityLexicon
from apps.equity.models import Answer, CounterfactualPair, Question, QuestionSet, text_hash, text_normalise
from apps.equity.release import (
    RELEASE_LICENCE,
    RELEASE_PREFIXES,
    RELEASE_PROVENANCE,
    RELEASE_SETS,
    kind_from_file,
    set_name_from_file,
)
from apps.equity.services import answers_write, producer_get_or_create

_CHUNK = 1000  # rows matched or written per round of queries


def _chunks(rows: Iterable, size: int = _CHUNK) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _rewound(file):
    file.seek(0)
    return file


# ---------------------------------------------------------------------------------------------------
# Question files


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
    *, file_name: str, file, set_name: str = "", kind: str | None = None, actor=None
) -> Report:
    """Import a release-shaped question file into the set `set_name` (default: named after the file).

    Returns the report; `report.ok` is False when nothing was written. Counts: questions_created,
    questions_existing, pairs_created, pairs_existing."""
    report = Report(file_name=file_name)
    name = text_normalise(set_name) or set_name_from_file(file_name)
    if not name:
        report.error(None, "Cannot derive a set name from the file name.", fix="Name the set.")
        return report
    report.question_set = name
    if kind is not None and kind not in QuestionSet.Kind.values:
        report.error(None, f'Unknown kind "{kind}"; use single or counterfactual.', "kind")
        return report
    existing = QuestionSet.objects.filter(name=name).first()
    kind = kind or kind_from_file(file_name) or (existing.kind if existing else None)
    checked = question_file_check(binary=_rewound(file), kind=kind, report=report)
    if existing and existing.kind != checked.kind:
        report.error(
            None,
            f'The set "{name}" holds {existing.get_kind_display().lower()}; this file has '
            f"{QuestionSet.Kind(checked.kind).label.lower()}.",
            fix="Import it under another set name.",
        )
    if not report.ok:
        report.sort()
        return report
    with transaction.atomic():
        question_set = _set_for_import(name=name, kind=checked.kind, file_name=file_name)
        rows = question_rows(binary=_rewound(file), checked=checked)
        _question_rows_write(question_set=question_set, rows=rows, report=report)
        audit_record(
            actor=actor, action="equity.questions_import", obj=question_set, details=report.as_dict()
        )
    return report


def _question_rows_write(*, question_set: QuestionSet, rows, report: Report) -> None:
    """Write the rows into the (locked) set, a chunk at a time; the counts go to the report."""
    lexicon = IdentityLexicon.load()
    pairs = question_set.kind == QuestionSet.Kind.COUNTERFACTUAL
    by_hash = dict(Question.objects.filter(question_set=question_set).values_list("text_hash", "id"))
    before = set(by_hash)
    existing_pairs = set(question_set.pairs.values_list("question_a_id", "question_b_id")) if pairs else set()
    next_position = (question_set.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    pair_position = (question_set.pairs.aggregate(m=Max("position"))["m"] or 0) + 1
    created = pair_rows = pairs_created = 0
    matched_before: set[str] = set()
    for chunk in _chunks(rows):
        new_questions: dict[str, Question] = {}
        for row in chunk:
            for text in row.texts:
                digest = text_hash(text)
                if digest in before:
                    matched_before.add(digest)
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
        created += len(new_questions)
        if not pairs:
            continue
        new_pairs = []
        for row in chunk:
            a_text, b_text = row.texts
            key = (by_hash[text_hash(a_text)], by_hash[text_hash(b_text)])
            pair_rows += 1
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
        pairs_created += len(new_pairs)
    report.counts = {"questions_created": created, "questions_existing": len(matched_before)}
    if pairs:
        report.counts["pairs_created"] = pairs_created
        report.counts["pairs_existing"] = pair_rows - pairs_created


# ---------------------------------------------------------------------------------------------------
# Answer files


def answers_import(
    *,
    file_name: str,
    file,
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
    sets_by_name = {s.name.casefold(): s for s in QuestionSet.objects.all()}

    def matched_rows(check: Report):
        rows = answer_rows(
            binary=_rewound(file),
            file_name=file_name,
            default_producer=producer,
            default_revision=revision,
            report=check,
        )
        for chunk in _chunks(rows):
            # Even the rows of a file with errors are matched, so that one upload lists every problem.
            yield from _answer_rows_match(
                rows=chunk, question_set=question_set, report=check, sets=sets_by_name
            )

    for _ in matched_rows(report):
        pass
    if not report.ok:
        report.sort()
        return report
    created = existing = 0
    producers = set()
    with transaction.atomic():
        for chunk in _chunks(matched_rows(Report())):
            groups: dict[tuple, list] = {}
            for row, question_id in chunk:
                key = (row.producer, row.revision, repr(sorted(row.parameters.items())))
                groups.setdefault(key, []).append((row, question_id))
            for (name, rev, _), group in groups.items():
                prod = producer_get_or_create(name=name, revision=rev)
                producers.add(prod.label)
                result = answers_write(
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


def _answer_rows_match(*, rows, question_set, report, sets: dict) -> list[tuple]:
    """(row, question id) for each row whose question is found; the others are reported by row."""
    ids = {r.question_id for r in rows if r.question_id is not None}
    questions_by_id = dict(Question.objects.filter(id__in=ids).values_list("id", "question_set_id"))
    hashes = {text_hash(r.question) for r in rows if r.question_id is None}
    by_hash: dict[str, list[tuple[int, int]]] = {}
    for qid, set_id, digest in Question.objects.filter(text_hash__in=hashes).values_list(
        "id", "question_set_id", "text_hash"
    ):
        by_hash.setdefault(digest, []).append((qid, set_id))
    names = {s.id: s.name for s in sets.values()}
    matched = []
    for row in rows:
        scope = question_set
        if scope is None and row.set_name:
            scope = sets.get(row.set_name.casefold())
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
                f"This question is in several sets ({in_sets}).",
                "question",
                fix="Add a `set` column or choose the set.",
            )
        else:
            matched.append((row, candidates[0][0]))
    return matched
