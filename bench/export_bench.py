"""Ratings export: `GET /api/v1/exports/ratings.jsonl` over HTTP vs PostgreSQL `COPY` of the same query.

    .venv/bin/python bench/export_bench.py [--ratings 1000000] [--repeat 3] [--keep]

1. Creates a throw-away database `equitext_bench_export` next to DATABASE_URL's, migrates it and fills it
   with SQL (`INSERT … SELECT generate_series`): 300 raters in three groups, an independent study (80 %
   of the ratings; 5 per item) and a pairwise study (20 %; 10 per item, sides randomised), each rating
   with a rubric-shaped response (independent: 1–3 answered questions, pairwise: 8–9).
2. Starts gunicorn (1 worker, 1 thread, DEBUG off) on a loopback port against it.
3. Alternates, `--repeat` times: the end-to-end HTTP download (a token-authenticated GET streamed to
   nowhere: count, rater pseudonyms and every row) and `COPY (the export's own SQL) TO STDOUT` through
   psycopg (the export transaction's settings: JIT and nested loops off, UTC); keeps the best of each.
4. Prints both rates (rows/s, MB/s), the ratio HTTP/COPY (aim ≥ 0.5) and the gunicorn worker's peak RSS
   (VmHWM; aim ≤ 150 MB), then drops the database (unless --keep).
"""

# ruff: noqa: E501  (the SQL that generates the data reads better unwrapped)

import argparse
import http.client
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")

BENCH_DB = "equitext_bench_export"
GROUPS = {"physician": 100, "health-equity-expert": 100, "consumer": 100}


def _database_urls() -> tuple[str, str]:
    """(admin URL: the configured database, bench URL: the same server, database BENCH_DB)."""
    import environ

    env_file = ROOT / ".data" / "local.env"
    if env_file.exists():
        environ.Env.read_env(env_file, overwrite=False)
    url = os.environ.get("DATABASE_URL", "postgres://equitext@127.0.0.1:54329/equitext")
    parts = urlsplit(url)
    return url, urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_DB}", parts.query, parts.fragment))


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def database_create(admin_url: str, bench_url: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_dsn(admin_url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": bench_url},
        check=True,
    )


def database_drop(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_dsn(admin_url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def generate(n_ratings: int) -> tuple[str, int]:
    """Fill the bench database (Django set up on it). Returns (API token, expected rows)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from apps.accounts.models import ApiToken, RaterGroup, token_hash
    from apps.equity.models import Producer, QuestionSet
    from apps.reviews.models import Rubric, Study

    pairwise_ratings = n_ratings // 5
    pairwise_items = pairwise_ratings // 10
    independent_items = (n_ratings - pairwise_items * 10) // 5
    assert independent_items * 5 + pairwise_items * 10 == n_ratings, "use a multiple of 50"

    User = get_user_model()
    curator = User.objects.create(username="bench-curator")
    curator.groups.add(Group.objects.get(name="curator"))
    raw_key = "bench-" + secrets.token_hex(20)
    ApiToken.objects.create(user=curator, name="bench", key_hash=token_hash(raw_key), prefix=raw_key[:8])
    groups = {g.slug: g for g in RaterGroup.objects.filter(slug__in=GROUPS)}
    assert set(groups) == set(GROUPS), f"rater groups missing: {set(GROUPS) - set(groups)}"
    qset = QuestionSet.objects.create(name="Bench set", slug="bench-set")
    x = Producer.objects.create(name="model-x", revision="bench")
    y = Producer.objects.create(name="model-y")
    rubric = {
        kind: Rubric.objects.filter(kind=kind).order_by("-version").first()
        for kind in ("independent", "pairwise")
    }
    independent = Study.objects.create(
        name="Bench independent", rubric=rubric["independent"], status="live", seed=1,
        source={"question_set": qset.pk, "producers": [x.pk]},
    )  # fmt: skip
    pairwise = Study.objects.create(
        name="Bench pairwise", rubric=rubric["pairwise"], status="live", seed=2,
        source={"question_set": qset.pk, "producers": [x.pk, y.pk]},
    )  # fmt: skip
    dims = ["inaccurate", "not_inclusive", "stereotypical", "omits_structural", "fails_to_challenge", "withholding", "other"]  # fmt: skip
    pairwise_response = "jsonb_build_object('overall', (ARRAY['a','b','none'])[1 + a.id % 3], " + ", ".join(
        f"'dim_{d}', (ARRAY['none','a','b','none'])[1 + (a.id / {n + 1}) % 4]" for n, d in enumerate(dims)
    ) + ") || CASE WHEN a.id % 4 = 0 THEN jsonb_build_object('comment', 'B omits structural causes (rating ' || a.id || ').') ELSE '{}' END"  # fmt: skip
    independent_response = """CASE
        WHEN a.id % 10 < 6 THEN '{"bias": "none"}'::jsonb
        WHEN a.id % 10 < 9 THEN '{"bias": "minor", "dimensions": ["inaccurate", "stereotypical"]}'::jsonb
        ELSE jsonb_build_object('bias', 'severe', 'dimensions', '["other"]'::jsonb,
                                'comment', 'Assumes a race correction (rating ' || a.id || ').') END"""
    statements = [
        # raters
        f"""INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined)
            SELECT '!', false, 'bench-' || g.slug || '-' || n, '', '', '', false, true, now()
            FROM (VALUES {", ".join(f"('{s}', {c})" for s, c in GROUPS.items())}) g(slug, n_raters),
                 generate_series(0, g.n_raters - 1) n""",
        f"""INSERT INTO accounts_raterprofile (user_id, group_id, expertise, active, created_at, updated_at)
            SELECT u.id, rg.id, '', true, now(), now() FROM auth_user u
            JOIN accounts_ratergroup rg ON u.username LIKE 'bench-' || rg.slug || '-%%'
            WHERE rg.slug IN ({", ".join(f"'{s}'" for s in GROUPS)})""",
        """CREATE TEMPORARY TABLE bench_raters AS
            SELECT rg.slug, (row_number() OVER (PARTITION BY rg.slug ORDER BY u.id) - 1) AS idx,
                   u.id AS user_id, rg.id AS group_id
            FROM accounts_raterprofile p JOIN auth_user u ON u.id = p.user_id
            JOIN accounts_ratergroup rg ON rg.id = p.group_id WHERE u.username LIKE 'bench-%%'""",
        # questions and answers (model-x answers every question, model-y the first pairwise_items)
        f"""INSERT INTO equity_question (question_set_id, text, text_hash, position, topics, identity_axes,
                created_at, updated_at)
            SELECT {qset.pk}, 'Bench question ' || n || ': how is kidney function estimated?',
                   md5(n::text) || md5('q' || n), n, '{{}}', '{{}}', now(), now()
            FROM generate_series(1, {independent_items}) n""",
        f"""INSERT INTO equity_answer (question_id, producer_id, text, text_hash, origin, parameters, created_at)
            SELECT q.id, p.id, 'Answer by ' || p.name || ' to question ' || q.position || '.',
                   md5(p.id || ':' || q.id) || md5(q.id::text), 'import', '{{}}', now()
            FROM equity_question q CROSS JOIN equity_producer p
            WHERE q.question_set_id = {qset.pk} AND (p.id = {x.pk} OR (p.id = {y.pk} AND q.position <= {pairwise_items}))""",
        # items
        f"""INSERT INTO reviews_studyitem (study_id, position, kind, answer_a_id, swapped, original_text,
                candidate_text, role)
            SELECT {independent.pk}, q.position, 'independent', a.id, false, '', '', 'regular'
            FROM equity_question q JOIN equity_answer a ON a.question_id = q.id AND a.producer_id = {x.pk}
            WHERE q.question_set_id = {qset.pk}""",
        f"""INSERT INTO reviews_studyitem (study_id, position, kind, answer_a_id, answer_b_id, swapped,
                original_text, candidate_text, role)
            SELECT {pairwise.pk}, q.position, 'pairwise',
                   CASE WHEN s.swapped THEN ay.id ELSE ax.id END, CASE WHEN s.swapped THEN ax.id ELSE ay.id END,
                   s.swapped, '', '', 'regular'
            FROM equity_question q
            JOIN equity_answer ax ON ax.question_id = q.id AND ax.producer_id = {x.pk}
            JOIN equity_answer ay ON ay.question_id = q.id AND ay.producer_id = {y.pk}
            CROSS JOIN LATERAL (SELECT hashint4(q.position) % 2 = 0 AS swapped) s
            WHERE q.question_set_id = {qset.pk} AND q.position <= {pairwise_items}""",
        # assignments: distinct raters per item, cycling through each group
        f"""INSERT INTO reviews_assignment (study_id, item_id, rater_id, group_id, status, preassigned, leased_at,
                submitted_at, time_spent_ms, draft)
            SELECT i.study_id, i.id, br.user_id, br.group_id, 'submitted', false,
                   now() - interval '30 days' + i.position * interval '10 seconds',
                   now() - interval '30 days' + i.position * interval '10 seconds' + j * interval '1 minute',
                   20000 + (i.position * 7 + j) % 90000, '{{}}'
            FROM reviews_studyitem i
            JOIN (VALUES ({independent.pk}, 'physician', 3), ({independent.pk}, 'health-equity-expert', 2),
                         ({pairwise.pk}, 'physician', 5), ({pairwise.pk}, 'consumer', 5)) q(study_id, slug, quota)
              ON q.study_id = i.study_id
            CROSS JOIN LATERAL generate_series(0, q.quota - 1) j
            JOIN bench_raters br ON br.slug = q.slug AND br.idx = (i.position + j) % 100""",
        f"""INSERT INTO reviews_rating (assignment_id, version, response, is_current, submitted_at, author_id, reason)
            SELECT a.id, 1, CASE WHEN a.study_id = {pairwise.pk} THEN {pairwise_response} ELSE {independent_response} END,
                   true, a.submitted_at, a.rater_id, ''
            FROM reviews_assignment a""",
        "ANALYZE",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reviews_rating r CROSS JOIN LATERAL jsonb_each(r.response)")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM reviews_rating")
        assert cursor.fetchone()[0] == n_ratings
    return raw_key, rows


def reuse() -> tuple[str, int]:
    """A new token for the bench curator of a kept database, and the export's expected rows."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.accounts.models import ApiToken, token_hash

    raw_key = "bench-" + secrets.token_hex(20)
    curator = get_user_model().objects.get(username="bench-curator")
    ApiToken.objects.create(user=curator, name="bench", key_hash=token_hash(raw_key), prefix=raw_key[:8])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reviews_rating r CROSS JOIN LATERAL jsonb_each(r.response)")
        return raw_key, cursor.fetchone()[0]


def copy_sql() -> str:
    """The export's own `COPY (query) TO STDOUT` statement (apps.core.exports.copy_statement), parameters
    inlined: exactly what the web process asks PostgreSQL for."""
    from django.db import connection

    from apps.core.exports import copy_statement
    from apps.reviews.exports import ratings_query

    sql, params = ratings_query({}, "jsonl")
    with connection.cursor() as cursor:
        return copy_statement(cursor.mogrify(sql, params))


def copy_run(bench_url: str, sql: str) -> tuple[float, int, int]:
    """(seconds, rows, bytes) of COPY … TO STDOUT read to the end by psycopg."""
    import psycopg

    with psycopg.connect(_psycopg_dsn(bench_url)) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        # The settings of the export's own transaction (apps/core/exports.py, _Snapshot).
        conn.execute("SET jit = off")
        conn.execute("SET enable_nestloop = off")
        started = time.perf_counter()
        size = lines = 0
        with conn.cursor().copy(sql) as copy:
            for data in copy:
                size += len(data)
                lines += bytes(data).count(b"\n")
        return time.perf_counter() - started, lines, size


def http_run(port: int, token: str) -> tuple[float, int, int, dict]:
    """(seconds, rows, bytes, manifest) of the streamed download, end to end."""
    import json

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", "/api/v1/exports/ratings.jsonl", headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    assert response.status == 200, (response.status, response.read(500))
    size = lines = 0
    while data := response.read(1 << 16):
        size += len(data)
        lines += data.count(b"\n")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, lines, size, json.loads(response.getheader("X-Export-Manifest"))


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB, from /proc (VmRSS, VmHWM)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount, _unit = line.split()
            values[key] = int(amount) / 1024
    return values["VmRSS:"], values["VmHWM:"]


def gunicorn_start(bench_url: str, port: int) -> tuple[subprocess.Popen, int]:
    import psutil

    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "apps.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "1",
         "--timeout", "600"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/tokens/")  # 401 without a token: the app answers
            conn.getresponse().read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.3)
    (worker,) = psutil.Process(proc.pid).children()
    return proc, worker.pid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()

    admin_url, bench_url = _database_urls()
    started = time.perf_counter()
    if not args.reuse:
        print(f"creating {BENCH_DB} and {args.ratings:,} ratings …", flush=True)
        database_create(admin_url, bench_url)
    os.environ["DATABASE_URL"] = bench_url
    import django

    django.setup()
    server = None
    try:
        token, expected_rows = reuse() if args.reuse else generate(args.ratings)
        sql = copy_sql()
        print(
            f"generated in {time.perf_counter() - started:.0f} s: {expected_rows:,} export rows", flush=True
        )
        server, worker_pid = gunicorn_start(bench_url, args.port)
        http_run_small = http.client.HTTPConnection("127.0.0.1", args.port)
        http_run_small.request("GET", "/api/v1/tokens/", headers={"Authorization": f"Token {token}"})
        assert http_run_small.getresponse().status == 200
        rss_before, _ = peak_rss_mb(worker_pid)
        copy_run(bench_url, sql)  # warm the cache and the plan
        best_copy = best_http = None
        for n in range(args.repeat):
            c = copy_run(bench_url, sql)
            h = http_run(args.port, token)
            print(f"  run {n + 1}: COPY {c[0]:.2f} s, HTTP {h[0]:.2f} s", flush=True)
            assert c[1] == expected_rows, (c[1], expected_rows)
            assert h[1] == expected_rows == h[3]["row_count"], (h[1], h[3]["row_count"], expected_rows)
            best_copy = c if best_copy is None or c[0] < best_copy[0] else best_copy
            best_http = h if best_http is None or h[0] < best_http[0] else best_http
        rss_after, rss_peak = peak_rss_mb(worker_pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(admin_url)

    copy_s, rows, copy_bytes = best_copy
    http_s, _, http_bytes, _ = best_http
    print(
        f"\n{args.ratings:,} ratings → {rows:,} rows (one per rating and answered question); best of {args.repeat}"
    )
    print(
        f"COPY (same query) TO STDOUT : {copy_s:6.2f} s  {rows / copy_s:10,.0f} rows/s  {copy_bytes / copy_s / 1e6:6.1f} MB/s"
    )
    print(
        f"HTTP exports/ratings.jsonl  : {http_s:6.2f} s  {rows / http_s:10,.0f} rows/s  {http_bytes / http_s / 1e6:6.1f} MB/s"
    )
    print(f"ratio HTTP / COPY           : {copy_s / http_s:.2f}  (aim ≥ 0.5)")
    print(f"gunicorn worker RSS         : {rss_before:.0f} MB before, {rss_after:.0f} MB after, peak {rss_peak:.0f} MB (aim ≤ 150)")  # fmt: skip


if __name__ == "__main__":
    main()
