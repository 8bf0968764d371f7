"""Writes of model raters: start a run (a Job on queue gpu), store its ratings batch by batch (the
worker), record how it ran. Curators only; every start is audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.reviews.autoraters import prompt
from apps.reviews.autoraters.models import Autorater, AutoraterRating
from apps.reviews.models import Study, StudyItem
from apps.scoring.parameters import bounded_numbers_clean

AUTORATE_TASK = "equitext.ml.autorate"
DECODING_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "max_new_tokens": (int, 160, 8, 2048),
    "temperature": (float, 0.0, 0.0, 2.0),
    "top_p": (float, 1.0, 0.05, 1.0),
    "batch_size": (int, 8, 1, 128),
}
TEMPLATES = prompt.TEMPLATES


def autorater_settings_clean(settings: dict | None) -> dict:
    """Validated decoding settings, model path, template and seed; ValidationError names each bad field
    and what to use."""
    if settings is not None and not isinstance(settings, dict):
        raise ValidationError({"settings": "Send the settings as a JSON object."})
    settings = dict(settings or {})
    errors: dict[str, str] = {}
    cleaned: dict = {}
    bounded_numbers_clean(settings, DECODING_BOUNDS, cleaned, errors)
    seed = settings.pop("seed", None)
    if seed in (None, ""):
        cleaned["seed"] = None
    elif isinstance(seed, bool) or not str(seed).isdigit() or int(seed) >= 2**63:
        errors["seed"] = f"The seed is a whole number from 0 to {2**63 - 1:,}; got {seed!r}."
    else:
        cleaned["seed"] = int(seed)
    model_path = str(settings.pop("model_path", "") or "").strip()
    if len(model_path) > 500:
        errors["model_path"] = "The model path is longer than 500 characters."
    cleaned["model_path"] = model_path
    template = settings.pop("template_version", "") or prompt.TEMPLATE_VERSION
    if template not in TEMPLATES:
        errors["template_version"] = f"Unknown template {template!r}; use one of: {', '.join(TEMPLATES)}."
    cleaned["template_version"] = template
    name = str(settings.pop("name", "") or "").strip()
    if len(name) > 200:
        errors["name"] = "The name is longer than 200 characters."
    cleaned["name"] = name
    if cleaned.get("temperature") == 0 and cleaned.get("top_p", 1.0) != 1.0:
        errors["top_p"] = (
            "Greedy decoding (temperature 0) ignores top_p; leave it at 1 or raise the temperature."
        )
    for unknown in settings:
        errors[unknown] = "Unknown setting."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def autorater_create(*, study: Study, actor, settings: dict | None = None) -> Autorater:
    """Add a model rater to `study` and queue its run over the study's regular items (queue gpu)."""
    require_curator(actor)
    cleaned = autorater_settings_clean(settings)
    if not study.items.filter(role=StudyItem.Role.REGULAR).exists():
        raise ValidationError({"study": "The study has no regular items to rate."})
    decoding = {k: cleaned[k] for k in DECODING_BOUNDS}
    model = cleaned["model_path"] or "embedded generator (SmolLM2-135M-Instruct)"
    autorater = Autorater.objects.create(
        study=study,
        name=cleaned["name"] or f"{model} · {cleaned['template_version']}",
        model_path=cleaned["model_path"],
        template_version=cleaned["template_version"],
        system_prompt=prompt.system_prompt(study.rubric),
        decoding=decoding,
        seed=cleaned["seed"] if cleaned["seed"] is not None else int(study.seed),
        created_by=actor,
    )
    autorater.job = job_create(
        kind="autorate", task=AUTORATE_TASK, requested_by=actor, parameters={"autorater": autorater.pk}
    )
    autorater.save(update_fields=["job"])
    audit_record(
        actor=actor,
        action="autorater.create",
        obj=study,
        details={"autorater": autorater.pk, "job": autorater.job.pk, **decoding, "model_path": model},
    )
    return autorater


@transaction.atomic
def autorater_ratings_store(*, autorater: Autorater, outputs: list[dict]) -> int:
    """Store the model's outputs (`{"item", "text", "new_tokens", "finished"}`), each parsed against the
    rubric: a response when it passes, else the reason; the raw text always. An item already rated by
    this run keeps its first rating (a re-delivered batch changes nothing). Returns how many were new."""
    definition = autorater.study.rubric.definition
    rows = []
    for output in outputs:
        response, error = prompt.parse(definition, output["text"])
        rows.append(
            AutoraterRating(
                autorater=autorater,
                item_id=output["item"],
                raw_text=output["text"],
                response=response,
                parse_error=error,
                new_tokens=output.get("new_tokens", 0),
                finished=output.get("finished", True),
            )
        )
    before = AutoraterRating.objects.filter(autorater=autorater).count()
    AutoraterRating.objects.bulk_create(rows, ignore_conflicts=True)
    return AutoraterRating.objects.filter(autorater=autorater).count() - before


@transaction.atomic
def autorater_record(*, autorater: Autorater, model_name: str, model_revision: str, record: dict) -> None:
    """What the worker loaded and how it ran (model, fingerprint, device, dtype, versions)."""
    Autorater.objects.filter(pk=autorater.pk).update(
        model_name=model_name[:200], model_revision=model_revision[:200], run_record=record
    )
