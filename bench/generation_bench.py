"""Generation throughput of the embedded generator: one sequence at a time vs batches of 8 and 16.

    .venv/bin/python bench/generation_bench.py [--tokens 32] [--prompts 16] [--dtype float32|bfloat16]

Every configuration generates exactly `--tokens` new tokens for the same `--prompts` segments (greedy,
`min_new_tokens` = `max_new_tokens`, so no row stops early), in the same process, after one warm-up
call. It prints tokens/s and the ratio to the single-sequence baseline. If `llama-cpp-python` happens to
be installed, it also runs llama.cpp single-stream on the same GGUF file (not a dependency: it compiles
for minutes). Device and dtype follow workers/ml/loader.py (EQUITEXT_DEVICE / EQUITEXT_DTYPE override).
"""

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXTS = [
    "Do not take more than 4 grams of acetaminophen in 24 hours.",
    "Colorectal cancer is a malignancy of the colon or rectum that frequently presents with hematochezia.",
    "Screening should begin at age 45 for people at average risk.",
    "Adjuvant chemotherapy is administered following surgical resection to eradicate micrometastases.",
    "Hepatocellular carcinoma frequently arises in the setting of chronic hepatitis B or C infection.",
    "Patients should report fever above 38 °C during neutropenia to their oncology team immediately.",
    "Endoscopic ultrasound permits staging of esophageal tumours and sampling of regional lymph nodes.",
    "Radiation proctitis may manifest months after pelvic radiotherapy with tenesmus and bleeding.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per sequence")
    parser.add_argument("--prompts", type=int, default=16, help="sequences per configuration")
    parser.add_argument("--dtype", default="", help="float32 or bfloat16 (default: the loader's choice)")
    parser.add_argument("--batches", default="1,8,16", help="batch sizes; the first is the baseline")
    args = parser.parse_args()
    if args.dtype:
        os.environ["EQUITEXT_DTYPE"] = args.dtype

    import torch

    from apps.scoring.prompts import prompt_messages, template_get
    from workers.ml import generation, loader

    started = time.perf_counter()
    lm = loader.load_causal_lm()
    print(f"model {lm.source.key} on {lm.device} ({str(lm.dtype).removeprefix('torch.')}), "
          f"loaded in {time.perf_counter() - started:.1f} s; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {platform.processor() or platform.machine()}")  # fmt: skip
    if lm.device.type == "cuda":
        print(f"GPU: {torch.cuda.get_device_name(lm.device)}")
    template = template_get("plain-language", 1)
    texts = [TEXTS[i % len(TEXTS)] for i in range(args.prompts)]
    prompts = generation.render_prompts(
        lm, [prompt_messages(template, text=text, grade=6, style="plain") for text in texts]
    )
    batch_sizes = [int(b) for b in args.batches.split(",")]
    generation.generate_batch(lm, prompts[:2], generation.GenerationSettings(max_new_tokens=4))  # warm-up

    results = {}
    for batch_size in batch_sizes:
        settings = generation.GenerationSettings(
            max_new_tokens=args.tokens, min_new_tokens=args.tokens, batch_size=batch_size
        )
        if lm.device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        produced = 0
        for start in range(0, len(prompts), batch_size):
            out = generation.generate_batch(lm, prompts[start : start + batch_size], settings)
            produced += sum(s.new_tokens for samples in out for s in samples)
        if lm.device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
        results[batch_size] = produced / seconds
    baseline = results[batch_sizes[0]]
    print(f"{'configuration':<28}{'tokens/s':>10}{'× batch 1':>11}")
    for batch_size, rate in results.items():
        label = "single sequence" if batch_size == 1 else f"batch of {batch_size}"
        print(f"{label:<28}{rate:>10.1f}{rate / baseline:>10.2f}×")

    if importlib.util.find_spec("llama_cpp") is None:
        print("llama-cpp-python: not installed (optional; not a dependency) — skipped")
        return
    from llama_cpp import Llama

    gguf = lm.source.path / lm.source.gguf_file if lm.source.gguf_file else None
    if gguf is None:
        print("llama-cpp-python: the generator is not a GGUF file — skipped")
        return
    llm = Llama(model_path=str(gguf), n_ctx=512, verbose=False, n_threads=torch.get_num_threads())
    llm(prompts[0], max_tokens=4)
    t0 = time.perf_counter()
    produced = 0
    never_stop = {llm.token_eos(): -1e9}  # end-of-sequence forbidden: fixed length, as the batches above
    for prompt in prompts:
        out = llm(prompt, max_tokens=args.tokens, temperature=0, logit_bias=never_stop)
        produced += out["usage"]["completion_tokens"]
    rate = produced / (time.perf_counter() - t0)
    print(f"{'llama.cpp single stream':<28}{rate:>10.1f}{rate / baseline:>10.2f}×")
    for batch_size in batch_sizes[1:]:
        print(f"batch of {batch_size} vs llama.cpp single stream: {results[batch_size] / rate:.2f}×")


if __name__ == "__main__":
    main()
