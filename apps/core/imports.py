"""One shape for every import: the problems a file has, what was (or would be) written, and the answer.

Both importers (corpus files, EquityMedQA files) report through these types, so a curator reads the same
report on every page and a script parses the same body from `corpus/import/` and `equity/import/`:

- `ImportProblem`: where (row as a spreadsheet shows it, physical line, the file's column, our field)
  and what (the problem, and what to fix when that is not already obvious);
- `ImportReport`: the problems that stop the import (`errors`), notes that do not (`warnings`) and the
  counts; at most `max_problems` are kept, `problem_count` stays exact;
- `import_answer(report, …)`: the API body and status (201 written, 202 running as a job, 400 refused);
- `LineDecoder`: a binary upload as decoded lines, one at a time (constant memory), remembering which
  lines are not UTF-8;
- `FileRefused`: a file that cannot be read at all (a ServiceError, 400).

Nothing here knows a feature app: importers fill the report, this module shapes it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from rest_framework import serializers

from apps.core.errors import ServiceError

MAX_PROBLEMS = 500  # problems kept in a report; the count is always exact


@dataclass
class ImportProblem:
    """One problem of an import file. `row` None: about the whole file."""

    row: int | None
    problem: str
    field: str = ""  # the value it concerns, in our words ("split", "question", "producer")
    column: str | None = None  # the file's column as its header names it
    line: int | None = None  # the physical line where the row starts
    fix: str = ""  # what to do about it, when `problem` does not already say

    @property
    def message(self) -> str:
        """The problem and what to fix, as one text for a person."""
        if not self.fix:
            return self.problem
        text = self.problem.rstrip()
        return f"{text}{'' if text.endswith(('.', '?', '!')) else '.'} {self.fix}"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "problem": self.problem,
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportProblem":
        """The problem stored by `as_dict` (older records may lack `field` and `fix`)."""
        return cls(
            row=data.get("row"),
            problem=data.get("problem", ""),
            field=data.get("field") or "",
            column=data.get("column"),
            line=data.get("line"),
            fix=data.get("fix") or "",
        )

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        if self.field or self.column:
            where += f", {self.field or self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did or would do. With `errors`, nothing was written."""

    file_name: str = ""
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    problem_count: int = 0  # every error, also those beyond `max_problems`
    max_problems: int = MAX_PROBLEMS

    @property
    def ok(self) -> bool:
        return not self.problem_count

    def add(self, problem: ImportProblem) -> None:
        self.problem_count += 1
        if len(self.errors) < self.max_problems:
            self.errors.append(problem)

    def error(self, row: int | None, problem: str, field: str = "", **where) -> None:
        """Record a problem that stops the import (`where`: column, line, fix)."""
        self.add(ImportProblem(row, problem, field, **where))

    def warn(self, row: int | None, problem: str, field: str = "", **where) -> None:
        if len(self.warnings) < self.max_problems:
            self.warnings.append(ImportProblem(row, problem, field, **where))

    def sort(self) -> None:
        """Problems in file order (whole-file problems first)."""
        self.errors.sort(key=lambda p: p.row or 0)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(key, "Questions created", "12") for each count, for display."""
        out = []
        for key, value in self.counts.items():
            shown = ", ".join(value) if isinstance(value, list | tuple) else str(value)
            out.append((key, key.replace("_", " ").capitalize(), shown or "—"))
        return out

    def detail(self) -> str:
        """One sentence for a person: what was imported, or the first problem and how many more."""
        if self.ok:
            counts = ", ".join(f"{label.lower()} {value}" for _, label, value in self.summary)
            return f"Imported {self.file_name or 'the file'}" + (f": {counts}." if counts else ".")
        first = str(self.errors[0]).rstrip(".") if self.errors else "the file was refused"
        more = self.problem_count - 1
        return f"Nothing was imported: {first}{f' (and {more} more)' if more else ''}."

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "ok": self.ok,
            "counts": self.counts,
            "problem_count": self.problem_count,
            "errors": [problem.as_dict() for problem in self.errors],
            "warnings": [problem.as_dict() for problem in self.warnings],
        }


def import_answer(
    report: ImportReport, *, detail: str = "", as_job: bool = False, **extra
) -> tuple[dict, int]:
    """The body and status every import API answers with (`ImportReportSerializer` documents it).

    Body: `detail` (a sentence for a person), `ok`, `file_name`, `counts`, `problem_count`, `errors` and
    `warnings` (lists of problems: row, line, column, field, problem, fix), then the importer's `extra`
    fields. Status: 400 when the file was refused (nothing written), 202 when it runs as a job, else 201.
    """
    status = 400 if not report.ok else 202 if as_job else 201
    return {"detail": detail or report.detail(), **report.as_dict(), **extra}, status


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="As a spreadsheet shows it; null: the whole file"
    )
    line = serializers.IntegerField(allow_null=True, help_text="The physical line where the row starts")
    column = serializers.CharField(allow_null=True, help_text="The file's column, as its header names it")
    field = serializers.CharField(allow_blank=True, help_text="The value it concerns, e.g. split, question")
    problem = serializers.CharField()
    fix = serializers.CharField(allow_blank=True, help_text="What to do about it, when not obvious")


class ImportReportSerializer(serializers.Serializer):
    """The body of every import answer (`import_answer`); importers add their own fields."""

    detail = serializers.CharField(help_text="What happened, for a person.")
    ok = serializers.BooleanField(help_text="False: the file was refused and nothing was written.")
    file_name = serializers.CharField()
    counts = serializers.DictField(child=serializers.JSONField(), help_text="What was written (or found).")
    problem_count = serializers.IntegerField(help_text="Every problem, also those beyond the listed ones.")
    errors = ImportProblemSerializer(many=True, help_text="The problems that stopped the import.")
    warnings = ImportProblemSerializer(many=True, help_text="Notes that did not stop it (rows skipped…).")


class FileRefused(ServiceError):
    """The file as a whole cannot be read (400); `line` names the physical line when there is one."""

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        super().__init__(message)

    def problem(self) -> ImportProblem:
        return ImportProblem(None, str(self), line=self.line)


class LineDecoder:
    """The decoded lines of a binary file, read one at a time (a file of any size in constant memory).

    A UTF-8 byte-order mark is dropped; a UTF-16 file is refused (FileRefused, line 1). A line that is
    not UTF-8 is yielded with replacement characters and its problem kept in `bad_lines` (line number →
    text), so the importer can report it with its row. `number` is the last line read, `bytes_read` how
    far the file was read. With `split_lone_cr`, a lone carriage return also ends a line (old Mac files,
    as Python's universal newlines read them)."""

    def __init__(self, binary, *, split_lone_cr: bool = False):
        self.binary = binary
        self.split_lone_cr = split_lone_cr
        self.number = 0
        self.bytes_read = 0
        self.bad_lines: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        for raw in self.binary:
            self.bytes_read += len(raw)
            if self.number == 0:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise FileRefused("The file is UTF-16; save it as UTF-8 (with or without BOM).", line=1)
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            lone_cr = self.split_lone_cr and b"\r" in raw.rstrip(b"\r\n")
            parts = raw.splitlines(keepends=True) if lone_cr else (raw,)
            for part in parts:
                self.number += 1
                yield self._decode(part)

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.bad_lines[self.number] = (
                f"byte 0x{raw[exc.start]:02X} at position {exc.start + 1} of line {self.number} is not UTF-8"
            )
            return raw.decode("utf-8", errors="replace")
