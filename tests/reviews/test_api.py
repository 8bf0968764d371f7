"""The reviews API: rubrics, study creation and lifecycle, next/submit, ownership, results, agreement."""

import pytest

from apps.core.models import AuditLog
from apps.reviews.models import Assignment, Rating, Rubric, Study
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def next_for(client, study):
    return client.post(f"/api/v1/studies/{study.pk}/next/")


def test_curator_creates_and_launches_a_pairwise_study_through_the_api(api_as, curator):
    qset, producers = factories.question_set_with_answers(4)
    client = api_as(curator)
    response = client.post(
        "/api/v1/studies/",
        {
            "name": "OMAQ A/B",
            "rubric": factories.rubric("pairwise").pk,
            "question_set": qset.pk,
            "producers": [p.pk for p in producers],
            "quotas": {"physician": 3, "health-equity-expert": 3, "consumer": 1},
            "seed": 99,
            "lease_minutes": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["item_count"] == 4 and body["status"] == "draft" and body["seed"] == 99
    assert body["quotas"] == {"physician": 3, "health-equity-expert": 3, "consumer": 1}
    launched = client.post(f"/api/v1/studies/{body['id']}/launch/")
    assert launched.json()["status"] == "live"
    assert AuditLog.objects.filter(action="study.launch").exists()


def test_study_creation_errors_name_the_field_and_create_nothing(api_as, curator):
    qset, producers = factories.question_set_with_answers(2)
    response = api_as(curator).post(
        "/api/v1/studies/",
        {
            "name": "Broken",
            "rubric": factories.rubric("pairwise").pk,
            "question_set": qset.pk,
            "producers": [producers[0].pk],
            "quotas": {"surgeons": 2},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "two or more different producers" in errors["producers"][0]
    assert 'No rater group "surgeons"' in errors["quotas"][0]
    assert not Study.objects.exists()


def test_raters_cannot_create_studies(api_as, rater_physician):
    assert api_as(rater_physician).post("/api/v1/studies/", {}, format="json").status_code == 403


def test_next_submit_and_nothing_left(api_as, curator, rater_consumer):
    qset, producers = factories.question_set_with_answers(2)
    study = factories.study("pairwise", actor=curator, qset=qset, producers=producers, quotas={"consumer": 1})
    client = api_as(rater_consumer)
    for _ in range(2):
        leased = next_for(client, study)
        assert leased.status_code == 200
        body = leased.json()
        assert [r["label"] for r in body["item"]["responses"]] == ["Response A", "Response B"]
        assert body["rubric"]["definition"]["questions"][0]["key"] == "overall"
        submitted = client.post(
            f"/api/v1/assignments/{body['id']}/submit/",
            {"response": PAIRWISE_ANSWER, "time_spent_ms": 4200},
            format="json",
        )
        assert submitted.status_code == 200 and submitted.json()["version"] == 1
    assert next_for(client, study).status_code == 204
    assert Rating.objects.count() == 2


def test_producer_names_never_reach_the_rater(api_as, curator, rater_physician):
    qset, producers = factories.question_set_with_answers(1, producers=("gpt-secret", "llama-hidden"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    client = api_as(rater_physician)
    leased = next_for(client, study)
    listing = client.get("/api/v1/studies/")
    for text in (
        leased.content,
        listing.content,
        client.get(f"/api/v1/assignments/{leased.json()['id']}/").content,
    ):
        assert b"gpt-secret" not in text and b"llama-hidden" not in text
        assert b"seed" not in text


def test_double_submit_is_idempotent_over_the_api(api_as, pairwise_study, rater_physician):
    client = api_as(rater_physician)
    assignment = next_for(client, pairwise_study).json()["id"]
    url = f"/api/v1/assignments/{assignment}/submit/"
    first = client.post(url, {"response": PAIRWISE_ANSWER}, format="json")
    second = client.post(url, {"response": PAIRWISE_ANSWER}, format="json")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    changed = client.post(url, {"response": {**PAIRWISE_ANSWER, "overall": "b"}}, format="json")
    assert changed.status_code == 409 and "already submitted" in changed.json()["detail"]


@pytest.mark.parametrize(
    "response, key, fragment",
    [
        ({"bias": "severe"}, "dimensions", "Required"),
        ({"bias": "none", "dimensions": ["other"]}, "dimensions", "only applies when"),
        ({"bias": "terrible"}, "bias", "Unknown option"),
        ({}, "bias", "Required"),
    ],
)
def test_responses_that_break_the_rubric_are_refused_with_a_message(
    api_as, independent_study, rater_physician, response, key, fragment
):
    client = api_as(rater_physician)
    assignment = next_for(client, independent_study).json()["id"]
    refused = client.post(f"/api/v1/assignments/{assignment}/submit/", {"response": response}, format="json")
    assert refused.status_code == 400, refused.json()
    assert "does not fit the rubric" in refused.json()["detail"]
    assert fragment in " ".join(refused.json()["errors"][key])
    assert Assignment.objects.get(pk=assignment).status == "leased" and not Rating.objects.exists()


def test_a_rater_cannot_read_or_submit_another_raters_assignment(
    api_as, pairwise_study, rater_physician, dave, curator
):
    bobs = next_for(api_as(rater_physician), pairwise_study).json()["id"]
    for intruder in (dave, curator):
        client = api_as(intruder)
        assert client.get(f"/api/v1/assignments/{bobs}/").status_code == 404
        assert (
            client.post(
                f"/api/v1/assignments/{bobs}/submit/", {"response": PAIRWISE_ANSWER}, format="json"
            ).status_code
            == 404
        )
        assert client.post(f"/api/v1/assignments/{bobs}/skip/").status_code == 404
        assert bobs not in [a["id"] for a in client.get("/api/v1/assignments/").json()["results"]]
    assert Assignment.objects.get(pk=bobs).status == "leased"


def test_a_rater_outside_the_study_gets_403_with_a_reason(api_as, pairwise_study, erin):
    # erin's group (equity experts) has no quota: the study is not even listed for her.
    response = next_for(api_as(erin), pairwise_study)
    assert response.status_code == 404


def test_paused_study_answers_409_with_the_reason(api_as, curator, pairwise_study, rater_physician):
    api_as(curator).post(f"/api/v1/studies/{pairwise_study.pk}/pause/")
    response = next_for(api_as(rater_physician), pairwise_study)
    assert response.status_code == 409 and "paused" in response.json()["detail"]


def test_rubric_edit_in_place_until_frozen_then_new_version(api_as, curator, pairwise_study, rater_physician):
    client = api_as(curator)
    fresh = client.post(
        "/api/v1/rubrics/",
        {
            "name": "Tone",
            "kind": "independent",
            "definition": {
                "questions": [{"key": "tone", "label": "Tone?", "type": "scale", "min": 1, "max": 3}]
            },
        },
        format="json",
    )
    assert fresh.status_code == 201
    edited = client.patch(
        f"/api/v1/rubrics/{fresh.json()['id']}/",
        {
            "definition": {
                "questions": [{"key": "tone", "label": "Tone, 1–4?", "type": "scale", "min": 1, "max": 4}]
            }
        },
        format="json",
    )
    assert edited.status_code == 200 and edited.json()["version"] == 1
    # The pairwise rubric is used by a launched study: an edit becomes version 2.
    pairwise = pairwise_study.rubric
    definition = pairwise.definition
    definition["questions"][-1]["label"] = "Anything else?"
    revised = client.put(f"/api/v1/rubrics/{pairwise.pk}/", {"definition": definition}, format="json")
    assert (
        revised.status_code == 201
        and revised.json()["version"] == 2
        and revised.json()["previous"] == pairwise.pk
    )
    pairwise.refresh_from_db()
    assert pairwise.definition["questions"][-1]["label"] == "Comment (optional)", (
        "the frozen version is unchanged"
    )
    bad = client.post(
        "/api/v1/rubrics/",
        {"name": "Bad", "kind": "independent", "definition": {"questions": [{"key": "x"}]}},
        format="json",
    )
    assert bad.status_code == 400 and "x: A question needs a label" in " ".join(
        bad.json()["errors"]["definition"]
    )
    assert Rubric.objects.filter(name="Bad").count() == 0


def test_results_and_agreement_over_the_api(
    api_as, curator, independent_study, rater_physician, dave, rater_consumer
):
    responses = {
        rater_physician: {"bias": "minor", "dimensions": ["stereotypical"]},
        dave: {"bias": "minor", "dimensions": ["stereotypical"]},
        rater_consumer: {"bias": "none"},
    }
    for rater, response in responses.items():
        client = api_as(rater)
        while (leased := next_for(client, independent_study)).status_code == 200:
            client.post(
                f"/api/v1/assignments/{leased.json()['id']}/submit/", {"response": response}, format="json"
            )
    curator_client = api_as(curator)
    results = curator_client.get(f"/api/v1/studies/{independent_study.pk}/results/").json()
    tables = {t["key"]: t for t in results["tables"]}
    assert results["seed"] == independent_study.seed
    bias = {(row[2], row[3]): row for row in tables["bias_rate"]["rows"]}
    physicians = bias[("Physicians", "biased (minor or severe)")]
    # Every physician rating found bias (10 of 10 over 5 items): no bootstrap spread, so the interval is
    # Clopper–Pearson with n = 5 items: lower bound (0.025)^(1/5) = 0.4782, upper bound 1; never [1, 1].
    assert physicians[4] == 1.0 and physicians[6] == 1.0
    assert physicians[5] == pytest.approx(0.025 ** (1 / 5))
    assert physicians[7:9] == [5, 10], "n items and n ratings"
    named = dict(zip(tables["bias_rate"]["columns"], physicians, strict=True))
    assert named["interval method"] == "Clopper–Pearson" and named["seed"] == independent_study.seed
    assert bias[("Consumers", "biased (minor or severe)")][4] == 0.0
    assert bias[("All raters", "biased (minor or severe)")][4] == pytest.approx(10 / 15, abs=1e-3)
    completion = {row[0]: row for row in tables["completion_groups"]["rows"]}
    assert completion["Physicians"][1:3] == [10, 10]
    agreement = curator_client.get(f"/api/v1/studies/{independent_study.pk}/agreement/").json()["table"]
    rows = {(row[0], row[2], row[3]): row for row in agreement["rows"]}
    kappa = rows[("bias", "Physicians", "Randolph's kappa")]
    assert kappa[4] == 1.0 and kappa[7:9] == [5, 10]
    assert kappa[5:7] == [None, None] and "every item has the same ratings" in kappa[9], (
        "unanimous on every item: no sampling spread, so no interval (and a note), never [1.0, 1.0]"
    )
    assert api_as(rater_physician).get(f"/api/v1/studies/{independent_study.pk}/results/").status_code == 403


def test_corrections_make_a_new_version_and_keep_the_old(api_as, pairwise_study, rater_physician, curator):
    client = api_as(rater_physician)
    assignment = next_for(client, pairwise_study).json()["id"]
    client.post(f"/api/v1/assignments/{assignment}/submit/", {"response": PAIRWISE_ANSWER}, format="json")
    corrected = client.post(
        f"/api/v1/assignments/{assignment}/correct/",
        {"response": {**PAIRWISE_ANSWER, "overall": "b"}, "reason": "Misread the sides"},
        format="json",
    )
    assert corrected.status_code == 201 and corrected.json()["version"] == 2
    versions = list(Rating.objects.filter(assignment_id=assignment).values_list("version", "is_current"))
    assert versions == [(1, False), (2, True)]
    assert AuditLog.objects.filter(action="rating.correct").get().details["reason"] == "Misread the sides"


def test_a_simplification_study_from_corpus_segments_and_explicit_texts(api_as, curator, rater_physician):
    from apps.corpus.models import Document, Segment, Source

    source = Source.objects.create(name="Demo source")
    document = Document.objects.create(title="Colon cancer", source=source)
    segments = [
        Segment.objects.create(
            document=document, position=n, original=f"Adenocarcinoma {n}.", simplified=f"Cancer {n}."
        )
        for n in (1, 2)
    ]
    empty = Segment.objects.create(document=document, position=3, original="Metastasis.", simplified="")
    client = api_as(curator)
    payload = {
        "name": "Plain language",
        "rubric": factories.rubric("simplification").pk,
        "quotas": {"physician": 1},
    }
    refused = client.post(
        "/api/v1/studies/", {**payload, "segments": [segments[0].pk, empty.pk]}, format="json"
    )
    assert refused.status_code == 400, refused.json()
    assert (
        f"Segment {empty.pk}: not found, or it has no simplified text."
        in refused.json()["errors"]["segments"]
    )
    made = client.post("/api/v1/studies/", {**payload, "segments": [s.pk for s in segments]}, format="json")
    assert made.status_code == 201 and made.json()["item_count"] == 2
    client.post(f"/api/v1/studies/{made.json()['id']}/launch/")
    rater = api_as(rater_physician)
    leased = rater.post(f"/api/v1/studies/{made.json()['id']}/next/").json()
    assert leased["item"]["original"].startswith("Adenocarcinoma") and leased["item"]["candidate"].startswith(
        "Cancer"
    )
    out_of_scale = rater.post(
        f"/api/v1/assignments/{leased['id']}/submit/",
        {"response": {"meaning": 6, "simplicity": 4, "fluency": 5}},
        format="json",
    )
    assert out_of_scale.status_code == 400 and "from 1 to 5" in out_of_scale.json()["errors"]["meaning"][0]
    ok = rater.post(
        f"/api/v1/assignments/{leased['id']}/submit/",
        {"response": {"meaning": 2, "simplicity": 4, "fluency": 5, "errors": ["changes_fact"]}},
        format="json",
    )
    assert ok.status_code == 200
    texts = client.post(
        "/api/v1/studies/",
        {**payload, "texts": [{"original": "Hepatic lesion.", "candidate": ""}]},
        format="json",
    )
    assert (
        texts.status_code == 400
        and "Item 1: both original and candidate" in texts.json()["errors"]["texts"][0]
    )
