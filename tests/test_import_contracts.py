"""The import contracts in pyproject.toml (`lint-imports`, run by `make test`) stay exact: every app has a
contract, and every cross-app edge the allow-list grants is one the code uses — so removing any
allowed edge from a contract makes `lint-imports` fail, and a new edge is a reviewed one-line change."""

import tomllib

import grimp
import pytest

from tests.processes import ROOT

CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
APPS = sorted(f"apps.{path.name}" for path in (ROOT / "apps").iterdir() if (path / "apps.py").exists())
PER_APP = {
    contract["source_modules"][0]: contract
    for contract in CONTRACTS
    if contract["type"] == "forbidden" and contract["source_modules"][0] in APPS
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("apps", "workers")


def allowed_edges(app: str) -> set[str]:
    """The feature apps (core aside) that `app`'s contract lets it import."""
    return set(APPS) - set(PER_APP[app]["forbidden_modules"]) - {app, "apps.core"}


def test_every_app_has_a_contract_naming_every_other_app():
    assert set(PER_APP) == set(APPS), "an app without its own contract in pyproject.toml"
    for app, contract in PER_APP.items():
        unknown = set(contract["forbidden_modules"]) - set(APPS)
        assert not unknown, f"{app}'s contract names apps that do not exist: {unknown}"


@pytest.mark.parametrize("app", APPS)
def test_every_allowed_edge_is_used(graph, app):
    modules = {m for m in graph.modules if m == app or m.startswith(app + ".")}
    for other in sorted(allowed_edges(app)):
        targets = {m for m in graph.modules if m == other or m.startswith(other + ".")}
        used = any(graph.direct_import_exists(importer=m, imported=t) for m in modules for t in targets)
        assert used, f"{app} may import {other} but never does: remove {other} from its allow-list"


def test_the_graph_sees_imports_inside_functions(graph):
    """The contracts cover deferred imports: the equity page that starts answer generation imports the
    scoring form inside the view function, and the graph has that edge."""
    source = (ROOT / "apps/equity/views.py").read_text()
    assert "    from apps.scoring.forms import AnswerGenerationForm" in source  # indented: inside a function
    assert graph.direct_import_exists(importer="apps.equity.views", imported="apps.scoring.forms")
