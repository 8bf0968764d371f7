"""Property-based API tests against the live OpenAPI schema (schemathesis, Django's WSGI app in process).

Every GET operation and a set of writes, as a curator and as a rater, a few generated requests each
(positive and negative data, deterministic): never a 5xx, only documented status codes and content
types, and every response body matches its schema. Path ids point at seeded objects half the time, so
detail endpoints answer with real bodies and not only 404s.
"""

import hashlib

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import ApiToken, token_hash
from apps.core.models import Job
from apps.core.webhooks import webhook_create
from apps.elevate import services as elevate_services
from apps.reviews import assignment as engine
from apps.wsgi import application
from tests.corpus.factories import SegmentFactory
from tests.reviews import factories as review_factories
from tests.scoring.factories import CandidateFactory, ModelRunFactory

WRITES = {
    "POST /api/v1/readability/",
    "POST /api/v1/sources/",
    "PATCH /api/v1/segments/{id}/",
    "POST /api/v1/rubrics/",
    "POST /api/v1/studies/",
    "POST /api/v1/studies/{id}/next/",
    "POST /api/v1/assignments/{id}/submit/",
    "PUT /api/v1/assignments/{id}/draft/",
    "PATCH /api/v1/elevate/assessments/{id}/",
    "POST /api/v1/webhooks/",
}
MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _selected(ctx) -> bool:
    operation = ctx.operation
    return operation.method.upper() == "GET" or f"{operation.method.upper()} {operation.path}" in WRITES


@pytest.fixture
def api_schema(db):
    # `db` first: loading the schema goes through the app, which must already use the test database.
    # As Django's test client does: requests must not close the connection that holds the test's
    # transaction (the WSGI handler's request signals would).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application).include(_selected)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user) -> str:
    raw = "st-" + hashlib.sha256(user.username.encode()).hexdigest()[:32]
    ApiToken.objects.create(user=user, name="schemathesis", key_hash=token_hash(raw), prefix=raw[:8])
    return raw


@pytest.fixture
def world(db, curator, rater_physician):
    """A little of everything, and the ids of one object per detail path."""
    segment = SegmentFactory()
    run = ModelRunFactory()
    candidate = CandidateFactory(run=run, segment=segment)
    qset, producers = review_factories.question_set_with_answers(3)
    study = review_factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}
    )
    lease = engine.assignment_lease_next(study=study, rater=rater_physician)
    assessment = elevate_services.assessment_create(
        assessor=curator, subject_kind="publication", title="A paper"
    )
    job = Job.objects.create(kind="recount", requested_by=curator)
    hook = webhook_create(owner=curator, url="https://example.org/hook", events=["job.finished"])
    known = {
        "/api/v1/segments/": segment.pk,
        "/api/v1/documents/": segment.document_id,
        "/api/v1/sources/": segment.document.source_id,
        "/api/v1/runs/": run.pk,
        "/api/v1/candidates/": candidate.pk,
        "/api/v1/question-sets/": qset.pk,
        "/api/v1/questions/": qset.questions.first().pk,
        "/api/v1/studies/": study.pk,
        "/api/v1/rubrics/": study.rubric_id,
        "/api/v1/assignments/": lease.pk,
        "/api/v1/elevate/assessments/": assessment.pk,
        "/api/v1/elevate/templates/": assessment.template_id,
        "/api/v1/jobs/": job.pk,
        "/api/v1/webhooks/": hook.pk,
    }
    return {"curator": _token(curator), "rater": _token(rater_physician)}, known


def _point_at_seeded(case, known: dict) -> None:
    """Half of the generated ids (chosen by a hash, so runs repeat) become a seeded object's id."""
    value = case.path_parameters.get("id") if case.path_parameters else None
    if value is None:
        return
    for prefix, pk in known.items():
        if case.path.startswith(prefix) and hashlib.md5(str(value).encode()).digest()[0] % 2 == 0:
            case.path_parameters["id"] = pk


def _run(api_schema, world, role: str) -> int:
    """Every selected operation, a few positive and negative cases each; fails listing every problem."""
    tokens, known = world
    headers = {"Authorization": f"Token {tokens[role]}"}
    failures, calls = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                nonlocal calls
                _point_at_seeded(case, known)
                calls += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except hypothesis.errors.Unsatisfiable:
                continue  # no negative data exists for this operation
            except (Exception, BaseExceptionGroup) as exc:  # collected: every operation runs, all listed
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, f"{len(failures)} problems:\n\n" + "\n\n".join(failures)
    return calls


def test_the_api_answers_a_curator_as_its_schema_says(api_schema, world):
    assert _run(api_schema, world, "curator") > 500


def test_the_api_answers_a_rater_as_its_schema_says(api_schema, world):
    assert _run(api_schema, world, "rater") > 500
