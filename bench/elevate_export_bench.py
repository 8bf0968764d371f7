"""ELEVATE export: `exports/assessments.jsonl` and `.csv` vs PostgreSQL `COPY` of the same rows, same run.

    .venv/bin/python bench/elevate_export_bench.py [--assessments N]

Creates N assessments (each with every checklist item, about 60 % answered) by one throw-away curator,
streams both exports through Django's test client (in process, no network), times
`COPY (the same join) TO STDOUT` as the baseline, and prints rates, the ratios and the Python memory
peak (tracemalloc) while streaming. Uses the database of DATABASE_URL (migrated); its rows are deleted
at the end (the
bench user, without a password, is kept).
"""

import argparse
import io
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
os.environ.setdefault("EQUITEXT_TESTING", "1")  # plain static storage, no HTTPS redirect surprises

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from apps.elevate.models import Assessment, ChecklistItem, ItemResponse  # noqa: E402
from apps.elevate.selectors import template_current  # noqa: E402

USERNAME = "bench-elevate-export"
STATUSES = ["reported", "partial", "not_reported", "not_applicable"]

COPY_SQL = """
COPY (
  SELECT a.id, a.status, u.username, a.submitted_at, a.revision_of_id, a.subject_kind, a.subject_id,
         a.title, a.doi, a.url, t.name, t.version, d."order", d.name, i.code, i.wording,
         coalesce(r.status, ''), coalesce(r.location, ''), coalesce(r.comment, ''),
         coalesce(r.prefilled, false), coalesce(r.prefill_source, ''), ru.username, r.updated_at
  FROM elevate_assessment a
  JOIN auth_user u ON u.id = a.assessor_id
  JOIN elevate_checklisttemplate t ON t.id = a.template_id
  JOIN elevate_checklistdomain d ON d.template_id = t.id
  JOIN elevate_checklistitem i ON i.domain_id = d.id
  LEFT JOIN elevate_itemresponse r ON r.assessment_id = a.id AND r.item_id = i.id
  LEFT JOIN auth_user ru ON ru.id = r.updated_by_id
  WHERE u.username = %s
  ORDER BY a.id
) TO STDOUT WITH (FORMAT csv)
"""


def setup(n: int):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=USERNAME)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name="curator"))
    template = template_current()
    items = list(ChecklistItem.objects.filter(domain__template=template))
    rng = random.Random(7)
    with transaction.atomic():
        assessments = Assessment.objects.bulk_create(
            Assessment(
                template=template,
                assessor=user,
                subject_kind="publication",
                title=f"Benchmark publication {i}",
                subject_key=f"title:benchmark publication {i}",
            )
            for i in range(n)
        )
        responses = []
        for assessment in assessments:
            for item in items:
                if rng.random() < 0.6:
                    status = rng.choice(STATUSES)
                    responses.append(
                        ItemResponse(
                            assessment=assessment,
                            item=item,
                            status=status,
                            location=f"p. {rng.randint(1, 30)}",
                            comment="Missing detail, see methods."
                            if status in ("partial", "not_reported")
                            else "",
                            updated_by=user,
                        )
                    )
        ItemResponse.objects.bulk_create(responses, batch_size=5000)
    return user, n * len(items)


def cleanup():
    # The bench user is kept (without a usable password): deleting users touches every app's tables.
    Assessment.objects.filter(assessor__username=USERNAME).delete()


def stream(client: Client, url: str, *, trace: bool = False) -> tuple[float, int, int, int]:
    """(seconds, lines, bytes, Python memory peak when traced) of one streamed download."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, {"assessor": USERNAME})
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, lines, size, peak


def copy_baseline() -> tuple[float, int]:
    buffer = io.BytesIO()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor (Django's debug wrapper takes no COPY parameters)
        with raw.copy(COPY_SQL, [USERNAME]) as copy:
            for data in copy:
                buffer.write(data)
    elapsed = time.perf_counter() - started
    return elapsed, buffer.getvalue().count(b"\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assessments", type=int, default=2000)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    cleanup()
    user, expected = setup(args.assessments)
    try:
        client = Client()
        client.force_login(user)
        copy_baseline()  # warm the cache and the plan; the timed runs follow
        copy_s, copy_rows = copy_baseline()
        jsonl_s, jsonl_rows, jsonl_bytes, _ = stream(client, "/api/v1/exports/assessments.jsonl")
        csv_s, csv_lines, csv_bytes, _ = stream(client, "/api/v1/exports/assessments.csv")
        # Memory in separate, traced runs (tracing slows Python down several times).
        jsonl_peak = stream(client, "/api/v1/exports/assessments.jsonl", trace=True)[3]
        csv_peak = stream(client, "/api/v1/exports/assessments.csv", trace=True)[3]
        assert copy_rows == expected and jsonl_rows == expected, (copy_rows, jsonl_rows, expected)
        print(f"{args.assessments} assessments, {expected} records (one per checklist item)")
        print(f"COPY baseline : {copy_s:7.2f} s  {copy_rows / copy_s:10,.0f} rows/s")
        print(
            f"export .jsonl : {jsonl_s:7.2f} s  {jsonl_rows / jsonl_s:10,.0f} rows/s  "
            f"ratio {copy_s / jsonl_s:.2f} of COPY  {jsonl_bytes / 1e6:.1f} MB  peak Python memory "
            f"{jsonl_peak / 1e6:.1f} MB"
        )
        print(
            f"export .csv   : {csv_s:7.2f} s  {(csv_lines - 1) / csv_s:10,.0f} rows/s  "
            f"ratio {copy_s / csv_s:.2f} of COPY  {csv_bytes / 1e6:.1f} MB  peak Python memory "
            f"{csv_peak / 1e6:.1f} MB"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
