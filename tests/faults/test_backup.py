"""`make backup` / `make restore`: a backup restored into a fresh PostgreSQL cluster reproduces the data
exactly: the same rows in every table, the same bytes in every research export, the same media files."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from apps.core.models import Job
from apps.corpus.models import Segment
from apps.reviews import assignment as engine
from apps.reviews.models import Study
from apps.scoring.models import Candidate
from tests.conftest import ROOT
from tests.faults.conftest import PgCluster, manage
from tests.faults.export_digests import EXPORTS, fingerprint
from tests.reviews.factories import PAIRWISE_ANSWER
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.slow


def env_for(database_url: str, media) -> dict:
    return {
        **os.environ,
        "EQUITEXT_TESTING": "1",
        "SECRET_KEY": settings.SECRET_KEY,  # rater pseudonyms in the ratings export are keyed on it
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }


def research_world() -> None:
    """The demo world (accounts, corpus, EquityMedQA sets, three live studies, an ELEVATE assessment),
    plus submitted ratings in two studies, a model run with rewarded and reviewed candidates, and a job."""
    from apps.core.management.commands.demo_load import demo_modules
    from apps.scoring import demo as scoring_demo

    for module in demo_modules():
        # Not the scoring demo: it queues reward training, which a worker left running by an earlier test
        # would carry out in the middle of this test, so the rows compared would depend on timing.
        if module is not scoring_demo:
            module.load()
    User = get_user_model()
    answers = {"pairwise": PAIRWISE_ANSWER, "independent": {"bias": "minor", "dimensions": ["stereotypical"]}}
    for study in Study.objects.filter(rubric__kind__in=answers):
        for username in ("physician", "physician2", "equity"):
            rater = User.objects.get(username=username)
            lease = engine.assignment_lease_next(study=study, rater=rater)
            if lease is not None:
                response = {**answers[study.rubric.kind], "comment": f"{username}: «ok» — مرحبا ✓"}
                engine.assignment_submit(assignment_id=lease.pk, rater=rater, response=response)
    run = ModelRunFactory(requested_by=User.objects.get(username="curator"))
    for segment in Segment.objects.order_by("id")[:3]:
        short, accepted = f"Short: {segment.original[:40]}", Candidate.Decision.ACCEPTED
        CandidateFactory(run=run, segment=segment, index=0, text=short, reward=0.8, decision=accepted)
        CandidateFactory(run=run, segment=segment, index=1, text=segment.original, reward=0.1)
    Job.objects.create(kind="recount", requested_by=run.requested_by, result={"note": "kept ✓ عربى"})


@pytest.mark.django_db(transaction=True)  # the backup, a separate process, reads what the test wrote
def test_a_backup_restored_into_a_fresh_cluster_has_the_same_rows_exports_and_media(tmp_path):
    research_world()
    curator = get_user_model().objects.get(username="curator")
    source = fingerprint(curator)
    assert all(source["exports"][name]["lines"] > 0 for name in EXPORTS), source["exports"]
    assert source["exports"]["ratings"]["lines"] >= 10 and source["tables"]["reviews_rating"] >= 4
    media = tmp_path / "media"
    (media / "artefacts").mkdir(parents=True)
    (media / "artefacts" / "reward-v1.bin").write_bytes(b"\x00weights\xff")
    db = connection.settings_dict
    source_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    result = manage("backup", "--output", str(tmp_path / "bk"), env=env_for(source_url, media))
    assert result.returncode == 0, result.stderr

    fresh = PgCluster()
    try:
        fresh.start()
        fresh_env = env_for(fresh.create_database("equitext"), tmp_path / "restored-media")
        result = manage("restore", str(tmp_path / "bk"), "--yes", env=fresh_env)
        assert result.returncode == 0, result.stderr
        assert "row counts match" in result.stdout
        read = subprocess.run(
            [sys.executable, "-m", "tests.faults.export_digests", "curator"],
            cwd=ROOT, env=fresh_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert read.returncode == 0, read.stderr
        restored = json.loads(read.stdout)
        with fresh.connect("equitext") as conn:
            note = conn.execute("SELECT result->>'note' FROM core_job WHERE kind = 'recount'").fetchone()[0]
    finally:
        fresh.destroy()

    assert restored["tables"] == source["tables"]
    assert restored["exports"] == source["exports"]
    assert note == "kept ✓ عربى"
    assert (tmp_path / "restored-media" / "artefacts" / "reward-v1.bin").read_bytes() == b"\x00weights\xff"


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = manage("restore", str(tmp_path), "--yes", env=env_for(url, tmp_path / "m"))
    assert result.returncode != 0
    assert "not a backup folder" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_manifest_counts_the_rows_of_the_dump_even_when_a_worker_writes_meanwhile(tmp_path):
    """A pg_dump that lets a "worker" add a job after dumping: the manifest must count what the dump
    holds (one snapshot), or a restore of a backup taken on a busy system refuses to finish (it failed
    so: the manifest had counted a reward model the dump did not hold)."""
    from apps.core.backup import _pg_tool

    Job.objects.create(kind="recount")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    shim = tmp_path / "bin"
    shim.mkdir()
    late_job = "from apps.core.models import Job; Job.objects.create(kind='late')"
    (shim / "pg_dump").write_text(
        f'#!/bin/sh\n"{_pg_tool("pg_dump")}" "$@" || exit 1\n'
        f'"{sys.executable}" "{ROOT / "manage.py"}" shell -c "{late_job}"\n'
    )
    (shim / "pg_dump").chmod(0o755)
    env = {**env_for(url, tmp_path / "media"), "PATH": f"{shim}:{os.environ['PATH']}"}

    result = manage("backup", "--output", str(tmp_path / "bk"), env=env)
    assert result.returncode == 0, result.stderr
    assert Job.objects.filter(kind="late").count() == 1  # the worker's write landed during the backup
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["row_counts"]["core.Job"] == 1  # as dumped, without the late job
