"""Supervised fine-tuning of the generator (TRL `SFTTrainer`) with a LoRA adapter (peft) on approved
corpus pairs: the SimpleDC paper's fine-tuned baseline.

Each record is a conversational prompt–completion pair: `prompt` the chat messages of the run's prompt
template for the pair's original (exactly what generation sends), `completion` the approved simplified
text as the assistant turn. The loss is computed on the completion only (`completion_only_loss=True`:
the model is not trained to write the instructions or the original).

Same code on CPU (fp32, few steps in tests) and on a GPU (bf16, full size). The adapter folder is
written atomically (`adapters.adapter_write`).
"""

import time
from pathlib import Path

from workers.ml import adapters, loader


def train_sft_adapter(
    *,
    records: list[dict],
    out_dir: Path,
    base_path: str | None = None,
    steps: int = 50,
    learning_rate: float = 2e-4,
    batch_size: int = 4,
    max_length: int = 512,
    lora_r: int = 8,
    lora_alpha: int = 16,
    seed: int = 0,
    progress=None,
) -> dict:
    """Train a LoRA adapter for `steps` optimiser steps; returns what to record (as train_dpo_adapter)."""
    import transformers
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    if not records:
        raise ValueError("No pairs to train on.")
    started = time.monotonic()
    transformers.set_seed(seed)
    base, _, model, tokenizer, device, dtype = loader.load_for_training(base_path)
    dataset = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in records])
    out_dir = Path(out_dir)
    history: list[dict] = []
    training = {
        "records": len(records),
        "steps": steps,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "max_length": max_length,
        "lora_r": lora_r,
        "lora_alpha": lora_alpha,
        "lora_targets": adapters.LORA_TARGETS,
        "completion_only_loss": True,
        "seed": seed,
    }
    with adapters.scratch_beside(out_dir) as scratch:
        config = SFTConfig(
            **adapters.trainer_arguments(
                scratch=scratch,
                steps=steps,
                learning_rate=learning_rate,
                seed=seed,
                device=device,
                dtype=dtype,
            ),
            per_device_train_batch_size=batch_size,
            max_length=max_length,
            completion_only_loss=True,
            packing=False,
        )
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=adapters.lora_config(r=lora_r, alpha=lora_alpha),
            callbacks=[adapters.history_callback(history, steps=steps, label="SFT", progress=progress)],
        )
        environment, digest = adapters.train_and_write(
            trainer,
            base=base,
            start=None,
            method="SFT (TRL SFTTrainer, completion-only loss) with a LoRA adapter (peft)",
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
