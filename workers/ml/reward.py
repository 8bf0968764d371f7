"""The reward classifier: P(simplified) of a text (SimpleDC's reference-free reward).

Default: the embedded all-MiniLM-L6-v2 encoder, frozen (mean pooling + L2 normalisation, exactly as
`embeddings.embed`), and a scikit-learn logistic-regression head fitted on the embeddings. Option
`encoder_mode="finetune"` (meant for a GPU; it also runs on CPU, slowly): the encoder is first
fine-tuned end to end with a linear layer and binary cross-entropy, saved beside the artefact, and the
logistic-regression head is then fitted on the fine-tuned embeddings, so scoring is the same code.

The artefact is a folder under MEDIA_ROOT: `model.joblib` (head, encoder identity, format version) and,
for a fine-tuned encoder, `encoder/`. It is written into a temporary folder and renamed into place, so a
reader never sees half a model. Loading checks the file's SHA-256 against the registry and the encoder's
fingerprint against the one it was trained with. (joblib files are pickles: only load artefacts this
product wrote; the registry's hash check refuses anything else.)
"""

import hashlib
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
import torch
from sklearn.linear_model import LogisticRegression

from workers.ml import embeddings

ARTIFACT_FORMAT = 1
ARTIFACT_FILE = "model.joblib"
ENCODER_DIR = "encoder"


@dataclass
class RewardScorer:
    head: LogisticRegression
    encoder: embeddings.Encoder
    info: dict = field(default_factory=dict)

    def features(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        return embeddings.embed(texts, batch_size=batch_size, encoder=self.encoder).numpy().astype(np.float64)

    def score(self, texts: list[str], *, batch_size: int = 32) -> list[float]:
        """P(simplified) for each text; an empty text gets 0.0 (the classifier is not asked)."""
        present = [i for i, text in enumerate(texts) if text.strip()]
        result = [0.0] * len(texts)
        if present:
            probabilities = self.head.predict_proba(
                self.features([texts[i] for i in present], batch_size=batch_size)
            )[:, 1]
            for i, p in zip(present, probabilities, strict=True):
                result[i] = float(p)
        return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def finetune_encoder(
    texts: list[str],
    labels: list[int],
    *,
    out_dir: Path,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    progress=None,
) -> Path:
    """Fine-tune a fresh copy of the embedded encoder to separate the labels; save it to `out_dir`."""
    import transformers

    source = embeddings.encoder_path()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(source, local_files_only=True, dtype=torch.float32)
    model.to(device)
    linear = torch.nn.Linear(model.config.hidden_size, 1).to(device)
    optimiser = torch.optim.AdamW(list(model.parameters()) + list(linear.parameters()), lr=learning_rate)
    target = torch.tensor(labels, dtype=torch.float32)
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * ((len(texts) + batch_size - 1) // batch_size)
    step = 0
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(texts), generator=generator).tolist()
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=embeddings.MAX_TOKENS,
                return_tensors="pt",
            ).to(device)
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            # The scale lets unit-length features reach confident logits.
            logits = linear(pooled * 10.0).squeeze(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[rows].to(device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            if progress:
                progress(step, steps, f"Fine-tuning the encoder: step {step}/{steps}, loss {loss.item():.3f}")
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def fit(
    texts: list[str],
    labels: list[int],
    *,
    C: float = 1.0,
    seed: int = 0,
    encoder_mode: str = "frozen",
    scratch: Path | None = None,
    epochs: int = 3,
    learning_rate: float = 2e-5,
    batch_size: int = 16,
    progress=None,
) -> RewardScorer:
    """Fit a reward classifier on (texts, labels). For `finetune`, `scratch` receives `encoder/`."""
    if encoder_mode == "finetune":
        if scratch is None:
            raise ValueError("A fine-tuned encoder needs a folder to be saved in (scratch).")
        encoder_dir = finetune_encoder(
            texts,
            labels,
            out_dir=scratch / ENCODER_DIR,
            epochs=epochs,
            learning_rate=learning_rate,
            batch_size=batch_size,
            seed=seed,
            progress=progress,
        )
        encoder = embeddings.load_encoder(encoder_dir)
        info = {
            "name": "all-MiniLM-L6-v2 (fine-tuned)",
            "mode": "finetune",
            "dir": ENCODER_DIR,
            "fingerprint": embeddings.encoder_fingerprint(encoder_dir),
        }
    else:
        encoder = embeddings.load_encoder()
        info = {
            "name": encoder.name,
            "mode": "frozen",
            "dir": None,
            "fingerprint": embeddings.encoder_fingerprint(encoder.path),
        }
    scorer = RewardScorer(
        head=LogisticRegression(C=C, max_iter=2000, random_state=seed), encoder=encoder, info=info
    )
    scorer.head.fit(scorer.features(texts), np.asarray(labels))
    return scorer


def artifact_save(
    scorer: RewardScorer, *, media_root: Path, relative_dir: str, scratch: Path | None = None
) -> tuple[str, str]:
    """Write the artefact folder atomically; returns (path of model.joblib relative to MEDIA_ROOT, sha256).

    `scratch`: a folder already holding `encoder/` (fine-tuned mode); it becomes the artefact folder."""
    target = Path(media_root) / relative_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = scratch or Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        payload = {
            "format": ARTIFACT_FORMAT,
            "head": scorer.head,
            "encoder": scorer.info,
            "features": f"mean-pooled, L2-normalised, max {embeddings.MAX_TOKENS} tokens",
            "sklearn": sklearn.__version__,
        }
        joblib.dump(payload, folder / ARTIFACT_FILE)
        digest = _sha256(folder / ARTIFACT_FILE)
        folder.rename(target)
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
    return f"{relative_dir}/{ARTIFACT_FILE}", digest


_scorers: dict[tuple[str, str], RewardScorer] = {}
_lock = threading.Lock()


def artifact_load(path: Path, *, sha256: str = "", cache: bool = True) -> RewardScorer:
    """The scorer saved at `path` (model.joblib), cached per process by path and hash.

    Raises RuntimeError when the file is missing, its hash is not the registered one, or the encoder it
    was trained with is not the one this worker has."""
    path = Path(path)
    key = (str(path), sha256)
    with _lock:
        if cache and key in _scorers:
            return _scorers[key]
        if not path.exists():
            raise RuntimeError(f"The reward model file {path} is missing; train a new version.")
        if sha256 and _sha256(path) != sha256:
            raise RuntimeError(
                f"The reward model file {path} does not match its registered SHA-256; "
                "it was changed or replaced. Train a new version."
            )
        payload = joblib.load(path)
        if payload.get("format") != ARTIFACT_FORMAT:
            raise RuntimeError(f"{path} has format {payload.get('format')}; expected {ARTIFACT_FORMAT}.")
        info = payload["encoder"]
        encoder_dir = path.parent / info["dir"] if info.get("dir") else embeddings.encoder_path()
        found = embeddings.encoder_fingerprint(encoder_dir)
        if found != info["fingerprint"]:
            raise RuntimeError(
                f"The reward model was trained with encoder {info['name']} "
                f"(fingerprint {info['fingerprint']}); this worker's is {found}."
            )
        scorer = RewardScorer(head=payload["head"], encoder=embeddings.load_encoder(encoder_dir), info=info)
        if cache:
            _scorers[key] = scorer
        return scorer
