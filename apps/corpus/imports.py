"""Reading and checking corpus files (CSV, TSV, JSON Lines); no database writes here.

`RowReader(file, spec)` streams a binary file and yields one `ParsedRow` per data row: the values the
import would write, or the problems that stop it (`apps.core.imports.ImportProblem`s). It never holds the
whole file in memory, so the import (`import_services.py`) runs it twice (check everything, then write)
over files of any size.

Row numbers are what a person sees: in CSV/TSV the header is row 1 and the first data row is row 2 (as in
a spreadsheet, a quoted cell spanning several lines is still one row); in JSON Lines the row is the line.
Each problem also names the physical line where the row starts.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings

from apps.core.imports import ImportProblem, LineDecoder
from apps.corpus.exceptions import FileRejected
from apps.corpus.models import Split

# A 10 MB cell must be read to be reported as too long; beyond this csv gives up and the file is refused.
csv.field_size_limit(64 * 1024 * 1024)

MAX_TEXT_CHARS = settings.EQUITEXT_MAX_TEXT_CHARS  # original / simplified / annotation
MAX_LENGTHS = {"document": 300, "url": 500, "topic": 100, "source": 200}

FORMATS = {"csv": ",", "tsv": "\t", "jsonl": None}
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

SPLIT_ALIASES = {
    "train": Split.TRAIN,
    "training": Split.TRAIN,
    "dev": Split.DEV,
    "val": Split.DEV,
    "valid": Split.DEV,
    "validation": Split.DEV,
    "test": Split.TEST,
    "unlabelled": Split.UNLABELLED,
    "unlabeled": Split.UNLABELLED,
    "unsup": Split.UNLABELLED,
    "unsupervised": Split.UNLABELLED,
}

# Presets: for each target field, the column names accepted (matched ignoring case and surrounding spaces).
PRESETS = {
    "simpledc": {
        "label": "SimpleDC-style (original / simplified columns)",
        "required": ["original"],
        "columns": {
            "original": ["original", "original_text", "complex", "source_text", "text"],
            "simplified": ["simplified", "simplified_text", "simple", "target", "plain"],
            "document": ["document", "document_title", "title", "doc", "doc_id", "page"],
            "url": ["url", "document_url", "link"],
            "topic": ["topic", "document_topic", "cancer_type"],
            "split": ["split"],
            "source": ["source", "source_name", "publisher"],
        },
    },
    "medeasi": {
        "label": "Med-EASi (Expert / Simple / Annotation)",
        "required": ["original", "simplified"],
        "columns": {
            "original": ["expert"],
            "simplified": ["simple"],
            "annotation": ["annotation"],
            "split": ["split"],
        },
        "keep_other_columns": True,  # similarity, compression ratio, FKGL, ARI: kept with the annotation
    },
    "mapping": {"label": "Other shape: map the columns yourself", "required": ["original"], "columns": {}},
}
MAX_SEEN_COLUMNS = 200  # the JSON keys a reader remembers for the preview
MAPPABLE = ["original", "simplified", "document", "url", "topic", "split", "source", "annotation"]


def import_presets_described() -> list[dict]:
    """Every preset with, per field, the column names it accepts (the import page lists them all, so a
    column such as `text` being read as the original is never a surprise) and the split names."""
    described = []
    for key, preset in PRESETS.items():
        if key == "mapping":
            continue
        described.append(
            {
                "key": key,
                "label": preset["label"],
                "fields": [
                    {"field": target, "columns": aliases, "required": target in preset["required"]}
                    for target, aliases in preset["columns"].items()
                ],
                "keeps_other_columns": bool(preset.get("keep_other_columns")),
            }
        )
    return described


def split_names() -> dict[str, list[str]]:
    """Split → the names a split column may use for it."""
    names: dict[str, list[str]] = {}
    for name, split in SPLIT_ALIASES.items():
        names.setdefault(split, []).append(name)
    return names


@dataclass
class ImportSpec:
    format: str
    preset: str
    mapping: dict[str, str] = field(default_factory=dict)  # target field → column (preset "mapping")
    default_split: str = Split.UNLABELLED
    default_source: str = "Imported"
    default_document: str = "Imported document"


@dataclass
class ParsedRow:
    row: int
    line: int
    values: dict = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # target field → the file's name for its column

    def problem(self, message: str, target: str = "", *, fix: str = "") -> None:
        """Record a problem of this row; `target` is the field it concerns (its column is named)."""
        self.problems.append(
            ImportProblem(
                self.row, message, field=target, column=self.labels.get(target), line=self.line, fix=fix
            )
        )

    def has_problem_with(self, target: str) -> bool:
        return any(p.field == target for p in self.problems)


def format_for(file_name: str, explicit: str = "") -> str:
    if explicit:
        if explicit not in FORMATS:
            raise FileRejected(f"Unknown format {explicit!r}; use csv, tsv or jsonl.")
        return explicit
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise FileRejected(
            f"Cannot tell the format of {file_name!r}; name it .csv, .tsv or .jsonl, or pick one."
        )
    return EXTENSIONS[suffix]


UTF8_FIX = "Save the file as UTF-8."


# ---- reading -------------------------------------------------------------------------------------------


class RowReader:
    """Iterating yields a ParsedRow for each data row of `binary` (a file opened in binary mode, at its
    start); `bytes_read` tells how far it got. Raises FileRefused (FileRejected, or the decoder's refusal
    of a UTF-16 file) for problems of the whole file."""

    def __init__(self, binary, spec: ImportSpec):
        self.lines = LineDecoder(binary)
        self.spec = spec
        # What the file has, as far as it was read: its columns (header, or JSON keys in first-seen
        # order) and, per target field, the column that feeds it (the import preview shows both).
        self.seen: dict = {"columns": {}, "fields": {}}  # columns: an ordered set (dict keys)

    @property
    def bytes_read(self) -> int:
        return self.lines.bytes_read

    def __iter__(self):
        if self.spec.format == "jsonl":
            return _read_jsonl(self.lines, self.spec, self.seen)
        return _read_delimited(self.lines, self.spec, self.seen)


def _wanted_columns(spec: ImportSpec) -> dict[str, list[str]]:
    """Target field → accepted column names (lower case) for this spec."""
    if spec.preset == "mapping":
        wanted = {
            f: [c.strip().lower()] for f, c in spec.mapping.items() if f in MAPPABLE and c and c.strip()
        }
        if "original" not in wanted:
            raise FileRejected("Choose the column that holds the original text (mapping for “original”).")
        return wanted
    return PRESETS[spec.preset]["columns"]


def _column_lookup(spec: ImportSpec, header: list[str]) -> dict[str, int]:
    """Target field → column index, checking required columns. Raises FileRejected naming what is missing."""
    names = [h.strip().lower() for h in header]
    preset = PRESETS[spec.preset]
    wanted = _wanted_columns(spec)
    found = {}
    for target, aliases in wanted.items():
        for alias in aliases:
            if alias in names:
                found[target] = names.index(alias)
                break
    shown = ", ".join(repr(h) for h in header) or "none"
    for target in preset["required"]:
        if target not in found:
            expected = " or ".join(repr(a) for a in wanted[target])
            raise FileRejected(
                f"Missing column {expected} (for the {target} text). The header has: {shown}.", line=1
            )
    if spec.preset == "mapping":
        for target, aliases in wanted.items():
            if target not in found:
                raise FileRejected(
                    f"Column {aliases[0]!r} (mapped to {target}) is not in the header: {shown}.", line=1
                )
    return found


def _read_delimited(lines: LineDecoder, spec: ImportSpec, seen: dict):
    reader = csv.reader(iter(lines), delimiter=FORMATS[spec.format], strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)  # leading blank lines
    except csv.Error as exc:
        raise FileRejected(f"The header cannot be read: {exc}.", line=reader.line_num) from None
    if header is None:
        raise FileRejected("The file is empty: expected a header row and at least one data row.")
    if lines.bad_lines:
        raise FileRejected(
            f"The header row is not valid UTF-8: {next(iter(lines.bad_lines.values()))}; save the file "
            "as UTF-8.",
            line=1,
        )
    columns = _column_lookup(spec, header)
    labels = {target: header[index].strip() for target, index in columns.items()}
    seen["columns"], seen["fields"] = dict.fromkeys(cell.strip() for cell in header), labels
    keep_other = PRESETS[spec.preset].get("keep_other_columns")
    used = set(columns.values())
    row_number = 1
    last_line = reader.line_num
    any_row = False
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileRejected(
                f"Row {row_number + 1} (line {last_line + 1}) cannot be read as {spec.format.upper()}: "
                f"{exc}. Check its quotes; nothing was imported.",
                line=last_line + 1,
            ) from None
        first_line, last_line = last_line + 1, reader.line_num
        if not cells or not any(cell.strip() for cell in cells):
            continue  # blank line
        row_number += 1
        any_row = True
        parsed = ParsedRow(row=row_number, line=first_line, labels=labels)
        for line in range(first_line, last_line + 1):
            if line in lines.bad_lines:
                parsed.problem(lines.bad_lines[line], fix=UTF8_FIX)
        if len(cells) != len(header):
            parsed.problem(
                f"the row has {len(cells)} cells but the header has {len(header)}", fix="Check its quotes."
            )
        raw = {target: cells[index] if index < len(cells) else "" for target, index in columns.items()}
        extra = {}
        if keep_other:
            extra = {header[i].strip(): c for i, c in enumerate(cells) if i < len(header) and i not in used}
        _check_values(parsed, raw, labels, spec, extra)
        yield parsed
    if not any_row:
        raise FileRejected("The file has a header but no data rows.")


def _read_jsonl(lines: LineDecoder, spec: ImportSpec, seen: dict):
    wanted = _wanted_columns(spec)
    any_row = False
    for text in lines:
        number = lines.number
        if not text.strip():
            continue
        any_row = True
        parsed = ParsedRow(row=number, line=number)
        if number in lines.bad_lines:
            parsed.problem(lines.bad_lines[number], fix=UTF8_FIX)
            yield parsed
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            parsed.problem(
                f"not valid JSON ({exc.msg} at character {exc.colno})", fix="Each line must be one object."
            )
            yield parsed
            continue
        if not isinstance(record, dict):
            parsed.problem('each line must be a JSON object like {"original": …, "simplified": …}')
            yield parsed
            continue
        keys = {str(k).strip().lower(): k for k in record}
        raw, labels = {}, parsed.labels
        for target, aliases in wanted.items():
            for alias in aliases:
                if alias in keys:
                    raw[target], labels[target] = record[keys[alias]], keys[alias]
                    break
        if len(seen["columns"]) < MAX_SEEN_COLUMNS:
            seen["columns"].update(dict.fromkeys(map(str, record)))
        for target, key in labels.items():
            seen["fields"].setdefault(target, str(key))
        for target in PRESETS[spec.preset]["required"]:
            if target not in raw:
                expected = " or ".join(repr(a) for a in wanted[target])
                parsed.problem(f"no {expected} key (the {target} text)", target)
        for target, value in list(raw.items()):
            if value is None:
                raw[target] = ""
            elif not isinstance(value, str):
                parsed.problem(f"{labels[target]!r} must be text, not {type(value).__name__}", target)
                raw[target] = ""
        extra = {}
        if PRESETS[spec.preset].get("keep_other_columns"):
            extra = {k: v for k, v in record.items() if k not in labels.values()}
        _check_values(parsed, raw, labels, spec, extra)
        yield parsed
    if not any_row:
        raise FileRejected("The file is empty: expected one JSON object per line.")


def _check_values(parsed: ParsedRow, raw: dict, labels: dict, spec: ImportSpec, extra: dict) -> None:
    """Fill parsed.values from the raw cells, recording every problem with the column it concerns."""
    values = {}
    for target in ("original", "simplified", "annotation"):
        value = (raw.get(target) or "").strip()
        if len(value) > MAX_TEXT_CHARS:
            parsed.problem(
                f"{labels[target]!r} has {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,} "
                "(EQUITEXT_MAX_TEXT_CHARS)",
                target,
                fix="Shorten or split it.",
            )
            value = ""
        values[target] = value
    for target, limit in MAX_LENGTHS.items():
        value = " ".join((raw.get(target) or "").split())
        if len(value) > limit:
            parsed.problem(f"{labels[target]!r} has {len(value):,} characters; the limit is {limit}", target)
        values[target] = value[:limit]
    if values["url"] and not re.match(r"https?://", values["url"], re.IGNORECASE):
        # Shown as a link on the document page: only web addresses, never javascript: or data: URLs.
        parsed.problem(f"{labels['url']!r} must be a web address starting with http:// or https://", "url")
        values["url"] = ""

    split_text = (raw.get("split") or "").strip().lower()
    if split_text:
        split = SPLIT_ALIASES.get(split_text)
        if split is None:
            parsed.problem(
                f"unknown split {raw['split'].strip()!r}", "split", fix="Use train, dev, test or unlabelled."
            )
    else:
        split = spec.default_split
    values["split"] = split or Split.UNLABELLED

    if "original" in labels and not values["original"] and not parsed.has_problem_with("original"):
        parsed.problem(f"{labels['original']!r} is empty: every row needs the original text", "original")
    if not values["simplified"] and values["split"] != Split.UNLABELLED and "simplified" in labels:
        if not parsed.has_problem_with("simplified"):
            parsed.problem(
                f"{labels['simplified']!r} is empty; a {values['split']} pair needs its simplified text "
                "(originals without one belong in the unlabelled split)",
                "simplified",
            )
    if "simplified" not in labels and values["split"] != Split.UNLABELLED:
        parsed.problem(
            "there is no simplified text, so the row can only go to the unlabelled split, "
            f"not {values['split']}",
        )

    values["document"] = values["document"] or spec.default_document
    values["source"] = values["source"] or spec.default_source
    annotation = {}
    if values.pop("annotation"):
        try:
            annotation = {"raw": raw["annotation"].strip(), "edits": parse_edit_annotation(raw["annotation"])}
        except ValueError as exc:
            parsed.problem(f"{labels['annotation']!r}: {exc}", "annotation")
    if extra:
        annotation["columns"] = extra
    values["annotation"] = annotation
    parsed.values = values


# ---- Med-EASi edit annotation --------------------------------------------------------------------------

EDIT_TAGS = {
    "del": "deletion",
    "ins": "insertion",
    "add": "insertion",
    "rep": "replacement",
    "elab": "elaboration",
    "exp": "explanation",
}
_TAG = re.compile(r"<(/?)([a-z]+)>", re.IGNORECASE)


def parse_edit_annotation(text: str) -> list[dict]:
    """The edits of a Med-EASi annotation, in order: `<rep>X<by>Y</rep>`, `<elab>X<by>Y</elab>`,
    `<del>X</del>`, `<ins>X</ins>` (…) → [{"type", "tag", "text", "by", "start"}], where `start` is the
    character offset of the edit in the annotation with every tag removed. Raises ValueError naming the
    first tag that is unknown, unclosed or misplaced."""
    edits, plain_length, position, open_tag = [], 0, 0, None
    current = {}
    for match in _TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2).lower()
        between = text[position : match.start()]
        position = match.end()
        if open_tag is None:
            plain_length += len(between)
        elif "by" in current:
            current["by"] += between
        else:
            current["text"] += between
        where = f"at character {match.start() + 1}"
        if name == "by" and not closing:
            if open_tag is None or "by" in current:
                raise ValueError(f"<by> {where} is outside an edit tag or repeated")
            current["by"] = ""
            continue
        if name not in EDIT_TAGS:
            raise ValueError(f"unknown tag <{'/' if closing else ''}{name}> {where}")
        if not closing:
            if open_tag is not None:
                raise ValueError(f"<{name}> {where} opens inside <{open_tag}>, which is not closed yet")
            open_tag = name
            current = {"type": EDIT_TAGS[name], "tag": name, "text": "", "start": plain_length}
            continue
        if open_tag != name:
            raise ValueError(f"</{name}> {where} closes a tag that is not open")
        current["text"] = current["text"].strip()
        if "by" in current:
            current["by"] = current["by"].strip()
        plain_length += len(current["text"])
        edits.append(current)
        open_tag, current = None, {}
    if open_tag is not None:
        raise ValueError(f"<{open_tag}> is never closed")
    return edits
