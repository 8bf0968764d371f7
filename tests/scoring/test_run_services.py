"""Starting runs, recording candidates idempotently, accepting and rejecting them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import Job
from apps.corpus.exceptions import StaleVersion
from apps.corpus.models import SegmentRevision
from apps.corpus.services import segment_update
from apps.scoring import selectors, services
from apps.scoring.models import Candidate, ModelRun
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db


def test_a_curator_starts_a_run_for_a_document_and_a_gpu_job_is_queued(
    curator, document, segments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.run_create(
            user=curator,
            document_id=document.pk,
            parameters={"max_new_tokens": 12, "target_grade": 7},
            seed=3,
        )
    assert list(run.segments.order_by("position")) == segments
    assert run.status == ModelRun.Status.QUEUED and run.seed == 3
    assert run.parameters["max_new_tokens"] == 12 and run.parameters["target_grade"] == 7
    assert run.parameters["num_candidates"] == 1  # defaults filled in and stored on the run
    assert run.job.kind == "model_run" and run.job.status == Job.Status.QUEUED
    assert len(callbacks) == 1  # the task is sent only after the transaction commits


def test_a_runs_status_is_its_jobs_so_a_swept_job_fails_its_run(test_redis):
    """The sweeper knows only jobs; the run reads its job, so a dead worker's run shows failed."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.core.health import HEARTBEAT_PREFIX
    from apps.core.jobs import jobs_sweep_stale

    test_redis.delete(HEARTBEAT_PREFIX + "gone@host")
    job = Job.objects.create(kind="model_run", status=Job.Status.RUNNING, worker="gone@host")
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    run = ModelRunFactory(job=job)
    assert run.status == ModelRun.Status.RUNNING
    assert ModelRun.objects.with_status("running").get() == run
    assert jobs_sweep_stale() == [job.pk]
    run.refresh_from_db()
    assert run.status == ModelRun.Status.FAILED and run.get_status_display() == "Failed"
    assert not ModelRun.objects.with_status("running").exists()


def test_a_rater_cannot_start_a_run(rater_physician, document):
    with pytest.raises(PermissionDenied):
        services.run_create(user=rater_physician, document_id=document.pk)
    assert not ModelRun.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize(
    "parameters, field",
    [
        ({"num_candidates": 4}, "temperature"),  # greedy cannot give four different candidates
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"temperature": "warm"}, "temperature"),
        ({"style": "poetic"}, "style"),
        ({"beam_width": 3}, "beam_width"),
    ],
)
def test_bad_parameters_are_refused_by_field_and_nothing_is_created(curator, document, parameters, field):
    with pytest.raises(ValidationError) as error:
        services.run_create(user=curator, document_id=document.pk, parameters=parameters)
    assert field in error.value.message_dict
    assert not ModelRun.objects.exists() and not Job.objects.exists()


def test_unknown_segments_are_named_in_the_error(curator, segments):
    with pytest.raises(ValidationError) as error:
        services.run_create(user=curator, segment_ids=[segments[0].pk, 999999])
    assert "999999" in error.value.message_dict["segments"][0]


def test_the_selection_must_be_exactly_one_kind(curator, document, segments):
    with pytest.raises(ValidationError, match="exactly one"):
        services.run_create(user=curator, document_id=document.pk, segment_ids=[segments[0].pk])


def _outputs(segments, texts):
    return [(segment, [(text, 5, True, 0.9)]) for segment, text in zip(segments, texts, strict=True)]


def test_recording_a_batch_twice_creates_no_duplicates_and_scores_every_candidate(segments):
    run = ModelRunFactory()
    run.segments.set(segments)
    texts = ["Take more than 5 grams in 24 hours.", "Start screening at 45 if your risk is average."]
    _, prompts = services.run_prompts(run)
    assert services.candidates_record(run=run, outputs=_outputs(segments, texts), prompts=prompts) == 2
    assert services.candidates_record(run=run, outputs=_outputs(segments, texts), prompts=prompts) == 0
    assert run.candidates.count() == 2
    assert selectors.run_segments_pending(run) == []
    first = run.candidates.get(segment=segments[0])
    assert first.scored_at is not None and first.grade == first.readability["flesch_kincaid_grade"]
    assert first.sari is not None and first.bleu is not None and first.compression < 1
    assert {flag["code"] for flag in first.flags} == {"number_changed", "negation_dropped"}
    assert first.reference_version == segments[0].version


def test_a_segment_without_reference_gets_no_sari_or_bleu(segments):
    segment = segments[0]
    segment.simplified = ""
    segment.save()
    run = ModelRunFactory()
    services.candidates_record(
        run=run, outputs=_outputs([segment], ["Take at most 4 grams a day."]), prompts=[]
    )
    candidate = run.candidates.get()
    assert candidate.sari is None and candidate.bleu is None and candidate.grade is not None


def test_accepting_makes_a_new_revision_attributed_to_the_run(curator, segments):
    candidate = CandidateFactory(segment=segments[0], text="Never take more than 4 grams in 24 hours.")
    services.candidate_accept(candidate_id=candidate.pk, user=curator, segment_version=segments[0].version)
    segment = segments[0]
    segment.refresh_from_db()
    assert segment.simplified == "Never take more than 4 grams in 24 hours."
    revision = segment.revisions.get(version=segment.version)
    assert revision.origin == SegmentRevision.Origin.MODEL and revision.model_run_id == candidate.run_id
    candidate.refresh_from_db()
    assert candidate.decision == Candidate.Decision.ACCEPTED and candidate.decided_by == curator


def test_accepting_from_a_stale_segment_version_changes_nothing(curator, segments):
    candidate = CandidateFactory(segment=segments[0])
    seen = segments[0].version
    segment_update(segment_id=segments[0].pk, user=curator, version=seen, simplified="Edited by a colleague.")
    with pytest.raises(StaleVersion):
        services.candidate_accept(candidate_id=candidate.pk, user=curator, segment_version=seen)
    segments[0].refresh_from_db()
    assert segments[0].simplified == "Edited by a colleague."
    candidate.refresh_from_db()
    assert candidate.decision == Candidate.Decision.PENDING


def test_rejected_candidates_are_kept_and_accepted_ones_cannot_be_rejected(curator, segments):
    rejected = CandidateFactory(segment=segments[0])
    services.candidate_reject(candidate_id=rejected.pk, user=curator)
    rejected.refresh_from_db()
    assert (
        rejected.decision == Candidate.Decision.REJECTED and Candidate.objects.filter(pk=rejected.pk).exists()
    )

    accepted = CandidateFactory(segment=segments[1], index=0)
    services.candidate_accept(candidate_id=accepted.pk, user=curator)
    with pytest.raises(services.DecisionRefused, match="revert"):
        services.candidate_reject(candidate_id=accepted.pk, user=curator)


def test_a_rater_cannot_decide(rater_physician, segments):
    candidate = CandidateFactory(segment=segments[0])
    with pytest.raises(PermissionDenied):
        services.candidate_accept(candidate_id=candidate.pk, user=rater_physician)
    with pytest.raises(PermissionDenied):
        services.candidate_reject(candidate_id=candidate.pk, user=rater_physician)
