"""Batched generation from chat prompts, with left padding.

Rows of a batch are padded on the left and carry an attention mask, so every row continues from its own
last token and greedy output of a batch equals the output of the same prompt alone (tested). Sampling is
seeded per batch from the run's seed and the batch's first prompt index: the same segments, seed, batch
size and device give the same candidates again.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from workers.ml.loader import LoadedModel


@dataclass(frozen=True)
class GenerationSettings:
    num_candidates: int = 1  # sequences per prompt
    temperature: float = 0.0  # 0 = greedy (then num_candidates must be 1)
    top_p: float = 1.0
    max_new_tokens: int = 96
    seed: int = 0
    batch_size: int = 8  # prompts per forward pass (each expanded to num_candidates rows)
    min_new_tokens: int = 0  # benchmarks force a fixed length; runs leave it 0

    def __post_init__(self):
        if self.num_candidates < 1:
            raise ValueError("num_candidates must be at least 1.")
        if self.temperature < 0:
            raise ValueError("temperature must be 0 (greedy) or positive.")
        if self.temperature == 0 and self.num_candidates > 1:
            raise ValueError("Greedy decoding (temperature 0) gives one candidate; raise the temperature.")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1].")
        if self.max_new_tokens < 1 or self.batch_size < 1:
            raise ValueError("max_new_tokens and batch_size must be at least 1.")


@dataclass(frozen=True)
class Generated:
    text: str
    new_tokens: int
    finished: bool  # False: stopped by max_new_tokens, not by the end-of-turn token


def render_prompts(loaded: LoadedModel, conversations: Sequence[list[dict]]) -> list[str]:
    """Apply the model's own chat template; the assistant turn is opened for the model to fill."""
    return [
        loaded.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        for messages in conversations
    ]


def _stop_ids(loaded: LoadedModel) -> set[int]:
    config_eos = loaded.model.generation_config.eos_token_id
    ids = set(config_eos if isinstance(config_eos, list) else [config_eos] if config_eos is not None else [])
    if loaded.tokenizer.eos_token_id is not None:
        ids.add(loaded.tokenizer.eos_token_id)
    return ids


@torch.inference_mode()
def generate_batch(
    loaded: LoadedModel, prompts: Sequence[str], settings: GenerationSettings, *, seed_offset: int = 0
) -> list[list[Generated]]:
    """One forward batch: for each prompt string, `num_candidates` continuations."""
    tokenizer = loaded.tokenizer
    # The chat template already holds any begin-of-text token; adding special tokens would double it.
    encoded = tokenizer(
        list(prompts), return_tensors="pt", padding=True, add_special_tokens=False, padding_side="left"
    ).to(loaded.device)
    stop_ids = _stop_ids(loaded)
    kwargs = {
        "max_new_tokens": settings.max_new_tokens,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": sorted(stop_ids),
        "num_return_sequences": settings.num_candidates,
    }
    if settings.min_new_tokens:
        kwargs["min_new_tokens"] = settings.min_new_tokens
    if settings.temperature > 0:
        torch.manual_seed(settings.seed * 1_000_003 + seed_offset)
        kwargs.update(do_sample=True, temperature=settings.temperature, top_p=settings.top_p, top_k=0)
    else:
        kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
    output = loaded.model.generate(**encoded, **kwargs)
    new = output[:, encoded["input_ids"].shape[1] :].tolist()
    results: list[list[Generated]] = []
    for i in range(len(prompts)):
        row = []
        for ids in new[i * settings.num_candidates : (i + 1) * settings.num_candidates]:
            end = next((k for k, token in enumerate(ids) if token in stop_ids), None)
            kept = ids if end is None else ids[:end]
            text = tokenizer.decode(kept, skip_special_tokens=True).strip()
            row.append(Generated(text=text, new_tokens=len(kept), finished=end is not None))
        results.append(row)
    return results


def generate(
    loaded: LoadedModel, conversations: Sequence[list[dict]], settings: GenerationSettings
) -> Iterator[tuple[int, list[list[Generated]]]]:
    """Yield (index of the batch's first conversation, its candidates) batch by batch."""
    prompts = render_prompts(loaded, conversations)
    for start in range(0, len(prompts), settings.batch_size):
        yield (
            start,
            generate_batch(loaded, prompts[start : start + settings.batch_size], settings, seed_offset=start),
        )
