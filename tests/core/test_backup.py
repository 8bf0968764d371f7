"""`make backup` / `make restore`: a backup restored into a fresh database reproduces the data exactly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from apps.core.backup import row_counts
from apps.core.models import Job
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def manage(*args, database: str, media: Path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "EQUITEXT_TESTING": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{database}",
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_backup_restores_into_a_fresh_database_with_identical_rows_and_media(tmp_path, curator):
    Job.objects.create(kind="recount", requested_by=curator, result={"note": "kept ✓ عربى"})
    UserFactory(username="dora")
    media = tmp_path / "media"
    (media / "artefacts").mkdir(parents=True)
    (media / "artefacts" / "reward-v1.bin").write_bytes(b"\x00weights\xff")
    source_db = connection.settings_dict["NAME"]
    before = row_counts()

    result = manage("backup", "--output", str(tmp_path / "bk"), database=source_db, media=media)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text())["row_counts"] == before

    fresh = f"{source_db}_restored"
    admin = {k: v for k, v in connection.get_connection_params().items() if k in {"host", "port", "user"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored-media"
        result = manage("restore", str(tmp_path / "bk"), "--yes", database=fresh, media=restored_media)
        assert result.returncode == 0, result.stderr
        assert "row counts match" in result.stdout
        with psycopg.connect(dbname=fresh, **admin) as conn:
            note = conn.execute("SELECT result->>'note' FROM core_job").fetchone()[0]
            users = conn.execute("SELECT count(*) FROM auth_user").fetchone()[0]
        assert note == "kept ✓ عربى" and users == 2
        assert (restored_media / "artefacts" / "reward-v1.bin").read_bytes() == b"\x00weights\xff"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    result = manage(
        "restore", str(tmp_path), "--yes", database=connection.settings_dict["NAME"], media=tmp_path / "m"
    )
    assert result.returncode != 0
    assert "not a backup folder" in result.stderr
