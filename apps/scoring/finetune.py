"""Generator fine-tuning runs: DPO with a LoRA adapter on the preference export (a ModelRun of kind
`train` with `parameters["target"] == "generator"`; the work is `workers/ml/dpo.py`).

The result is a new generator version: an adapter folder under MEDIA_ROOT/generators/ whose path the
run's summary records (`model_path`); any later generation run that names it generates with the base
generator plus the adapter. The run itself is the version's record: base model and revision, the
preference data it saw, the training settings and losses.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.scoring.models import Candidate, ModelRun
from apps.scoring.parameters import bounded_numbers_clean
from apps.scoring.preferences import source_names

FINETUNE_TASK = "equitext.ml.finetune_generator"
NO_PREFERENCE_PAIRS = (
    "There are no preference pairs yet: rank candidates with an active reward model (runs with several "
    "candidates per segment) or accept/reject candidates, then fine-tune."
)
FINETUNE_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "steps": (int, 50, 1, 100_000),
    "learning_rate": (float, 5e-5, 1e-7, 1e-2),
    "beta": (float, 0.1, 0.001, 10.0),
    "batch_size": (int, 2, 1, 256),
    "max_length": (int, 256, 16, 8192),
    "lora_r": (int, 8, 1, 256),
    "lora_alpha": (int, 16, 1, 1024),
    "seed": (int, 0, 0, 2**31 - 1),
    "max_records": (int, 0, 0, 10_000_000),  # 0: every record of the export
}


def finetune_parameters_clean(parameters: dict | None) -> dict:
    """Validated fine-tuning parameters with defaults; ValidationError names each bad field."""
    parameters = dict(parameters or {})
    parameters.pop("target", None)
    errors: dict[str, str] = {}
    cleaned: dict = {"target": "generator"}
    bounded_numbers_clean(parameters, FINETUNE_BOUNDS, cleaned, errors)
    sources = parameters.pop("sources", None) or []
    if isinstance(sources, str):
        sources = [sources]
    known = source_names()
    unknown = [s for s in sources if s not in known]
    if unknown:
        errors["sources"] = f"Unknown preference source {unknown[0]!r}; use {', '.join(known)}."
    cleaned["sources"] = sorted(set(sources))
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if errors:
        raise ValidationError(errors)
    return cleaned


def preference_data_exists() -> bool:
    """Cheap check that the export can yield something: a rewarded candidate or a curator's decision."""
    return Candidate.objects.filter(
        Q(reward__isnull=False) | ~Q(decision=Candidate.Decision.PENDING), run__kind=ModelRun.Kind.GENERATE
    ).exists()


@transaction.atomic
def generator_finetune_start(*, user, model_path: str = "", parameters: dict | None = None) -> ModelRun:
    """Start a DPO fine-tune of the generator (`model_path`: its base; blank: the worker's default)."""
    require_curator(user)
    cleaned = finetune_parameters_clean(parameters)
    model_path = (model_path or "").strip()
    if len(model_path) > 500:
        raise ValidationError({"model_path": "The model path is longer than 500 characters."})
    if not preference_data_exists():
        raise ValidationError({"parameters": NO_PREFERENCE_PAIRS})
    base = PurePath(model_path).name if model_path else "default generator"
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.TRAIN,
        model_name=f"{base} + DPO LoRA",
        model_path=model_path,
        parameters=cleaned,
        seed=cleaned["seed"],
        selection={"preferences": cleaned["sources"] or "all"},
        requested_by=user,
    )
    run.job = job_create(
        kind="generator_finetune", task=FINETUNE_TASK, requested_by=user, parameters={"run": run.pk}
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(actor=user, action="generator.finetune", obj=run, details=cleaned)
    return run
