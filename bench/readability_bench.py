"""Readability of 20,000 paragraphs: the scoring service vs a plain loop of textstat calls, same run.

    .venv/bin/python bench/readability_bench.py [--paragraphs N]

Prints both rates, the ratios, and checks that every value is identical. The service is measured cold
(every text computed and stored in TextScore), then warm (every text read back from the cache). Uses the
database of DATABASE_URL (the local one by default); the rows it writes are deleted at the end.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")

import django  # noqa: E402

django.setup()

import textstat  # noqa: E402

from apps.scoring.models import TextScore  # noqa: E402
from apps.scoring.readability import METRICS, _cmudict, readability_scores  # noqa: E402
from apps.scoring.services import text_scores_get_or_compute, text_sha256  # noqa: E402

COMMON = (
    "the a of and to in is you that it for on are with as your be at this have from or can by not but what "
    "all when there which their if do will each about how up out them then she many some so these would "
    "other into has more her two like him see time could no make than first been its who now people my "
    "made over did down only way find use may water long little very after words called just where most "
    "know doctor care help body blood test cell cells pain food eat day week month year sick feel"
).split()
MEDICAL = (
    "chemotherapy radiation colonoscopy adenocarcinoma metastasis gastroenterologist hepatocellular "
    "carcinoma endoscopy biopsy polyp polyps pancreatic esophageal jaundice cirrhosis immunotherapy "
    "oncologist malignancy resection surveillance inflammatory gastrectomy esophagectomy ultrasonography "
    "nausea dysphagia hepatitis vaccination screening recurrence prognosis palliative nutritional"
).split()


def paragraphs(count: int, seed: int = 2024) -> list[str]:
    rng = random.Random(seed)
    out: dict[str, None] = {}  # distinct paragraphs: no cache can share whole texts
    while len(out) < count:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [
                rng.choice(MEDICAL if rng.random() < 0.15 else COMMON) for _ in range(rng.randint(5, 24))
            ]
            words[0] = words[0].capitalize()
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] += ","
            sentences.append(" ".join(words) + rng.choice(".....?!"))
        out[" ".join(sentences)] = None
    return list(out)


def textstat_loop(texts: list[str]) -> list[dict]:
    return [{key: getattr(textstat, function)(text) for key, function in METRICS.items()} for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=20_000)
    args = parser.parse_args()
    texts = paragraphs(args.paragraphs)
    hashes = [text_sha256(t) for t in texts]
    TextScore.objects.filter(sha256__in=hashes).delete()
    _cmudict()  # both sides use the same offline dictionary; load it before timing

    start = time.perf_counter()
    expected = textstat_loop(texts)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    direct = [readability_scores(t) for t in texts]
    direct_s = time.perf_counter() - start

    from apps.scoring import readability

    for cached in (readability._token_syllables, readability._word_syllables, readability._word_profile):
        cached.cache_clear()  # the service run starts with cold word caches too
    start = time.perf_counter()
    cold = text_scores_get_or_compute(texts)
    cold_s = time.perf_counter() - start

    start = time.perf_counter()
    warm = text_scores_get_or_compute(texts)
    warm_s = time.perf_counter() - start

    identical = expected == direct == cold == warm
    n = len(texts)
    print(f"paragraphs: {n}  (avg {sum(len(t.split()) for t in texts) / n:.0f} words)")
    print(f"textstat, one function at a time : {n / baseline:9.0f} paragraphs/s  ({baseline:.2f} s)")
    print(
        f"readability_scores (no database) : {n / direct_s:9.0f} paragraphs/s  ({direct_s:.2f} s)  "
        f"ratio {baseline / direct_s:.1f}x"
    )
    print(
        f"service, cold (compute + store)  : {n / cold_s:9.0f} paragraphs/s  ({cold_s:.2f} s)  "
        f"ratio {baseline / cold_s:.1f}x"
    )
    print(
        f"service, warm (TextScore cache)  : {n / warm_s:9.0f} paragraphs/s  ({warm_s:.2f} s)  "
        f"ratio {baseline / warm_s:.1f}x"
    )
    print(f"identical values: {identical}")
    TextScore.objects.filter(sha256__in=hashes).delete()
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
