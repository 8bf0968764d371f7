"""Fine-tune the generator with DPO (TRL) on the preference export, training a LoRA adapter (peft).

The base generator is loaded fresh (`loader.load_for_training`; the worker's cached copy keeps
generating), wrapped with a LoRA adapter on the attention projections, and trained with TRL's
`DPOTrainer` on conversational preference records (`apps/scoring/preferences.py`). The reference model
is the base itself (peft disables the adapter to compute it), so no second copy is held in memory.

The adapter folder (`adapter_config.json`, `adapter_model.safetensors`, `GENERATOR.json` naming the
base and the training settings) is written to a temporary folder and renamed into place. Any later run
whose `model_path` is that folder generates with base + adapter (`loader.adapter_source`).

Same code on CPU (fp32, the few-step test) and on a GPU (bf16, full size).
"""

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import torch

from workers.ml import loader

logger = logging.getLogger(__name__)

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]  # Llama-family attention projections


def train_dpo_adapter(
    *,
    records: list[dict],
    out_dir: Path,
    base_path: str | None = None,
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
    from peft import LoraConfig
    from trl import DPOConfig, DPOTrainer

    if not records:
        raise ValueError("No preference pairs to train on.")
    started = time.monotonic()
    transformers.set_seed(seed)
    source, model, tokenizer, device, dtype = loader.load_for_training(base_path)
    dataset = Dataset.from_list(
        [{"prompt": r["prompt"], "chosen": r["chosen"], "rejected": r["rejected"]} for r in records]
    )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    losses: list[float] = []

    class Progress(transformers.TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))
            if progress:
                loss = f", loss {losses[-1]:.4f}" if losses else ""
                progress(state.global_step, steps, f"DPO step {state.global_step} of {steps}{loss}")

    config = DPOConfig(
        output_dir=str(scratch / "trainer"),
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        gradient_accumulation_steps=1,
        learning_rate=learning_rate,
        lr_scheduler_type="constant",
        warmup_steps=0,
        beta=beta,
        max_length=max_length,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        seed=seed,
        data_seed=seed,
        use_cpu=device.type == "cpu",
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        dataloader_num_workers=0,
        disable_tqdm=True,
        # TRL turns activation checkpointing on by default; it recomputes every layer in the backward
        # pass, which costs more time than the memory it saves for a LoRA on a small model.
        gradient_checkpointing=False,
    )
    peft_config = LoraConfig(
        r=lora_r, lora_alpha=lora_alpha, lora_dropout=0.0, target_modules=LORA_TARGETS, task_type="CAUSAL_LM"
    )
    try:
        trainer = DPOTrainer(
            model=model,
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=[Progress()],
        )
        trainer.train()
        adapter_dir = scratch / "adapter"
        trainer.model.save_pretrained(adapter_dir)
        manifest = {
            "base": loader.base_description(source),
            "method": "DPO (TRL) with a LoRA adapter (peft)",
            "training": {
                "records": len(records),
                "steps": steps,
                "learning_rate": learning_rate,
                "beta": beta,
                "batch_size": batch_size,
                "max_length": max_length,
                "lora_r": lora_r,
                "lora_alpha": lora_alpha,
                "lora_targets": LORA_TARGETS,
                "seed": seed,
                "device": str(device),
                "dtype": str(dtype).removeprefix("torch."),
                "losses": losses,
            },
        }
        (adapter_dir / loader.ADAPTER_MANIFEST).write_text(json.dumps(manifest, indent=2))
        adapter_dir.rename(out_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    del trainer, model
    new_source = loader.source_for(out_dir)
    return {
        "model_path": str(out_dir),
        "model_name": new_source.model_id,
        "model_revision": new_source.revision,
        "base_model": source.model_id,
        "base_revision": source.revision,
        "records": len(records),
        "steps": steps,
        "losses": losses,
        "device": str(device),
        "dtype": str(dtype).removeprefix("torch."),
        "seconds": round(time.monotonic() - started, 1),
    }
