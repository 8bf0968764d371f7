"""Reading streamed exports in tests: the manifest and the rows, as a client would."""

import csv
import io
import json


def body(response) -> str:
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content).decode()


def read_jsonl(response) -> tuple[dict, list[dict]]:
    """(manifest from the X-Export-Manifest header, records) of a JSONL export: every line is a record
    (no manifest line unless asked for with `?manifest=1`), as many as the manifest's `row_count`."""
    manifest = json.loads(response["X-Export-Manifest"])
    records = [json.loads(line) for line in body(response).splitlines()]
    assert not any(set(r) == {"manifest"} for r in records), "no manifest line in the body"
    assert len(records) == manifest["row_count"]
    return manifest, records


def read_csv(response) -> tuple[dict, list[dict]]:
    """(manifest from the X-Export-Manifest header, rows as dicts) of a CSV export."""
    manifest = json.loads(response["X-Export-Manifest"])
    return manifest, list(csv.DictReader(io.StringIO(body(response))))
