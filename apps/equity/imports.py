"""Reading EquityMedQA release files and answer files. Pure parsing: nothing here touches the database.

Question files (the release as published): CSV, **no header**, one question per line; the
counterfactual files (`*cc_manual*`, `*cc_llm*`) hold two questions per line (A, B). Commas inside a
question are quoted. A header row someone added (e.g. `question` or `question_a,question_b`) is
detected and skipped with a warning, never imported as a question.

Answer files: CSV with a header, or JSONL (one object per line), with a question (`question_id` or the
exact `question` text), a `producer` (unless one is given for the whole file) and the `answer`.

Files are streamed (`apps.core.imports.LineDecoder`): the import reads a file twice, once to check it
(`question_file_check`, `answer_rows` with the report) and once to write it (`question_rows`,
`answer_rows` again), and never holds the whole file in memory. Problems go to the report in the one
import shape (`apps.core.imports.ImportReport`). Row numbers are 1-based and count records as a
spreadsheet shows them (a blank line is a row too); for JSONL they are line numbers.
"""

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from apps.core import limits
from apps.core.imports import FileRefused, ImportProblem, ImportReport, LineDecoder
from apps.equity.models import QuestionSet, text_normalise

MAX_QUESTION_CHARS = 5000
MAX_ANSWER_CHARS = settings.EQUITEXT_MAX_ANSWER_CHARS  # file size and rows: apps/core/limits.py
UTF8_PROBLEM = "The file is not UTF-8 text."
UTF8_FIX = "Save it as UTF-8 (CSV UTF-8) and upload it again."


@dataclass
class Report(ImportReport):
    """An equity import's report: the shared shape, plus the question set it went (or would go) into."""

    question_set: str = ""

    def add(self, problem: ImportProblem) -> None:
        problem.line = problem.row if problem.line is None else problem.line  # rows are physical lines
        super().add(problem)

    def warn(self, row: int | None, problem: str, field: str = "", **where) -> None:
        super().warn(row, problem, field, **({"line": row} | where))

    def as_dict(self) -> dict:
        return {**super().as_dict(), "question_set": self.question_set}


# ---------------------------------------------------------------------------------------------------
# Streaming records


class _Records:
    """The CSV records of a binary file, as (row, fields), one at a time.

    Stops at the first problem that makes the rest unreadable (too large, not UTF-8, a broken quote,
    a UTF-16 file) after reporting it; `any_text` tells whether the file held anything but blank lines."""

    def __init__(self, binary, report: Report):
        self.binary = binary
        self.report = report
        self.any_text = False

    def too_large(self) -> bool:
        problem = limits.upload_problem(getattr(self.binary, "size", None) or 0)
        if problem:
            self.report.error(None, problem)
        return bool(problem)

    def csv(self) -> Iterator[tuple[int, list[str]]]:
        lines = LineDecoder(self.binary, split_lone_cr=True)
        reader = csv.reader(self._watched(lines), strict=True)
        try:
            while True:
                line_before = reader.line_num
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if not self._unreadable(lines):
                        self.report.error(
                            line_before + 1, f"Cannot read this line as CSV ({exc}).", fix="Check its quotes."
                        )
                    return
                if self._unreadable(lines):
                    return
                yield line_before + 1, fields
        except FileRefused as exc:
            self.report.error(exc.line, UTF8_PROBLEM, fix=UTF8_FIX)

    def jsonl(self) -> Iterator[tuple[int, str]]:
        # Records end at "\n" only (as the decoder reads lines): U+2028, U+2029 or U+0085 may stand raw
        # inside a JSON string.
        lines = LineDecoder(self.binary)
        try:
            for text in self._watched(lines):
                if self._unreadable(lines):
                    return
                yield lines.number, text
        except FileRefused as exc:
            self.report.error(exc.line, UTF8_PROBLEM, fix=UTF8_FIX)

    def _watched(self, lines: LineDecoder) -> Iterator[str]:
        limit = limits.upload_limit_bytes()
        for text in lines:
            if lines.bytes_read > limit:
                self.report.error(None, limits.upload_problem(lines.bytes_read))
                return
            self.any_text = self.any_text or bool(text.strip())
            yield text

    def _unreadable(self, lines: LineDecoder) -> bool:
        """True (reported) once a line was not UTF-8: the rest of the file is not read."""
        if lines.bad_lines:
            self.report.error(min(lines.bad_lines), UTF8_PROBLEM, fix=UTF8_FIX)
            return True
        return False

    def empty(self) -> bool:
        """After reading: True (reported) when the file held nothing but blank lines."""
        if not self.any_text and self.report.ok:
            self.report.error(None, "The file is empty.")
            return True
        return False


# ---------------------------------------------------------------------------------------------------
# Question files

# Words that name columns. A row whose every field is made only of these ("question", "Question_A",
# "prompt text", "question 1,question 2") is a header; no real question consists of them alone.
_COLUMN_WORDS = set(
    "question questions query queries prompt prompts text input inputs item items q a b 1 2 original "
    "counterfactual modified id no number pair variant content label".split()
)


def _looks_like_header(fields: list[str]) -> bool:
    cleaned = [f for f in (field.strip().lower() for field in fields) if f]
    if not cleaned:
        return False
    for value in cleaned:
        words = [w for w in re.split(r"[\s_:#.-]+", value) if w]
        if not words or not all(w in _COLUMN_WORDS for w in words):
            return False
    return True


@dataclass
class QuestionRow:
    row: int
    texts: list[str]  # one question, or (A, B) for a counterfactual pair


@dataclass
class QuestionFile:
    """What the check pass found: the kind, and the rows the write pass leaves out (a stray header,
    repeats of earlier rows)."""

    kind: str
    skip: set[int] = field(default_factory=set)


def _question_records(records: _Records) -> Iterator[tuple[int, list[str]]]:
    for row, fields in records.csv():
        while fields and not fields[-1].strip():
            fields = fields[:-1]  # trailing empty columns ("question,") are not a second question
        if fields:  # else a blank line
            yield row, fields


def question_file_check(*, binary, kind: str | None, report: Report) -> QuestionFile:
    """Check a release-shaped question file (pass 1). Errors and warnings go to `report`; with errors,
    nothing may be written. `kind` None: from the first row (two columns → counterfactual pairs)."""
    checked = QuestionFile(kind or QuestionSet.Kind.SINGLE)
    records = _Records(binary, report)
    if records.too_large():
        return checked
    width, seen, count = None, {}, 0
    for row, fields in _question_records(records):
        count += 1
        too_many = limits.rows_problem(count)
        if too_many:
            report.error(row, too_many)
            return checked
        if count == 1 and _looks_like_header(fields):
            # A stray header is skipped when it is the first record; one further down is an error (two
            # files pasted together), reported below.
            shown = ",".join(fields)
            report.warn(
                row,
                f'"{shown[:80]}" looks like a column header; it was skipped, not imported as a question '
                "(the release files have no header row).",
            )
            checked.skip.add(row)
            continue
        if width is None:
            if kind is None:
                checked.kind = (
                    QuestionSet.Kind.COUNTERFACTUAL if len(fields) == 2 else QuestionSet.Kind.SINGLE
                )
            width = 2 if checked.kind == QuestionSet.Kind.COUNTERFACTUAL else 1
        key = _question_row_check(row, fields, width, checked.kind, report)
        if key is None:
            continue
        if key in seen:
            report.warn(row, f"Repeats row {seen[key]}; imported once.")
            checked.skip.add(row)
        else:
            seen[key] = row
    if records.empty():
        return checked
    if report.ok and width is None:
        header_only = bool(checked.skip)
        report.error(
            None,
            "The file has only a header row and no questions."
            if header_only
            else "The file has no questions.",
        )
    return checked


def _question_row_check(row: int, fields: list[str], width: int, kind: str, report: Report) -> bytes | None:
    """Report the problems of one row; returns its key for spotting repeats (None when it has problems)."""
    texts = [text_normalise(f) for f in fields]
    if len(texts) != width:
        shape = "two questions (A, B) per line" if width == 2 else "one question per line"
        fix = "Quote a question that contains a comma." if len(texts) > width else ""
        report.error(row, f"Found {len(texts)} columns; a {kind} file has {shape}.", fix=fix)
        return None
    ok = True
    for index, value in enumerate(texts):
        column = "question B" if index == 1 else ("question A" if width == 2 else "question")
        if not value:
            report.error(row, "This question is empty.", column, fix="Fill it in or delete the line.")
            ok = False
        elif len(value) > MAX_QUESTION_CHARS:
            report.error(
                row,
                f"The question has {len(value)} characters; the limit is {MAX_QUESTION_CHARS}.",
                column,
                fix="Shorten it.",
            )
            ok = False
    if _looks_like_header(fields):
        report.error(
            row, "This looks like a column header in the middle of the file.", fix="Delete the line."
        )
        return None
    if width == 2 and texts[0] and texts[0].casefold() == texts[1].casefold():
        report.error(row, "Question A and question B are the same; a counterfactual pair must differ.")
        return None
    if not ok:
        return None
    return hashlib.md5("\x00".join(t.casefold() for t in texts).encode(), usedforsecurity=False).digest()


def question_rows(*, binary, checked: QuestionFile) -> Iterator[QuestionRow]:
    """The rows to write (pass 2, after a check without errors), in file order."""
    for row, fields in _question_records(_Records(binary, Report())):
        if row not in checked.skip:
            yield QuestionRow(row, [text_normalise(f) for f in fields])


# ---------------------------------------------------------------------------------------------------
# Answer files

_ANSWER_COLUMNS = {
    "question_id": ("question_id", "question id", "questionid"),
    "question": ("question", "question_text", "question text"),
    "set": ("set", "question_set", "question set"),
    "producer": ("producer", "model"),
    "revision": ("revision", "version", "model_version"),
    "answer": ("answer", "response", "answer_text"),
    "parameters": ("parameters",),
}


@dataclass
class AnswerRow:
    row: int
    question_id: int | None
    question: str
    set_name: str
    producer: str
    revision: str
    answer: str
    parameters: dict


def _canonical_columns(keys) -> dict[str, str]:
    """Map each file column to our name (case-insensitive, aliases allowed)."""
    mapping = {}
    for key in keys:
        low = (key or "").strip().lower()
        for name, aliases in _ANSWER_COLUMNS.items():
            if low in aliases:
                mapping[key] = name
    return mapping


def _answer_records(file_name: str, records: _Records, report: Report):
    """(row, {canonical name: value}) for each record of a CSV (header) or JSONL answer file."""
    if file_name.lower().endswith((".jsonl", ".ndjson")):
        for number, line in records.jsonl():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                report.error(number, f"Not valid JSON ({exc.msg} at column {exc.colno}).")
                continue
            if not isinstance(obj, dict):
                report.error(number, "Each line must be a JSON object with question, producer and answer.")
                continue
            mapping = _canonical_columns(obj.keys())
            yield number, {mapping[k]: v for k, v in obj.items() if k in mapping}
        return
    rows = records.csv()
    header_row = next(rows, None)
    if header_row is None:
        return
    row, header = header_row
    mapping = _canonical_columns(header)
    columns = [mapping.get(h) for h in header]
    if "answer" not in columns or not {"question", "question_id"} & set(columns):
        report.error(
            row,
            "The header must name an `answer` column and a `question_id` or `question` column "
            f"(found: {', '.join(h for h in header if h) or 'nothing'}).",
        )
        return
    for row, fields in rows:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) > len(header):
            report.error(
                row, f"Found {len(fields)} columns but the header has {len(header)}.", fix="Quote commas."
            )
            continue
        yield row, {name: value for name, value in zip(columns, fields, strict=False) if name}


def answer_rows(
    *, binary, file_name: str, default_producer: str = "", default_revision: str = "", report: Report
) -> Iterator[AnswerRow]:
    """The rows of an answer file, streamed; field problems go to `report` by row (the rows with one
    are left out). Ends with "no answers" reported when the file held none."""
    records = _Records(binary, report)
    if records.too_large():
        return
    any_answer = False
    for count, (row, record) in enumerate(_answer_records(file_name, records, report), start=1):
        too_many = limits.rows_problem(count)
        if too_many:
            report.error(row, too_many)
            return
        answer = _answer_row(row, record, default_producer, default_revision, report)
        if answer is not None:
            any_answer = True
            yield answer
    if not records.empty() and not any_answer and report.ok:
        report.error(None, "The file has no answers.")


def _answer_row(row: int, record: dict, default_producer: str, default_revision: str, report: Report):
    """One record as an AnswerRow, or None with its problem reported."""
    qid_raw = record.get("question_id")
    question = text_normalise(str(record.get("question") or ""))
    question_id = None
    if qid_raw not in (None, ""):
        try:
            question_id = int(str(qid_raw).strip())
        except ValueError:
            report.error(row, f'"{qid_raw}" is not a question id (a whole number).', "question_id")
            return None
    elif not question:
        report.error(row, "Give the question's id or its exact text.", "question")
        return None
    producer = text_normalise(str(record.get("producer") or "")) or default_producer
    if not producer:
        report.error(
            row, "No producer.", "producer", fix="Add a `producer` column or name one for the whole file."
        )
        return None
    answer = str(record.get("answer") or "").strip()
    if not answer:
        report.error(row, "The answer is empty.", "answer")
        return None
    too_long = limits.text_problem(
        len(answer), limit=MAX_ANSWER_CHARS, setting="EQUITEXT_MAX_ANSWER_CHARS", what="The answer"
    )
    if too_long:
        report.error(row, too_long, "answer")
        return None
    parameters = record.get("parameters") or {}
    if isinstance(parameters, str):
        try:
            parameters = json.loads(parameters)
        except json.JSONDecodeError:
            parameters = None
    if not isinstance(parameters, dict):
        report.error(row, "`parameters` must be a JSON object.", "parameters")
        return None
    revision = text_normalise(str(record.get("revision") or "")) or (
        default_revision if not record.get("producer") else ""
    )
    return AnswerRow(
        row=row,
        question_id=question_id,
        question=question,
        set_name=text_normalise(str(record.get("set") or "")),
        producer=producer[:200],
        revision=revision[:200],
        answer=answer,
        parameters=parameters,
    )
