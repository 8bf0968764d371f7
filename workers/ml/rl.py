"""Reinforcement learning of the generator with the product's reward (TRL `GRPOTrainer`, LoRA adapter).

SimpleDC's central method: the reward needs no reference, so the model learns on originals alone
(unlabelled-split segments and train originals). For each prompt the trainer samples `num_generations`
completions, the reward function scores them, and each completion's advantage is its reward relative to
the group's (GRPO: minus the group mean, divided by the group's standard deviation). The reward function
is given by the caller (`workers/tasks/training.py`): the combined reward of apps/scoring/reward.py —
P(simplified) from the active reward model, meaning similarity to the source, the faithfulness guard's
penalties and the length penalty — computed on (source, completion) pairs.

Why GRPO rather than RLOO (apps/scoring/README.md says more): the combined reward has no natural scale
(a probability, a cosine and fixed penalties), and GRPO's per-group normalisation makes the update the
same whatever the weights' scale; with `beta` 0 (TRL's default) it needs no reference forward pass,
which matters on CPU and for large models; `beta` > 0 adds the KL anchor to the starting model when the
lightweight reward classifier starts being gamed.

Optionally starts from an adapter (an SFT version): it is merged into the weights and a new LoRA is
trained on top (`loader.load_for_training(start_from=…)`). Same code on CPU and on a GPU.
"""

import time
from collections.abc import Callable
from pathlib import Path

from workers.ml import adapters, loader


def completion_text(completion) -> str:
    """The text of a TRL completion (conversational: a list of messages; standard: a string)."""
    if isinstance(completion, str):
        return completion
    return "".join(message.get("content", "") for message in completion if message.get("role") == "assistant")


def train_rl_adapter(
    *,
    prompts: list[list[dict]],
    sources: list[str],
    reward: Callable[[list[str], list[str]], list[float]],
    out_dir: Path,
    base_path: str | None = None,
    start_from: str | None = None,
    steps: int = 50,
    learning_rate: float = 1e-5,
    prompts_per_step: int = 2,
    num_generations: int = 4,
    max_completion_length: int = 96,
    temperature: float = 1.0,
    beta: float = 0.0,
    lora_r: int = 8,
    lora_alpha: int = 16,
    seed: int = 0,
    progress=None,
) -> dict:
    """Train a LoRA adapter with GRPO for `steps` optimiser steps. `reward(sources, texts)` returns one
    reward per completion. Returns what to record (as train_dpo_adapter), with the reward per step."""
    import transformers
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    if not prompts or len(prompts) != len(sources):
        raise ValueError("RL needs one source text per prompt.")
    started = time.monotonic()
    transformers.set_seed(seed)
    base, start, model, tokenizer, device, dtype = loader.load_for_training(base_path, start_from=start_from)
    dataset = Dataset.from_list(
        [{"prompt": prompt, "source": source} for prompt, source in zip(prompts, sources, strict=True)]
    )
    out_dir = Path(out_dir)
    history: list[dict] = []
    training = {
        "texts": len(prompts),
        "steps": steps,
        "learning_rate": learning_rate,
        "prompts_per_step": prompts_per_step,
        "num_generations": num_generations,
        "max_completion_length": max_completion_length,
        "temperature": temperature,
        "beta": beta,
        "loss_type": "dapo",
        "scale_rewards": "group",
        "lora_r": lora_r,
        "lora_alpha": lora_alpha,
        "lora_targets": adapters.LORA_TARGETS,
        "seed": seed,
    }

    def product_reward(prompts, completions, source, **kwargs) -> list[float]:
        return [float(r) for r in reward(list(source), [completion_text(c) for c in completions])]

    with adapters.scratch_beside(out_dir) as scratch:
        config = GRPOConfig(
            **adapters.trainer_arguments(
                scratch=scratch,
                steps=steps,
                learning_rate=learning_rate,
                seed=seed,
                device=device,
                dtype=dtype,
            ),
            per_device_train_batch_size=prompts_per_step * num_generations,
            num_generations=num_generations,
            max_completion_length=max_completion_length,
            temperature=temperature,
            beta=beta,
            loss_type="dapo",
            scale_rewards="group",
            log_completions=False,
        )
        trainer = GRPOTrainer(
            model=model,
            reward_funcs=[product_reward],
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=adapters.lora_config(r=lora_r, alpha=lora_alpha),
            callbacks=[adapters.history_callback(history, steps=steps, label="RL", progress=progress)],
        )
        environment, digest = adapters.train_and_write(
            trainer,
            base=base,
            start=start,
            method="RL with the product's reward (TRL GRPOTrainer) with a LoRA adapter (peft)",
            training=training,
            history=history,
            scratch=scratch,
            out_dir=out_dir,
            device=device,
            dtype=dtype,
        )
    del trainer, model
    result = adapters.training_result(
        out_dir=out_dir,
        base=base,
        digest=digest,
        records=len(prompts),
        training=training,
        history=history,
        environment=environment,
        started=started,
    )
    result["rewards"] = [row["reward"] for row in history if "reward" in row]
    return result
