"""Running the access matrix: the inventories (URL names, OpenAPI operations), one client per role, the
expected answer of each request, a database fingerprint that proves a refused write changed nothing, and
the scan of every body a rater may read for what raters must never see."""

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.urls import URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from apps.equity.models import Producer
from apps.reviews.models import Study
from apps.scoring.models import ModelRun
from tests.security import world as world_module
from tests.security.policies import DENY, HIDE, LOGIN, OK, OPENAPI, Entry, resolve_params

HTTP_METHODS = ("get", "put", "post", "patch", "delete")
# Rows these tables gain or change on any request (sessions, log-in throttling) are not a write.
NOT_DATA = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
# Titles of results and agreement tables (apps/reviews/results.py): never on a rater's screen.
RESULT_MARKERS = (
    "Completion by rater group",
    "Completion by rater",
    "Agreement per question and rater group",
)


# --- inventories ---


def url_inventory() -> tuple[dict[str, str], list[str]]:
    """Every URL name of the project (`namespace:name` → route) outside the Django admin, and the routes
    that have no name (which the matrix cannot key)."""
    names: dict[str, str] = {}
    unnamed: list[str] = []

    def walk(resolver, namespace: str, prefix: str):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace, route)
            elif pattern.name:
                names.setdefault(f"{namespace}{pattern.name}", route)
            else:
                unnamed.append(route)

    walk(get_resolver(), "", "")
    return names, unnamed


@cache
def openapi_operations() -> frozenset[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema, generated in-process."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return frozenset(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


def methods_served(path: str) -> set[str]:
    """The HTTP methods (besides HEAD and OPTIONS) the view behind a schema path answers."""
    view = resolve(re.sub(r"\{[^}]+\}", "1", path)).func
    allowed = set(view.cls.http_method_names) - {"head", "options", "trace"}
    if hasattr(view, "actions"):  # a viewset route: the methods mapped to an action
        return {m.upper() for m in view.actions if m in allowed}
    return {m.upper() for m in allowed if hasattr(view.cls, m)}


def url_names_in_schema() -> set[str]:
    """The URL names the schema's paths resolve to."""
    return {resolve(re.sub(r"\{[^}]+\}", "1", path)).view_name for _, path in openapi_operations()}


# --- expectations ---


def expected(entry: Entry, role: str, method: str, url: str, api: bool) -> tuple[set[int], str | None, str]:
    """(allowed statuses, required Location or None, description) for `role` sending `method` to `url`."""
    if entry.login_first and role == "anonymous":
        entry = Entry(policy=entry.policy)
    if method == "GET" and entry.get is not None:
        return {entry.get}, None, f"{entry.get} (method refused first)"
    if method != "GET" and not api and entry.post is not None:
        return {entry.post}, None, f"{entry.post} (method refused first)"
    outcome = entry.policy.outcome(role)
    if outcome == OK:
        return set(entry.ok), None, "/".join(map(str, entry.ok))
    if outcome == LOGIN:
        if api:
            return {401}, None, "401"
        location = redirect_to_login(url).url
        return {302}, location, f"302 → {location}"
    code = {DENY: 403, HIDE: 404}[outcome]
    return {code}, None, str(code)


# --- the database fingerprint ---


def db_fingerprint() -> dict[str, str]:
    """Table → hash of its rows (order-independent), for every table but sessions and log-in throttling."""
    tables = [t for t in connection.introspection.table_names() if t not in NOT_DATA]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) FROM {quote(t)} x"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


# --- leaks ---


def forbidden_for(world, role: str) -> dict[str, str]:
    """What a rater must never read: text → why."""
    other = world.rater_b if role == "rater_a" else world.rater_a
    found = {}
    for producer in Producer.objects.all():
        found[producer.name] = "producer label"
        found[producer.label] = "producer label"
    for name in ModelRun.objects.values_list("model_name", flat=True):
        found[name] = "model name"
    found[other.username] = "another rater's username"
    found[other.email] = "another rater's email"
    secrets = (
        [world_module.RATING_SECRET_B]
        if role == "rater_a"
        else [world_module.RATING_SECRET_A, world_module.DRAFT_SECRET_A]
    )
    for text in secrets:
        found[text] = "another rater's rating or draft"
    for text in RESULT_MARKERS:
        found[text] = "study results or agreement"
    for name, description in Study.objects.values_list("name", "description"):
        found[name] = "a study's internal name"
        found[description] = "a study's internal description"
    return found


def body_of(response) -> str:
    # (the test client closes the response itself; closing it again would close the test's connection)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def leaks(response, body: str, forbidden: dict[str, str]) -> list[str]:
    problems = [f"{why}: {text!r}" for text, why in forbidden.items() if text and text in body]
    if "X-Export-Manifest" in response or "attachment" in response.get("Content-Disposition", ""):
        problems.append("an export download")
    return problems


# --- the run ---


@dataclass
class Report:
    role: str
    rows: list = field(default_factory=list)
    requests: int = 0

    def add(self, name, method, url, want, got):
        self.rows.append((name, method, url, want, got))

    def table(self) -> str:
        head = ("name", "method", "url", "expected", "got")
        rows = [head, *self.rows]
        widths = [min(60, max(len(str(r[i])) for r in rows)) for i in range(4)]
        lines = [
            "  ".join(str(c).ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + str(r[4])
            for r in rows
        ]
        return f"{len(self.rows)} access mismatches for {self.role}:\n" + "\n".join(lines)


def client_for(world, role: str) -> APIClient:
    client = APIClient()
    client.raise_request_exception = False  # a 500 is a row of the report, not the end of the run
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def send(client, method: str, url: str, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(method, url, "{}", content_type="application/json")
    return client.post(url, {})


def got_of(response) -> str:
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


class Runner:
    def __init__(self, world, role: str):
        self.world, self.role = world, role
        self.client = client_for(world, role)
        self.report = Report(role)
        self.is_rater = role in ("rater_a", "rater_b")
        self.forbidden = forbidden_for(world, role) if self.is_rater else {}
        self._fingerprint = None  # valid until the next request that may write

    def check(self, name: str, entry: Entry, method: str, url: str, api: bool):
        writes = method != "GET"
        if writes:
            before = self._fingerprint or db_fingerprint()
        statuses, location, want = expected(entry, self.role, method, url, api)
        response = send(self.client, method, url, api)
        self.report.requests += 1
        body = body_of(response)
        got = got_of(response)
        if response.status_code not in statuses or (location and response.get("Location") != location):
            self.report.add(name, method, url, want, got)
        elif self.is_rater and response.status_code == 200:
            for problem in leaks(response, body, self.forbidden):
                self.report.add(name, method, url, "no leak", f"{got} shows {problem}")
        if writes:
            after = db_fingerprint()
            changed = sorted(t for t in after if after[t] != before.get(t)) + sorted(set(before) - set(after))
            if changed:
                self.report.add(name, method, url, "nothing changed", f"{got}; changed: {', '.join(changed)}")
            self._fingerprint = after
        else:
            self._fingerprint = None

    def refused(self, entry: Entry, method: str, api: bool) -> bool:
        """Whether this role's `method` is refused (and so is sent, to prove it changes nothing)."""
        if not api and entry.post is not None:
            return True
        return entry.policy.outcome(self.role) != OK

    def run(self, pages: dict, operations: dict) -> Report:
        for name, entry in sorted(pages.items()):
            if entry == OPENAPI:
                continue
            url = reverse(name, kwargs=resolve_params(entry.params, self.world)) or "/"
            in_api = url.startswith("/api/")  # the browsable API root answers like the API
            self.check(name, entry, "GET", url, api=in_api)
            if self.refused(entry, "POST", api=in_api):
                self.check(name, entry, "POST", url, api=in_api)
        for (method, path), entry in sorted(operations.items()):
            url = path.format(**resolve_params(entry.params, self.world))
            if entry.query:
                url += "?" + urlencode(resolve_params(entry.query, self.world))
            if method == "GET" or self.refused(entry, method, api=True):
                self.check(f"{method} {path}", entry, method, url, api=True)
        return self.report
