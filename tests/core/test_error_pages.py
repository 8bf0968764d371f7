"""What a visitor sees when something is missing or breaks: the product's own 404 and 500 (JSON under
/api/, as the README promises), never a traceback or the route list, in the test settings and in the
configuration `make run` writes (`.data/local.env` from scripts/dev.sh). `EQUITEXT_DEV_DEBUG=1` shows
Django's debug pages to a developer on loopback only (apps/core/debug_pages.py)."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.core.crash_urls import SECRET_DETAIL

pytestmark = pytest.mark.django_db
ROUTE_LIST = "Using the URLconf defined in"  # Django's technical 404 lists the routes after this
TRACEBACK = "Traceback"


@pytest.fixture
def crashing_client(client, settings):
    settings.ROOT_URLCONF = "tests.core.crash_urls"
    client.raise_request_exception = False
    return client


def test_a_404_under_the_api_is_json_and_a_page_elsewhere(client):
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json()["detail"].startswith(
        "No API endpoint at /api/v1/no-such-thing/"
    )
    page = client.get("/no-such-page/")
    assert (
        page.status_code == 404 and b"Not found" in page.content and ROUTE_LIST.encode() not in page.content
    )


def test_a_500_shows_no_traceback_and_logs_it(crashing_client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        page = crashing_client.get("/boom/")
    assert page.status_code == 500
    body = page.content.decode()
    assert "Something went wrong" in body and SECRET_DETAIL not in body and TRACEBACK not in body
    assert any(SECRET_DETAIL in str(record.exc_info[1]) for record in caplog.records if record.exc_info)

    api = crashing_client.get("/api/v1/boom/")
    assert api.status_code == 500 and "Internal server error" in api.json()["detail"]
    assert SECRET_DETAIL not in api.content.decode()


def test_debug_pages_reach_only_a_developer_on_loopback(crashing_client, settings):
    settings.EQUITEXT_DEV_DEBUG = True
    mine = crashing_client.get("/boom/", REMOTE_ADDR="127.0.0.1")
    assert mine.status_code == 500 and SECRET_DETAIL in mine.content.decode()
    assert ROUTE_LIST in crashing_client.get("/nope/", REMOTE_ADDR="::1").content.decode()
    for who in (
        {"REMOTE_ADDR": "192.0.2.7"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.7"},
    ):
        assert SECRET_DETAIL not in crashing_client.get("/boom/", **who).content.decode(), who
        assert ROUTE_LIST not in crashing_client.get("/nope/", **who).content.decode(), who
    # the API keeps its JSON 404 even for the developer: clients depend on it
    assert crashing_client.get("/api/v1/nope/", REMOTE_ADDR="127.0.0.1").json()["detail"]


# --- the `make run` configuration, in a process of its own -------------------------------------------

PROBE = r"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
django.setup()
from django.conf import settings
from django.test import Client
settings.ROOT_URLCONF = "tests.core.crash_urls"
answers = {"DEBUG": settings.DEBUG}
for name, path, meta in [
    ("api_404", "/api/v1/no-such-thing/", {}),
    ("page_404", "/no-such-page/", {}),
    ("page_500", "/boom/", {}),
    ("api_500", "/api/v1/boom/", {}),
    ("proxied_500", "/boom/", {"HTTP_X_FORWARDED_FOR": "192.0.2.7"}),
    ("remote_404", "/no-such-page/", {"REMOTE_ADDR": "192.0.2.7"}),
]:
    response = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1").get(path, **meta)
    answers[name] = {"status": response.status_code, "type": response["Content-Type"],
                     "body": response.content.decode(errors="replace")}
print(json.dumps(answers))
"""


def make_run_local_env() -> str:
    """The .data/local.env that scripts/dev.sh writes, with its shell variables filled in."""
    script = (ROOT / "scripts" / "dev.sh").read_text()
    block = script.split('local.env" <<EOF', 1)[1].split("\nEOF", 1)[0]
    values = {"secret": "local-" + "s" * 50, "PG_PORT": "54329", "REDIS_PORT": "56379"}
    return re.sub(r"\$(\w+)", lambda m: values[m.group(1)], block)


def probe_make_run(tmp_path, **extra_env) -> tuple[dict, str]:
    (tmp_path / "local.env").write_text(make_run_local_env())
    dropped = {"SECRET_KEY", "DEBUG", "EQUITEXT_TESTING", "EQUITEXT_LOCAL_DEV", "EQUITEXT_DEV_DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and k != "DJANGO_SETTINGS_MODULE"}
    env.update(EQUITEXT_DATA_DIR=str(tmp_path), LOG_LEVEL="ERROR", **extra_env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_make_run_serves_no_debug_pages_and_logs_the_traceback(tmp_path):
    answers, log = probe_make_run(tmp_path)
    assert answers["DEBUG"] is False
    assert answers["api_404"]["status"] == 404 and answers["api_404"]["type"] == "application/json"
    assert json.loads(answers["api_404"]["body"])["detail"].startswith("No API endpoint")
    assert answers["page_404"]["status"] == 404 and ROUTE_LIST not in answers["page_404"]["body"]
    assert "Not found" in answers["page_404"]["body"]
    for name in ("page_500", "api_500"):
        assert answers[name]["status"] == 500, answers[name]
        assert SECRET_DETAIL not in answers[name]["body"] and TRACEBACK not in answers[name]["body"]
    assert answers["api_500"]["type"] == "application/json"
    # the developer reads what happened in the web process's log instead (honcho prints it)
    assert TRACEBACK in log and SECRET_DETAIL in log


def test_make_run_with_dev_debug_shows_debug_pages_to_loopback_only(tmp_path):
    answers, _ = probe_make_run(tmp_path, EQUITEXT_DEV_DEBUG="1")
    assert answers["DEBUG"] is False
    assert SECRET_DETAIL in answers["page_500"]["body"]  # the test client calls from 127.0.0.1
    assert ROUTE_LIST in answers["page_404"]["body"]
    assert answers["api_404"]["type"] == "application/json"
    assert SECRET_DETAIL not in answers["proxied_500"]["body"]
    assert ROUTE_LIST not in answers["remote_404"]["body"] and "Not found" in answers["remote_404"]["body"]
