"""The deployment files agree with each other: compose.yaml, the Procfile `make run` starts, settings."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def option(command: str, flag: str) -> str:
    args = shlex.split(command)
    return args[args.index(flag) + 1]


def test_compose_has_the_designed_services():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "gpu-worker", "beat"}


def test_compose_commands_match_the_processes_make_run_starts():
    services, procs = compose()["services"], procfile()
    assert "scripts/dev.sh run" in (ROOT / "Makefile").read_text()
    assert "Procfile" in (ROOT / "scripts" / "dev.sh").read_text()

    assert "gunicorn apps.wsgi" in services["web"]["command"] and "gunicorn apps.wsgi" in procs["web"]
    for name in ("worker", "gpu-worker", "beat"):
        assert option(services[name]["command"], "-A") == "workers.celery"
    assert option(procs["worker"], "-A") == option(procs["beat"], "-A") == "workers.celery"
    # One local worker serves both queues; in compose they are split between CPU and GPU hosts.
    local_queues = set(option(procs["worker"], "-Q").split(","))
    assert option(services["gpu-worker"]["command"], "-Q") == "gpu"
    assert local_queues == {option(services["worker"]["command"], "-Q"), "gpu"}
    assert option(services["beat"]["command"], "--scheduler") == option(procs["beat"], "--scheduler")
    assert services["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == [
        "gpu"
    ]


def test_compose_environment_is_what_settings_read_and_what_local_setup_writes():
    settings_source = (ROOT / "apps" / "settings.py").read_text()
    read_by_settings = set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"', settings_source))
    app_env = set(compose()["services"]["web"]["environment"])
    assert app_env - read_by_settings <= {"EQUITEXT_MODEL_CACHE"}, app_env - read_by_settings
    script = (ROOT / "scripts" / "dev.sh").read_text()
    local_env_block = script.split('local.env" <<EOF', 1)[1].split("\nEOF", 1)[0]
    local_env = set(re.findall(r"^([A-Z_]+)=", local_env_block, re.M))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= local_env
    assert local_env <= app_env, local_env - app_env
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in read_by_settings | app_env), "every variable is documented"


def run_check(env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "EQUITEXT_TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "EQUITEXT_LOCAL_DEV",  # read from .data/local.env into this process
            "EQUITEXT_DEV_DEBUG",
        }
    }
    env.update({"EQUITEXT_DATA_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_check(
        {
            "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-" + "y" * 20,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "equitext.example.org",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_is_refused_with_a_clear_message(tmp_path):
    result = run_check({"DEBUG": "false"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
