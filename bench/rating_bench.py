"""Concurrent raters against a running server: next + submit latency, and consistency afterwards.

    .venv/bin/python bench/rating_bench.py [--items 100000] [--raters 52] [--seconds 60] [--workers 3]

What it does, all against a throw-away database `<DATABASE_URL name>_bench_reviews` (dropped first):
1. migrates it and seeds an independent study of `--items` items (one answer each), quotas physicians 3,
   health-equity experts 2, consumers 1, and `--raters` raters in those groups with API tokens;
2. starts gunicorn (`apps.wsgi`, `--workers` processes × 4 threads) on a free loopback port;
3. phase 1 — latency: every rater, in its own thread, loops for `--seconds`: POST studies/{id}/next/,
   POST assignments/{id}/submit/, and GET tokens/ (a trivial authenticated endpoint: token check + one
   small query), so all three are measured under the same load in the same run;
4. phase 2 — exact quotas: the same raters drain a 200-item study completely;
5. checks, in the database: no slot above its quota and `taken` = submitted + live leases; no rater with an
   item twice; one current rating per submitted assignment; every submit answered 200 is a stored rating;
   in phase 2 every item has exactly its quota per group.
Prints p50/p95 per endpoint and the ratios to the trivial endpoint.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
os.environ.setdefault("DEBUG", "false")

import environ  # noqa: E402

environ.Env.read_env(ROOT / ".data" / "local.env", overwrite=False)
BASE_URL = os.environ.get("DATABASE_URL", "postgres://equitext@127.0.0.1:54329/equitext")
_parsed = urlparse(BASE_URL)
BENCH_DB = _parsed.path.lstrip("/") + "_bench_reviews"
BENCH_URL = _parsed._replace(path="/" + BENCH_DB).geturl()
os.environ["DATABASE_URL"] = BENCH_URL

import django  # noqa: E402
import psycopg  # noqa: E402
import requests  # noqa: E402

LOG = open(ROOT / ".data" / "rating-bench-gunicorn.log", "w")  # noqa: SIM115 (open for the whole run)
GROUPS = {"physician": 3, "health-equity-expert": 2, "consumer": 1}
RESPONSE = {"bias": "minor", "dimensions": ["stereotypical"]}


def recreate_database() -> None:
    admin = _parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": BENCH_URL},
        check=True,
    )


def seed(items: int, raters: int):
    """The big study, the small study, raters with tokens. Returns (big id, small id, {username: token})."""
    from apps.accounts.models import RaterGroup
    from apps.accounts.services import token_create, user_create
    from apps.core.roles import Role
    from apps.equity.models import Answer, Producer, Question, QuestionSet, text_hash
    from apps.reviews import services
    from apps.reviews.models import Rubric

    curator = user_create(username="bench-curator", password="bench-pass-1234", role=Role.CURATOR)
    producer = Producer.objects.create(name="bench-model")
    studies = []
    for name, count in (("Bench large", items), ("Bench small", 200)):
        qset = QuestionSet.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        questions = Question.objects.bulk_create(
            (
                Question(
                    question_set=qset,
                    text=f"{name} question {n}?",
                    text_hash=text_hash(f"{name} question {n}?"),
                    position=n,
                )
                for n in range(1, count + 1)
            ),
            batch_size=5000,
        )
        Answer.objects.bulk_create(
            (
                Answer(
                    question=q,
                    producer=producer,
                    text=f"Answer {q.position}.",
                    text_hash=text_hash(f"Answer {q.position}."),
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
        studies.append(study.pk)
    groups = {group.slug: group for group in RaterGroup.objects.filter(slug__in=GROUPS)}
    slugs = list(GROUPS)
    tokens = {}
    for n in range(raters):
        group = groups[slugs[n % len(slugs)]]
        user = user_create(
            username=f"rater{n:03d}", password="bench-pass-1234", role=Role.RATER, rater_group=group
        )
        tokens[user.username] = token_create(user=user, name="bench")[1]
    return studies[0], studies[1], tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "apps.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
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
    proc.terminate()
    proc.wait(timeout=30)
    raise RuntimeError("gunicorn did not answer within 120 s")


class Rater(threading.Thread):
    def __init__(self, base: str, token: str, study: int, until: float | None, barrier, timings: bool):
        super().__init__(daemon=True)
        self.base, self.study, self.until, self.barrier, self.timings = base, study, until, barrier, timings
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.latency = {"next": [], "submit": [], "trivial": []}
        self.submitted: list[int] = []
        self.errors: list[str] = []

    def timed(self, name, method, path, **kwargs):
        start = time.perf_counter()
        response = self.session.request(method, self.base + path, timeout=60, **kwargs)
        if self.timings:
            self.latency[name].append(time.perf_counter() - start)
        return response

    def run(self):
        self.barrier.wait()
        while self.until is None or time.monotonic() < self.until:
            leased = self.timed("next", "POST", f"/api/v1/studies/{self.study}/next/")
            if leased.status_code == 204:
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
            if self.timings:
                trivial = self.timed("trivial", "GET", "/api/v1/tokens/")
                if trivial.status_code != 200:
                    self.errors.append(f"tokens {trivial.status_code}")


def run_phase(base, tokens, study, seconds, timings):
    until = time.monotonic() + seconds if seconds else None
    barrier = threading.Barrier(len(tokens))
    raters = [Rater(base, token, study, until, barrier, timings) for token in tokens.values()]
    start = time.perf_counter()
    for rater in raters:
        rater.start()
    for rater in raters:
        rater.join()
    return raters, time.perf_counter() - start


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def check(study_id: int, submitted_ids: list[int], exact: bool) -> list[str]:
    from django.db.models import Count, F, Q

    from apps.reviews.models import Assignment, ItemSlot, Rating

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
    if stored != set(submitted_ids):
        problems.append(f"{len(set(submitted_ids) - stored)} acknowledged submits without a rating")
    if Assignment.objects.filter(study_id=study_id, status="submitted").count() != len(stored):
        problems.append("submitted assignments without ratings")
    if exact and slots.exclude(submitted=F("quota")).exists():
        problems.append("an item of the drained study does not have exactly its quota per group")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=52)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    print(f"database {BENCH_DB}: migrating…", flush=True)
    recreate_database()
    django.setup()
    started = time.perf_counter()
    big, small, tokens = seed(args.items, args.raters)
    print(
        f"seeded {args.items:,} + 200 items, {args.raters} raters in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    raters, drain = [], []
    try:
        print(
            f"phase 1: {args.raters} raters × {args.seconds:.0f} s on the {args.items:,}-item study…",
            flush=True,
        )
        raters, elapsed = run_phase(base, tokens, big, args.seconds, timings=True)
        print("phase 2: draining the 200-item study…", flush=True)
        drain, drain_elapsed = run_phase(base, tokens, small, None, timings=False)
    finally:
        for rater in raters + drain:
            rater.session.close()  # gunicorn waits for open keep-alive connections before it stops
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    errors = [e for r in raters + drain for e in r.errors]
    latency = {name: [v for r in raters for v in r.latency[name]] for name in ("next", "submit", "trivial")}
    trivial_p50, trivial_p95 = percentile(latency["trivial"], 50), percentile(latency["trivial"], 95)
    print()
    cpus = os.cpu_count()
    print(f"gunicorn: {args.workers} workers × 4 threads; {args.raters} concurrent raters; {cpus} CPUs")
    print(f"{'endpoint':<34}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p50 ×':>8}{'p95 ×':>8}")
    labels = {
        "next": "POST studies/{id}/next/",
        "submit": "POST assignments/{id}/submit/",
        "trivial": "GET tokens/ (trivial, baseline)",
    }
    for name in ("next", "submit", "trivial"):
        values = latency[name]
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(
            f"{labels[name]:<34}{len(values):>9}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}"
            f"{p50 / trivial_p50:>8.2f}{p95 / trivial_p95:>8.2f}"
        )
    ratings = sum(len(r.submitted) for r in raters)
    pair_ms = (statistics.mean(latency["next"]) + statistics.mean(latency["submit"])) * 1000
    print(
        f"phase 1: {ratings} ratings in {elapsed:.1f} s = {ratings / elapsed:.1f} ratings/s "
        f"(mean next + submit {pair_ms:.0f} ms)"
    )
    print(f"phase 2: 200 items × {sum(GROUPS.values())} ratings drained in {drain_elapsed:.1f} s")
    problems = check(big, [a for r in raters for a in r.submitted], exact=False)
    problems += check(small, [a for r in drain for a in r.submitted], exact=True)
    if errors:
        problems.append(f"{len(errors)} request errors, e.g. {errors[0]}")
    print(
        "consistency: "
        + ("OK (quotas exact, no duplicates, no lost ratings)" if not problems else "; ".join(problems))
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
