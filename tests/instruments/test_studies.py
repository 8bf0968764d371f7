"""Raters fill PEMAT/CCI through a reviews study of kind "instrument": two blinded items per document
("Version 1/2"), the engine's leases and quotas, automatic answers to confirm, the assessment and the
assignment submitted together, results and agreement over the raters."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.errors import ServiceError
from apps.instruments import services, studies
from apps.instruments.models import InstrumentAssessment, InstrumentStudyItem, ItemAnswer
from apps.reviews import assignment as engine
from apps.reviews import services as review_services
from apps.reviews.models import Assignment, Rating
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.factories import make_rater

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument_study(curator, document, pemat_p):
    study = studies.instrument_study_create(
        name="PEMAT by physicians",
        instrument=pemat_p,
        document_ids=[document.pk],
        quotas={"physician": 2},
        seed=5,
        actor=curator,
    )
    return review_services.study_transition(study=study, action="launch", actor=curator)


def fill_everything(assessment, actor, *, best: bool = True) -> None:
    """Answer every item: the best (or worst) option of scored items, words for written ones."""
    for item in assessment.instrument.items.order_by("order"):
        if item.is_scored:
            ranked = sorted(item.options, key=lambda o: o["points"], reverse=best)
            services.answer_save(assessment=assessment, item=item, actor=actor, value=ranked[0]["value"])
        else:
            services.answer_save(assessment=assessment, item=item, actor=actor, text="Patients with cancer.")


def test_each_document_gives_its_two_texts_blinded_as_version_1_and_2(instrument_study, document):
    subjects = list(InstrumentStudyItem.objects.filter(item__study=instrument_study))
    assert sorted((s.side, s.document_id) for s in subjects) == [
        ("original", document.pk),
        ("simplified", document.pk),
    ]
    assert sorted(s.version_number for s in subjects) == [1, 2]
    assert instrument_study.rubric.kind == "instrument"


def test_a_document_without_its_simplification_is_refused_by_name(curator, pemat_p):
    document = DocumentFactory(title="Half done")
    SegmentFactory(document=document, position=1, simplified="")
    with pytest.raises(ValidationError) as refused:
        studies.instrument_study_create(
            name="x", instrument=pemat_p, document_ids=[document.pk], quotas={"physician": 1}, actor=curator
        )
    assert (
        f"Document #{document.pk} (“Half done”): both texts are needed"
        in refused.value.message_dict["documents"][0]
    )


def test_a_rater_fills_the_instrument_automatic_answers_marked_and_submits_through_the_engine(
    instrument_study, rater_physician
):
    lease = engine.assignment_lease_next(study=instrument_study, rater=rater_physician)
    assessment, created = studies.study_assessment_start(assignment_id=lease.pk, rater=rater_physician)
    assert created and assessment.origin == "study" and assessment.assignment_id == lease.pk
    automatic = assessment.answers.filter(source=ItemAnswer.Source.RULE)
    assert automatic.exists() and not automatic.filter(confirmed=True).exists()  # marked, not counted yet
    with pytest.raises(ServiceError, match="Not submitted"):
        services.assessment_submit(assessment=assessment, actor=rater_physician)
    lease.refresh_from_db()
    assert lease.status == "leased"  # refused whole: the assignment is not submitted either
    fill_everything(assessment, rater_physician)
    submitted = services.assessment_submit(assessment=assessment, actor=rater_physician)
    lease.refresh_from_db()
    assert submitted.is_submitted and lease.status == Assignment.Status.SUBMITTED
    rating = Rating.objects.get(assignment=lease)
    assert rating.response["assessment"] == assessment.pk
    assert rating.response["answers"]["1"] in ("agree", "disagree")
    again, created = studies.study_assessment_start(assignment_id=lease.pk, rater=rater_physician)
    assert (again.pk, created) == (assessment.pk, False)


def test_the_raters_page_is_blinded_and_nobody_elses(client, instrument_study, rater_physician):
    dave = make_rater("dave", "physician")
    lease = engine.assignment_lease_next(study=instrument_study, rater=rater_physician)
    client.force_login(rater_physician)
    response = client.get(f"/reviews/assignments/{lease.pk}/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    label = InstrumentStudyItem.objects.get(item_id=lease.item_id).version_label
    assert label in html
    for leak in ("Simplified", "simplified", "Original text", "data-side", "Results for this document"):
        assert leak not in html, leak
    assessment = InstrumentAssessment.objects.get(assignment_id=lease.pk)
    client.force_login(dave)
    assert client.get(f"/instruments/assessments/{assessment.pk}/").status_code == 404


def test_the_same_rater_gets_both_versions_of_a_document_and_quotas_hold(instrument_study, rater_physician):
    dave, erin = make_rater("dave", "physician"), make_rater("erin", "physician")
    for rater in (rater_physician, dave):
        for _ in range(2):
            lease = engine.assignment_lease_next(study=instrument_study, rater=rater)
            assessment, _ = studies.study_assessment_start(assignment_id=lease.pk, rater=rater)
            fill_everything(assessment, rater)
            services.assessment_submit(assessment=assessment, actor=rater)
        assert engine.assignment_lease_next(study=instrument_study, rater=rater) is None
    assert engine.assignment_lease_next(study=instrument_study, rater=erin) is None  # quota 2 reached
    sides = set(InstrumentAssessment.objects.filter(assessor=dave).values_list("side", flat=True))
    assert sides == {"original", "simplified"}


def test_results_per_document_and_version_with_agreement_between_raters(instrument_study, rater_physician):
    dave = make_rater("dave", "physician")
    for rater, best in ((rater_physician, True), (dave, False)):
        for _ in range(2):
            lease = engine.assignment_lease_next(study=instrument_study, rater=rater)
            assessment, _ = studies.study_assessment_start(assignment_id=lease.pk, rater=rater)
            fill_everything(assessment, rater, best=best)
            services.assessment_submit(assessment=assessment, actor=rater)
    [(document, labels, [result])] = studies.study_results(instrument_study)
    assert sorted(labels.values()) == ["Version 1", "Version 2"]
    rows = {row["scale"]: row for row in result.side_by_side}
    understand = rows["understandability"]
    assert understand["original_n"] == understand["simplified_n"] == 2
    assert understand["original"] == pytest.approx(50.0)  # one rater 100%, the other 0%
    [subject] = result.subjects["original"]
    [alpha, *_] = subject.agreement
    assert alpha.estimate.statistic == "Krippendorff's alpha" and alpha.estimate.n_ratings > 0


def test_a_generic_submit_without_the_form_is_refused_with_what_to_do(instrument_study, rater_physician):
    lease = engine.assignment_lease_next(study=instrument_study, rater=rater_physician)
    with pytest.raises(engine.AssignmentError, match="Fill the instrument first"):
        engine.assignment_submit(assignment_id=lease.pk, rater=rater_physician, response={})


def test_a_rater_fills_and_submits_through_the_api_blinded(api_as, instrument_study, rater_physician):
    api = api_as(rater_physician)
    lease = api.post(f"/api/v1/studies/{instrument_study.pk}/next/").json()
    assert lease["item"]["version_label"] in ("Version 1", "Version 2")
    assert "side" not in lease["item"] and "original" not in lease["item"]
    opened = api.post("/api/v1/instruments/study-assessments/", {"assignment": lease["id"]}, format="json")
    assert opened.status_code == 201
    body = opened.json()
    assert (
        "side" not in body
        and "text_sha256" not in body
        and body["version_label"] == lease["item"]["version_label"]
    )
    pending = [a for a in body["answers"] if a["source"] == "rule" and not a["confirmed"]]
    assert pending  # automatic answers marked, waiting for a person
    for item in body["items"]:
        answer = {"item_code": item["code"]}
        if item["answer_kind"] == "choice":
            answer["value"] = max(item["options"], key=lambda o: o["points"])["value"]
        else:
            answer["text"] = "Adults."
        assert (
            api.post(
                f"/api/v1/instruments/study-assessments/{body['id']}/answers/", answer, format="json"
            ).status_code
            == 200
        )
    submitted = api.post(f"/api/v1/instruments/study-assessments/{body['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert Assignment.objects.get(pk=lease["id"]).status == Assignment.Status.SUBMITTED
    assert (
        api.post(
            f"/api/v1/instruments/study-assessments/{body['id']}/answers/",
            {"item_code": "1", "value": "agree"},
            format="json",
        ).status_code
        == 409
    )


def test_curators_create_instrument_studies_from_the_page(client, curator, document, pemat_p):
    make_rater("bob", "physician")
    client.force_login(curator)
    response = client.post(
        "/instruments/studies/new/",
        {
            "name": "By page",
            "instrument": pemat_p.pk,
            "documents": f"{document.pk}",
            "lease_minutes": 60,
            "quota_physician": 2,
        },
    )
    assert response.status_code == 302
    study = InstrumentStudyItem.objects.get(document=document, side="original").item.study
    assert study.name == "By page" and study.quotas.get().quota == 2
    refused = client.post(
        "/instruments/studies/new/",
        {
            "name": "Bad",
            "instrument": pemat_p.pk,
            "documents": "99999",
            "lease_minutes": 60,
            "quota_physician": 1,
        },
    )
    assert refused.status_code == 400 and "No document #99999." in refused.content.decode()


def test_the_study_pages_link_the_instrument_results_and_the_generic_pages_still_work(
    client, curator, instrument_study, rater_physician
):
    lease = engine.assignment_lease_next(study=instrument_study, rater=rater_physician)
    assessment, _ = studies.study_assessment_start(assignment_id=lease.pk, rater=rater_physician)
    fill_everything(assessment, rater_physician)
    services.assessment_submit(assessment=assessment, actor=rater_physician)
    client.force_login(curator)
    detail = client.get(f"/reviews/studies/{instrument_study.pk}/").content.decode()
    assert f"/instruments/studies/{instrument_study.pk}/results/" in detail
    assert client.get(f"/reviews/studies/{instrument_study.pk}/results/").status_code == 200
    results = client.get(f"/instruments/studies/{instrument_study.pk}/results/").content.decode()
    assert "Colon cancer screening" in results and "Version 1" in results
