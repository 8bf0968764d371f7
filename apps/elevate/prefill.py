"""Pre-fill: answers drawn from what Equitext itself stored about a subject.

One provider per subject kind returns `{item code: Prefill(status, location, comment, source)}`.
Providers read other apps' models by name (`django.apps.apps.get_model`) and their fields with
`getattr`, because those apps evolve on their own schedule: a missing model, field or relation means
"nothing to say about this item", never an error. To support a new source of evidence, add a function
decorated with `@provider("<subject kind>")`, or extend an existing one with another item code.

Only facts are pre-filled (what is stored, where); the assessor still judges and may change every
answer (`services.response_save` clears the pre-fill mark when they do).
"""

from collections.abc import Callable
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Avg, Count

from apps.elevate.models import Assessment, ItemResponse, SubjectKind

REPORTED = ItemResponse.Status.REPORTED
PARTIAL = ItemResponse.Status.PARTIAL
NOT_REPORTED = ItemResponse.Status.NOT_REPORTED


class Prefill(NamedTuple):
    status: str
    location: str
    comment: str
    source: str = ""


Answers = dict[str, Prefill]
PROVIDERS: dict[str, Callable[[Assessment], Answers]] = {}


def provider(kind: str):
    """Register the pre-fill provider of a subject kind (one per kind; the last registered wins)."""

    def register(function: Callable[[Assessment], Answers]):
        PROVIDERS[kind] = function
        return function

    return register


def prefill_for(assessment: Assessment) -> Answers:
    """The pre-filled answers for an assessment's subject (empty when nothing is known)."""
    function = PROVIDERS.get(assessment.subject_kind)
    return function(assessment) if function else {}


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _first(obj, *names):
    """The first attribute of `obj` among `names` that holds a value (not None / empty)."""
    for name in names:
        value = getattr(obj, name, None)
        if value not in (None, "", {}, []):
            return value
    return None


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _format_parameters(parameters) -> str:
    if isinstance(parameters, dict):
        return ", ".join(f"{key}={value}" for key, value in sorted(parameters.items()))
    return str(parameters)


@provider(SubjectKind.PUBLICATION)
def publication_answers(assessment: Assessment) -> Answers:
    """Nothing about an external publication is stored in Equitext: the assessor reads it."""
    return {}


@provider(SubjectKind.MODEL_RUN)
def model_run_answers(assessment: Assessment) -> Answers:
    """Model characteristics, parameters, seed, prompt and scores recorded on a `scoring.ModelRun`."""
    run = assessment.subject
    return run_answers(run) if run is not None else {}


def run_answers(run) -> Answers:
    """The answers a model run's stored fields support (any object with a run's attributes)."""
    source = f"model run #{run.pk}"
    where = f"Equitext {source}"
    answers: Answers = {}

    model_id = _first(run, "model_identifier", "model_name", "model_id", "model")
    revision = _first(run, "model_revision", "revision")
    path = _first(run, "model_path")
    origin = f" loaded from {path}" if path else ""
    if model_id and revision:
        answers["1.1"] = Prefill(REPORTED, where, f"Model {model_id}{origin}, revision {revision}.", source)
    elif model_id:
        answers["1.1"] = Prefill(
            PARTIAL, where, f"Model {model_id}{origin}; no revision or checksum is stored on the run.", source
        )

    prompt = _prompt_text(run)
    if prompt:
        answers["5.1"] = Prefill(REPORTED, f"{where}, prompt template", prompt[:2000], source)

    parameters = _first(run, "parameters", "params", "generation_parameters")
    if parameters:
        answers["5.2"] = Prefill(REPORTED, f"{where}, parameters", _format_parameters(parameters), source)

    if any(hasattr(run, name) for name in ("seed", "random_seed")):
        seed = _first(run, "seed", "random_seed")
        if seed is not None:
            answers["5.3"] = Prefill(REPORTED, f"{where}, parameters", f"Seed {seed}.", source)
        else:
            answers["5.3"] = Prefill(NOT_REPORTED, where, "The run stored no random seed.", source)

    if model_id and revision:
        answers["5.4"] = Prefill(
            PARTIAL,
            where,
            f"Model revision {revision} is stored; library versions and query dates are not part of the run "
            "record.",
            source,
        )

    timing = _job_timing(getattr(run, "job", None))
    if timing:
        answers["8.2"] = Prefill(PARTIAL, f"{where}, job", f"{timing}; hardware is not recorded.", source)

    if hasattr(run, "_meta"):  # a stored run: its candidates can be counted
        answers.update(_candidate_answers(run, where, source))
    return answers


def _prompt_text(run) -> str:
    """The prompt a run used: a template resolved by (key, version) through the scoring app, an object
    with a text, or the stored text itself."""
    prompt = _first(run, "prompt_template", "prompt")
    if not prompt:
        return ""
    version = _first(run, "prompt_version")
    if isinstance(prompt, str) and version is not None:
        try:
            from apps.scoring.prompts import template_get

            template = template_get(prompt, version)
        except (ImportError, ValueError):
            return f"Prompt template {prompt} v{version} (its wording is not available in this installation)."
        system = getattr(template, "system", "")
        instruction = getattr(template, "instruction", "")
        return f"Prompt template {prompt} v{version}. System: {system} Instruction: {instruction}".strip()
    text = _first(prompt, "text", "template", "body") or prompt
    return f"Prompt template: {text}"


def _job_timing(job) -> str:
    started, finished = getattr(job, "started_at", None), getattr(job, "finished_at", None)
    if not (started and finished):
        return ""
    worker = getattr(job, "worker", "")
    return f"Run time {(finished - started).total_seconds():.1f} s" + (
        f" on worker {worker}" if worker else ""
    )


METRIC_LABELS = {"sari": "SARI", "bleu": "BLEU", "reward": "reward", "grade": "Flesch-Kincaid grade"}


def _candidate_answers(run, where: str, source: str) -> Answers:
    """Accuracy (SARI, BLEU, reward, grade), coverage and faithfulness figures from the run's candidates."""
    Candidate = _model("scoring.Candidate")
    if Candidate is None or not _has_field(Candidate, "run"):
        return {}
    candidates = Candidate._default_manager.filter(run=run)
    metrics = [name for name in METRIC_LABELS if _has_field(Candidate, name)]
    aggregates = candidates.aggregate(
        n=Count("pk"),
        **({"segments": Count("segment", distinct=True)} if _has_field(Candidate, "segment") else {}),
        **{name: Avg(name) for name in metrics},
    )
    n = aggregates["n"]
    if not n:
        return {}
    answers: Answers = {}
    figures = [
        f"mean {METRIC_LABELS[name]} {aggregates[name]:.1f}"
        for name in metrics
        if aggregates[name] is not None
    ]
    if figures:
        reference = " against the human references" if aggregates.get("sari") is not None else ""
        answers["2.2"] = Prefill(
            PARTIAL,
            f"{where}, candidate scores",
            f"{', '.join(figures)} over {n} candidates{reference}; no confidence intervals are computed.",
            source,
        )
    if aggregates.get("segments"):
        selected = run.segments.count() if hasattr(getattr(run, "segments", None), "count") else 0
        of_selected = f" of the {selected} selected" if selected else ""
        answers["3.1"] = Prefill(
            REPORTED if not selected or selected == aggregates["segments"] else PARTIAL,
            f"{where}, candidates",
            f"{n} candidates for {aggregates['segments']}{of_selected} segments.",
            source,
        )
    if _has_field(Candidate, "flags"):
        flagged = candidates.exclude(flags=[]).count()
        answers["4.1"] = Prefill(
            PARTIAL,
            f"{where}, faithfulness flags",
            "Candidates were checked by Equitext's automatic faithfulness guard (numbers, negations, "
            "repetition, prompt echo, meaning drift); no human fact check is recorded on the run.",
            source,
        )
        answers["4.2"] = Prefill(
            REPORTED, f"{where}, faithfulness flags", f"{flagged} of {n} candidates were flagged.", source
        )
    return answers


@provider(SubjectKind.STUDY)
def study_answers(assessment: Assessment) -> Answers:
    """Fairness evaluation design (rubric, rater groups, sample, seed) recorded on a `reviews.Study`."""
    study = assessment.subject
    if study is None:
        return {}
    source = f"study #{study.pk}"
    where = f"Equitext {source}"
    answers: Answers = {}

    rubric = _first(study, "rubric")
    if rubric is not None:
        answers["7.2"] = Prefill(
            REPORTED, f"{where}, rubric", f"Outputs rated with the rubric {rubric}.", source
        )

    quotas = _quota_pairs(getattr(study, "quotas", None))
    if quotas:
        groups = ", ".join(f"{group}: {n} per item" for group, n in quotas)
        answers["7.3"] = Prefill(
            PARTIAL,
            f"{where}, quotas",
            f"Rater groups and ratings per item: {groups}. Agreement is on the study's results page; "
            "check that the publication reports it.",
            source,
        )

    items = getattr(study, "items", None)
    if items is not None and hasattr(items, "count"):
        n = items.count()
        if n:
            answers["2.4"] = Prefill(PARTIAL, f"{where}, items", f"{n} items in the study.", source)

    seed = _first(study, "seed", "randomisation_seed", "random_seed")
    if seed is not None:
        answers["5.3"] = Prefill(REPORTED, where, f"Randomisation seed {seed}.", source)
    return answers


def _quota_pairs(quotas) -> list[tuple[str, int]]:
    """(rater group, ratings per item) from a dict or from a related manager of quota rows."""
    if isinstance(quotas, dict):
        return [(str(group), n) for group, n in quotas.items()]
    if hasattr(quotas, "all"):
        return [(str(getattr(q, "group", q)), getattr(q, "quota", "?")) for q in quotas.all()]
    return []
