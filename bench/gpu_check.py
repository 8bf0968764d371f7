"""One GPU check, in one go (under ten minutes on a data-centre GPU): generation throughput and its share
of the memory-bandwidth roofline, SFT/RL/DPO steps/s, and the held-out evaluation on the demo corpus.

    .venv/bin/python bench/gpu_check.py [--tokens 128] [--batches 1,8,32,64] [--sft-steps 10] [--rl-steps 5]
    EQUITEXT_GENERATOR=/models/Llama-3.1-8B-Instruct .venv/bin/python bench/gpu_check.py   # any local model

No database and no network: the demo corpus comes from `apps/corpus/demo.py`, the reward head is fitted on
its pairs (frozen MiniLM + logistic regression, as `equitext.ml.train_reward` does). Every part calls the
product's own code (workers/ml: loader, generation, sft, rl, dpo, fewshot; apps/scoring: evaluation).

1. Generation at bf16 for each batch size: exactly `--tokens` new tokens per prompt (end-of-sequence
   suppressed), tokens/s = batch × tokens / seconds. Roofline: a decoding step reads every weight once for
   the whole batch, so achieved bytes/s = (tokens/s ÷ batch) × bytes of the weights; its share of the
   GPU's peak memory bandwidth (table below, from the device name; `--peak-tbs` overrides) is the roofline
   share. KV-cache reads are left out, so at large batches the share is a lower bound.
2. SFT, RL (GRPO with the product's reward) and DPO: a few steps each; steps/s between the first and the
   last step's log (loading and the first step left out).
3. The evaluation: base, base 2-shot, SFT, RL and DPO (the adapters of 2) generate for the demo test split
   (greedy, same seed), every output scored, the table with 95% paired bootstrap intervals against base.

On a machine without CUDA the GPU-only part (1) runs only as a code-path check (batches 1 and 8, 8 tokens,
no roofline) and says so; 2 and 3 run on the CPU with the same code.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import training_bench  # noqa: E402  (bench/ is on the path: the same measuring functions)

# Peak memory bandwidth in TB/s by device-name fragment (vendor data sheets); the first match wins.
PEAK_BANDWIDTH_TBS = [
    ("GH200", 4.9),
    ("H200", 4.8),
    ("B200", 8.0),
    ("H100 NVL", 3.9),
    ("H100 PCIe", 2.0),
    ("H100", 3.35),
    ("A100-SXM4-80GB", 2.039),
    ("A100 80GB PCIe", 1.935),
    ("A100", 1.555),
    ("L40S", 0.864),
    ("L40", 0.864),
    ("L4", 0.3),
    ("A10G", 0.6),
    ("A10", 0.6),
    ("RTX 6000 Ada", 0.96),
    ("4090", 1.008),
    ("V100", 0.9),
    ("T4", 0.32),
]


def peak_bandwidth(name: str) -> float | None:
    for fragment, tbs in PEAK_BANDWIDTH_TBS:
        if fragment.lower() in name.lower():
            return tbs * 1e12
    return None


def throughput(rows, *, batches: list[int], tokens: int, peak: float | None) -> list[dict]:
    """Tokens/s per batch size with fixed-length outputs, and the roofline share (module docstring)."""
    import torch

    from workers.ml import generation, loader

    loaded = loader.load_causal_lm()
    weight_bytes = sum(p.numel() * p.element_size() for p in loaded.model.parameters())
    texts = [r["original"] for r in rows]
    results = []
    for batch in batches:
        prompts = training_bench.prompts_for([f"{texts[i % len(texts)]} ({i})" for i in range(batch)])
        settings = generation.GenerationSettings(
            max_new_tokens=tokens, min_new_tokens=tokens, batch_size=batch
        )
        rendered = generation.render_prompts(loaded, prompts)
        generation.generate_batch(
            loaded, rendered, generation.GenerationSettings(max_new_tokens=4, batch_size=batch)
        )
        if loaded.device.type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        out = generation.generate_batch(loaded, rendered, settings)
        if loaded.device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
        produced = sum(s.new_tokens for row in out for s in row)
        tokens_per_s = produced / seconds
        achieved = tokens_per_s / batch * weight_bytes
        results.append(
            {
                "batch": batch,
                "tokens_per_s": tokens_per_s,
                "achieved_gbs": achieved / 1e9,
                "roofline_share": achieved / peak if peak else None,
            }
        )
    return results, loaded, weight_bytes


def preference_records(rows, reward, *, tokens: int) -> list[dict]:
    """DPO data the way the product makes it (`reward_rank`): two sampled candidates per train original,
    the better-rewarded one chosen over the other when their rewards and texts differ."""
    from workers.ml import generation, loader

    loaded = loader.load_causal_lm()
    originals = [r["original"] for r in rows if r["split"] == "train"]
    prompts = training_bench.prompts_for(originals)
    settings = generation.GenerationSettings(
        num_candidates=2, temperature=0.8, max_new_tokens=tokens, batch_size=8, seed=1
    )
    records = []
    for start, batch in generation.generate(loaded, prompts, settings):
        for i, samples in enumerate(batch):
            source = originals[start + i]
            rewards = reward.rewards([source, source], [s.text for s in samples])
            best, worst = (0, 1) if rewards[0] >= rewards[1] else (1, 0)
            if rewards[best] > rewards[worst] and samples[best].text != samples[worst].text:
                records.append(
                    {
                        "prompt": prompts[start + i],
                        "chosen": [{"role": "assistant", "content": samples[best].text}],
                        "rejected": [{"role": "assistant", "content": samples[worst].text}],
                    }
                )
    return records


def evaluation(rows, reward, versions: list[tuple[str, str | None, int]], *, tokens: int) -> dict:
    """The evaluation of `versions` (label, adapter folder or None, few-shot k) on the demo test split."""
    from apps.scoring.evaluation import evaluation_table
    from workers.ml import loader

    test = [r for r in rows if r["split"] == "test" and r["simplified"]]
    outputs = []
    for _, adapter, k in versions:
        loaded = loader.load_causal_lm(adapter)
        examples = None
        if k:
            found = training_bench.fewshot_examples(rows, test, k)
            examples = [found[1000 + i] for i in range(len(test))]
        samples = training_bench.generate_outputs(
            loaded,
            training_bench.prompts_for([r["original"] for r in test], examples=examples),
            tokens=tokens,
        )
        outputs.append(
            training_bench.score_outputs(
                reward, [r["original"] for r in test], [r["simplified"] for r in test], samples
            )
        )
        if adapter:
            loader.forget(loaded)
    return evaluation_table(
        versions=[{"label": label, "target_grade": 6} for label, _, _ in versions],
        outputs=outputs,
        seed=0,
        resamples=1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tokens", type=int, default=128, help="new tokens per prompt in the throughput part"
    )
    parser.add_argument("--batches", default="1,8,32,64")
    parser.add_argument("--sft-steps", type=int, default=10)
    parser.add_argument("--rl-steps", type=int, default=5)
    parser.add_argument("--dpo-steps", type=int, default=5)
    parser.add_argument("--eval-tokens", type=int, default=96, help="new tokens per output in the evaluation")
    parser.add_argument(
        "--peak-tbs", type=float, help="peak memory bandwidth in TB/s (default: from the name)"
    )
    args = parser.parse_args()

    import torch

    cuda = torch.cuda.is_available()
    if cuda:
        os.environ.setdefault("EQUITEXT_DTYPE", "bfloat16")
    started = time.perf_counter()
    rows = training_bench.demo_pairs()
    reward = training_bench.product_reward(rows)
    lines: list[tuple[str, str, str]] = []
    if cuda:
        name = torch.cuda.get_device_name(0)
        peak = args.peak_tbs * 1e12 if args.peak_tbs else peak_bandwidth(name)
        lines.append(
            (
                "device",
                name,
                f"peak bandwidth {peak / 1e12:.2f} TB/s"
                if peak
                else "peak bandwidth unknown: pass --peak-tbs",
            )
        )
        batches, tokens = [int(b) for b in args.batches.split(",")], args.tokens
    else:
        peak = None
        lines.append(
            ("device", "CPU (no CUDA)", "GPU-only part (bf16 throughput, roofline) skipped: code path only")
        )
        batches, tokens = [1, 8], 8
    results, loaded, weight_bytes = throughput(rows, batches=batches, tokens=tokens, peak=peak)
    lines.append(
        (
            "generator",
            loaded.source.model_id,
            f"{weight_bytes / 1e9:.3f} GB of weights in {str(loaded.dtype).removeprefix('torch.')}",
        )
    )
    for row in results:
        share = (
            f"{100 * row['roofline_share']:.1f}% of the roofline"
            if row["roofline_share"] is not None
            else "roofline: n/a"
        )
        lines.append(
            (
                f"generation batch {row['batch']}",
                f"{row['tokens_per_s']:.1f} tokens/s",
                f"{row['achieved_gbs']:.1f} GB/s weights read; {share}",
            )
        )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        sft = training_bench.measure_sft(rows, steps=args.sft_steps, out=out)
        lines.append(
            (
                "SFT (LoRA, batch 4)",
                f"{sft['steps_per_s']:.3f} steps/s",
                f"{args.sft_steps} steps, last loss {sft['last_loss']:.3f}",
            )
        )
        rl = training_bench.measure_rl(rows, reward, steps=args.rl_steps, out=out, tokens=64)
        lines.append(
            (
                "RL (GRPO, 2 × 4 completions)",
                f"{rl['steps_per_s']:.3f} steps/s",
                f"{args.rl_steps} steps, mean reward per step {', '.join(f'{r:.3f}' for r in rl['rewards'])}",
            )
        )
        from workers.ml import dpo

        records = preference_records(rows, reward, tokens=48)
        clock = training_bench.StepClock()
        dpo_dir = None
        if records:
            result = dpo.train_dpo_adapter(
                records=records,
                out_dir=out / "dpo",
                steps=args.dpo_steps,
                batch_size=2,
                max_length=256,
                progress=clock,
            )
            dpo_dir = result["model_path"]
            lines.append(
                (
                    "DPO (batch 2)",
                    f"{clock.steps_per_second():.3f} steps/s",
                    f"{args.dpo_steps} steps on {len(records)} reward-ranked pairs",
                )
            )
        else:
            lines.append(("DPO", "skipped", "no reward-ranked pair differed"))
        versions = [
            ("base", None, 0),
            ("base 2-shot", None, 2),
            ("SFT", sft["adapter"], 0),
            ("RL", rl["adapter"], 0),
        ]
        if dpo_dir:
            versions.append(("DPO", dpo_dir, 0))
        started_eval = time.perf_counter()
        table = evaluation(rows, reward, versions, tokens=args.eval_tokens)
        eval_seconds = time.perf_counter() - started_eval
    lines.append(
        ("evaluation", f"{table['n']} test segments × {len(versions)} versions", f"{eval_seconds:.1f} s")
    )
    keys = ["sari_corpus", "sari_mean", "bleu_corpus", "fkgl_mean", "at_target", "reward_mean"]
    intervals = {item["version"]: item["differences"] for item in table["intervals"]}
    for row in table["rows"]:
        cells = []
        for key in keys:
            value = row["values"][key]
            text = "—" if value is None else f"{value:.2f}"
            diff = (intervals.get(row["version"]) or {}).get(key)
            if diff and diff["low"] is not None:
                text += f" (Δ {diff['difference']:+.2f} [{diff['low']:+.2f}, {diff['high']:+.2f}])"
            cells.append(f"{key} {text}")
        lines.append((f"eval {row['label']}", cells[0], "; ".join(cells[1:])))
    lines.append(("total", f"{time.perf_counter() - started:.0f} s", f"torch {torch.__version__}"))
    width = max(len(a) for a, _, _ in lines)
    middle = max(len(b) for _, b, _ in lines)
    print("GPU check (bench/gpu_check.py). Roofline: achieved bytes/s = tokens/s ÷ batch × bytes of the")
    print("weights (each decoding step reads every weight once for the whole batch); share = that ÷ peak.")
    for a, b, c in lines:
        print(f"{a:<{width}}  {b:<{middle}}  {c}")


if __name__ == "__main__":
    main()
