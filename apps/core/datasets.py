"""Dataset folders: a zip streamed with constant memory that holds an export's files as JSON Lines, a
`README.md` written as a Hugging Face dataset card (YAML header with `configs` and their splits) and a
`manifest.json` (each file's row count, fields, filters; when it was made). `datasets.load_dataset` on
the unpacked folder reads the configs as they are (tested); each file also loads alone with
`load_dataset("json", data_files=…)`.

A feature app builds the parts (its files' rows, its card's text) and calls `dataset_response`; the
rows are read inside one REPEATABLE READ snapshot (`exports._Snapshot`), so the manifest's counts equal
the rows in the files.
"""

import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import yaml
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from apps.core.exports import PIECE_CHARS, _Snapshot

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same data gives the same bytes


@dataclass
class DataFile:
    """One JSONL file of the folder: `records` yields dicts, or `chunks` yields ready JSONL bytes."""

    path: str
    config: str
    split: str
    count: Callable[[], int]
    fields: list[str]
    records: Callable[[], Iterable[dict]] | None = None
    chunks: Callable[[], Iterable[bytes]] | None = None
    filters: dict = field(default_factory=dict)


class _Sink:
    """A write-only, unseekable file: zipfile then writes data descriptors, and we hand the bytes on."""

    def __init__(self):
        self._parts: list[bytes] = []
        self.size = 0
        self.position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self.size += len(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def card_header(*, pretty_name: str, licence: str, files: list[DataFile], tags: list[str], size: int) -> str:
    """The YAML header of a Hugging Face dataset card: configs with their splits, licence, tags."""
    configs: dict[str, list] = {}
    for data_file in files:
        configs.setdefault(data_file.config, []).append({"split": data_file.split, "path": data_file.path})
    categories = "n<1K" if size < 1_000 else "1K<n<10K" if size < 10_000 else "10K<n<100K"
    header = {
        "pretty_name": pretty_name,
        "license": licence,
        "language": ["en"],
        "tags": tags,
        "size_categories": [categories if size < 100_000 else "100K<n<1M"],
        "configs": [
            {"config_name": name, "data_files": splits, **({"default": True} if i == 0 else {})}
            for i, (name, splits) in enumerate(configs.items())
        ],
    }
    return "---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True) + "---\n"


def fields_table(fields: dict[str, str]) -> str:
    """A Markdown table of field → meaning."""
    rows = "\n".join(f"| `{name}` | {meaning} |" for name, meaning in fields.items())
    return "| field | meaning |\n|---|---|\n" + rows + "\n"


def dataset_response(
    *,
    name: str,
    files: list[DataFile],
    card: Callable[[dict[str, int]], str],
    extra: dict | None = None,
) -> StreamingHttpResponse:
    """The streamed zip `<name>.zip` holding folder `<name>/`: every file of `files`, `README.md` (from
    `card(row counts by path)`, which writes the whole card, YAML header included) and `manifest.json`.
    Rows are read in one snapshot, in ~64 KiB pieces (constant memory)."""
    snapshot = _Snapshot()
    try:
        counts = {f.path: f.count() for f in files}
        readme = card(counts)
    except BaseException as exc:
        snapshot.close(exc)
        raise
    generated = timezone.now()
    manifest = {
        "dataset": name,
        "generated_at": generated,
        "files": [
            {
                "path": f.path,
                "config": f.config,
                "split": f.split,
                "row_count": counts[f.path],
                "fields": f.fields,
                "filters": f.filters,
            }
            for f in files
        ],
        **(extra or {}),
    }
    encode = DjangoJSONEncoder(ensure_ascii=False).encode

    def lines(data_file: DataFile) -> Iterator[bytes]:
        if data_file.chunks is not None:
            yield from data_file.chunks()
        else:
            for record in data_file.records():
                yield (encode(record) + "\n").encode("utf-8")

    def stream() -> Iterator[bytes]:
        sink = _Sink()
        try:
            with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path, content in (
                    ("README.md", [readme.encode("utf-8")]),
                    ("manifest.json", [json.dumps(manifest, indent=2, cls=DjangoJSONEncoder).encode()]),
                ):
                    archive.writestr(zipfile.ZipInfo(f"{name}/{path}", ZIP_TIME), b"".join(content))
                    yield sink.take()
                for data_file in files:
                    info = zipfile.ZipInfo(f"{name}/{data_file.path}", ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with archive.open(info, "w", force_zip64=True) as entry:
                        for chunk in lines(data_file):
                            entry.write(chunk)
                            if sink.size >= PIECE_CHARS:
                                yield sink.take()
                    yield sink.take()
            yield sink.take()
        except BaseException as exc:
            snapshot.close(exc)
            raise
        snapshot.close()

    response = StreamingHttpResponse(stream(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response["Cache-Control"] = "no-store"
    response._resource_closers.append(snapshot.close)
    return response
