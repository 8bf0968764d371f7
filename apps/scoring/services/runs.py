"""Model runs: parameters, segment selection, start (`run_create`), prompts, and what a worker records.

A curator starts a run (`run_create`): a ModelRun, its segments, and a Job on queue `gpu` that the task
`equitext.ml.generate` (workers/tasks/scoring.py) executes. The task generates in batches and stores each
batch's candidates with their scores (`candidates.candidates_record`), so a run that is re-delivered or
restarted skips the segments that already have candidates (no duplicates: one row per run, segment and
sample index). A run's status is its Job's (`ModelRun.status`); the task records only what it loaded
and produced (`run_record`).
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.jobs import job_create
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.models import Segment, Split
from apps.corpus.selectors import segments_filter
from apps.scoring.guard import DEFAULT_SIMILARITY_THRESHOLD
from apps.scoring.models import ModelRun, RewardModel
from apps.scoring.parameters import bounded_numbers_clean, reward_weights_clean, style_clean
from apps.scoring.prompts import (
    DEFAULT_TEMPLATE,
    FEW_SHOT_TEMPLATE,
    GRADE_RANGE,
    PromptTemplate,
    instruction_text,
    template_get,
)

GENERATE_TASK = "equitext.ml.generate"
RUN_LIMIT_SEGMENTS = 5000
PARAMETER_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "target_grade": (int, 6, GRADE_RANGE[0], GRADE_RANGE[1]),
    "num_candidates": (int, 1, 1, 16),
    "temperature": (float, 0.0, 0.0, 2.0),
    "top_p": (float, 1.0, 0.05, 1.0),
    "max_new_tokens": (int, 96, 1, 1024),
    "batch_size": (int, 8, 1, 256),
    "similarity_threshold": (float, DEFAULT_SIMILARITY_THRESHOLD, 0.0, 1.0),
    "few_shot": (int, 0, 0, 16),  # examples a few-shot template shows (workers/ml/fewshot.py)
}
FEW_SHOT_NEEDS_TEMPLATE = (
    "Few-shot examples need the {key} v{version} template; choose it, or set few_shot to 0."
)
FEW_SHOT_NEEDS_K = "The few-shot template needs few_shot of 1 or more (examples shown before the request)."


def run_parameters_clean(parameters: dict) -> dict:
    """Validated generation parameters with defaults filled in; ValidationError names each bad field."""
    parameters = dict(parameters or {})
    errors: dict[str, str] = {}
    cleaned: dict = {}
    bounded_numbers_clean(parameters, PARAMETER_BOUNDS, cleaned, errors)
    style_clean(parameters, cleaned, errors)
    reward_weights_clean(parameters, cleaned, errors)
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if not errors and cleaned["num_candidates"] > 1 and cleaned["temperature"] == 0:
        errors["temperature"] = (
            "Greedy decoding (temperature 0) gives the same text every time; set a temperature above 0 "
            "to get more than one candidate per segment."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def few_shot_check(template: PromptTemplate, few_shot: int, *, field: str = "few_shot") -> None:
    """ValidationError under `field` unless the template and the number of examples agree."""
    if few_shot and not template.few_shot:
        key, version = FEW_SHOT_TEMPLATE
        raise ValidationError({field: FEW_SHOT_NEEDS_TEMPLATE.format(key=key, version=version)})
    if template.few_shot and not few_shot:
        raise ValidationError({field: FEW_SHOT_NEEDS_K})


def seed_clean(seed) -> int:
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise ValidationError({"seed": f"{seed!r} is not a whole number."}) from None
    if not 0 <= seed < 2**31:
        raise ValidationError({"seed": "The seed must be between 0 and 2147483647."})
    return seed


SEARCH_MAX_LENGTH = 200
PREVIEW_SEGMENTS = 5


def _search_clean(search) -> str:
    search = " ".join(str(search or "").split())
    if len(search) > SEARCH_MAX_LENGTH:
        raise ValidationError({"search": f"The search is longer than {SEARCH_MAX_LENGTH} characters."})
    return search


def run_segments_matching(*, document_id=None, split: str = "", search: str = "") -> tuple[QuerySet, dict]:
    """The segments a document, a split and a search choose together (each narrows the others), in corpus
    order, and the selection as the run records it. The search is the segment list's full-text search
    (corpus.selectors.segments_filter: English stemming, web-search syntax) over both texts."""
    search = _search_clean(search)
    if document_id is None and not split and not search:
        raise ValidationError({"segments": "Choose a document, a split or a search (or list segment ids)."})
    if split and split not in Split.values:
        raise ValidationError({"split": f"Unknown split {split!r}; use one of {', '.join(Split.values)}."})
    if document_id is not None:
        try:
            document_id = int(document_id)
        except (TypeError, ValueError):
            raise ValidationError({"document": "The document must be given by its id."}) from None
    segments = segments_filter(Segment.objects.all(), q=search, split=split, document=document_id)
    if document_id is not None and not Segment.objects.filter(document_id=document_id).exists():
        raise ValidationError({"document": f"Document {document_id} does not exist or has no segments."})
    selection = {
        key: value
        for key, value in (("document", document_id), ("split", split), ("search", search))
        if value not in (None, "")
    }
    return segments.order_by("document_id", "position"), selection


def run_segments_preview(*, document_id=None, split: str = "", search: str = "") -> dict:
    """What a run form's choice would cover, for the live preview: the count and the first segments."""
    segments, selection = run_segments_matching(document_id=document_id, split=split, search=search)
    return {
        "count": segments.count(),
        "first": list(segments.select_related("document")[:PREVIEW_SEGMENTS]),
        "selection": selection,
        "limit": RUN_LIMIT_SEGMENTS,
    }


def run_segments_select(
    *, segment_ids=None, document_id=None, split: str = "", search: str = ""
) -> tuple[list[int], dict]:
    """The segment ids a run covers (in corpus order) and a description of the selection: either a list
    of segment ids, or a document, a split and a search, each narrowing the others."""
    if segment_ids:
        if document_id is not None or split or (search or "").strip():
            raise ValidationError(
                {"segments": "List segment ids, or choose by document, split and search: not both."}
            )
        try:
            wanted = sorted({int(pk) for pk in segment_ids})
        except (TypeError, ValueError):
            raise ValidationError({"segments": "Segment ids must be whole numbers."}) from None
        found = list(Segment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise ValidationError({"segments": f"No segment with id {', '.join(map(str, missing[:20]))}."})
        ids = list(
            Segment.objects.filter(pk__in=found)
            .order_by("document_id", "position")
            .values_list("pk", flat=True)
        )
        selection = {"segments": ids}
    else:
        segments, selection = run_segments_matching(document_id=document_id, split=split, search=search)
        ids = list(segments.values_list("pk", flat=True)[: RUN_LIMIT_SEGMENTS + 1])
        if not ids:
            raise ValidationError(
                {_empty_field(selection): f"No segment matches {selection_describe(selection)}."}
            )
    if len(ids) > RUN_LIMIT_SEGMENTS:
        raise ValidationError(
            {
                "segments": f"More than {RUN_LIMIT_SEGMENTS} segments selected; one run takes at most "
                f"{RUN_LIMIT_SEGMENTS}. Narrow the selection."
            }
        )
    return ids, selection


def _empty_field(selection: dict) -> str:
    """The field to show "nothing matches" on: the search if there is one, else the one thing chosen."""
    if "search" in selection:
        return "search"
    return next(iter(selection)) if len(selection) == 1 else "segments"


def selection_describe(selection: dict) -> str:
    """A run's segment choice in words ("document 3 and the search 'pain'", "12 segments by id")."""
    if "segments" in selection:
        return f"{len(selection['segments'])} segments by id"
    parts = []
    if "document" in selection:
        parts.append(f"document {selection['document']}")
    if "split" in selection:
        parts.append(f"the {selection['split']} split")
    if "search" in selection:
        parts.append(f"the search {selection['search']!r}")
    return " and ".join(parts)


@transaction.atomic
def run_create(
    *,
    user,
    segment_ids=None,
    document_id: int | None = None,
    split: str = "",
    search: str = "",
    model_path: str = "",
    parameters: dict | None = None,
    prompt_template: str = DEFAULT_TEMPLATE[0],
    prompt_version: int = DEFAULT_TEMPLATE[1],
    seed: int = 0,
    train_run: int | None = None,
) -> ModelRun:
    """Start a generation run: validate everything first, then the run, its segments and its gpu Job.

    `train_run` names a generator version by its training run (apps/scoring/generators.py); the run then
    generates with that adapter (its folder becomes the run's `model_path`)."""
    from apps.scoring import generators

    require_curator(user)
    cleaned = run_parameters_clean(parameters or {})
    try:
        template = template_get(prompt_template, prompt_version)
    except ValueError as exc:
        raise ValidationError({"prompt_template": str(exc)}) from None
    few_shot_check(template, cleaned["few_shot"])
    seed = seed_clean(seed)
    model_path = (model_path or "").strip()
    if len(model_path) > 500:
        raise ValidationError({"model_path": "The model path is longer than 500 characters."})
    model_name = PurePath(model_path).name if model_path else "default generator"
    if train_run not in (None, ""):
        if model_path:
            raise ValidationError(
                {"train_run": "Name either a model directory or a trained generator version, not both."}
            )
        version = generators.generator_version_for_run(train_run)
        model_path = str(generators.adapter_dir(version.adapter_path))
        cleaned["train_run"] = version.run_id
        model_name = version.label
    ids, selection = run_segments_select(
        segment_ids=segment_ids, document_id=document_id, split=split, search=search
    )
    # The reward model active now scores this run's candidates, even if another is activated meanwhile.
    active = RewardModel.objects.filter(is_active=True).values_list("version", flat=True).first()
    cleaned["reward_model_version"] = active
    run = ModelRun.objects.create(
        kind=ModelRun.Kind.GENERATE,
        model_name=model_name,
        model_path=model_path,
        parameters=cleaned,
        prompt_template=template.key,
        prompt_version=template.version,
        seed=seed,
        selection=selection,
        requested_by=user,
    )
    run.segments.set(ids)
    run.job = job_create(
        kind="model_run",
        task=GENERATE_TASK,
        requested_by=user,
        parameters={"run": run.pk, "segments": len(ids)},
    )
    run.save(update_fields=["job", "updated_at"])
    audit_record(actor=user, action="model_run.create", obj=run, details={"segments": len(ids), **cleaned})
    return run


def run_record(
    *,
    run_id: int,
    summary: dict | None = None,
    model_name: str = "",
    model_revision: str = "",
    environment: dict | None = None,
) -> None:
    """Record on the run what its worker loaded (model name, weight fingerprint, `environment`: device,
    dtype, library versions) or produced (summary).

    The first environment recorded stays; a later attempt (a resumed run) on a different one is
    appended to its `resumed_on` list, so the page shows that the run's texts came from two setups.
    Never its status: a run's status is its job's, which the job lifecycle (apps/core/jobs.py) keeps."""
    changes = {"updated_at": timezone.now()}
    if environment is not None:
        changes["environment"] = _environment_merged(run_id, environment)
    if summary is not None:
        changes["summary"] = summary
    if model_name:
        changes["model_name"] = model_name
    if model_revision:
        changes["model_revision"] = model_revision
    ModelRun.objects.filter(pk=run_id).update(**changes)


def _environment_merged(run_id: int, environment: dict) -> dict:
    recorded = ModelRun.objects.filter(pk=run_id).values_list("environment", flat=True).first() or {}
    if not recorded:
        return {**environment, "recorded_at": timezone.now().isoformat()}
    first = {key: value for key, value in recorded.items() if key not in ("recorded_at", "resumed_on")}
    if first == environment:
        return recorded
    later = [*recorded.get("resumed_on", []), {**environment, "recorded_at": timezone.now().isoformat()}]
    return {**recorded, "resumed_on": later}


def run_prompts(run: ModelRun) -> tuple[PromptTemplate, list[str]]:
    """The run's template and the texts the guard checks for echoes (instruction and system prompt)."""
    template = template_get(run.prompt_template, run.prompt_version)
    instruction = instruction_text(
        template, grade=run.parameters["target_grade"], style=run.parameters.get("style", "plain")
    )
    return template, [instruction, template.system]


@transaction.atomic
def run_prompt_examples_store(*, run_id: int, examples: dict[int, list[dict]]) -> dict:
    """Record the few-shot pairs chosen for segments of a run (first choice wins: a resumed run shows the
    same examples again). Returns the run's whole record."""
    run = ModelRun.objects.select_for_update().get(pk=run_id)
    recorded = dict(run.prompt_examples or {})
    for segment_id, chosen in examples.items():
        recorded.setdefault(str(segment_id), chosen)
    ModelRun.objects.filter(pk=run_id).update(prompt_examples=recorded, updated_at=timezone.now())
    return recorded
