"""The generated access matrix (issue 11): every URL name and every OpenAPI operation has a declared
policy (matrix.py), and every role gets exactly what the policy says from every endpoint: GET for each
role; each write method as each role it refuses, which must also leave the database unchanged. Bodies a
rater may read are scanned for producer labels, other raters' identities and answers, results and
exports."""

import pytest

from tests.security import matrix, policies
from tests.security.policies import ROLES
from tests.security.runner import (
    Runner,
    methods_served,
    openapi_operations,
    url_inventory,
    url_names_in_schema,
)

POLICY_NAMES = ", ".join(name for name, value in vars(policies).items() if isinstance(value, policies.Policy))


def test_every_url_name_has_an_entry():
    names, unnamed = url_inventory()
    missing = sorted(set(names) - set(matrix.PAGES))
    stale = sorted(set(matrix.PAGES) - set(names))
    problems = []
    if unnamed:
        problems.append(f"URL patterns without a name (give each a name): {unnamed}")
    if missing:
        lines = "\n".join(f'    "{name}": E(<POLICY>, pk=W.<object>),  # {names[name]}' for name in missing)
        problems.append(
            f"URL names with no entry in tests/security/matrix.py PAGES; add (policies: {POLICY_NAMES}; "
            f"objects: tests/security/world.py):\n{lines}"
        )
    if stale:
        problems.append(f"PAGES entries for URL names that no longer exist (remove them): {stale}")
    assert not problems, "\n".join(problems)


def test_every_openapi_operation_has_an_entry():
    operations = openapi_operations()
    missing = sorted(operations - set(matrix.API))
    stale = sorted(set(matrix.API) - operations)
    problems = []
    if missing:
        lines = "\n".join(
            f'    ("{m}", f"{{V}}{p.removeprefix(matrix.V)}"): E(<POLICY>, id=W.<object>),'
            for m, p in missing
        )
        problems.append(f"OpenAPI operations with no entry in tests/security/matrix.py API; add:\n{lines}")
    if stale:
        problems.append(f"API entries for operations the schema no longer has (remove them): {stale}")
    assert not problems, "\n".join(problems)


def test_the_schema_names_every_method_each_api_route_serves():
    """So no write method escapes the matrix by being left out of the schema."""
    documented: dict[str, set[str]] = {}
    for method, path in openapi_operations():
        documented.setdefault(path, set()).add(method)
    undocumented = {
        path: sorted(methods_served(path) - methods)
        for path, methods in documented.items()
        if methods_served(path) - methods
    }
    assert not undocumented, f"API routes serving methods the schema does not list: {undocumented}"


def test_url_names_left_to_the_openapi_table_are_in_the_schema():
    delegated = {name for name, entry in matrix.PAGES.items() if entry == policies.OPENAPI}
    uncovered = sorted(delegated - url_names_in_schema())
    assert not uncovered, (
        f"PAGES marks {uncovered} as OPENAPI but no schema path resolves to them: give each its own policy"
    )


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world):
    report = Runner(world, role).run(matrix.PAGES, matrix.API)
    assert report.requests > 150
    assert not report.rows, report.table()


def test_django_admin_refuses_raters_and_anonymous(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    for rater in (world.rater_a, world.rater_b):
        client.force_login(rater)
        response = client.get("/admin/")
        assert response.status_code == 302, rater.username
        assert response["Location"] == "/admin/login/?next=/admin/"
        response = client.get("/admin/reviews/rating/")
        assert response.status_code == 302, rater.username
    client.force_login(world.admin)
    assert client.get("/admin/").status_code == 200
