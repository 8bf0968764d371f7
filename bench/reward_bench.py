"""Reward scoring rate (texts/s): one text at a time vs batches, in the same run.

    .venv/bin/python bench/reward_bench.py [--texts 256] [--batches 1,16,64] [--repeat 3]

A reward head (all-MiniLM-L6-v2 + logistic regression, as `equitext.ml.train_reward` fits it) is fitted
on the demo corpus pairs (read from `apps/corpus/demo.py`, no database), then the same `--texts` texts
are scored with P(simplified) — the part of the reward that needs the model; the rest is arithmetic —
one at a time and in batches (`RewardScorer.score(texts, batch_size=…)`), after a warm-up. Best of
`--repeat` timings per configuration; ratios are against the one-at-a-time baseline of this run.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256, help="texts scored per configuration")
    parser.add_argument("--batches", default="1,16,64", help="batch sizes; the first is the baseline")
    parser.add_argument("--repeat", type=int, default=3, help="timings per configuration (best is kept)")
    args = parser.parse_args()

    import django

    django.setup()
    import torch

    from apps.corpus.demo import DOCUMENTS
    from workers.ml import reward

    pairs = [(original, simplified) for _, _, rows in DOCUMENTS for original, simplified, _, _ in rows]
    texts = [t for pair in pairs for t in pair]
    labels = [label for _ in pairs for label in (0, 1)]
    scorer = reward.fit(texts, labels)
    # Vary the texts so that no two in a batch are identical (sentence suffixes of different lengths).
    workload = [f"{texts[i % len(texts)]} ({i})" for i in range(args.texts)]
    scorer.score(workload[:32], batch_size=32)  # warm-up

    batches = [int(b) for b in args.batches.split(",")]
    cpu = platform.processor() or platform.machine()
    print(f"reward scoring: {args.texts} texts, encoder {scorer.info['name']} on {scorer.encoder.device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu}")  # fmt: skip
    baseline = None
    results = {}
    for batch in batches:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            if batch == 1:
                scores = [scorer.score([text])[0] for text in workload]
            else:
                scores = scorer.score(workload, batch_size=batch)
            best = min(best, time.perf_counter() - started)
        results[batch] = scores
        rate = args.texts / best
        baseline = baseline or rate
        label = "one at a time" if batch == 1 else f"batches of {batch}"
        print(f"  {label:>16}: {rate:8.1f} texts/s  ({rate / baseline:.2f}× the first)")
    first = results[batches[0]]
    drift = max(abs(a - b) for other in results.values() for a, b in zip(first, other, strict=True))
    print(f"  largest difference in P(simplified) between configurations: {drift:.2e}")


if __name__ == "__main__":
    main()
