"""Model answers to an equity question set: a Job on queue gpu (`equitext.ml.generate_answers`,
workers/tasks/equity.py) that answers every question of the set through the same loader and generation
code as simplification runs, and stores the answers with the equity app's `answer_create_many`.

The producer label is the model actually loaded (name, weight fingerprint) and the generation settings,
so answers of two settings never mix under one producer; a re-run with the same settings skips the
questions that producer has already answered.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.jobs import job_create
from apps.core.models import Job
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.scoring.parameters import bounded_numbers_clean
from apps.scoring.prompts import ANSWER_TEMPLATES, DEFAULT_ANSWER_TEMPLATE

GENERATE_ANSWERS_TASK = "equitext.ml.generate_answers"
ANSWER_BOUNDS = {
    # name: (type, default, minimum, maximum)
    "max_new_tokens": (int, 256, 1, 4096),
    "temperature": (float, 0.0, 0.0, 2.0),
    "top_p": (float, 1.0, 0.05, 1.0),
    "seed": (int, 0, 0, 2**31 - 1),
    "batch_size": (int, 8, 1, 256),
}


def answer_parameters_clean(parameters: dict | None) -> dict:
    """Validated answer-generation settings with defaults; ValidationError names each bad field."""
    parameters = dict(parameters or {})
    errors: dict[str, str] = {}
    cleaned: dict = {}
    bounded_numbers_clean(parameters, ANSWER_BOUNDS, cleaned, errors)
    model_path = (parameters.pop("model_path", "") or "").strip()
    if len(model_path) > 500:
        errors["model_path"] = "The model path is longer than 500 characters."
    cleaned["model_path"] = model_path
    key, version = DEFAULT_ANSWER_TEMPLATE
    cleaned["prompt_template"] = ANSWER_TEMPLATES[(key, version)].label
    if parameters:
        errors.update({name: "Unknown parameter." for name in parameters})
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def answers_generate_start(*, user, question_set, parameters: dict | None = None) -> Job:
    """Queue a job that answers every question of `question_set` with a model (curators only)."""
    require_curator(user)
    cleaned = answer_parameters_clean(parameters)
    if not question_set.questions.exists():
        raise ValidationError({"question_set": f"The set {question_set.name} has no questions to answer."})
    job = job_create(
        kind="answer_generation",
        task=GENERATE_ANSWERS_TASK,
        requested_by=user,
        parameters={"question_set": question_set.pk, **cleaned},
    )
    audit_record(actor=user, action="answers.generate", obj=question_set, details={"job": job.pk, **cleaned})
    return job
