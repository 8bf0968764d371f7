"""Fingerprints of a database as researchers see it: the rows of every table, and a SHA-256 of each
JSONL export's data lines, read through the export endpoints as a curator.

A JSONL export's manifest (in its X-Export-Manifest header) holds `generated_at` (the time of the
download): it is not hashed; its `row_count` is kept, next to the data lines counted.

Used in-process by the backup test for the source database, and as a program for the restored one:
    python -m tests.faults.export_digests <curator username>     (prints JSON; reads DATABASE_URL)
"""

import hashlib
import json
import sys

EXPORTS = ["corpus", "ratings", "assessments", "candidates", "preferences"]
# The ratings export promises only that the rows of one rating are consecutive (apps/core/EXPORTS.md): its
# COPY has no ORDER BY, and the order of ratings follows the physical layout, which a restore changes. Its
# lines are hashed in rating order (a stable sort, so each rating's own rows keep their order). Every other
# export is hashed exactly as served: each has a defined order.
UNORDERED = {"ratings": "rating_id"}


def table_rows() -> dict[str, int]:
    """Exact rows of every table in the database (Django's, Equitext's, axes', beat's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def export_digests(user) -> dict[str, dict]:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)  # no session or token row: reading changes nothing
    digests = {}
    for name in EXPORTS:
        response = client.get(f"/api/v1/exports/{name}.jsonl")
        assert response.status_code == 200, (name, response.status_code)
        lines = b"".join(response.streaming_content).splitlines()  # records only: the manifest is a header
        if name in UNORDERED:
            lines.sort(key=lambda line: json.loads(line)[UNORDERED[name]])  # stable: keeps each group's order
        digests[name] = {
            "row_count": json.loads(response["X-Export-Manifest"])["row_count"],
            "lines": len(lines),
            "sha256": hashlib.sha256(b"\n".join(lines)).hexdigest(),
        }
    return digests


def fingerprint(user) -> dict:
    return {"tables": table_rows(), "exports": export_digests(user)}


if __name__ == "__main__":
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # the test client's host name is allowed
    from django.contrib.auth import get_user_model

    print(json.dumps(fingerprint(get_user_model().objects.get(username=sys.argv[1]))))
