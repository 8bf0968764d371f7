"""segment_update / segment_revert: optimistic locking, the workflow, revisions."""

import pytest
from django.core.exceptions import ValidationError

from apps.corpus import services
from apps.corpus.models import SegmentRevision, Status
from apps.metrics.readability import readability_scores
from tests.corpus.factories import SegmentFactory

pytestmark = pytest.mark.django_db


def test_a_save_makes_a_new_version_and_a_revision(curator):
    segment = SegmentFactory()
    text = "Chemo is medicine that kills cancer cells."
    saved = services.segment_update(
        segment_id=segment.pk, user=curator, version=1, simplified=text, notes="shorter"
    )
    assert (saved.version, saved.simplified, saved.last_edited_by) == (2, text, curator)
    assert saved.simplified_grade == readability_scores(text)["flesch_kincaid_grade"]
    revision = saved.revisions.get(version=2)
    assert (revision.simplified, revision.author, revision.base_version, revision.notes) == (
        text,
        curator,
        1,
        "shorter",
    )


def test_a_stale_version_is_refused_and_the_newer_text_is_kept(curator, curator2):
    segment = SegmentFactory()
    services.segment_update(segment_id=segment.pk, user=curator2, version=1, simplified="Dave's text.")
    with pytest.raises(services.StaleVersion) as caught:
        services.segment_update(segment_id=segment.pk, user=curator, version=1, simplified="Alice's text.")
    assert caught.value.current.simplified == "Dave's text."
    assert (
        "version 1" in str(caught.value) and "version 2" in str(caught.value) and "dave" in str(caught.value)
    )
    segment.refresh_from_db()
    assert (segment.version, segment.simplified) == (2, "Dave's text.")
    assert segment.revisions.count() == 2


def test_revert_restores_an_old_text_as_a_new_revision(curator):
    segment = SegmentFactory()
    first = segment.simplified
    services.segment_update(segment_id=segment.pk, user=curator, version=1, simplified="A worse version.")
    reverted = services.segment_revert(segment_id=segment.pk, user=curator, version=2, to_version=1)
    assert (reverted.version, reverted.simplified) == (3, first)
    revision = reverted.revisions.get(version=3)
    assert (revision.origin, revision.reverted_to) == (SegmentRevision.Origin.REVERT, 1)
    assert list(reverted.revisions.values_list("version", flat=True)) == [3, 2, 1]


def test_revert_to_a_missing_version_is_refused(curator):
    segment = SegmentFactory()
    with pytest.raises(ValidationError, match="no version 7"):
        services.segment_revert(segment_id=segment.pk, user=curator, version=1, to_version=7)


def test_workflow_draft_review_approved(curator):
    segment = SegmentFactory()
    with pytest.raises(ValidationError, match="draft → in review → approved"):
        services.segment_update(segment_id=segment.pk, user=curator, version=1, status=Status.APPROVED)
    services.segment_update(segment_id=segment.pk, user=curator, version=1, status=Status.IN_REVIEW)
    approved = services.segment_update(segment_id=segment.pk, user=curator, version=2, status=Status.APPROVED)
    assert approved.status == Status.APPROVED


def test_changing_an_approved_text_reopens_it_for_review(curator):
    segment = SegmentFactory(status=Status.APPROVED)
    saved = services.segment_update(
        segment_id=segment.pk, user=curator, version=1, simplified="New words.", status=Status.APPROVED
    )
    assert saved.status == Status.IN_REVIEW


def test_with_four_eyes_the_last_editor_cannot_approve(curator, curator2, settings):
    settings.CORPUS_APPROVAL_BY_OTHER_CURATOR = True
    segment = SegmentFactory()
    services.segment_update(
        segment_id=segment.pk,
        user=curator,
        version=1,
        simplified="Alice wrote this.",
        status=Status.IN_REVIEW,
    )
    with pytest.raises(ValidationError, match="another curator has to approve"):
        services.segment_update(segment_id=segment.pk, user=curator, version=2, status=Status.APPROVED)
    approved = services.segment_update(
        segment_id=segment.pk, user=curator2, version=2, status=Status.APPROVED
    )
    assert approved.status == Status.APPROVED


def test_bulk_update_reports_refusals_and_changes_the_rest(curator):
    in_review = SegmentFactory(status=Status.IN_REVIEW)
    draft = SegmentFactory()
    changed, refused = services.segments_bulk_update(
        segment_ids=[in_review.pk, draft.pk], user=curator, status=Status.APPROVED
    )
    assert changed == 1 and len(refused) == 1 and "cannot move to approved" in refused[0]
    in_review.refresh_from_db()
    draft.refresh_from_db()
    assert (in_review.status, in_review.version, draft.status, draft.version) == ("approved", 2, "draft", 1)


def test_an_over_long_text_is_refused(curator):
    segment = SegmentFactory()
    with pytest.raises(ValidationError, match="the limit is 20,000"):
        services.segment_update(segment_id=segment.pk, user=curator, version=1, simplified="x" * 20_001)
    segment.refresh_from_db()
    assert segment.version == 1
