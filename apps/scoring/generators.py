"""The registry of generator versions: every trained adapter (SFT, RL, DPO) and its record.

A training run (ModelRun kind `train`, target `sft`, `rl` or `generator`) that succeeds registers one
`GeneratorVersion` through `generator_version_create` (called by the worker). Generation and evaluation
runs name a version by its training run's id (`train_run`); `generator_version_for_run` resolves it and
refuses, naming the field, anything that is not a finished version. The adapter lives under MEDIA_ROOT
(`adapter_path` is relative to it, so a moved media folder keeps working); the worker checks the
adapter file's SHA-256 against `adapter_sha256` before it loads it.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from apps.core.roles import is_curator
from apps.scoring.models import GeneratorVersion, ModelRun

GENERATORS_DIR = "generators"  # under MEDIA_ROOT


def adapter_dir(relative: str) -> Path:
    """The absolute folder of an adapter path recorded relative to MEDIA_ROOT."""
    return Path(settings.MEDIA_ROOT) / relative


def adapter_relative(path: str | Path) -> str:
    """`path` relative to MEDIA_ROOT (an adapter written elsewhere keeps its absolute path)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))
    except ValueError:
        return str(path)


def generator_versions_visible_to(user) -> QuerySet[GeneratorVersion]:
    if not is_curator(user):
        return GeneratorVersion.objects.none()
    return GeneratorVersion.objects.select_related("run", "parent", "run__requested_by")


def generator_version_for_run(train_run, *, field: str = "train_run") -> GeneratorVersion:
    """The version trained by run `train_run`; ValidationError under `field` when there is none (not a
    training run of a generator, still running, failed)."""
    try:
        run_id = int(train_run)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{train_run!r} is not a run id."}) from None
    version = GeneratorVersion.objects.select_related("run").filter(run_id=run_id).first()
    if version is not None:
        return version
    run = ModelRun.objects.filter(pk=run_id).first()
    if run is None:
        raise ValidationError({field: f"There is no run #{run_id}."})
    target = (run.parameters or {}).get("target")
    if run.kind != ModelRun.Kind.TRAIN or target not in GeneratorVersion.Method.values:
        raise ValidationError(
            {
                field: f"Run #{run_id} does not train a generator (it is a {run.kind} run); "
                "name an SFT, RL or DPO run."
            }
        )
    raise ValidationError(
        {
            field: f"Run #{run_id} has not produced a generator version (its status is {run.status}); "
            "wait for it to succeed."
        }
    )


@transaction.atomic
def generator_version_create(
    *,
    run_id: int,
    method: str,
    base_model: str,
    base_revision: str,
    model_name: str,
    model_revision: str,
    adapter_path: str | Path,
    adapter_sha256: str,
    data_snapshot: dict,
    parameters: dict,
    seed: int,
    environment: dict,
    history: list,
    parent: GeneratorVersion | None = None,
) -> GeneratorVersion:
    """Register the adapter a training run produced (idempotent: a run registers one version; a task run
    twice returns the first)."""
    if method not in GeneratorVersion.Method.values:
        raise ValueError(f"Unknown training method {method!r}.")
    version, _ = GeneratorVersion.objects.get_or_create(
        run_id=run_id,
        defaults={
            "method": method,
            "parent": parent,
            "base_model": base_model,
            "base_revision": base_revision,
            "model_name": model_name[:300],
            "model_revision": model_revision[:300],
            "adapter_path": adapter_relative(adapter_path),
            "adapter_sha256": adapter_sha256,
            "data_snapshot": data_snapshot,
            "parameters": parameters,
            "seed": seed,
            "environment": environment,
            "history": history,
        },
    )
    return version
