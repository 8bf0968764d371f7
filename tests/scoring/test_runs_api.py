"""`runs/` and `candidates/` through the API: curators only, clear errors, 409 on stale decisions."""

import pytest

from apps.core.models import Job
from apps.scoring.models import Candidate, ModelRun
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db


def test_a_curator_posts_a_run_and_gets_it_with_its_job(api_as, curator, segments):
    response = api_as(curator).post(
        "/api/v1/runs/",
        {"segments": [s.pk for s in segments], "parameters": {"max_new_tokens": 8}, "seed": 5},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["segment_count"] == 2 and body["seed"] == 5 and body["status"] == "queued"
    assert body["parameters"]["max_new_tokens"] == 8
    assert Job.objects.get(pk=body["job"]).kind == "model_run"
    assert api_as(curator).get(f"/api/v1/jobs/{body['job']}/").status_code == 200


def test_a_rater_or_anonymous_user_cannot_start_or_list_runs(api, api_as, rater_physician, segments):
    payload = {"segments": [segments[0].pk]}
    assert api_as(rater_physician).post("/api/v1/runs/", payload, format="json").status_code == 403
    assert api_as(rater_physician).get("/api/v1/runs/").status_code == 403
    assert api_as(rater_physician).get("/api/v1/candidates/").status_code == 403
    assert api.post("/api/v1/runs/", payload, format="json").status_code == 401
    assert not ModelRun.objects.exists()


def test_a_run_over_the_segments_matching_a_search_and_a_search_matching_nothing_is_a_400(
    api_as, curator, segments
):
    client = api_as(curator)
    response = client.post("/api/v1/runs/", {"search": "screening", "split": "train"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["segment_count"] == 1 and body["selection"] == {"split": "train", "search": "screening"}

    nothing = client.post("/api/v1/runs/", {"search": "chemotherapy"}, format="json")
    assert nothing.status_code == 400
    assert nothing.json()["errors"]["search"] == ["No segment matches the search 'chemotherapy'."]
    assert ModelRun.objects.count() == 1


def test_invalid_parameters_answer_400_naming_the_field(api_as, curator, segments):
    response = api_as(curator).post(
        "/api/v1/runs/",
        {"segments": [segments[0].pk], "parameters": {"num_candidates": 3, "temperature": 0}},
        format="json",
    )
    assert response.status_code == 400
    assert "temperature" in response.json()["errors"]
    assert not ModelRun.objects.exists()


def test_candidates_are_listed_with_scores_and_accepted_through_the_api(api_as, curator, segments):
    candidate = CandidateFactory(segment=segments[0], sari=40.0, flags=[{"code": "number_changed"}])
    client = api_as(curator)
    listed = client.get(f"/api/v1/candidates/?run={candidate.run_id}").json()["results"]
    assert [c["id"] for c in listed] == [candidate.pk]
    assert listed[0]["original"] == segments[0].original and listed[0]["reference"] == segments[0].simplified
    assert listed[0]["flags"][0]["code"] == "number_changed"

    stale = client.post(
        f"/api/v1/candidates/{candidate.pk}/accept/",
        {"segment_version": segments[0].version - 1},
        format="json",
    )
    assert stale.status_code == 409 and "changed since you opened it" in stale.json()["detail"]

    unconfirmed = client.post(f"/api/v1/candidates/{candidate.pk}/accept/", {}, format="json")
    assert unconfirmed.status_code == 409
    assert '"replace": true' in unconfirmed.json()["detail"] and "replace" in unconfirmed.json()["errors"]
    segments[0].refresh_from_db()
    assert segments[0].simplified != candidate.text

    accepted = client.post(f"/api/v1/candidates/{candidate.pk}/accept/", {"replace": True}, format="json")
    assert accepted.status_code == 200 and accepted.json()["decision"] == "accepted"
    segments[0].refresh_from_db()
    assert segments[0].simplified == candidate.text


def test_reject_through_the_api_keeps_the_candidate(api_as, curator, segments):
    candidate = CandidateFactory(segment=segments[0])
    response = api_as(curator).post(f"/api/v1/candidates/{candidate.pk}/reject/", {}, format="json")
    assert response.status_code == 200
    assert Candidate.objects.get(pk=candidate.pk).decision == "rejected"


def test_a_decision_that_no_longer_applies_is_a_409_and_changes_nothing(api_as, curator, segments):
    candidate = CandidateFactory(segment=segments[0])
    client = api_as(curator)
    accept = f"/api/v1/candidates/{candidate.pk}/accept/"
    assert client.post(accept, {"replace": True}, format="json").status_code == 200
    again = client.post(accept, {"replace": True}, format="json")
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    rejected = client.post(f"/api/v1/candidates/{candidate.pk}/reject/", {}, format="json")
    assert rejected.status_code == 409 and "revert the segment" in rejected.json()["detail"]
    assert Candidate.objects.get(pk=candidate.pk).decision == "accepted"


def test_a_run_names_its_environment_and_its_candidates_their_raw_output_and_source_version(
    api_as, curator, segments
):
    from apps.scoring.models import ReferenceScore

    run = ModelRunFactory(environment={"device": "cpu", "dtype": "float32", "torch": "2.13.0"})
    candidate = CandidateFactory(
        run=run, segment=segments[0], text="Take less.", raw_text="Sure! Take less.", source_version=1
    )
    ReferenceScore.objects.create(
        run=run,
        segment=segments[0],
        segment_version=1,
        text=segments[0].simplified,
        reward=0.4,
        would_rank=2,
        candidates_ranked=1,
    )
    client = api_as(curator)
    assert client.get(f"/api/v1/runs/{run.pk}/").json()["environment"]["dtype"] == "float32"
    listed = client.get(f"/api/v1/candidates/{candidate.pk}/").json()
    assert listed["raw_text"] == "Sure! Take less." and listed["text"] == "Take less."
    assert listed["source_version"] == 1
    [reference] = client.get(f"/api/v1/runs/{run.pk}/references/").json()["results"]
    assert reference["segment"] == segments[0].pk and reference["text"] == segments[0].simplified
    assert reference["would_rank"] == 2 and reference["candidates_ranked"] == 1
