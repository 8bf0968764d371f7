"""Reading streamed exports in tests: the manifest and the rows, as a client would."""

import csv
import io
import json


def body(response) -> str:
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content).decode()


def read_jsonl(response) -> tuple[dict, list[dict]]:
    """(manifest, records) of a JSONL export; the manifest must be the first line."""
    lines = body(response).splitlines()
    first = json.loads(lines[0])
    assert set(first) == {"manifest"}, "the first line is the manifest"
    return first["manifest"], [json.loads(line) for line in lines[1:]]


def read_csv(response) -> tuple[dict, list[dict]]:
    """(manifest from the X-Export-Manifest header, rows as dicts) of a CSV export."""
    manifest = json.loads(response["X-Export-Manifest"])
    return manifest, list(csv.DictReader(io.StringIO(body(response))))
