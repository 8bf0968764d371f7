"""Import of a 100,000-row corpus CSV: rows per second and peak memory.

    .venv/bin/python bench/corpus_import_bench.py [--rows N]

Runs the real import service (check pass, then write pass: documents, segments, first revisions and the
readability of both texts through TextScore) against the database of DATABASE_URL, inside a transaction
that is rolled back at the end, so nothing stays behind. Memory is the process's peak resident size
(ru_maxrss) above what it was just before the import; a smaller run is measured first for comparison, so
the output shows whether memory grows with the file.
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
os.environ.setdefault("DEBUG", "false")  # as in production: DEBUG keeps every SQL statement in memory

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from apps.corpus import import_services  # noqa: E402
from apps.metrics.readability import _cmu_syllables  # noqa: E402

WORDS = (
    "cancer cells colon rectum liver stomach pancreas doctor test treatment surgery chemo radiation polyp "
    "screening blood stool scan tumor grow spread risk early signs pain weight care team family health body "
    "patients usually often may can will help find remove check years months weeks small large inside"
).split()
HARD = "adenocarcinoma metastatic colonoscopy hepatocellular gastrectomy immunotherapy surveillance".split()


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["original", "simplified", "document", "topic", "split"])
        for i in range(rows):
            original = (
                " ".join(rng.choice(WORDS + HARD) for _ in range(rng.randint(15, 35))).capitalize() + "."
            )
            simplified = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            writer.writerow(
                [
                    original,
                    simplified,
                    f"Document {i // 40}",
                    "colorectal",
                    rng.choice(["train", "dev", "test"]),
                ]
            )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run(path: Path) -> tuple[float, int, float]:
    options = import_services.import_options(file_name=path.name, preset="simpledc")
    before = peak_rss_mib()
    start = time.perf_counter()
    with transaction.atomic():
        batch = import_services.import_batch_create(
            file_name=path.name, options=options, skip_invalid=False, user=None
        )
        with path.open("rb") as first, path.open("rb") as second:
            files = iter([first, second])
            batch = import_services.import_batch_run(batch_id=batch.pk, open_file=lambda: next(files))
        transaction.set_rollback(True)
    seconds = time.perf_counter() - start
    return seconds, batch.rows_imported, peak_rss_mib() - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    _cmu_syllables()  # loaded once per process by any scoring; not part of the import
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.csv", Path(tmp) / "large.csv"
        write_csv(small, args.rows // 10)
        write_csv(large, args.rows)
        for label, path in (("small", small), ("large", large)):
            seconds, rows, grown = run(path)
            size = path.stat().st_size / 2**20
            print(
                f"{label}: {rows:7d} rows ({size:5.1f} MiB) in {seconds:6.1f} s = "
                f"{rows / seconds:7.0f} rows/s; peak memory grew {grown:6.1f} MiB"
            )


if __name__ == "__main__":
    main()
