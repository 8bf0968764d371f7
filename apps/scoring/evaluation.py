"""The held-out evaluation table: one row per generator version, each metric's value, and 95% paired
bootstrap intervals of every version's difference from the first (pure: no database, no torch).

Metrics (all over the same n segments of the split; definitions in apps/metrics/sari.py):

- `sari_corpus`: EASSE's corpus SARI (n-gram counts pooled over segments) — the number papers report;
- `sari_mean`: the mean of the per-output `sari` (HF evaluate's sentence SARI; HF's corpus score);
- `bleu_corpus`: sacrebleu corpus BLEU;
- `fkgl_mean`: mean Flesch–Kincaid grade of the outputs that have text; `at_target`: share of outputs at
  or below the version's target grade (an empty output is not);
- `reward_mean`, `similarity_mean`, `compression_mean`: means of the combined reward (the reward model
  active when the evaluation started), MiniLM similarity to the source, characters out / characters in;
- `flag:<code>`: share of outputs the faithfulness guard flagged with `<code>`.

Intervals: paired bootstrap over segments. Each of `resamples` resamples draws n segment indices with
replacement (numpy `default_rng(seed)`), the same indices for every version; on each resample every
metric is recomputed for each version (corpus metrics from the resampled segments' pooled counts) and
the difference from the first version taken; the interval is the (1−confidence)/2 and (1+confidence)/2
percentiles of those differences (percentile method). Below 2 segments no interval is given.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.metrics.sari import (
    BLEU_CORPUS_DEFINITION,
    MAX_ORDER,
    SARI_CORPUS_DEFINITION,
    STAT_NAMES,
    bleu_corpus_from_stats,
    bleu_corpus_stats,
    sari_corpus_from_stats,
    sari_corpus_stats,
)

METHOD = (
    "Paired bootstrap over segments: each resample draws the n segments with replacement (numpy "
    "default_rng(seed)), the same segments for every version; each metric is recomputed on the resample "
    "(corpus SARI and corpus BLEU from the resampled segments' pooled counts) and its difference from "
    "the first version taken; the interval is the percentile interval of those differences."
)
COLUMNS = [
    ("sari_corpus", "SARI (corpus, EASSE)", SARI_CORPUS_DEFINITION, "higher"),
    (
        "sari_mean",
        "SARI (mean of per-output, HF)",
        "Mean of each output's sari (Hugging Face evaluate).",
        "higher",
    ),
    ("bleu_corpus", "BLEU (corpus)", BLEU_CORPUS_DEFINITION, "higher"),
    ("fkgl_mean", "FKGL (mean)", "Mean Flesch–Kincaid grade of the non-empty outputs.", "lower"),
    ("at_target", "At or below target grade", "Share of outputs whose FKGL ≤ the target grade.", "higher"),
    ("reward_mean", "Reward (mean)", "Mean combined reward (apps/scoring/reward.py).", "higher"),
    (
        "similarity_mean",
        "Meaning similarity (mean)",
        "Mean MiniLM cosine similarity to the source.",
        "higher",
    ),
    ("compression_mean", "Compression (mean)", "Mean characters of output / characters of source.", None),
]


@dataclass(frozen=True)
class Output:
    """One version's output for one segment, with the scores the table needs."""

    source: str
    reference: str
    text: str
    sari: float | None
    grade: float | None
    reward: float | None = None
    similarity: float | None = None
    compression: float | None = None
    flags: Sequence[str] = field(default_factory=tuple)  # guard flag codes


def _mean_columns(outputs: Sequence[Output], target_grade: float, codes: Sequence[str]) -> dict:
    """Per-segment values (None: missing) of every mean-type column, for one version."""
    values = {
        "sari_mean": [o.sari for o in outputs],
        "fkgl_mean": [o.grade if o.text.strip() else None for o in outputs],
        "at_target": [
            1.0 if (o.text.strip() and o.grade is not None and o.grade <= target_grade) else 0.0
            for o in outputs
        ],
        "reward_mean": [o.reward for o in outputs],
        "similarity_mean": [o.similarity for o in outputs],
        "compression_mean": [o.compression for o in outputs],
    }
    for code in codes:
        values[f"flag:{code}"] = [1.0 if code in o.flags else 0.0 for o in outputs]
    return values


def evaluation_table(
    *,
    versions: Sequence[dict],
    outputs: Sequence[Sequence[Output]],
    seed: int,
    resamples: int = 1000,
    confidence: float = 0.95,
) -> dict:
    """The table of `summary.evaluation`: `columns`, `rows` (one per version: label, generator, values),
    `intervals` (per later version: difference from the first, low, high, per column), `n`, `seed`,
    `resamples`, `confidence`, `method`.

    `versions[v]` holds `label` and `target_grade` (and anything else, returned as `generator`);
    `outputs[v][i]` is version v's output for segment i (the same segments, in the same order, for every
    version)."""
    import numpy as np

    n = len(outputs[0]) if outputs else 0
    if any(len(row) != n for row in outputs):
        raise ValueError("Every version needs one output per segment, for the same segments.")
    codes = sorted({code for row in outputs for o in row for code in o.flags})
    columns = [
        {"key": key, "label": label, "definition": definition, "better": better}
        for key, label, definition, better in COLUMNS
    ] + [
        {
            "key": f"flag:{code}",
            "label": f"Flag: {code.replace('_', ' ')}",
            "definition": f"Share of outputs the faithfulness guard flagged `{code}`.",
            "better": "lower",
        }
        for code in codes
    ]
    keys = [column["key"] for column in columns]
    # Per version: n × (4 × 9) SARI counts, n × BLEU statistics, and the mean-type columns.
    sari_stats, bleu_stats, means = [], [], []
    for version, row in zip(versions, outputs, strict=True):
        sari_stats.append(
            np.array(
                [np.array(sari_corpus_stats(o.source, o.text, [o.reference])).reshape(-1) for o in row],
                dtype=np.int64,
            ).reshape(n, MAX_ORDER * len(STAT_NAMES))
        )
        bleu_stats.append(
            np.array(bleu_corpus_stats([o.text for o in row], [[o.reference] for o in row]), dtype=np.int64)
        )
        means.append(
            {
                key: (
                    np.array([x is not None for x in column], dtype=float),
                    np.array([x if x is not None else 0.0 for x in column], dtype=float),
                )
                for key, column in _mean_columns(row, float(version.get("target_grade", 6)), codes).items()
            }
        )

    def values_for(weights) -> list[dict]:
        """Every column for every version, with segment i counted weights[i] times."""
        result = []
        for v in range(len(versions)):
            pooled = (weights @ sari_stats[v]).astype(np.int64).reshape(MAX_ORDER, len(STAT_NAMES))
            value = {
                "sari_corpus": sari_corpus_from_stats(pooled.tolist()).sari,
                "bleu_corpus": bleu_corpus_from_stats((weights @ bleu_stats[v]).astype(np.int64).tolist()),
            }
            for key, (present, filled) in means[v].items():
                count = weights @ present
                value[key] = float(weights @ filled / count) if count else None
            result.append(value)
        return result

    point = values_for(np.ones(n)) if n else [dict.fromkeys(keys) for _ in versions]
    rows = [
        {"version": v, "label": version["label"], "generator": dict(version), "values": point[v]}
        for v, version in enumerate(versions)
    ]
    intervals = []
    note = ""
    if n >= 2 and len(versions) > 1:
        rng = np.random.default_rng(seed)
        draws = [
            values_for(np.bincount(rng.integers(0, n, size=n), minlength=n).astype(float))
            for _ in range(resamples)
        ]
        low_q, high_q = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
        for v in range(1, len(versions)):
            differences = {}
            for key in keys:
                if point[v][key] is None or point[0][key] is None:
                    differences[key] = None
                    continue
                diffs = [
                    d[v][key] - d[0][key] for d in draws if d[v][key] is not None and d[0][key] is not None
                ]
                differences[key] = {
                    "difference": point[v][key] - point[0][key],
                    "low": float(np.percentile(diffs, low_q)) if diffs else None,
                    "high": float(np.percentile(diffs, high_q)) if diffs else None,
                    "resamples_used": len(diffs),
                }
            intervals.append(
                {
                    "version": v,
                    "label": versions[v]["label"],
                    "baseline": versions[0]["label"],
                    "differences": differences,
                }
            )
    elif len(versions) > 1:
        note = "Fewer than 2 segments: no interval."
    return {
        "n": n,
        "seed": seed,
        "resamples": resamples,
        "confidence": confidence,
        "method": METHOD,
        "interval_method": "percentile",
        "resampling_unit": "segments (paired across versions)",
        "columns": columns,
        "rows": rows,
        "intervals": intervals,
        "note": note,
    }
