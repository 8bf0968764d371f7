"""What every generator training (SFT, RL, DPO) shares: the LoRA settings, the trainer arguments, the
per-step record, the environment it ran in, writing the adapter folder atomically, and what a training
returns to be recorded.

An adapter folder holds `adapter_config.json`, `adapter_model.safetensors` and `GENERATOR.json` (the
manifest: the base generator, the adapter it started from if any, the method and its settings). It is
written inside a temporary folder beside its destination and renamed into place, so a reader (or a
worker that died mid-write) never leaves half an adapter where a version is expected.
"""

import hashlib
import importlib.metadata
import json
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import torch

from workers.ml import loader

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]  # Llama-family attention projections
ADAPTER_WEIGHTS = "adapter_model.safetensors"
LIBRARIES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets")
# Numbers worth keeping per optimiser step from the trainers' logs (TRL SFT, DPO, GRPO).
HISTORY_KEYS = (
    "loss",
    "grad_norm",
    "learning_rate",
    "reward",
    "reward_std",
    "frac_reward_zero_std",
    "kl",
    "entropy",
    "completions/mean_length",
    "completions/clipped_ratio",
    "rewards/chosen",
    "rewards/rejected",
    "rewards/margins",
    "rewards/accuracies",
    "mean_token_accuracy",
)


def lora_config(*, r: int, alpha: int):
    from peft import LoraConfig

    return LoraConfig(
        r=r, lora_alpha=alpha, lora_dropout=0.0, target_modules=LORA_TARGETS, task_type="CAUSAL_LM"
    )


def environment(device, dtype) -> dict:
    """Device, dtype and the versions of the libraries that shaped the weights."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {"device": str(device), "dtype": str(dtype).removeprefix("torch."), "libraries": versions}


def history_callback(history: list[dict], *, steps: int, label: str, progress=None):
    """A transformers TrainerCallback that appends each logged step's numbers to `history` and reports
    progress ("SFT step 3 of 10, loss 1.2345")."""
    import transformers

    class History(transformers.TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            row = {key: float(logs[key]) for key in HISTORY_KEYS if isinstance(logs.get(key), int | float)}
            if row and "train_runtime" not in logs:
                history.append({"step": state.global_step, **row})
            if progress:
                last = history[-1] if history else {}
                shown = "".join(f", {key} {last[key]:.4f}" for key in ("loss", "reward") if key in last)
                progress(state.global_step, steps, f"{label} step {state.global_step} of {steps}{shown}")

    return History()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def scratch_beside(out_dir: Path):
    """A temporary folder next to `out_dir` (same file system, so a rename is atomic), removed on exit."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def adapter_write(model, *, scratch: Path, out_dir: Path, manifest: dict) -> str:
    """Save the peft `model`'s adapter with its manifest into `scratch`, rename it to `out_dir`, and
    return the SHA-256 of its weights file. Refuses to replace an existing folder."""
    if out_dir.exists():
        raise RuntimeError(f"{out_dir} exists already; an adapter folder is never overwritten.")
    staged = scratch / "adapter"
    model.save_pretrained(staged)
    (staged / loader.ADAPTER_MANIFEST).write_text(json.dumps(manifest, indent=2))
    digest = sha256_file(staged / ADAPTER_WEIGHTS)
    staged.rename(out_dir)
    return digest


def adapter_verify(folder: Path, sha256: str) -> None:
    """Refuse an adapter whose weights are not the ones the registry recorded."""
    weights = Path(folder) / ADAPTER_WEIGHTS
    if not weights.exists():
        raise RuntimeError(f"The adapter folder {folder} has no {ADAPTER_WEIGHTS}; it was moved or deleted.")
    found = sha256_file(weights)
    if found != sha256:
        raise RuntimeError(
            f"The adapter in {folder} is not the one registered (SHA-256 {found[:12]}… ≠ {sha256[:12]}…); "
            "it was changed after training. Train the version again."
        )


def manifest_for(*, base, start, method: str, training: dict) -> dict:
    """The GENERATOR.json of a new adapter: its root base, the adapter it was trained on top of (merged
    into the weights before this one was added), the method and its settings."""
    parent = None
    if start is not None and start.adapter is not None:
        parent = {"folder": start.adapter.name, "revision": start.revision}
    return {"base": loader.base_description(base), "parent": parent, "method": method, "training": training}


def precision_flags(device, dtype) -> dict:
    """Trainer options for the device and dtype the loader chose."""
    return {"use_cpu": device.type == "cpu", "bf16": dtype == torch.bfloat16, "fp16": dtype == torch.float16}


def trainer_arguments(*, scratch: Path, steps: int, learning_rate: float, seed: int, device, dtype) -> dict:
    """The TRL config options every training here shares: `steps` optimiser steps at a constant learning
    rate, a history row per step, nothing saved by the trainer (`adapter_write` does that), seeded data
    order, and no activation checkpointing (TRL turns it on by default; it recomputes every layer in the
    backward pass, which costs more time than the memory it saves for a LoRA on a small model)."""
    return {
        "output_dir": str(scratch / "trainer"),
        "max_steps": steps,
        "gradient_accumulation_steps": 1,
        "learning_rate": learning_rate,
        "lr_scheduler_type": "constant",
        "warmup_steps": 0,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": [],
        "seed": seed,
        "data_seed": seed,
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        "gradient_checkpointing": False,
        **precision_flags(device, dtype),
    }


def train_and_write(
    trainer, *, base, start, method: str, training: dict, history: list[dict], scratch, out_dir, device, dtype
):
    """Run `trainer`, then write its adapter with the manifest; returns (environment, weights SHA-256)."""
    trainer.train()
    environment_now = environment(device, dtype)
    manifest = manifest_for(
        base=base, start=start, method=method, training={**training, **environment_now, "history": history}
    )
    return environment_now, adapter_write(trainer.model, scratch=scratch, out_dir=out_dir, manifest=manifest)


def training_result(
    *,
    out_dir: Path,
    base,
    digest: str,
    records: int,
    training: dict,
    history: list[dict],
    environment: dict,
    started: float,
) -> dict:
    """What a training returns to be recorded on its run and in the version registry."""
    new_source = loader.source_for(out_dir)
    return {
        "model_path": str(out_dir),
        "model_name": new_source.model_id,
        "model_revision": new_source.revision,
        "base_model": base.model_id,
        "base_revision": base.revision,
        "adapter_sha256": digest,
        "records": records,
        "steps": training["steps"],
        "losses": [row["loss"] for row in history if "loss" in row],
        "history": history,
        "training": training,
        "environment": environment,
        "seconds": round(time.monotonic() - started, 1),
    }
