"""Batched generation from chat prompts, with left padding and one random stream per candidate.

Rows of a batch are padded on the left and carry an attention mask, so every row continues from its own
last token and greedy output of a batch equals the output of the same prompt alone (tested).

Sampling does not use torch's global random state: every candidate (row) has its own `torch.Generator`,
seeded from (run seed, the prompt's key — a segment id —, candidate index) by `sample_seed`. HF
`generate` samples all rows from the global generator, so a row's draws would depend on its batch, its
position in the batch and every earlier batch. Here `generate` runs in greedy mode and the last logits
processor (`PerRowSampler`) does the sampling: temperature, then top-p (transformers' own warpers,
row-wise), then one draw per row from that row's generator, and it leaves only the drawn token
finite, so greedy's argmax picks it. Each step consumes exactly one vocabulary-sized block of each row's
stream, whatever the other rows do, so a candidate's text depends only on its prompt, its seed and the
weights: a resumed run, another batch size or another worker give the same texts (on the same device
and dtype; the remaining differences are the ~1e-5 logit changes that left padding causes in fp32,
which can flip a draw only at a near-exact tie).
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from transformers import LogitsProcessor, LogitsProcessorList
from transformers.generation.logits_process import TemperatureLogitsWarper, TopPLogitsWarper

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


def sample_seed(run_seed: int, key: int | str, index: int) -> int:
    """The seed of candidate `index` of the prompt identified by `key` in a run seeded `run_seed`: the
    first 63 bits of SHA-256("run_seed:key:index"), so neighbouring seeds give unrelated streams."""
    digest = hashlib.sha256(f"{int(run_seed)}:{key}:{int(index)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class PerRowSampler(LogitsProcessor):
    """Samples each row with its own generator; returns scores where only the drawn token is finite.

    The draw is the exponential race (argmax of p / E with E ~ Exp(1) i.i.d. per token), an exact sample
    from p that always consumes one value per vocabulary entry, so a row's stream advances by the same
    amount at every step."""

    def __init__(self, *, temperature: float, top_p: float, seeds: Sequence[int], device):
        self.warpers = [TemperatureLogitsWarper(temperature)]
        if top_p < 1.0:
            self.warpers.append(TopPLogitsWarper(top_p))
        self.generators = []
        for seed in seeds:
            generator = torch.Generator(device=device)
            generator.manual_seed(seed)
            self.generators.append(generator)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for warper in self.warpers:
            scores = warper(input_ids, scores)
        probs = torch.softmax(scores, dim=-1)
        chosen = torch.empty(scores.shape[0], dtype=torch.long, device=scores.device)
        for row, generator in enumerate(self.generators):
            race = torch.empty_like(probs[row]).exponential_(generator=generator)
            # A draw of exactly 0 would make 0/0 = NaN (argmax's favourite) for a filtered-out token.
            chosen[row] = torch.argmax(probs[row] / race.clamp_min_(torch.finfo(race.dtype).tiny))
        picked = torch.full_like(scores, -float("inf"))
        picked.scatter_(1, chosen[:, None], 0.0)
        return picked


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
    loaded: LoadedModel,
    prompts: Sequence[str],
    settings: GenerationSettings,
    *,
    keys: Sequence[int | str] | None = None,
) -> list[list[Generated]]:
    """One forward batch: for each prompt string, `num_candidates` continuations.

    `keys` identify the prompts for seeding (a segment id each; default: their positions in `prompts`);
    candidate j of prompt i is sampled from `sample_seed(settings.seed, keys[i], j)`."""
    tokenizer = loaded.tokenizer
    keys = list(range(len(prompts))) if keys is None else list(keys)
    if len(keys) != len(prompts):
        raise ValueError("Give one key per prompt.")
    n = settings.num_candidates
    # The chat template already holds any begin-of-text token; adding special tokens would double it.
    encoded = tokenizer(
        list(prompts), return_tensors="pt", padding=True, add_special_tokens=False, padding_side="left"
    ).to(loaded.device)
    if n > 1:  # row i * n + j is candidate j of prompt i, as with num_return_sequences
        encoded = {name: tensor.repeat_interleave(n, dim=0) for name, tensor in encoded.items()}
    stop_ids = _stop_ids(loaded)
    kwargs = {
        "max_new_tokens": settings.max_new_tokens,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": sorted(stop_ids),
        "do_sample": False,  # argmax: over the model's logits, or over PerRowSampler's single token
        "temperature": None,
        "top_p": None,
        "top_k": None,
    }
    if settings.min_new_tokens:
        kwargs["min_new_tokens"] = settings.min_new_tokens
    if settings.temperature > 0:
        seeds = [sample_seed(settings.seed, key, j) for key in keys for j in range(n)]
        sampler = PerRowSampler(
            temperature=settings.temperature, top_p=settings.top_p, seeds=seeds, device=loaded.device
        )
        kwargs["logits_processor"] = LogitsProcessorList([sampler])
    output = loaded.model.generate(**encoded, **kwargs)
    new = output[:, encoded["input_ids"].shape[1] :].tolist()
    results: list[list[Generated]] = []
    for i in range(len(prompts)):
        row = []
        for ids in new[i * n : (i + 1) * n]:
            end = next((k for k, token in enumerate(ids) if token in stop_ids), None)
            kept = ids if end is None else ids[:end]
            text = tokenizer.decode(kept, skip_special_tokens=True).strip()
            row.append(Generated(text=text, new_tokens=len(kept), finished=end is not None))
        results.append(row)
    return results


def generate(
    loaded: LoadedModel,
    conversations: Sequence[list[dict]],
    settings: GenerationSettings,
    *,
    keys: Sequence[int | str] | None = None,
) -> Iterator[tuple[int, list[list[Generated]]]]:
    """Yield (index of the batch's first conversation, its candidates) batch by batch.

    `keys`: one per conversation (segment ids), the identity each candidate's seed is derived from;
    default the conversation's position."""
    prompts = render_prompts(loaded, conversations)
    keys = list(range(len(prompts))) if keys is None else list(keys)
    if len(keys) != len(prompts):
        raise ValueError("Give one key per conversation.")
    for start in range(0, len(prompts), settings.batch_size):
        end = start + settings.batch_size
        yield start, generate_batch(loaded, prompts[start:end], settings, keys=keys[start:end])


def environment(loaded: LoadedModel) -> dict:
    """What a generation's texts depend on besides prompt, seed and weights: device, dtype and the
    library versions (recorded on a run when it starts)."""
    import transformers

    return {
        "device": str(loaded.device),
        "dtype": str(loaded.dtype).removeprefix("torch."),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "sampler": "per-candidate generators (workers/ml/generation.py, exponential race) v1",
    }
