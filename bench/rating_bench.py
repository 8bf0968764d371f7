"""The rater loop (next → submit, no think time) against a study that already holds ratings: cost per
cycle, latency and exactness at 0, 50,000 and 500,000 stored ratings.

    .venv/bin/python bench/rating_bench.py [--items 100000] [--sizes 0,50000,500000] [--raters 8,32]
        [--seconds 25] [--servers sync4,procfile] [--explain] [--keep]

Everything runs against a throw-away database `<DATABASE_URL name>_bench_reviews` (dropped first, and
dropped at the end unless `--keep`), never the shared development database:
1. migrate it; seed an independent study of `--items` items (quotas physicians 3, health-equity experts
   2, consumers 1, so 6 ratings per item), 120 seed raters (40 per group) and the bench raters (spread
   over the three groups), each bench rater with an API token;
2. for each size: remove every rating of the study, then bulk-load that many in SQL (INSERT … SELECT
   generate_series): assignments, ratings and their audit entries, shared among the seed and bench
   raters of each group, filled as the engine fills (fewest taken first, by the seeded rank), with one
   skipped assignment per 50 slots; the slot counters follow from the rows (the progress counters
   are summed again from the slots: migration 0005 says why a bulk rewrite does so); VACUUM ANALYZE;
3. with `--explain`, run every rater-path request once in-process and print EXPLAIN (ANALYZE, BUFFERS)
   of each query it sends (`bench/rating_explain.py`; plans in .data/rating-bench-explain-<size>.txt);
4. for each server configuration — `sync4`: gunicorn with 4 sync workers; `procfile`: the web line of
   the product's Procfile as it is — and each rater count: start the server and warm it up with the
   loop for 3 s; pause the raters and measure the CPU of one trivial request (GET tokens/: token
   check + one small query) sent alone for 4 s; then measure `--seconds`: every rater loops
   POST studies/{id}/next/ → POST assignments/{id}/submit/ with no pause, while one probe client sends
   the trivial GET every 100 ms
   (its latency is the baseline; its CPU, as measured alone, is taken out of the CPU per cycle). CPU
   is read from /proc (utime + stime) of the gunicorn processes and of the PostgreSQL backends serving
   the bench database, sampled every 0.5 s, so backends that end during the phase still count;
5. after each size: the exactness checks — no slot above its quota; every slot's taken = submitted +
   live leases and submitted = its submitted assignments; the StudyProgress counters equal the slots'
   sums; no rater with an item twice; one current rating per submitted assignment; every submit
   answered 200 is a stored rating. At the end the raters drain a 200-item study: every item must end
   with exactly its quota per group.

The machine has 2 CPUs shared with the load generator (and with other work): keep phases short.
Prints one row per (size, server, raters): cycles/s, p50/p95/p99 of next and submit, the trivial GET's
p50/p95, and CPU milliseconds per cycle in the server processes and in PostgreSQL.
"""

import argparse
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
SERVER_ENV = {
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    # pages render without DEBUG, so they need collected static files (a folder of the bench's own)
    "STATIC_ROOT": str(ROOT / ".data" / "bench-static"),
}
os.environ.update(SERVER_ENV)

import environ  # noqa: E402

environ.Env.read_env(ROOT / ".data" / "local.env", overwrite=False)
BASE_URL = os.environ.get("DATABASE_URL", "postgres://equitext@127.0.0.1:54329/equitext")
_parsed = urlparse(BASE_URL)
BENCH_DB = _parsed.path.lstrip("/") + "_bench_reviews"
BENCH_URL = _parsed._replace(path="/" + BENCH_DB).geturl()
ADMIN_URL = _parsed._replace(path="/postgres").geturl()
os.environ["DATABASE_URL"] = BENCH_URL

import django  # noqa: E402
import psycopg  # noqa: E402
import requests  # noqa: E402

(ROOT / ".data").mkdir(exist_ok=True)
LOG = open(ROOT / ".data" / "rating-bench-gunicorn.log", "w")  # noqa: SIM115 (open for the whole run)
GROUPS = {"physician": 3, "health-equity-expert": 2, "consumer": 1}
SEED_RATERS_PER_GROUP = 40
RESPONSE = {"bias": "minor", "dimensions": ["stereotypical"]}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- database and seed ---


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, check=True
    )


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _study(name: str, count: int, curator, producer) -> int:
    from apps.equity.models import Answer, Question, QuestionSet, text_hash
    from apps.reviews import services
    from apps.reviews.models import Rubric

    qset = QuestionSet.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    questions = Question.objects.bulk_create(
        (
            Question(
                question_set=qset,
                text=f"{name} question {n}?",
                text_hash=text_hash(f"{name} q {n}"),
                position=n,
            )
            for n in range(1, count + 1)
        ),
        batch_size=5000,
    )
    Answer.objects.bulk_create(
        (
            Answer(
                question=q, producer=producer, text=f"Answer {q.position}.", text_hash=text_hash(f"a {q.pk}")
            )
            for q in questions
        ),
        batch_size=5000,
    )
    study = services.study_create(
        name=name,
        rubric=Rubric.objects.get(kind="independent", version=1),
        source={"question_set": qset.pk, "producers": [producer.pk]},
        quotas=GROUPS,
        seed=7,
        lease_minutes=30,
        actor=curator,
    )
    services.study_transition(study=study, action="launch", actor=curator)
    return study.pk


def _rater(username: str, group):
    """A rater account without a password (the bench signs in with tokens; hashing 1,000,000 PBKDF2
    rounds per user would dominate the seed)."""
    from django.contrib.auth.models import Group, User

    from apps.accounts.models import RaterProfile
    from apps.core.roles import Role

    user = User.objects.create_user(username=username, password=None)
    user.groups.add(Group.objects.get(name=Role.RATER.value))
    RaterProfile.objects.create(user=user, group=group)
    return user


def seed(items: int, raters: int):
    """The big study, the small study, seed raters and bench raters with tokens.

    Returns (big id, small id, [(username, group slug, token)], probe token, {group id: [rater ids]})."""
    from apps.accounts.models import RaterGroup
    from apps.accounts.services import token_create, user_create
    from apps.core.roles import Role
    from apps.equity.models import Producer

    curator = user_create(username="bench-curator", password="bench-pass-1234", role=Role.CURATOR)
    producer = Producer.objects.create(name="bench-model")
    big = _study("Bench large", items, curator, producer)
    small = _study("Bench small", 200, curator, producer)
    groups = {group.slug: group for group in RaterGroup.objects.filter(slug__in=GROUPS)}
    pools: dict[int, list[int]] = {group.pk: [] for group in groups.values()}
    for slug, group in groups.items():
        for n in range(SEED_RATERS_PER_GROUP):
            pools[group.pk].append(_rater(f"seed-{slug}-{n:02d}", group).pk)
    slugs = list(GROUPS)
    bench = []
    for n in range(raters):
        group = groups[slugs[n % len(slugs)]]
        user = _rater(f"rater{n:03d}", group)
        pools[group.pk].append(user.pk)
        bench.append((user.username, group.slug, token_create(user=user, name="bench")[1]))
    probe = token_create(user=curator, name="probe")[1]
    return big, small, bench, probe, pools


def load_ratings(study_id: int, total: int, pools: dict[int, list[int]]) -> float:
    """Replace the study's ratings by `total` bulk-loaded ones (see the module docstring); returns the
    seconds it took."""
    from apps.reviews.models import ItemSlot

    started = time.perf_counter()
    quotas = dict(ItemSlot.objects.filter(study_id=study_id).values_list("group_id", "quota").distinct())
    items = ItemSlot.objects.filter(study_id=study_id).values("item_id").distinct().count()
    weight = sum(quotas.values())
    share = {group_id: min(total * quota // weight, quota * items) for group_id, quota in quotas.items()}
    first = next(iter(share))
    share[first] += total - sum(share.values())  # what integer division left over
    with psycopg.connect(BENCH_URL, autocommit=True) as conn:
        # The row trigger that keeps StudyProgress is off while slots are rewritten in bulk (see migration
        # 0005); the study's counters are summed again from the slots afterwards.
        conn.execute("ALTER TABLE reviews_itemslot DISABLE TRIGGER reviews_progress_slot_counted")
        conn.execute("DELETE FROM core_auditlog WHERE action IN ('rating.submit', 'assignment.skip')")
        conn.execute(
            "DELETE FROM reviews_rating r USING reviews_assignment a WHERE r.assignment_id = a.id "
            "AND a.study_id = %s",
            [study_id],
        )
        conn.execute("DELETE FROM reviews_assignment WHERE study_id = %s", [study_id])
        conn.execute(
            "UPDATE reviews_itemslot SET taken = 0, submitted = 0 WHERE study_id = %s AND taken > 0",
            [study_id],
        )
        with conn.transaction():
            conn.execute(
                "CREATE TEMP TABLE bench_share (group_id bigint, n bigint, pool bigint[]) ON COMMIT DROP"
            )
            for group_id, n in share.items():
                conn.execute("INSERT INTO bench_share VALUES (%s, %s, %s)", [group_id, n, pools[group_id]])
            conn.execute(
                """
                CREATE TEMP TABLE bench_fill ON COMMIT DROP AS
                SELECT item_id, group_id, pool, rn,
                       (n / items + CASE WHEN rn < mod(n, items) THEN 1 ELSE 0 END)::int AS k
                FROM (
                    SELECT s.item_id, s.group_id, g.n, g.pool,
                           row_number() OVER (PARTITION BY s.group_id ORDER BY s.taken, s.rank) - 1 AS rn,
                           count(*) OVER (PARTITION BY s.group_id) AS items
                    FROM reviews_itemslot s JOIN bench_share g ON g.group_id = s.group_id
                    WHERE s.study_id = %(study)s
                ) ranked
                """,
                {"study": study_id},
            )
            columns = (
                "study_id, item_id, rater_id, group_id, status, preassigned, leased_at, lease_expires_at, "
                "submitted_at, time_spent_ms, draft"
            )
            conn.execute(
                f"""
                INSERT INTO reviews_assignment ({columns})
                SELECT %(study)s, f.item_id, f.pool[1 + mod(f.rn + j, cardinality(f.pool))], f.group_id,
                       'submitted', false, %(start)s + f.rn * interval '1 second', NULL::timestamptz,
                       %(start)s + f.rn * interval '1 second' + interval '40 seconds', 40000, '{{}}'::jsonb
                FROM bench_fill f CROSS JOIN LATERAL generate_series(0, f.k - 1) AS j
                UNION ALL
                SELECT %(study)s, f.item_id, f.pool[1 + mod(f.rn + f.k, cardinality(f.pool))], f.group_id,
                       'skipped', false, %(start)s, NULL::timestamptz, NULL::timestamptz, 0,
                       '{{}}'::jsonb
                FROM bench_fill f WHERE mod(f.rn, 50) = 0 AND f.k > 0
                """,
                {"study": study_id, "start": datetime.now(UTC) - timedelta(days=30)},
            )
        conn.execute(
            """
            INSERT INTO reviews_rating (assignment_id, version, response, is_current, submitted_at, author_id,
                                        reason)
            SELECT id, 1, '{"bias": "none"}', true, submitted_at, rater_id, ''
            FROM reviews_assignment WHERE study_id = %s AND status = 'submitted'
            """,
            [study_id],
        )
        conn.execute(
            """
            INSERT INTO core_auditlog (at, actor_id, action, object_type, object_id, object_repr, details)
            SELECT r.submitted_at, r.author_id, 'rating.submit', 'reviews.rating', r.id::text,
                   'rating of assignment #' || r.assignment_id || ' v1',
                   jsonb_build_object('study', a.study_id, 'item', a.item_id, 'assignment', a.id)
            FROM reviews_rating r JOIN reviews_assignment a ON a.id = r.assignment_id
            WHERE a.study_id = %s
            """,
            [study_id],
        )
        conn.execute(
            """
            UPDATE reviews_itemslot s SET taken = c.k, submitted = c.k
            FROM (
                SELECT item_id, group_id, count(*) AS k FROM reviews_assignment
                WHERE study_id = %s AND status = 'submitted' GROUP BY item_id, group_id
            ) c
            WHERE s.item_id = c.item_id AND s.group_id = c.group_id
            """,
            [study_id],
        )
        conn.execute("ALTER TABLE reviews_itemslot ENABLE TRIGGER reviews_progress_slot_counted")
        with conn.transaction():
            conn.execute("DELETE FROM reviews_studyprogress WHERE study_id = %s", [study_id])
            conn.execute(
                """
                INSERT INTO reviews_studyprogress (study_id, group_id, shard, needed, submitted)
                SELECT study_id, group_id, 0, SUM(quota), SUM(submitted) FROM reviews_itemslot
                WHERE study_id = %s GROUP BY study_id, group_id
                """,
                [study_id],
            )
        conn.execute(
            "VACUUM (ANALYZE) reviews_assignment, reviews_rating, reviews_itemslot, core_auditlog, "
            "reviews_studyprogress, accounts_apitoken"
        )
    return time.perf_counter() - started


# --- servers and CPU ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise RuntimeError("Procfile has no web line")


def server_command(kind: str, port: int) -> list[str]:
    """`sync4`: gunicorn with 4 sync workers; `procfile`: the Procfile's web line, $PORT filled in."""
    if kind == "sync4":
        gunicorn = str(ROOT / ".venv/bin/gunicorn")
        return [gunicorn, "apps.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4"]
    return [part.replace("$PORT", str(port)) for part in shlex.split(procfile_web())]


def start_server(kind: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        server_command(kind, port),
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV, "DATABASE_URL": BENCH_URL, "PORT": str(port)},
        stdout=LOG,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/", timeout=10)
            return proc
        except requests.RequestException:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up") from None
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class CpuSampler(threading.Thread):
    """Samples utime + stime of the gunicorn master and workers and of the PostgreSQL client backends
    connected to the bench database, every 0.5 s; `totals()` gives the CPU seconds each side used since
    `start()` (a process that appeared later counts from zero: it started during the phase)."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self.stopping = threading.Event()
        self.conn = psycopg.connect(ADMIN_URL, autocommit=True)
        self.sample(initial=True)

    def pids(self) -> list[tuple[str, int]]:
        server = [("server", self.server_pid)] + [("server", p) for p in _children(self.server_pid)]
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [BENCH_DB],
        ).fetchall()
        return server + [("postgres", pid) for (pid,) in rows]

    def sample(self, initial=False):
        for key in self.pids():
            ticks = _cpu_ticks(key[1])
            if ticks is None:
                continue
            if key not in self.first:
                self.first[key] = ticks if initial else 0
            self.last[key] = ticks

    def run(self):
        while not self.stopping.wait(0.5):
            self.sample()

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join()
        self.sample()
        self.conn.close()
        totals = {"server": 0.0, "postgres": 0.0}
        for key, last in self.last.items():
            totals[key[0]] += (last - self.first[key]) / CLK_TCK
        return totals


# --- load ---


class Rater(threading.Thread):
    """Loops next → submit without a pause until `stop` is set; records the latency of the requests it
    starts while `measuring` is set, and every submit answered 200."""

    def __init__(self, base, token, study, control):
        super().__init__(daemon=True)
        self.base, self.study, self.control = base, study, control
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.latency = {"next": [], "submit": []}
        self.cycles = 0
        self.submitted: list[int] = []
        self.errors: list[str] = []
        self.drained = False

    def timed(self, name, method, path, **kwargs):
        measuring = self.control["measuring"].is_set()
        start = time.perf_counter()
        response = self.session.request(method, self.base + path, timeout=120, **kwargs)
        if measuring:
            self.latency[name].append(time.perf_counter() - start)
        return response

    def run(self):
        while not self.control["stop"].is_set():
            if "go" in self.control:
                self.control["go"].wait()  # paused while the trivial request is measured alone
            leased = self.timed("next", "POST", f"/api/v1/studies/{self.study}/next/")
            if leased.status_code == 204:
                self.drained = True
                return
            if leased.status_code != 200:
                self.errors.append(f"next {leased.status_code}: {leased.text[:200]}")
                return
            assignment = leased.json()["id"]
            done = self.timed(
                "submit", "POST", f"/api/v1/assignments/{assignment}/submit/", json={"response": RESPONSE}
            )
            if done.status_code != 200:
                self.errors.append(f"submit {done.status_code}: {done.text[:200]}")
                return
            self.submitted.append(assignment)
            if self.control["measuring"].is_set():
                self.cycles += 1


class Probe(threading.Thread):
    """GET tokens/ (token check + one small query) every `period` s: the trivial request of the run."""

    def __init__(self, base, token, control, period=0.1):
        super().__init__(daemon=True)
        self.base, self.control, self.period = base, control, period
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.latency: list[float] = []
        self.errors: list[str] = []

    def run(self):
        while not self.control["stop"].is_set():
            measuring = self.control["measuring"].is_set()
            start = time.perf_counter()
            response = self.session.get(self.base + "/api/v1/tokens/", timeout=120)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                self.errors.append(f"tokens {response.status_code}")
            elif measuring:
                self.latency.append(elapsed)
            time.sleep(max(0.0, self.period - elapsed))


def calibrate(server_pid: int, base: str, token: str, seconds: float = 4.0) -> dict[str, float]:
    """CPU seconds (server, PostgreSQL) of one trivial GET, measured with the probe alone (20/s)."""
    control = {"measuring": threading.Event(), "stop": threading.Event()}
    alone = Probe(base, token, control, period=0.05)
    alone.start()
    time.sleep(0.5)
    sampler = CpuSampler(server_pid)
    sampler.start()
    control["measuring"].set()
    time.sleep(seconds)
    control["measuring"].clear()
    cpu = sampler.stop()
    control["stop"].set()
    alone.join(timeout=60)
    alone.session.close()
    n = max(len(alone.latency), 1)
    return {"server": cpu["server"] / n, "postgres": cpu["postgres"] / n}


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run_phase(kind, tokens, probe_token, study, seconds, warmup=3.0):
    """One measured phase; returns (row of results, every submitted assignment id, errors)."""
    port = free_port()
    server = start_server(kind, port)
    base = f"http://127.0.0.1:{port}"
    control = {"measuring": threading.Event(), "stop": threading.Event(), "go": threading.Event()}
    control["go"].set()
    raters = [Rater(base, token, study, control) for token in tokens]
    probe = Probe(base, probe_token, control)
    try:
        for thread in raters:
            thread.start()
        time.sleep(warmup)  # every worker has served the loop's requests: no first-request cost below
        control["go"].clear()
        time.sleep(1.0)
        trivial_cpu = calibrate(server.pid, base, probe_token)
        probe.start()
        control["go"].set()
        time.sleep(1.0)
        sampler = CpuSampler(server.pid)
        sampler.start()
        client_before = time.process_time()
        control["measuring"].set()
        started = time.perf_counter()
        time.sleep(seconds)
        control["measuring"].clear()
        elapsed = time.perf_counter() - started
        cpu = sampler.stop()
        client_cpu = time.process_time() - client_before
        control["stop"].set()
        for thread in [*raters, probe]:
            thread.join(timeout=180)
    finally:
        for thread in [*raters, probe]:
            thread.session.close()
        stop_server(server)
    cycles = sum(r.cycles for r in raters)
    nxt = [v for r in raters for v in r.latency["next"]]
    sub = [v for r in raters for v in r.latency["submit"]]
    # the probe's own CPU (measured alone) is taken out, so the figures are per next → submit cycle
    probes = len(probe.latency)
    server_cpu = max(0.0, cpu["server"] - probes * trivial_cpu["server"])
    postgres_cpu = max(0.0, cpu["postgres"] - probes * trivial_cpu["postgres"])
    row = {
        "cycles/s": cycles / elapsed,
        "cycles": cycles,
        "next": [percentile(nxt, q) * 1000 for q in (50, 95, 99)],
        "submit": [percentile(sub, q) * 1000 for q in (50, 95, 99)],
        "trivial": [percentile(probe.latency, q) * 1000 for q in (50, 95)],
        "server ms": server_cpu * 1000 / max(cycles, 1),
        "postgres ms": postgres_cpu * 1000 / max(cycles, 1),
        "trivial cpu ms": (trivial_cpu["server"] + trivial_cpu["postgres"]) * 1000,
        "probe share": (cpu["server"] + cpu["postgres"] - server_cpu - postgres_cpu)
        / max(cpu["server"] + cpu["postgres"], 1e-9),
        "client ms": client_cpu * 1000 / max(cycles, 1),
    }
    errors = [e for r in raters for e in r.errors] + probe.errors
    return row, [a for r in raters for a in r.submitted], errors


# --- checks ---


def check(study_id: int, submitted_ids: list[int], exact: bool) -> list[str]:
    from django.db.models import Count, F, Q, Sum

    from apps.reviews.models import Assignment, ItemSlot, Rating, StudyProgress

    problems = []
    slots = ItemSlot.objects.filter(study_id=study_id)
    if slots.filter(taken__gt=F("quota")).exists():
        problems.append("a slot is above its quota")
    live = Count(
        "item__assignments",
        filter=Q(item__assignments__status="leased") & Q(item__assignments__group=F("group")),
    )
    sub = Count(
        "item__assignments",
        filter=Q(item__assignments__status="submitted") & Q(item__assignments__group=F("group")),
    )
    touched = slots.filter(taken__gt=0).annotate(live=live, sub=sub)
    bad = touched.exclude(taken=F("live") + F("sub")).count() + touched.exclude(submitted=F("sub")).count()
    if bad:
        problems.append(f"{bad} slots whose counters disagree with the assignments")
    by_slots = {
        row["group_id"]: (row["needed"], row["done"])
        for row in slots.values("group_id").annotate(needed=Sum("quota"), done=Sum("submitted"))
    }
    by_counters = {
        row["group_id"]: (row["needed"], row["done"])
        for row in StudyProgress.objects.filter(study_id=study_id)
        .values("group_id")
        .annotate(needed=Sum("needed"), done=Sum("submitted"))
    }
    if by_slots != by_counters:
        problems.append(f"StudyProgress {by_counters} differs from the slots {by_slots}")
    duplicates = (
        Assignment.objects.filter(study_id=study_id)
        .values("rater", "item")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    if duplicates.exists():
        problems.append("a rater holds an item twice")
    ratings = Rating.objects.filter(assignment__study_id=study_id, is_current=True)
    stored = set(ratings.values_list("assignment_id", flat=True))
    if ratings.count() != len(stored):
        problems.append("an assignment has two current ratings")
    missing = set(submitted_ids) - stored
    if missing:
        problems.append(f"{len(missing)} acknowledged submits without a rating")
    if Assignment.objects.filter(study_id=study_id, status="submitted").count() != len(stored):
        problems.append("submitted assignments without ratings")
    if exact and slots.exclude(submitted=F("quota")).exists():
        problems.append("an item of the drained study does not have exactly its quota per group")
    return problems


def drain(kind, tokens, study) -> tuple[float, list[int], list[str]]:
    port = free_port()
    server = start_server(kind, port)
    control = {"measuring": threading.Event(), "stop": threading.Event()}
    raters = [Rater(f"http://127.0.0.1:{port}", token, study, control) for token in tokens]
    started = time.perf_counter()
    try:
        for rater in raters:
            rater.start()
        for rater in raters:
            rater.join(timeout=600)
    finally:
        for rater in raters:
            rater.session.close()
        stop_server(server)
    submitted = [a for r in raters for a in r.submitted]
    return time.perf_counter() - started, submitted, [e for r in raters for e in r.errors]


# --- report ---


def print_row(size, kind, raters, row):
    n50, n95, n99 = row["next"]
    s50, s95, s99 = row["submit"]
    t50, t95 = row["trivial"]
    cpu = row["server ms"] + row["postgres ms"]
    print(
        f"| {size:,} | {kind} | {raters} | {row['cycles/s']:.1f} | {n50:.0f} / {n95:.0f} / {n99:.0f} | "
        f"{s50:.0f} / {s95:.0f} / {s99:.0f} | {t50:.0f} / {t95:.0f} | {n95 / t95:.2f} | "
        f"{row['server ms']:.1f} + {row['postgres ms']:.1f} = {cpu:.1f} | {row['trivial cpu ms']:.1f} | "
        f"{row['client ms']:.1f} |",
        flush=True,
    )


HEADER = (
    "| ratings stored | server | raters | cycles/s | next p50 / p95 / p99 ms | submit p50 / p95 / p99 ms | "
    "trivial GET p50 / p95 ms | next p95 ÷ trivial p95 | CPU ms per cycle: server + PostgreSQL | "
    "CPU ms of one trivial GET | load generator CPU ms per cycle |\n" + "|---" * 11 + "|"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--sizes", default="0,50000,500000", help="stored ratings before each measurement")
    parser.add_argument("--raters", default="8,32", help="concurrent raters per phase")
    parser.add_argument("--seconds", type=float, default=25, help="length of each measured phase")
    parser.add_argument("--servers", default="sync4,procfile")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) each rater query")
    parser.add_argument("--keep", action="store_true", help="keep the bench database at the end")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    counts = [int(n) for n in args.raters.split(",")]
    kinds = args.servers.split(",")

    print(f"database {BENCH_DB}: migrating…", flush=True)
    recreate_database()
    django.setup()
    started = time.perf_counter()
    big, small, bench, probe, pools = seed(args.items, max(counts))
    took = time.perf_counter() - started
    print(f"seeded {args.items:,} + 200 items, {len(bench)} bench raters in {took:.0f} s")
    print(f"procfile: {procfile_web()}; {os.cpu_count()} CPUs; {args.seconds:.0f} s per phase", flush=True)
    results, problems = [], []
    try:
        for size in sizes:
            print(f"\nloading {size:,} ratings…", flush=True)
            print(f"loaded in {load_ratings(big, size, pools):.0f} s", flush=True)
            if args.explain:
                from bench.rating_explain import explain_rater_path

                explain_rater_path(big, [name for name, _, _ in bench], size)
            submitted = []
            print(HEADER)
            for kind in kinds:
                for n in counts:
                    tokens = [token for _, _, token in bench[:n]]
                    row, ids, errors = run_phase(kind, tokens, probe, big, args.seconds)
                    submitted += ids
                    problems += errors[:3]
                    results.append((size, kind, n, row))
                    print_row(size, kind, n, row)
            found = check(big, submitted, exact=False)
            problems += [f"{size:,} ratings: {p}" for p in found]
            print(f"exactness at {size:,}: {'OK' if not found else '; '.join(found)}", flush=True)
        seconds, ids, errors = drain(kinds[-1], [token for _, _, token in bench], small)
        per_group = {slug: sum(1 for _, group, _ in bench if group == slug) for slug in GROUPS}
        fillable = all(per_group[slug] >= quota for slug, quota in GROUPS.items())
        if not fillable:
            print(f"(only {per_group} bench raters: quotas cannot all be filled; exactness not checked)")
        found = check(small, ids, exact=fillable)
        problems += errors[:3] + [f"drained study: {p}" for p in found]
        print(
            f"\n200-item study × {sum(GROUPS.values())} ratings drained in {seconds:.1f} s: "
            f"{'exact' if not found else '; '.join(found)}"
        )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database()

    print("\n" + HEADER)
    for size, kind, n, row in results:
        print_row(size, kind, n, row)
    print(
        "\ngoals: CPU per cycle ≤ 20 ms and ≤ 1.5× the value at 0 ratings; next p95 ≤ 3× trivial at 8 raters"
    )
    base = {(kind, n): row["server ms"] + row["postgres ms"] for size, kind, n, row in results if size == 0}
    for size, kind, n, row in results:
        cpu = row["server ms"] + row["postgres ms"]
        ratio = cpu / base[(kind, n)] if (kind, n) in base and base[(kind, n)] else float("nan")
        latency = row["next"][1] / row["trivial"][1]
        print(
            f"  {size:>7,} {kind:<8} {n:>2} raters: {cpu:5.1f} ms/cycle ({ratio:.2f}× at 0)"
            + (f", next p95 {latency:.2f}× trivial" if n == min(counts) else "")
        )
    verdict = "OK (quotas exact, no duplicates, no lost ratings)" if not problems else "; ".join(problems)
    print("consistency: " + verdict)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
