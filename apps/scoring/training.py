"""Generator training runs (ModelRun kind `train`), one start for every target that makes a generator
version (the reward-model target is `reward_registry.reward_train_start`):

- `sft`: supervised fine-tuning with a LoRA adapter on approved train-split pairs rendered through the
  run's prompt template, loss on the completion only (workers/ml/sft.py);
- `rl`: reinforcement learning with the product's combined reward (apps/scoring/reward.py) on originals
  that need no reference — unlabelled-split segments and train-split originals — with TRL's GRPO
  (workers/ml/rl.py); needs an active reward model; may start from another version (`start_from`);
- `generator`: DPO on the preference export (workers/ml/dpo.py); may start from another version.

Every refusal happens here, before anything is written: unknown or out-of-range parameters, too little
data (saying how much is needed), an unknown start version, a base given together with a start version
(the start version fixes the base). The worker checks the data and the weights again when it runs, and
registers the adapter as a `GeneratorVersion` (apps/scoring/generators.py).
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.models import Segment, Split
from apps.scoring import generators, selectors
from apps.scoring.models import Candidate, GeneratorVersion, ModelRun, RewardModel
from apps.scoring.parameters import bounded_numbers_clean, reward_weights_clean, style_clean
from apps.scoring.prompts import DEFAULT_TEMPLATE, GRADE_RANGE, template_get

TARGETS = ("sft", "rl", "generator")
TASKS = {
    "sft": "equitext.ml.train_sft",
    "rl": "equitext.ml.train_rl",
    "generator": "equitext.ml.finetune_generator",
}
JOB_KINDS = {"sft": "generator_sft", "rl": "generator_rl", "generator": "generator_finetune"}
LABELS = {"sft": "SFT LoRA", "rl": "RL (GRPO) LoRA", "generator": "DPO LoRA"}
MIN_SFT_PAIRS = 4
MIN_RL_TEXTS = 4
RL_SPLITS = (Split.UNLABELLED, Split.TRAIN)

NO_PREFERENCE_PAIRS = (
    "There are no preference pairs yet: rank candidates with an active reward model (runs with several "
    "candidates per segment) or accept/reject candidates, then fine-tune."
)
NO_REWARD_MODEL = (
    "RL needs an active reward model (its P(simplified) is part of the reward): train one at "
    "/scoring/reward-models/ and activate it, then start RL."
)

_COMMON = {
    # name: (type, default, minimum, maximum)
    "lora_r": (int, 8, 1, 256),
    "lora_alpha": (int, 16, 1, 1024),
    "seed": (int, 0, 0, 2**31 - 1),
}
BOUNDS = {
    "sft": {
        "steps": (int, 50, 1, 100_000),
        "learning_rate": (float, 2e-4, 1e-7, 1e-2),
        "batch_size": (int, 4, 1, 256),
        "max_length": (int, 512, 32, 8192),
        "target_grade": (int, 6, GRADE_RANGE[0], GRADE_RANGE[1]),
        **_COMMON,
    },
    "rl": {
        "steps": (int, 50, 1, 100_000),
        "learning_rate": (float, 1e-5, 1e-8, 1e-2),
        "prompts_per_step": (int, 2, 1, 256),
        "num_generations": (int, 4, 2, 64),
        "max_completion_length": (int, 96, 4, 4096),
        "temperature": (float, 1.0, 0.05, 2.0),
        "beta": (float, 0.0, 0.0, 10.0),
        "target_grade": (int, 6, GRADE_RANGE[0], GRADE_RANGE[1]),
        "max_texts": (int, 0, 0, 10_000_000),  # 0: every original
        **_COMMON,
    },
    "generator": {
        "steps": (int, 50, 1, 100_000),
        "learning_rate": (float, 5e-5, 1e-7, 1e-2),
        "beta": (float, 0.1, 0.001, 10.0),
        "batch_size": (int, 2, 1, 256),
        "max_length": (int, 256, 16, 8192),
        "max_records": (int, 0, 0, 10_000_000),  # 0: every record of the export
        **_COMMON,
    },
}


def training_parameters_clean(target: str, parameters: dict | None) -> dict:
    """Validated parameters of a `target` run with defaults; ValidationError names each bad field."""
    from apps.scoring.preferences import source_names

    if target not in TARGETS:
        raise ValidationError({"target": f"Unknown target {target!r}; use sft, rl, generator or reward."})
    parameters = dict(parameters or {})
    parameters.pop("target", None)
    errors: dict[str, str] = {}
    cleaned: dict = {"target": target}
    bounded_numbers_clean(parameters, BOUNDS[target], cleaned, errors)
    start_from = parameters.pop("start_from", None)
    if target == "sft" and start_from not in (None, ""):
        errors["start_from"] = (
            "SFT trains on the base generator; start RL or DPO from an SFT version instead."
        )
    cleaned["start_from"] = None if start_from in (None, "") else start_from
    if target in ("sft", "rl"):
        style_clean(parameters, cleaned, errors)
    if target == "rl":
        reward_weights_clean(parameters, cleaned, errors)
    if target == "generator":
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


def sft_pairs() -> list[dict]:
    """The pairs SFT trains on: approved train-split pairs (selectors.approved_train_pairs)."""
    return selectors.approved_train_pairs()


def rl_texts() -> list[dict]:
    """The originals RL trains on (no reference needed): unlabelled-split and train-split segments with
    an original, in id order."""
    rows = (
        Segment.objects.filter(split__in=RL_SPLITS)
        .exclude(original="")
        .order_by("pk")
        .values("pk", "version", "split", "original")
    )
    return [row for row in rows if row["original"].strip()]


def preference_data_exists() -> bool:
    """Cheap check that the export can yield something: a rewarded candidate or a curator's decision."""
    return Candidate.objects.filter(
        Q(reward__isnull=False) | ~Q(decision=Candidate.Decision.PENDING), run__kind=ModelRun.Kind.GENERATE
    ).exists()


def too_little_data(target: str) -> str | None:
    """Why there is not enough data for `target` now (what is needed and what there is), or None."""
    if target == "sft":
        found = len(sft_pairs())
        if found < MIN_SFT_PAIRS:
            return (
                f"SFT needs at least {MIN_SFT_PAIRS} approved train-split pairs (a simplified text that "
                f"differs from the original); there are {found}. Approve more pairs in the train split."
            )
    elif target == "rl":
        found = len(rl_texts())
        if found < MIN_RL_TEXTS:
            return (
                f"RL needs at least {MIN_RL_TEXTS} originals in the unlabelled or train split; there are "
                f"{found}. Import unlabelled text (SimpleDC's unsup.csv) or add train segments."
            )
    elif not preference_data_exists():
        return NO_PREFERENCE_PAIRS
    return None


@transaction.atomic
def training_start(
    *,
    user,
    target: str,
    model_path: str = "",
    parameters: dict | None = None,
    prompt_template: str = DEFAULT_TEMPLATE[0],
    prompt_version: int = DEFAULT_TEMPLATE[1],
) -> ModelRun:
    """Start a generator training run of `target` (sft, rl, generator): validate everything, then the run
    and its gpu Job. `model_path`: the base generator (blank: the worker's default, or the start version's
    base)."""
    require_curator(user)
    cleaned = training_parameters_clean(target, parameters)
    model_path = (model_path or "").strip()
    if len(model_path) > 500:
        raise ValidationError({"model_path": "The model path is longer than 500 characters."})
    start = None
    if cleaned["start_from"] is not None:
        start = generators.generator_version_for_run(cleaned["start_from"], field="start_from")
        cleaned["start_from"] = start.run_id
        if model_path:
            raise ValidationError(
                {
                    "model_path": f"The start version (run #{start.run_id}) was trained on "
                    f"{start.base_model} revision {start.base_revision}; it fixes the base. "
                    "Leave the base blank."
                }
            )
    template = None
    if target in ("sft", "rl"):
        try:
            template = template_get(prompt_template, prompt_version)
        except ValueError as exc:
            raise ValidationError({"prompt_template": str(exc)}) from None
        if template.few_shot:
            raise ValidationError(
                {
                    "prompt_template": "Training uses a zero-shot prompt; a few-shot template is for "
                    "generation and evaluation (a trained version can still be evaluated with "
                    "few-shot prompts)."
                }
            )
    if target == "rl":
        active = RewardModel.objects.filter(is_active=True).values_list("version", flat=True).first()
        if active is None:
            raise ValidationError({"parameters": NO_REWARD_MODEL})
        cleaned["reward_model_version"] = active
    problem = too_little_data(target)
    if problem:
        raise ValidationError({"parameters": problem})
    base = start.model_name if start else PurePath(model_path).name if model_path else "default generator"
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.TRAIN,
        model_name=f"{base} + {LABELS[target]}",
        model_path=model_path,
        parameters=cleaned,
        prompt_template=template.key if template else "",
        prompt_version=template.version if template else None,
        seed=cleaned["seed"],
        selection=_selection(target, cleaned),
        requested_by=user,
    )
    run.job = job_create(
        kind=JOB_KINDS[target], task=TASKS[target], requested_by=user, parameters={"run": run.pk}
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(actor=user, action=f"generator.train.{target}", obj=run, details=cleaned)
    return run


def _selection(target: str, cleaned: dict) -> dict:
    if target == "sft":
        return {"pairs": "approved train-split pairs"}
    if target == "rl":
        return {"texts": "originals of the unlabelled and train splits"}
    return {"preferences": cleaned["sources"] or "all"}


def start_version(run: ModelRun) -> GeneratorVersion | None:
    """The version a training run started from (None: the base)."""
    start = (run.parameters or {}).get("start_from")
    return GeneratorVersion.objects.filter(run_id=start).first() if start else None
