"""EXPLAIN (ANALYZE, BUFFERS) of every query the rater path sends, on the bench database as it is.

Called by `bench/rating_bench.py --explain` after each size is loaded. Each rater-path request (API
next/ new and held, draft/, submit/, skip/; the queue page, the rate page, its htmx submit and skip, the
draft autosave; a trivial GET) runs once in-process through Django's test client as a bench rater, with
a study webhook subscribed so the progress check runs too. A database execute-wrapper runs each
statement first under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) inside a savepoint (or a transaction)
that is rolled back, then for real — so every plan is the plan of the real statement on the real state
just before it ran. For contrast it also explains the selector the rater path used before (an OR over a
join with every assignment of the study and its quotas, with DISTINCT).

Prints per request: queries, summed execution time and buffers; writes every plan (compact tree) to
.data/rating-bench-explain-<size>.txt and flags sequential scans of the large tables.
"""

import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGE = {
    "reviews_assignment",
    "reviews_itemslot",
    "reviews_rating",
    "reviews_studyitem",
    "core_auditlog",
    "equity_answer",
    "equity_question",
}
SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan")


def _walk(node, depth=0):
    yield depth, node
    for child in node.get("Plans", []):
        yield from _walk(child, depth + 1)


def _describe(node) -> str:
    what = node["Node Type"]
    if node.get("Relation Name"):
        what += f" on {node['Relation Name']}"
    if node.get("Index Name"):
        what += f" using {node['Index Name']}"
    loops = node.get("Actual Loops", 1)
    rows = node.get("Actual Rows", 0)
    removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
    extra = f", removed {removed}" if removed else ""
    if node.get("Actual Loops") == 0 or "Actual Rows" not in node:
        return f"{what} (never executed)"
    return f"{what} (rows {rows} × {loops} loops{extra}, {node.get('Actual Total Time', 0):.3f} ms)"


class Explainer:
    """An execute-wrapper that EXPLAINs each statement (rolled back) before running it."""

    def __init__(self):
        self.records: list[dict] = []
        self.label = ""

    def __call__(self, execute, sql, params, many, context):
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if not many and head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            self._explain(context, sql, params)
        elif head:
            self.records.append({"label": self.label, "sql": sql, "plan": None})
        return execute(sql, params, many, context)

    def _explain(self, context, sql, params):
        # a plain cursor of the driver's connection: no wrapper runs again, and EXPLAIN is never prepared
        raw = context["connection"].connection.cursor()
        nested = context["connection"].in_atomic_block
        raw.execute("SAVEPOINT bench_explain" if nested else "BEGIN")
        try:
            raw.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = raw.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
        except Exception as exc:  # noqa: BLE001 (recorded: a statement that fails under EXPLAIN)
            plan = {"error": str(exc)}
        finally:
            raw.execute("ROLLBACK TO SAVEPOINT bench_explain" if nested else "ROLLBACK")
            if nested:
                raw.execute("RELEASE SAVEPOINT bench_explain")
        self.records.append({"label": self.label, "sql": sql, "plan": plan})


def _requests(study_id: int, username: str):
    """(label, callable) for each rater-path request, in an order where each one's state exists."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from apps.accounts.services import token_create

    user = get_user_model().objects.get(username=username)
    key = token_create(user=user, name="explain")[1]
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    page = Client(HTTP_HOST="127.0.0.1")
    page.force_login(user)
    htmx = {"HTTP_HX_REQUEST": "true"}
    state: dict = {}
    mine = "/api/v1/assignments/{}/{}/"
    answer = {"response": {"bias": "minor", "dimensions": ["stereotypical"]}}
    form = {"bias": "minor", "dimensions": "stereotypical", "time_spent_ms": "4000"}

    def lease():
        response = api.post(f"/api/v1/studies/{study_id}/next/")
        state["id"] = response.json()["id"]
        return response

    def html_next():
        response = page.post(reverse("reviews:rate_next", args=[study_id]))
        state["id"] = int(response["Location"].rstrip("/").split("/")[-1])
        return response

    def htmx_submit():
        response = page.post(reverse("reviews:rate_submit", args=[state["id"]]), form, **htmx)
        state["id"] = int(response["HX-Push-Url"].rstrip("/").split("/")[-1])
        return response

    def htmx_skip():
        response = page.post(reverse("reviews:rate_skip", args=[state["id"]]), **htmx)
        state["id"] = int(response["HX-Push-Url"].rstrip("/").split("/")[-1])
        return response

    return [
        ("warm-up (not counted)", lambda: api.get("/api/v1/tokens/")),
        ("GET tokens/ (trivial)", lambda: api.get("/api/v1/tokens/")),
        ("POST next/ (new lease)", lease),
        ("POST next/ (lease held)", lambda: api.post(f"/api/v1/studies/{study_id}/next/")),
        ("PUT draft/", lambda: api.put(mine.format(state["id"], "draft"), answer, format="json")),
        ("POST submit/", lambda: api.post(mine.format(state["id"], "submit"), answer, format="json")),
        ("POST next/ (after a submit)", lease),
        ("POST skip/", lambda: api.post(mine.format(state["id"], "skip"))),
        ("GET queue page", lambda: page.get(reverse("accounts:queue"))),
        ("POST rate next (page)", html_next),
        ("GET rate page", lambda: page.get(reverse("reviews:rate", args=[state["id"]]))),
        (
            "POST rate draft (autosave)",
            lambda: page.post(reverse("reviews:rate_draft", args=[state["id"]]), form),
        ),
        ("POST rate submit (htmx: submit + next item)", htmx_submit),
        ("POST rate skip (htmx: skip + next item)", htmx_skip),
    ]


def _old_selector(study_id: int, username: str):
    """The study lookup the rater path made before issue 17 (for contrast)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from apps.reviews.models import Study

    user = get_user_model().objects.select_related("rater_profile").get(username=username)
    visible = Q(assignments__rater=user) | Q(
        quotas__group_id=user.rater_profile.group_id, status__in=[Study.Status.LIVE, Study.Status.PAUSED]
    )
    studies = Study.objects.filter(visible).exclude(status="draft").distinct()
    return lambda: studies.filter(pk=study_id).first()


def explain_rater_path(study_id: int, usernames: list[str], size: int) -> None:
    from django.db import connection

    from apps.core.webhooks import webhook_create
    from apps.reviews.models import Study

    curator = Study.objects.get(pk=study_id).created_by
    hook = webhook_create(
        owner=curator, url="https://example.org/bench", events=["study.progress"], progress_percents=[99]
    )
    explainer = Explainer()
    results = []
    steps = _requests(study_id, usernames[-1])
    steps.append(("before: the old study lookup (DISTINCT join)", _old_selector(study_id, usernames[-1])))
    try:
        with connection.execute_wrapper(explainer):
            for label, call in steps:
                explainer.label = label
                first = len(explainer.records)
                started = time.perf_counter()
                response = call()
                wall = (time.perf_counter() - started) * 1000
                status = getattr(response, "status_code", "-")
                results.append((label, status, explainer.records[first:], wall))
    finally:
        hook.delete()
    lines = [f"EXPLAIN (ANALYZE, BUFFERS) of the rater path with {size:,} ratings stored", ""]
    print(f"\nEXPLAIN at {size:,} ratings (plans: .data/rating-bench-explain-{size}.txt)")
    print("| request | status | queries | execution ms (sum) | buffers hit+read (sum) | largest node rows |")
    print("|---|---|---|---|---|---|")
    flagged = []
    for label, status, records, _wall in results:
        if label.startswith("warm-up"):
            continue
        executed = [r for r in records if r["plan"] and "Plan" in r["plan"]]
        total_ms = sum(r["plan"]["Execution Time"] for r in executed)
        buffers = sum(
            r["plan"]["Plan"].get("Shared Hit Blocks", 0) + r["plan"]["Plan"].get("Shared Read Blocks", 0)
            for r in executed
        )
        largest = max(
            (
                node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
                for r in executed
                for _, node in _walk(r["plan"]["Plan"])
            ),
            default=0,
        )
        print(f"| {label} | {status} | {len(records)} | {total_ms:.2f} | {buffers} | {largest} |")
        lines.append(
            f"== {label}: HTTP {status}, {len(records)} queries, {total_ms:.2f} ms, {buffers} buffers"
        )
        for record in records:
            lines.append("  " + " ".join(record["sql"].split())[:240])
            plan = record["plan"]
            if plan is None:
                continue
            if "error" in plan:
                lines.append(f"    (EXPLAIN failed: {plan['error']})")
                continue
            top = plan["Plan"]
            lines.append(
                f"    execution {plan['Execution Time']:.3f} ms, planning {plan['Planning Time']:.3f} ms, "
                f"buffers hit {top.get('Shared Hit Blocks', 0)} read {top.get('Shared Read Blocks', 0)}"
            )
            for depth, node in _walk(top):
                lines.append("    " + "  " * depth + "-> " + _describe(node))
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE:
                    flagged.append(f"{label}: Seq Scan on {node['Relation Name']}")
        lines.append("")
    (ROOT / ".data" / f"rating-bench-explain-{size}.txt").write_text("\n".join(lines))
    rater_path = [f for f in flagged if not f.startswith("before:")]
    print("sequential scans of large tables on the rater path:", ", ".join(rater_path) or "none", flush=True)
