"""Throwaway servers for fault tests: a PostgreSQL cluster and a redis-server of their own, on free ports,
that the tests stop and start at will. The shared servers (54329, 56379) are never touched.

Also the real processes a fault test runs against them: gunicorn serving `apps.wsgi` and a Celery worker,
started with the environment a deployment gives them (`web_env`)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from django.conf import settings

from tests.processes import ROOT, celery_worker_start, wait_for, worker_heartbeat_seen

PG_BIN = (
    sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").exists() else None
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgCluster:
    """A PostgreSQL cluster in a temporary folder under /var/tmp (the `postgres` user must reach it),
    run as `postgres` when the tests run as root, as dev.sh does. fsync off: it is thrown away."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="equitext-faults-pg-", dir="/var/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._pg("initdb", "-D", self.data, "-U", "equitext", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")  # fmt: skip

    def _pg(self, tool: str, *args) -> None:
        command = [str(PG_BIN / tool), *map(str, args)]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, never a pipe: a server started by pg_ctl would hold the pipe open.
        with open(self.root / "pg_ctl.log", "a") as out:
            done = subprocess.run(command, cwd="/", stdout=out, stderr=subprocess.STDOUT, timeout=90)
        if done.returncode:
            raise RuntimeError(f"{tool} failed; see {self.root / 'pg_ctl.log'} and {self.log}")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        self._pg("pg_ctl", "start", "-D", self.data, "-w", "-t", "60", "-l", self.log, "-o", options)

    def stop(self) -> None:
        self._pg("pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "60")

    def restart(self) -> None:
        self._pg("pg_ctl", "restart", "-D", self.data, "-m", "fast", "-w", "-t", "60", "-l", self.log)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str) -> str:
        return f"postgres://equitext@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str, **kwargs) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="equitext", dbname=database, **kwargs)

    def create_database(self, name: str) -> str:
        with self.connect("postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A redis-server without persistence on a fixed free port; `stop` then `start` is a Redis outage."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = self.client()
        wait_for(
            lambda: self._answers(client), what="redis-server", proc=self.proc, log=self.workdir / "redis.log"
        )

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self) -> redis.Redis:
        """A client on the database number the web and worker processes use (EQUITEXT_TESTING puts them
        in the tests' Redis database, the same number as this process's)."""
        db = int(urlsplit(settings.REDIS_URL).path.strip("/") or 0)
        return redis.Redis(
            host="127.0.0.1", port=self.port, db=db, socket_timeout=2, socket_connect_timeout=2
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster, started; stopped and removed at the end of the session."""
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def web_env(*, database_url: str, redis_url: str, media: Path) -> dict:
    """The environment of a deployed web or worker process, pointed at the throwaway servers.

    Production settings (DEBUG off) except plain HTTP on loopback; EQUITEXT_TESTING serves static files
    from static/ (no collectstatic) and puts Redis in the tests' database number."""
    return {
        **os.environ,
        "EQUITEXT_TESTING": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_web(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn serving apps.wsgi, as the Procfile runs it but with one single-threaded worker (each
    request then meets the same database connection, so the reconnect after an outage is deterministic)."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "apps.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def listening():
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, 60, what="gunicorn", proc=proc, log=log)
    return proc, f"http://127.0.0.1:{port}"


def start_worker(env: dict, log: Path, redis_client: redis.Redis) -> subprocess.Popen:
    """A Celery worker on both queues, like the `celery_worker` fixture's; ready once it beats."""
    proc = celery_worker_start(env=env, log=log, name=f"faults-{os.getpid()}@%h")
    wait_for(lambda: worker_heartbeat_seen(redis_client), 60, what="celery worker", proc=proc, log=log)
    return proc
