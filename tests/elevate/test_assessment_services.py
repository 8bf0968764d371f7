import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import AuditLog
from apps.elevate import services
from apps.elevate.exceptions import AssessmentLocked, AssessmentRefused
from apps.elevate.models import Assessment, ItemResponse
from tests.elevate.conftest import answer_all, item

pytestmark = pytest.mark.django_db


def test_a_publication_needs_a_title_and_a_real_doi(curator, checklist):
    with pytest.raises(ValidationError) as error:
        services.assessment_create(assessor=curator, subject_kind="publication", title=" ", doi="not-a-doi")
    assert set(error.value.message_dict) == {"title", "doi"}
    assert "10.1016/" in error.value.message_dict["doi"][0]
    assert not Assessment.objects.exists()


def test_doi_links_are_stored_as_plain_dois(curator, checklist):
    assessment = services.assessment_create(
        assessor=curator, subject_kind="publication", title="Paper", doi="https://doi.org/10.1000/XYZ.1"
    )
    assert assessment.doi == "10.1000/XYZ.1"
    assert assessment.subject_key == "doi:10.1000/xyz.1"


def test_a_rater_cannot_start_an_assessment(rater_physician, checklist):
    with pytest.raises(PermissionDenied):
        services.assessment_create(assessor=rater_physician, subject_kind="publication", title="Paper")
    assert not Assessment.objects.exists()


def test_a_missing_in_product_subject_is_named(curator, checklist):
    with pytest.raises(ValidationError) as error:
        services.assessment_create(assessor=curator, subject_kind="model_run", subject_id=987654)
    assert error.value.message_dict == {"subject_id": ["There is no model run #987654."]}
    with pytest.raises(ValidationError) as error:
        services.assessment_create(assessor=curator, subject_kind="study")
    assert error.value.message_dict == {"subject_id": ["Choose the study to assess."]}
    assert not Assessment.objects.exists()


def test_saving_an_answer_and_changing_it_keeps_one_response(publication, curator):
    target = item(publication, "1.1")
    services.response_save(
        assessment=publication, item=target, actor=curator, status="reported", location="p. 2"
    )
    services.response_save(
        assessment=publication,
        item=target,
        actor=curator,
        status="partial",
        location="p. 2",
        comment="No version.",
    )
    response = ItemResponse.objects.get(assessment=publication)
    assert (response.status, response.location, response.comment) == ("partial", "p. 2", "No version.")
    assert response.updated_by == curator


@pytest.mark.parametrize("status", ["partial", "not_reported"])
def test_partial_and_not_reported_need_a_comment_and_nothing_is_saved_without(publication, curator, status):
    target = item(publication, "2.2")
    services.response_save(
        assessment=publication, item=target, actor=curator, status="reported", location="Table 2"
    )
    with pytest.raises(ValidationError) as error:
        services.response_save(
            assessment=publication, item=target, actor=curator, status=status, comment="   "
        )
    assert "comment is required" in error.value.message_dict["comment"][0]
    response = ItemResponse.objects.get(assessment=publication, item=target)
    assert (response.status, response.location) == ("reported", "Table 2")


def test_only_the_assessor_changes_an_assessment(publication, other_curator):
    with pytest.raises(PermissionDenied) as error:
        services.response_save(
            assessment=publication, item=item(publication, "1.1"), actor=other_curator, status="reported"
        )
    assert "only its assessor" in str(error.value)
    assert not publication.responses.exists()


def test_submit_needs_every_item_answered(publication, curator):
    services.response_save(
        assessment=publication, item=item(publication, "1.1"), actor=curator, status="reported"
    )
    with pytest.raises(AssessmentRefused) as error:
        services.assessment_submit(assessment=publication, actor=curator)
    assert "1.2" in str(error.value) and "no answer" in str(error.value)
    publication.refresh_from_db()
    assert publication.status == "draft" and publication.submitted_at is None


def test_a_submitted_assessment_is_frozen(publication, curator):
    answer_all(publication, curator)
    services.assessment_submit(assessment=publication, actor=curator)
    publication.refresh_from_db()
    assert publication.status == "submitted" and publication.submitted_at is not None
    with pytest.raises(AssessmentLocked) as error:
        services.response_save(
            assessment=publication, item=item(publication, "1.1"), actor=curator, status="not_applicable"
        )
    assert "start a revision" in str(error.value)
    assert set(publication.responses.values_list("status", flat=True)) == {"reported"}
    with pytest.raises(AssessmentLocked):
        services.assessment_update(assessment=publication, actor=curator, title="Changed")
    assert AuditLog.objects.filter(action="elevate.assessment.submit", object_id=str(publication.pk)).exists()


def test_a_revision_starts_from_the_submitted_answers(publication, curator):
    answer_all(publication, curator)
    services.assessment_submit(assessment=publication, actor=curator)

    revision = services.assessment_revise(assessment=publication, actor=curator)

    assert revision.pk != publication.pk and revision.revision_of == publication
    assert revision.status == "draft" and revision.template == publication.template
    assert revision.subject_key == publication.subject_key
    assert revision.responses.count() == publication.responses.count()
    services.response_save(
        assessment=revision,
        item=item(revision, "1.1"),
        actor=curator,
        status="partial",
        comment="Version missing.",
    )
    assert publication.responses.get(item__code="1.1").status == "reported"
    # Asking again reopens the same draft instead of making a second one.
    assert services.assessment_revise(assessment=publication, actor=curator) == revision


def test_a_draft_cannot_be_revised(publication, curator):
    with pytest.raises(AssessmentRefused, match="still a draft"):
        services.assessment_revise(assessment=publication, actor=curator)
