"""Output cleaning on the demo corpus: chatter before and after, and its cost beside generation's.

    .venv/bin/python bench/cleaning_bench.py [--samples 3] [--tokens 96] [--seed 2] [--dump out.json]
    .venv/bin/python bench/cleaning_bench.py --from-dump out.json


One run with the embedded generator: every original of the demo corpus (apps/corpus/demo.py, 30
segments) through the run prompt (plain-language v1, grade 6, plain), greedy once and `--samples`
sampled candidates (temperature 0.9, top-p 0.95), in batches of 8 as a run does. Then every candidate
is cleaned (apps/scoring/cleaning.py, with its source and the prompt texts) `--repeat` times.

It prints, measured in this one process:
- generation seconds per candidate (wall time of the batched generate calls / candidates);
- cleaning seconds per candidate (mean over the repeats) and its share of generation time (the issue's
  bound: under 5 %);
- the share of candidates that carry chatter before cleaning (the raw output) and after (the cleaned
  text), by `chatter_find` — what the cleaner recognises; `--dump` writes every raw and cleaned text to
  a JSON file, for reading them (the README reports a manual reading too, since a detector cannot
  find what it does not know).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3, help="sampled candidates per segment")
    parser.add_argument("--tokens", type=int, default=96, help="max new tokens (a run's default)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20, help="cleaning passes to time")
    parser.add_argument("--dump", default="", help="write raw and cleaned texts to this JSON file")
    parser.add_argument("--from-dump", default="", help="clean the raw texts of this dump again")
    args = parser.parse_args()

    import django

    django.setup()
    from apps.scoring.cleaning import chatter_find, output_clean
    from apps.scoring.prompts import instruction_text, template_get

    template = template_get("plain-language", 1)
    prompts = [instruction_text(template, grade=6, style="plain"), template.system]
    if args.from_dump:
        rows = json.loads(Path(args.from_dump).read_text())
        outputs = [(row["source"], row["raw"], row["decoding"]) for row in rows]
        seconds = None
    else:
        outputs, seconds = _generate(args)

    cleaned = []
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        cleaned = [output_clean(raw, source=source, prompts=prompts) for source, raw, _ in outputs]
    clean_seconds = (time.perf_counter() - t0) / args.repeat

    n = len(outputs)

    def chatty(text: str, source: str) -> bool:
        return bool(chatter_find(text, source=source, prompts=prompts))

    before = sum(1 for source, raw, _ in outputs if chatty(raw, source))
    after = sum(1 for (source, _, _), c in zip(outputs, cleaned, strict=True) if chatty(c.text, source))
    emptied = sum(1 for (_, raw, _), c in zip(outputs, cleaned, strict=True) if raw.strip() and not c.text)
    per_clean = clean_seconds / n
    origin = f"from {args.from_dump}" if args.from_dump else f"seed {args.seed}"
    print(f"candidates: {n} ({origin})")
    print(f"cleaning:   {per_clean * 1e6:.0f} µs per candidate (mean of {args.repeat} passes)")
    if seconds is not None:
        per_gen = seconds / n
        print(f"generation: {per_gen * 1000:.1f} ms per candidate ({seconds:.1f} s in all)")
        print(f"cleaning / generation: {per_clean / per_gen:.4%} (bound: under 5 %)")
    print(f"chatter before cleaning: {before}/{n} = {before / n:.1%}; after: {after}/{n} = {after / n:.1%}")
    print(f"cleaned to nothing (chatter only): {emptied}/{n}")
    if args.dump:
        rows = [
            {"source": source, "decoding": label, "raw": raw, "cleaned": c.text, "removed": c.removed}
            for (source, raw, label), c in zip(outputs, cleaned, strict=True)
        ]
        Path(args.dump).write_text(json.dumps(rows, indent=1, ensure_ascii=False))
        print(f"texts written to {args.dump}")


def _generate(args: argparse.Namespace) -> tuple[list[tuple[str, str, str]], float]:
    """Returns (source, raw text, decoding) for every candidate and the seconds the generate calls took."""
    import torch

    from apps.corpus.demo import DOCUMENTS
    from apps.scoring.prompts import prompt_messages, template_get
    from workers.ml import generation, loader

    lm = loader.load_causal_lm()
    print(f"model {lm.source.key} on {lm.device} ({str(lm.dtype).removeprefix('torch.')}); "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")  # fmt: skip
    template = template_get("plain-language", 1)
    sources = [original for _, _, pairs in DOCUMENTS for original, *_ in pairs]
    conversations = [prompt_messages(template, text=text, grade=6, style="plain") for text in sources]
    warm_up = generation.render_prompts(lm, conversations[:2])
    generation.generate_batch(lm, warm_up, generation.GenerationSettings(max_new_tokens=4))

    outputs = []  # (source, raw text, decoding)
    seconds = 0.0
    decodings = [("greedy", 0.0, 1)] + ([("sampled", 0.9, args.samples)] if args.samples else [])
    for label, temperature, n in decodings:
        settings = generation.GenerationSettings(
            num_candidates=n,
            temperature=temperature,
            top_p=0.95 if temperature else 1.0,
            max_new_tokens=args.tokens,
            seed=args.seed,
            batch_size=8,
        )
        t0 = time.perf_counter()
        for start, batch in generation.generate(lm, conversations, settings):
            for offset, samples in enumerate(batch):
                outputs += [(sources[start + offset], s.text, label) for s in samples]
        seconds += time.perf_counter() - t0
    return outputs, seconds


if __name__ == "__main__":
    main()
