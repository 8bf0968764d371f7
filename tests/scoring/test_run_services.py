"""Starting runs, recording candidates idempotently, accepting and rejecting them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import Job
from apps.corpus.exceptions import StaleVersion
from apps.corpus.models import SegmentRevision
from apps.corpus.services import segment_revert, segment_update
from apps.scoring import selectors, services
from apps.scoring.models import Candidate, ModelRun
from tests.corpus.factories import SegmentFactory
from tests.scoring.conftest import SHORT_SEGMENTS
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


def test_segment_ids_cannot_be_combined_with_a_document_split_or_search(curator, document, segments):
    for other in ({"document_id": document.pk}, {"split": "train"}, {"search": "screening"}):
        with pytest.raises(ValidationError, match="not both"):
            services.run_create(user=curator, segment_ids=[segments[0].pk], **other)
    assert not ModelRun.objects.exists() and not Job.objects.exists()


def test_a_search_chooses_the_matching_segments_and_a_split_or_document_narrows_it(curator, segments):
    elsewhere = SegmentFactory(original="Colon cancer screening finds polyps early.", split="test")
    SegmentFactory(original="Drink water before the test.", split="test")  # matches neither search

    run = services.run_create(user=curator, search="screening")
    assert set(run.segments.all()) == {segments[1], elsewhere}  # English stemming, both documents
    assert run.selection == {"search": "screening"}

    narrowed = services.run_create(user=curator, search="screening", split="test")
    assert list(narrowed.segments.all()) == [elsewhere]
    assert narrowed.selection == {"split": "test", "search": "screening"}
    assert services.selection_describe(narrowed.selection) == "the test split and the search 'screening'"

    in_document = services.run_create(user=curator, search="screening", document_id=segments[0].document_id)
    assert list(in_document.segments.all()) == [segments[1]]


def test_a_search_that_matches_nothing_is_refused_on_the_search_field_and_nothing_is_created(
    curator, segments
):
    with pytest.raises(ValidationError) as error:
        services.run_create(user=curator, search="chemotherapy", split="train")
    assert error.value.message_dict["search"] == [
        "No segment matches the train split and the search 'chemotherapy'."
    ]
    with pytest.raises(ValidationError) as error:
        services.run_create(user=curator, search="x" * 201)
    assert "longer than 200" in error.value.message_dict["search"][0]
    assert not ModelRun.objects.exists() and not Job.objects.exists()


def test_the_preview_counts_what_a_choice_covers_and_shows_the_first_segments(curator, segments):
    for position in range(7):
        SegmentFactory(original=f"Screening visit number {position} takes an hour.", split="test")
    preview = services.run_segments_preview(search="screening")
    assert preview["count"] == 8
    assert len(preview["first"]) == 5 and preview["first"][0] == segments[1]  # corpus order
    assert services.run_segments_preview(split="test", search="screening")["count"] == 7


def _outputs(segments, texts):
    return [(segment, [(text, 5, True)]) for segment, text in zip(segments, texts, strict=True)]


def _similar(pairs):
    """Stands in for the worker's embedding model: every pair similar."""
    return [0.9] * len(pairs)


def test_recording_a_batch_twice_creates_no_duplicates_and_scores_every_candidate(segments):
    run = ModelRunFactory()
    run.segments.set(segments)
    texts = ["Take more than 5 grams in 24 hours.", "Start screening at 45 if your risk is average."]
    _, prompts = services.run_prompts(run)
    outputs = _outputs(segments, texts)
    assert services.candidates_record(run=run, outputs=outputs, prompts=prompts, similarity=_similar) == 2
    assert services.candidates_record(run=run, outputs=outputs, prompts=prompts, similarity=_similar) == 0
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
    human_version = segments[0].version
    accepted = services.candidate_accept(
        candidate_id=candidate.pk, user=curator, segment_version=human_version, replace=True
    )
    assert accepted.replaced_version == human_version  # the version to restore to undo it
    segment = segments[0]
    segment.refresh_from_db()
    assert segment.simplified == "Never take more than 4 grams in 24 hours."
    revision = segment.revisions.get(version=segment.version)
    assert revision.origin == SegmentRevision.Origin.MODEL and revision.model_run_id == candidate.run_id
    candidate.refresh_from_db()
    assert candidate.decision == Candidate.Decision.ACCEPTED and candidate.decided_by == curator
    segment_revert(segment_id=segment.pk, user=curator, version=segment.version, to_version=human_version)
    segment.refresh_from_db()
    assert segment.simplified == SHORT_SEGMENTS[0][1]  # undo: the human text is back


def test_accepting_over_a_human_simplification_needs_replace_and_changes_nothing_without(curator, segments):
    candidate = CandidateFactory(
        segment=segments[0], text="Never take more than 4 grams in a day.", grade=3.1
    )
    with pytest.raises(services.ReplaceNeedsConfirmation) as refused:
        services.candidate_accept(candidate_id=candidate.pk, user=curator)
    assert refused.value.status == 409 and refused.value.replaced_version == segments[0].version
    assert "replaces it with this candidate (grade 3.1)" in refused.value.message
    assert f"restore version {segments[0].version}" in refused.value.message
    segments[0].refresh_from_db()
    assert segments[0].simplified == SHORT_SEGMENTS[0][1] and segments[0].version == 1
    assert Candidate.objects.get(pk=candidate.pk).decision == Candidate.Decision.PENDING


def test_accepting_into_an_empty_simplified_side_needs_no_confirmation(curator, document):
    segment = SegmentFactory(document=document, position=9, original="Wash your hands often.", simplified="")
    candidate = CandidateFactory(segment=segment, text="Wash your hands a lot.")
    accepted = services.candidate_accept(candidate_id=candidate.pk, user=curator)
    assert accepted.replaced_version is None
    segment.refresh_from_db()
    assert segment.simplified == "Wash your hands a lot."


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
    services.candidate_accept(candidate_id=accepted.pk, user=curator, replace=True)
    with pytest.raises(services.DecisionRefused, match="revert"):
        services.candidate_reject(candidate_id=accepted.pk, user=curator)


def test_a_rater_cannot_decide(rater_physician, segments):
    candidate = CandidateFactory(segment=segments[0])
    with pytest.raises(PermissionDenied):
        services.candidate_accept(candidate_id=candidate.pk, user=rater_physician)
    with pytest.raises(PermissionDenied):
        services.candidate_reject(candidate_id=candidate.pk, user=rater_physician)


def test_a_recorded_candidate_is_cleaned_and_scored_on_the_cleaned_text_with_the_raw_output_kept(segments):
    run = ModelRunFactory()
    _, prompts = services.run_prompts(run)
    raw = (
        "Sure! Here's a rewritten version of the text for a reader at US grade 6:\n\n"
        "Never take more than 4 grams in 24 hours.\n\nLet me know if you need anything else!"
    )
    services.candidates_record(
        run=run, outputs=[(segments[0], [(raw, 40, True)])], prompts=prompts, similarity=_similar
    )
    candidate = run.candidates.get()
    assert candidate.text == "Never take more than 4 grams in 24 hours." and candidate.raw_text == raw
    assert candidate.source_version == segments[0].version
    # The preamble's "6" would have been a number the source never has; the cleaned text adds none.
    assert "number_added" not in {flag["code"] for flag in candidate.flags}
    assert candidate.compression < 1 and candidate.readability["words"] == 9


def test_the_human_reference_is_scored_with_the_same_reward_and_placed_among_the_candidates(segments):
    from apps.scoring.models import ReferenceScore, RewardModel

    reward_model = RewardModel.objects.create(version=1, artifact_path="x", artifact_sha256="0" * 64)
    run = ModelRunFactory()
    run.parameters["reward_model_version"] = 1
    run.save()
    reference = segments[0].simplified
    texts = [
        "Take more than 5 grams in 24 hours.",
        "Never take over 4 grams in a day, ever.",
        segments[0].original,
    ]
    p_by_text = {texts[0]: 0.9, texts[1]: 0.8, texts[2]: 0.1, reference: 0.85}
    services.candidates_record(
        run=run,
        outputs=[(segments[0], [(text, 10, True) for text in texts])],
        prompts=[],
        similarity=_similar,
        p_simplified=lambda batch: [p_by_text[text] for text in batch],
        reward_model=reward_model,
    )
    scored = ReferenceScore.objects.get(run=run, segment=segments[0])
    assert scored.text == reference and scored.segment_version == segments[0].version
    assert scored.reward_parts["p_simplified"] == 0.85 and scored.grade is not None
    rewards = sorted((c.reward for c in run.candidates.all()), reverse=True)
    higher = sum(1 for reward in rewards if reward > scored.reward)
    assert scored.would_rank == higher + 1 and scored.candidates_ranked == 3
    assert 1 <= scored.would_rank <= 4
    # The copy of the source is flagged as a near-copy that is not simpler, and ranks last.
    copy = run.candidates.get(text=segments[0].original)
    assert {"near_copy", "not_simpler", "unchanged"} <= {flag["code"] for flag in copy.flags}
    assert copy.rank == 3
