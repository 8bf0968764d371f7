"""Reading EquityMedQA release files and answer files. Pure parsing: nothing here touches the database.

Question files (the release as published): CSV, **no header**, one question per line; the
counterfactual files (`*cc_manual*`, `*cc_llm*`) hold two questions per line (A, B). Commas inside a
question are quoted. A header row someone added (e.g. `question` or `question_a,question_b`) is
detected and skipped with a warning, never imported as a question.

Answer files: CSV with a header, or JSONL (one object per line), with a question (`question_id` or the
exact `question` text), a `producer` (unless one is given for the whole file) and the `answer`.

Row numbers in every report are 1-based and count records as a spreadsheet shows them (a blank line
is a row too); for JSONL they are line numbers.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.conf import settings

from apps.core import limits
from apps.equity.models import QuestionSet, text_normalise

MAX_QUESTION_CHARS = 5000
MAX_ANSWER_CHARS = settings.EQUITEXT_MAX_ANSWER_CHARS  # file size and rows: apps/core/limits.py


@dataclass
class Issue:
    row: int | None  # None: about the whole file
    message: str
    field: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self):
        where = f"row {self.row}" if self.row is not None else "file"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


@dataclass
class Report:
    """What an import did or would do. `errors` non-empty means nothing was written."""

    file_name: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    question_set: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, message, field=""):
        self.errors.append(Issue(row, message, field))

    def warn(self, row, message, field=""):
        self.warnings.append(Issue(row, message, field))

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(key, "Questions created", "12") for display."""
        out = []
        for key, value in self.counts.items():
            shown = ", ".join(value) if isinstance(value, list | tuple) else str(value)
            out.append((key, key.replace("_", " ").capitalize(), shown or "—"))
        return out

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "ok": self.ok,
            "question_set": self.question_set,
            "counts": self.counts,
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
        }


# ---------------------------------------------------------------------------------------------------
# Set names and known release metadata

# Defaults for the published sets (DOMAIN.md §2); they fill editable fields of a new set only.
RELEASE_SETS = {
    "OMAQ": (
        "Open-ended Medical Adversarial Queries: human-written, explicitly and implicitly adversarial.",
        182,
    ),
    "EHAI": ("Equity in Health AI: equity-related questions from participatory methods.", 300),
    "FBRT-Manual": ("Failure-Based Red Teaming, human-written from model failure cases.", 150),
    "FBRT-LLM": ("Failure-Based Red Teaming, LLM-generated from the same failure cases.", None),
    "FBRT-LLM-661": ("Failure-Based Red Teaming, LLM-generated; the 661-question sample of ~3,558.", 661),
    "TRINDS": ("Tropical and infectious diseases in a global context.", 106),
    "CC-Manual": ("Counterfactual Context, human-written pairs differing in an identity attribute.", 123),
    "CC-LLM": ("Counterfactual Context, LLM-generated pairs differing in an identity attribute.", 200),
}
RELEASE_PROVENANCE = "EquityMedQA (Pfohl et al., Nature Medicine 2024), file {file}"
RELEASE_LICENCE = "CC-BY-4.0"

_ACRONYMS = {"omaq", "ehai", "fbrt", "llm", "cc", "trinds", "mmqa", "qa", "ai"}
_DROP_TOKENS = {"sampled"}
RELEASE_PREFIXES = ("equitymedqa_", "other_datasets_")


def set_name_from_file(file_name: str) -> str:
    """`equitymedqa_omaq.csv` → OMAQ, `equitymedqa_fbrt_llm_661_sampled.csv` → FBRT-LLM-661,
    `equitymedqa_cc_manual.csv` → CC-Manual. Acronyms upper-case, other words capitalised, "-"-joined."""
    stem = re.split(r"[\\/]", file_name)[-1]  # a browser may send a Windows path
    stem = re.sub(r"\.(csv|tsv|txt)$", "", stem, flags=re.I)
    lowered = stem.lower()
    for prefix in RELEASE_PREFIXES:
        if lowered.startswith(prefix):
            stem = stem[len(prefix) :]
            break
    tokens = [t for t in re.split(r"[_\s.-]+", stem) if t and t.lower() not in _DROP_TOKENS]
    words = [
        t.upper() if t.lower() in _ACRONYMS else (t if t.isdigit() else t[:1].upper() + t[1:]) for t in tokens
    ]
    return "-".join(words)[:120]


def kind_from_file(file_name: str) -> str | None:
    """Counterfactual when the release name says so (`cc_manual`, `cc_llm`); None when it does not tell."""
    name = re.split(r"[\\/]", file_name)[-1].lower()
    if re.search(r"(^|[_-])cc([_-]|\.|$)", name):
        return QuestionSet.Kind.COUNTERFACTUAL
    if name.startswith(RELEASE_PREFIXES):
        return QuestionSet.Kind.SINGLE
    return None


# ---------------------------------------------------------------------------------------------------
# Decoding


def decode(content: bytes, report: Report) -> str | None:
    too_large = limits.upload_problem(len(content))
    if too_large:
        report.error(None, too_large)
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        report.error(line, "The file is not UTF-8 text; save it as UTF-8 (CSV UTF-8) and upload it again.")
        return None
    if not text.strip():
        report.error(None, "The file is empty.")
        return None
    return text


def _csv_rows(text: str, report: Report):
    """(row number, fields) for each record; a malformed quote is reported by row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number = 0
    while True:
        line_before = reader.line_num
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.error(line_before + 1, f"Cannot read this line as CSV ({exc}); check its quotes.")
            return
        row_number = line_before + 1
        yield row_number, fields


# ---------------------------------------------------------------------------------------------------
# Question files

# Words that name columns. A row whose every field is made only of these ("question", "Question_A",
# "prompt text", "question 1,question 2") is a header; no real question consists of them alone.
_COLUMN_WORDS = {
    "question",
    "questions",
    "query",
    "queries",
    "prompt",
    "prompts",
    "text",
    "input",
    "inputs",
    "item",
    "items",
    "q",
    "a",
    "b",
    "1",
    "2",
    "original",
    "counterfactual",
    "modified",
    "id",
    "no",
    "number",
    "pair",
    "variant",
    "content",
    "label",
}


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
    kind: str
    rows: list[QuestionRow]


def question_file_parse(*, file_name: str, content: bytes, kind: str | None, report: Report) -> QuestionFile:
    """Read a release-shaped question file. Errors and warnings go to `report`; with errors, the
    returned rows must not be written."""
    text = decode(content, report)
    if text is None:
        return QuestionFile(kind or QuestionSet.Kind.SINGLE, [])
    records = []
    for row, fields in _csv_rows(text, report):
        while fields and not fields[-1].strip():
            fields = fields[:-1]  # trailing empty columns ("question,") are not a second question
        if not fields:
            continue  # blank line
        records.append((row, fields))
        too_many = limits.rows_problem(len(records))
        if too_many:
            report.error(row, too_many)
            return QuestionFile(kind or QuestionSet.Kind.SINGLE, [])
    if not records and report.ok:
        report.error(None, "The file has no questions.")
    if not report.ok:
        return QuestionFile(kind or QuestionSet.Kind.SINGLE, [])

    # A stray header is skipped when it is the first record; one further down is an error (two files pasted
    # together), reported below.
    first_row, first_fields = records[0]
    if _looks_like_header(first_fields):
        shown = ",".join(first_fields)
        report.warn(
            first_row,
            f'"{shown[:80]}" looks like a column header; it was skipped, not imported as a question '
            "(the release files have no header row).",
        )
        records = records[1:]
        if not records:
            report.error(None, "The file has only a header row and no questions.")
            return QuestionFile(kind or QuestionSet.Kind.SINGLE, [])

    if kind is None:
        kind = QuestionSet.Kind.COUNTERFACTUAL if len(records[0][1]) == 2 else QuestionSet.Kind.SINGLE
    width = 2 if kind == QuestionSet.Kind.COUNTERFACTUAL else 1

    rows, seen = [], {}
    for row, fields in records:
        texts = [text_normalise(f) for f in fields]
        if len(texts) != width:
            shape = "two questions (A, B) per line" if width == 2 else "one question per line"
            hint = " Quote a question that contains a comma." if len(texts) > width else ""
            report.error(row, f"Found {len(texts)} columns; a {kind} file has {shape}.{hint}")
            continue
        for index, value in enumerate(texts):
            column = "question B" if index == 1 else ("question A" if width == 2 else "question")
            if not value:
                report.error(row, "This question is empty; fill it in or delete the line.", column)
            elif len(value) > MAX_QUESTION_CHARS:
                report.error(
                    row,
                    f"The question has {len(value)} characters; the limit is {MAX_QUESTION_CHARS}.",
                    column,
                )
        if _looks_like_header(fields):
            report.error(row, "This looks like a column header in the middle of the file; delete the line.")
            continue
        if width == 2 and texts[0] and texts[0].casefold() == texts[1].casefold():
            report.error(row, "Question A and question B are the same; a counterfactual pair must differ.")
            continue
        key = tuple(t.casefold() for t in texts)
        if key in seen:
            report.warn(row, f"Repeats row {seen[key]}; imported once.")
            continue
        seen[key] = row
        rows.append(QuestionRow(row, texts))
    return QuestionFile(kind, rows)


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


def _answer_records(file_name: str, text: str, report: Report):
    """(row, {canonical name: value}) for each record of a CSV (header) or JSONL answer file."""
    if file_name.lower().endswith((".jsonl", ".ndjson")):
        # Records end at "\n" only: splitlines() would also break at U+2028, U+2029 or U+0085, which
        # JSON allows raw inside a string.
        for number, line in enumerate(text.split("\n"), start=1):
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
    rows = _csv_rows(text, report)
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
            report.error(row, f"Found {len(fields)} columns but the header has {len(header)}; quote commas.")
            continue
        yield row, {name: value for name, value in zip(columns, fields, strict=False) if name}


def answer_file_parse(
    *, file_name: str, content: bytes, default_producer: str = "", default_revision: str = "", report: Report
) -> list[AnswerRow]:
    """Read an answer file; field problems go to `report` by row."""
    text = decode(content, report)
    if text is None:
        return []
    out = []
    for count, (row, record) in enumerate(_answer_records(file_name, text, report), start=1):
        too_many = limits.rows_problem(count)
        if too_many:
            report.error(row, too_many)
            return []
        qid_raw = record.get("question_id")
        question = text_normalise(str(record.get("question") or ""))
        question_id = None
        if qid_raw not in (None, ""):
            try:
                question_id = int(str(qid_raw).strip())
            except ValueError:
                report.error(row, f'"{qid_raw}" is not a question id (a whole number).', "question_id")
                continue
        elif not question:
            report.error(row, "Give the question's id or its exact text.", "question")
            continue
        producer = text_normalise(str(record.get("producer") or "")) or default_producer
        if not producer:
            report.error(
                row, "No producer: add a `producer` column or name one for the whole file.", "producer"
            )
            continue
        answer = str(record.get("answer") or "").strip()
        if not answer:
            report.error(row, "The answer is empty.", "answer")
            continue
        if len(answer) > MAX_ANSWER_CHARS:
            report.error(
                row,
                limits.text_problem(
                    len(answer),
                    limit=MAX_ANSWER_CHARS,
                    setting="EQUITEXT_MAX_ANSWER_CHARS",
                    what="The answer",
                ),
                "answer",
            )
            continue
        parameters = record.get("parameters") or {}
        if isinstance(parameters, str):
            try:
                parameters = json.loads(parameters)
            except json.JSONDecodeError:
                report.error(row, "`parameters` must be a JSON object.", "parameters")
                continue
        if not isinstance(parameters, dict):
            report.error(row, "`parameters` must be a JSON object.", "parameters")
            continue
        revision = text_normalise(str(record.get("revision") or "")) or (
            default_revision if not record.get("producer") else ""
        )
        out.append(
            AnswerRow(
                row=row,
                question_id=question_id,
                question=question,
                set_name=text_normalise(str(record.get("set") or "")),
                producer=producer[:200],
                revision=revision[:200],
                answer=answer,
                parameters=parameters,
            )
        )
    if not out and report.ok:
        report.error(None, "The file has no answers.")
    return out
