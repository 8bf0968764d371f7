"""Backups: a PostgreSQL custom-format dump plus a tarball of MEDIA_ROOT, with a manifest of row counts."""

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone


def _libpq_env(alias: str = "default") -> dict:
    db = settings.DATABASES[alias]
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "",
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": db["USER"] or "",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} is not installed (Debian package postgresql-client).")
    return str(candidates[-1])


def row_counts(alias: str = "default") -> dict[str, int]:
    """Rows per Equitext model table, the fingerprint a restore must reproduce."""
    counts = {}
    for model in apps.get_models():
        if model.__module__.startswith("apps.") and model._meta.managed:
            counts[model._meta.label] = model.objects.using(alias).count()
    return dict(sorted(counts.items()))


def backup_create(*, directory: Path | None = None, alias: str = "default") -> Path:
    """Write `db.dump`, `media.tar.gz` and `manifest.json` into a new folder; return it."""
    directory = directory or Path(settings.DATA_DIR) / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
    directory.mkdir(parents=True, exist_ok=False)
    db_name = settings.DATABASES[alias]["NAME"]
    # The dump and the manifest's counts read one snapshot: a worker writing meanwhile (a reward model
    # trained, an audit entry) is in neither, so the restore's check compares like with like.
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        subprocess.run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(directory / "db.dump"),
                db_name,
            ],
            env=_libpq_env(alias),
            check=True,
            capture_output=True,
        )
        counts = row_counts(alias)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(directory / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": db_name,
        "row_counts": counts,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return directory


def backup_restore(*, directory: Path, alias: str = "default") -> dict:
    """Restore a backup folder into the configured database (replacing its contents) and MEDIA_ROOT.

    Returns the manifest; raises when the restored row counts differ from the ones recorded at backup."""
    manifest = json.loads((directory / "manifest.json").read_text())
    connections[alias].close()
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            settings.DATABASES[alias]["NAME"],
            str(directory / "db.dump"),
        ],
        env=_libpq_env(alias),
        check=True,
        capture_output=True,
    )
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(directory / "media.tar.gz", "r:gz") as tar:
        if media.exists():
            shutil.rmtree(media)
        media.parent.mkdir(parents=True, exist_ok=True)
        tar.extractall(media.parent, filter="data")
        extracted = media.parent / "media"
        if extracted != media and extracted.exists():
            extracted.rename(media)
    restored = row_counts(alias)
    if restored != manifest["row_counts"]:
        diff = {
            k: (manifest["row_counts"].get(k), restored.get(k))
            for k in set(restored) | set(manifest["row_counts"])
            if restored.get(k) != manifest["row_counts"].get(k)
        }
        raise RuntimeError(f"Restored row counts differ from the backup's manifest: {diff}")
    return manifest
