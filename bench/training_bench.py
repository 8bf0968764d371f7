"""Generator training and evaluation rates, measured in one run with the product's own code paths.

    .venv/bin/python bench/training_bench.py [--sft-steps 6] [--rl-steps 4] [--segments 16] [--tokens 48]

No database: the demo corpus is read from `apps/corpus/demo.py`. It measures, in one process:

- SFT steps/s (`workers.ml.sft.train_sft_adapter`, batch 4, approved demo train pairs through the
  plain-language v1 prompt) and RL steps/s (`workers.ml.rl.train_rl_adapter`, GRPO, 2 originals × 4
  completions per step, the product's combined reward with a reward head fitted on the demo pairs).
  Steps/s is taken between the first and the last step's log, so model loading and the first step's
  warm-up are left out;
- evaluation time per 100 segments: greedy generation (`workers.ml.generation.generate`, batch 8) for
  `--segments` demo originals, plus scoring every output (guard, similarity, P(simplified), reward,
  SARI, BLEU, readability), plus the table with 1,000 paired bootstrap resamples for 3 versions, each
  part reported separately and scaled to 100 segments;
- few-shot retrieval cost per candidate (`workers.ml.fewshot.nearest_pairs`: embedding the pool and the
  queries, ranking) against generation time per candidate, as a share (the aim: under 5%).

Run on CPU by default; `EQUITEXT_DEVICE=cuda` (or a GPU machine) runs the same code there.
`bench/gpu_check.py` imports the measuring functions from here.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")


def demo_pairs() -> list[dict]:
    """The demo corpus as dicts (document index, original, simplified, split, status)."""
    import django

    django.setup()
    from apps.corpus.demo import DOCUMENTS

    rows = []
    for document, (_, _, pairs) in enumerate(DOCUMENTS):
        for original, simplified, split, status in pairs:
            rows.append(
                {
                    "document": document,
                    "original": original,
                    "simplified": simplified,
                    "split": split,
                    "status": status,
                }
            )
    return rows


def prompts_for(texts: list[str], *, examples: list[list[dict]] | None = None) -> list[list[dict]]:
    from apps.scoring.prompts import DEFAULT_TEMPLATE, FEW_SHOT_TEMPLATE, prompt_messages, template_get

    key = FEW_SHOT_TEMPLATE if examples else DEFAULT_TEMPLATE
    template = template_get(*key)
    return [
        prompt_messages(
            template, text=text, grade=6, style="plain", examples=(examples[i] if examples else ())
        )
        for i, text in enumerate(texts)
    ]


def product_reward(rows: list[dict]):
    """The combined reward, its reward head fitted on the demo pairs (frozen MiniLM + logistic regression)."""
    from apps.scoring.prompts import DEFAULT_TEMPLATE, instruction_text, template_get
    from workers.ml import reward
    from workers.tasks.product_reward import ProductReward

    texts = [t for row in rows if row["simplified"] for t in (row["original"], row["simplified"])]
    labels = [label for row in rows if row["simplified"] for label in (0, 1)]
    scorer = reward.fit(texts, labels)
    template = template_get(*DEFAULT_TEMPLATE)
    return ProductReward(
        scorer=scorer,
        weights=None,
        prompts=[instruction_text(template, grade=6, style="plain"), template.system],
        similarity_threshold=0.5,
    )


class StepClock:
    """A progress callback that notes when each optimiser step was logged."""

    def __init__(self):
        self.times: dict[int, float] = {}

    def __call__(self, done, total, message):
        if done:
            self.times.setdefault(done, time.perf_counter())

    def steps_per_second(self) -> float | None:
        steps = sorted(self.times)
        if len(steps) < 2:
            return None
        return (steps[-1] - steps[0]) / (self.times[steps[-1]] - self.times[steps[0]])


def measure_sft(rows: list[dict], *, steps: int, out: Path, batch_size: int = 4) -> dict:
    from workers.ml import sft

    pairs = [r for r in rows if r["split"] == "train" and r["status"] == "approved"]
    records = [
        {"prompt": prompt, "completion": [{"role": "assistant", "content": r["simplified"]}]}
        for prompt, r in zip(prompts_for([r["original"] for r in pairs]), pairs, strict=True)
    ]
    clock = StepClock()
    started = time.perf_counter()
    result = sft.train_sft_adapter(
        records=records,
        out_dir=out / "sft",
        steps=steps,
        batch_size=batch_size,
        max_length=256,
        progress=clock,
    )
    return {
        "steps_per_s": clock.steps_per_second(),
        "seconds": time.perf_counter() - started,
        "steps": steps,
        "adapter": result["model_path"],
        "environment": result["environment"],
        "last_loss": result["losses"][-1] if result["losses"] else None,
    }


def measure_rl(
    rows: list[dict], reward, *, steps: int, out: Path, start_from: str | None = None, tokens: int = 48
) -> dict:
    from workers.ml import rl

    originals = [r["original"] for r in rows if r["split"] in ("train", "unlabelled")]
    clock = StepClock()
    started = time.perf_counter()
    result = rl.train_rl_adapter(
        prompts=prompts_for(originals),
        sources=originals,
        reward=reward.rewards,
        out_dir=out / "rl",
        start_from=start_from,
        steps=steps,
        prompts_per_step=2,
        num_generations=4,
        max_completion_length=tokens,
        progress=clock,
    )
    return {
        "steps_per_s": clock.steps_per_second(),
        "seconds": time.perf_counter() - started,
        "steps": steps,
        "adapter": result["model_path"],
        "rewards": result["rewards"],
    }


def generate_outputs(loaded, conversations, *, tokens: int, batch_size: int = 8, seed: int = 0):
    from workers.ml import generation

    settings = generation.GenerationSettings(max_new_tokens=tokens, batch_size=batch_size, seed=seed)
    outputs = []
    for _, batch in generation.generate(loaded, conversations, settings):
        outputs.extend(row[0] for row in batch)
    return outputs


def score_outputs(reward, sources: list[str], references: list[str], samples) -> list:
    """Every score of an evaluation output (as evaluation_outputs_record stores them), without a database."""
    from apps.metrics.readability import readability_scores
    from apps.metrics.sari import bleu, sari
    from apps.scoring.evaluation import Output

    texts = [s.text for s in samples]
    scored = reward.score(sources, texts, [s.finished for s in samples])
    result = []
    for source, reference, text, item in zip(sources, references, texts, scored, strict=True):
        grade = readability_scores(text).get("flesch_kincaid_grade") if text.strip() else None
        bleu(text, [reference])  # stored with every output (the table uses corpus BLEU statistics)
        result.append(
            Output(
                source=source,
                reference=reference,
                text=text,
                sari=sari(source, text, [reference]).sari,
                grade=grade,
                reward=item.reward,
                similarity=item.similarity,
                compression=item.compression,
                flags=tuple(sorted({f["code"] for f in item.flags})),
            )
        )
    return result


def fewshot_examples(rows: list[dict], queries: list[dict], k: int) -> dict:
    from workers.ml import fewshot

    pool = [
        fewshot.PoolPair(
            segment=i, version=1, document=r["document"], original=r["original"], simplified=r["simplified"]
        )
        for i, r in enumerate(rows)
        if r["split"] == "train" and r["status"] == "approved"
    ]
    asked = [
        fewshot.Query(segment=1000 + i, document=q["document"], split=q["split"], original=q["original"])
        for i, q in enumerate(queries)
    ]
    return fewshot.nearest_pairs(asked, pool, k)


def measure_evaluation(rows: list[dict], reward, *, segments: int, tokens: int) -> dict:
    from apps.scoring.evaluation import evaluation_table
    from workers.ml import loader

    queries = [rows[i % len(rows)] for i in range(segments)]
    queries = [
        {**q, "original": q["original"] if i < len(rows) else f"{q['original']} ({i})"}
        for i, q in enumerate(queries)
    ]
    references = [q["simplified"] or q["original"] for q in queries]
    loaded = loader.load_causal_lm()
    generate_outputs(loaded, prompts_for([queries[0]["original"]]), tokens=4)  # warm-up
    started = time.perf_counter()
    samples = generate_outputs(loaded, prompts_for([q["original"] for q in queries]), tokens=tokens)
    generation_s = time.perf_counter() - started
    started = time.perf_counter()
    outputs = score_outputs(reward, [q["original"] for q in queries], references, samples)
    scoring_s = time.perf_counter() - started
    started = time.perf_counter()
    retrieved = fewshot_examples(rows, [{**q, "split": "test"} for q in queries], 2)
    retrieval_s = time.perf_counter() - started
    versions = [{"label": f"v{i}", "target_grade": 6} for i in range(3)]
    started = time.perf_counter()
    evaluation_table(versions=versions, outputs=[outputs] * 3, seed=0, resamples=1000)
    table_s = time.perf_counter() - started
    per_100 = 100 / segments
    return {
        "segments": segments,
        "tokens": tokens,
        "new_tokens": sum(s.new_tokens for s in samples),
        "generation_per_100_s": generation_s * per_100,
        "scoring_per_100_s": scoring_s * per_100,
        "table_3_versions_s": table_s,
        "retrieval_per_candidate_s": retrieval_s / segments,
        "generation_per_candidate_s": generation_s / segments,
        "retrieval_share": retrieval_s / generation_s,
        "examples_found": sum(len(v) for v in retrieved.values()),
        "device": str(loaded.device),
        "dtype": str(loaded.dtype).removeprefix("torch."),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sft-steps", type=int, default=6)
    parser.add_argument("--rl-steps", type=int, default=4)
    parser.add_argument(
        "--segments", type=int, default=16, help="segments generated for the evaluation timing"
    )
    parser.add_argument("--tokens", type=int, default=48, help="new tokens per output (evaluation and RL)")
    args = parser.parse_args()

    import platform

    import torch

    rows = demo_pairs()
    reward = product_reward(rows)
    print(f"training/evaluation bench: torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        evaluation = measure_evaluation(rows, reward, segments=args.segments, tokens=args.tokens)
        sft_result = measure_sft(rows, steps=args.sft_steps, out=out)
        rl_result = measure_rl(rows, reward, steps=args.rl_steps, out=out, tokens=args.tokens)
    e, tokens = evaluation, args.tokens
    print(f"device {e['device']}, dtype {e['dtype']}")
    print(
        f"SFT: {sft_result['steps_per_s']:.3f} steps/s (batch 4, {args.sft_steps} steps, "
        f"{sft_result['seconds']:.1f} s with loading)"
    )
    print(
        f"RL (GRPO): {rl_result['steps_per_s']:.3f} steps/s (2 originals × 4 completions × ≤{tokens} tokens "
        f"per step, {args.rl_steps} steps, {rl_result['seconds']:.1f} s with loading)"
    )
    print(
        f"evaluation per 100 segments and version: generation {e['generation_per_100_s']:.1f} s "
        f"(≤{tokens} new tokens, batch 8), scoring {e['scoring_per_100_s']:.1f} s; table with 1,000 "
        f"paired resamples for 3 versions × {args.segments} segments: {e['table_3_versions_s']:.2f} s"
    )
    print(
        f"few-shot retrieval: {1000 * e['retrieval_per_candidate_s']:.1f} ms per candidate vs generation "
        f"{1000 * e['generation_per_candidate_s']:.0f} ms per candidate = {100 * e['retrieval_share']:.2f}% "
        "(aim < 5%)"
    )


if __name__ == "__main__":
    main()
