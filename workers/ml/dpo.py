"""Fine-tune the generator with DPO (TRL) on the preference export, training a LoRA adapter (peft).

The base generator is loaded fresh (`loader.load_for_training`; the worker's cached copy keeps
generating) — with a starting adapter (e.g. an SFT version) merged in when one is named — wrapped with a
LoRA adapter on the attention projections, and trained with TRL's `DPOTrainer` on conversational
preference records (`apps/scoring/preferences.py`). The reference model is the starting model itself
(peft disables the new adapter to compute it), so no second copy is held in memory.

The adapter folder is written atomically (`adapters.adapter_write`). Any later run whose `model_path`
is that folder generates with base + adapter(s) (`loader.adapter_source`).

Same code on CPU (fp32, the few-step test) and on a GPU (bf16, full size).
"""

import logging
import time
from pathlib import Path

from workers.ml import adapters, loader

logger = logging.getLogger(__name__)


def train_dpo_adapter(
    *,
    records: list[dict],
    out_dir: Path,
    base_path: str | None = None,
    start_from: str | None = None,
    steps: int = 20,
    learning_rate: float = 5e-5,
    beta: float = 0.1,
    batch_size: int = 2,
    max_length: int = 256,
    lora_r: int = 8,
    lora_alpha: int = 16,
    seed: int = 0,
    progress=None,
) -> dict:
    """Train a LoRA adapter with DPO for `steps` optimiser steps; returns what to record on the run."""
    import transformers
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    if not records:
        raise ValueError("No preference pairs to train on.")
    started = time.monotonic()
    transformers.set_seed(seed)
    base, start, model, tokenizer, device, dtype = loader.load_for_training(base_path, start_from=start_from)
    dataset = Dataset.from_list(
        [{"prompt": r["prompt"], "chosen": r["chosen"], "rejected": r["rejected"]} for r in records]
    )
    out_dir = Path(out_dir)
    history: list[dict] = []
    training = {
        "records": len(records),
        "steps": steps,
        "learning_rate": learning_rate,
        "beta": beta,
        "batch_size": batch_size,
        "max_length": max_length,
        "lora_r": lora_r,
        "lora_alpha": lora_alpha,
        "lora_targets": adapters.LORA_TARGETS,
        "seed": seed,
    }
    with adapters.scratch_beside(out_dir) as scratch:
        config = DPOConfig(
            **adapters.trainer_arguments(
                scratch=scratch,
                steps=steps,
                learning_rate=learning_rate,
                seed=seed,
                device=device,
                dtype=dtype,
            ),
            per_device_train_batch_size=batch_size,
            beta=beta,
            max_length=max_length,
        )
        trainer = DPOTrainer(
            model=model,
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=adapters.lora_config(r=lora_r, alpha=lora_alpha),
            callbacks=[adapters.history_callback(history, steps=steps, label="DPO", progress=progress)],
        )
        environment, digest = adapters.train_and_write(
            trainer,
            base=base,
            start=start,
            method="DPO (TRL) with a LoRA adapter (peft)",
            training=training,
            history=history,
            scratch=scratch,
            out_dir=out_dir,
            device=device,
            dtype=dtype,
        )
    del trainer, model
    return adapters.training_result(
        out_dir=out_dir,
        base=base,
        digest=digest,
        records=len(records),
        training=training,
        history=history,
        environment=environment,
        started=started,
    )
