"""Pre-fill: answers drawn from what Equitext itself stored about a subject.

One provider per subject kind returns `{item code: Prefill(status, location, comment, source)}`.
Providers import the models they read (`scoring.ModelRun` and `Candidate`, `reviews.Study`, the prompt
templates) and read their fields by name, so renaming a field they use fails the pre-fill tests instead
of silently pre-filling less. To support a new source of evidence, add a function decorated with
`@provider("<subject kind>")`, or extend an existing one with another item code.

Only facts are pre-filled (what is stored, where); the assessor still judges and may change every
answer (`services.response_save` clears the pre-fill mark when they do).
"""

from collections.abc import Callable
from typing import NamedTuple

from django.db.models import Avg, Count

from apps.core.models import Job
from apps.elevate.models import Assessment, ItemResponse, SubjectKind
from apps.reviews.models import Study
from apps.scoring.models import Candidate, ModelRun
from apps.scoring.prompts import template_get

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


def run_answers(run: ModelRun) -> Answers:
    """The answers a model run's stored fields support."""
    source = f"model run #{run.pk}"
    where = f"Equitext {source}"
    answers: Answers = {}

    model_id, revision = run.model_name, run.model_revision
    origin = f" loaded from {run.model_path}" if run.model_path else ""
    if model_id and revision:
        answers["1.1"] = Prefill(REPORTED, where, f"Model {model_id}{origin}, revision {revision}.", source)
    elif model_id:
        answers["1.1"] = Prefill(
            PARTIAL, where, f"Model {model_id}{origin}; no revision or checksum is stored on the run.", source
        )

    prompt = _prompt_text(run)
    if prompt:
        answers["5.1"] = Prefill(REPORTED, f"{where}, prompt template", prompt[:2000], source)

    if run.parameters:
        answers["5.2"] = Prefill(REPORTED, f"{where}, parameters", _format_parameters(run.parameters), source)

    answers["5.3"] = Prefill(REPORTED, f"{where}, parameters", f"Seed {run.seed}.", source)

    if model_id and revision:
        answers["5.4"] = Prefill(
            PARTIAL,
            where,
            f"Model revision {revision} is stored; library versions and query dates are not part of the run "
            "record.",
            source,
        )

    timing = _job_timing(run.job) if run.job_id else ""
    if timing:
        answers["8.2"] = Prefill(PARTIAL, f"{where}, job", f"{timing}; hardware is not recorded.", source)

    if run.pk is not None:
        answers.update(_candidate_answers(run, where, source))
    return answers


def _prompt_text(run: ModelRun) -> str:
    """The prompt a run used: its template resolved by (key, version), or the key alone."""
    if not run.prompt_template:
        return ""
    key, version = run.prompt_template, run.prompt_version
    if version is None:
        return f"Prompt template: {key}"
    try:
        template = template_get(key, version)
    except ValueError:
        return f"Prompt template {key} v{version} (its wording is not available in this installation)."
    return f"Prompt template {key} v{version}. System: {template.system} Instruction: {template.instruction}"


def _job_timing(job: Job) -> str:
    if not (job.started_at and job.finished_at):
        return ""
    worker = f" on worker {job.worker}" if job.worker else ""
    return f"Run time {(job.finished_at - job.started_at).total_seconds():.1f} s{worker}"


METRIC_LABELS = {"sari": "SARI", "bleu": "BLEU", "reward": "reward", "grade": "Flesch-Kincaid grade"}


def _candidate_answers(run: ModelRun, where: str, source: str) -> Answers:
    """Accuracy (SARI, BLEU, reward, grade), coverage and faithfulness figures from the run's candidates."""
    candidates = Candidate.objects.filter(run=run)
    aggregates = candidates.aggregate(
        n=Count("pk"),
        segments=Count("segment", distinct=True),
        **{name: Avg(name) for name in METRIC_LABELS},
    )
    n = aggregates["n"]
    if not n:
        return {}
    answers: Answers = {}
    figures = [
        f"mean {label} {aggregates[name]:.1f}"
        for name, label in METRIC_LABELS.items()
        if aggregates[name] is not None
    ]
    if figures:
        reference = " against the human references" if aggregates["sari"] is not None else ""
        answers["2.2"] = Prefill(
            PARTIAL,
            f"{where}, candidate scores",
            f"{', '.join(figures)} over {n} candidates{reference}; no confidence intervals are computed.",
            source,
        )
    selected = run.segments.count()
    of_selected = f" of the {selected} selected" if selected else ""
    answers["3.1"] = Prefill(
        REPORTED if not selected or selected == aggregates["segments"] else PARTIAL,
        f"{where}, candidates",
        f"{n} candidates for {aggregates['segments']}{of_selected} segments.",
        source,
    )
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
    return study_design_answers(study) if study is not None else {}


def study_design_answers(study: Study) -> Answers:
    """The answers a study's stored design supports."""
    source = f"study #{study.pk}"
    where = f"Equitext {source}"
    answers: Answers = {
        "7.2": Prefill(REPORTED, f"{where}, rubric", f"Outputs rated with the rubric {study.rubric}.", source)
    }
    quotas = [(str(q.group), q.quota) for q in study.quotas.select_related("group")]
    if quotas:
        groups = ", ".join(f"{group}: {n} per item" for group, n in quotas)
        answers["7.3"] = Prefill(
            PARTIAL,
            f"{where}, quotas",
            f"Rater groups and ratings per item: {groups}. Agreement is on the study's results page; "
            "check that the publication reports it.",
            source,
        )
    items = study.items.count()
    if items:
        answers["2.4"] = Prefill(PARTIAL, f"{where}, items", f"{items} items in the study.", source)
    answers["5.3"] = Prefill(REPORTED, where, f"Randomisation seed {study.seed}.", source)
    return answers
