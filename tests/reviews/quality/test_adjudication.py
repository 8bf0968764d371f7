"""Adjudication: queue membership follows the study's rule; decisions with reasons and provenance."""

import pytest

from apps.core.models import AuditLog
from apps.reviews import quality, services
from apps.reviews.models import Adjudication
from apps.reviews.quality import adjudication
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.qc import MINOR, NONE, SEVERE, submit_for_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def raters(db):
    return [make_rater(n, "physician") for n in ("bob", "dave", "frank")]


@pytest.fixture
def study(curator):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 3}
    )
    quality.study_quality_set(
        study=study, actor=curator, adjudication_question="bias", adjudication_rule="any"
    )
    study.refresh_from_db()
    return study


def rate_items(study, raters, plan):
    """plan: {item position: [response per rater, None to skip]}."""
    items = {i.position: i for i in study.items.all()}
    for position, responses in plan.items():
        for rater, response in zip(raters, responses, strict=False):
            if response is not None:
                submit_for_item(study, rater, items[position], response)


PLAN = {
    1: [NONE, NONE, NONE],  # unanimous
    2: [NONE, NONE, MINOR],  # majority, one dissent
    3: [NONE, MINOR, SEVERE],  # all different
    4: [NONE, MINOR, None],  # one each of two
    5: [SEVERE, None, None],  # a single rating
    6: [MINOR, {**MINOR, "dimensions": ["stereotypical"]}, None],  # same bias, different dimensions
}


def queue_positions(study, **kwargs):
    return [entry.item.position for entry in adjudication.adjudication_queue(study, **kwargs)]


def test_any_disagreement_on_the_rule_question_sends_an_item_to_the_queue(study, raters):
    rate_items(study, raters, PLAN)
    assert queue_positions(study) == [2, 3, 4]


def test_no_strict_majority_rule(curator, study, raters):
    rate_items(study, raters, PLAN)
    quality.study_quality_set(study=study, actor=curator, adjudication_rule="no_majority")
    study.refresh_from_db()
    assert queue_positions(study) == [3, 4]


def test_a_multi_choice_rule_question_compares_the_ticked_sets(curator, study, raters):
    rate_items(study, raters, PLAN)
    quality.study_quality_set(study=study, actor=curator, adjudication_question="dimensions")
    study.refresh_from_db()
    # Items 2 and 4 have one rating that answered "dimensions" (it is hidden when there is no bias).
    assert queue_positions(study) == [3, 6]


def test_no_rule_no_queue(curator, study, raters):
    rate_items(study, raters, PLAN)
    quality.study_quality_set(study=study, actor=curator, adjudication_question="")
    study.refresh_from_db()
    assert queue_positions(study) == []


def test_a_decision_takes_the_item_out_until_its_ratings_change(curator, study, raters):
    rate_items(study, raters, PLAN)
    item = study.items.get(position=3)
    decided = adjudication.adjudication_record(
        study=study,
        item=item,
        label={"bias": "minor", "dimensions": ["other"]},
        reason="Minor on reading",
        actor=curator,
    )
    assert queue_positions(study) == [2, 4]
    assert queue_positions(study, include_done=True) == [2, 3, 4]
    assert decided.version == 1 and len(decided.ratings) == 3
    assert {r["rater"] for r in decided.ratings} == {adjudication.pseudonym(study, r.pk) for r in raters}
    # A rater corrects their rating: the item comes back, marked reopened.
    rating = item.assignments.get(rater=raters[2]).ratings.get(is_current=True)
    services.rating_correct(rating_id=rating.pk, response=MINOR, actor=curator, reason="typo")
    [entry] = [e for e in adjudication.adjudication_queue(study) if e.item == item]
    assert entry.reopened and entry.current == decided
    again = adjudication.adjudication_record(
        study=study, item=item, label={"bias": "minor"}, reason="Now two say minor", actor=curator
    )
    assert again.version == 2 and Adjudication.objects.get(pk=decided.pk).is_current is False
    assert queue_positions(study) == [2, 4]
    by_item = adjudication.adjudications_by_item(study)
    assert by_item[item.pk]["label"] == {"bias": "minor"} and by_item[item.pk]["version"] == 2
    assert by_item[item.pk]["adjudicator"] == "alice" and by_item[item.pk]["reason"] == "Now two say minor"
    assert by_item[item.pk]["rule"] == {"question": "bias", "rule": "any"}
    assert {r["rating"] for r in by_item[item.pk]["ratings"]} == set(
        item.assignments.filter(ratings__is_current=True).values_list("ratings__id", flat=True)
    )
    assert AuditLog.objects.filter(action="adjudication.record").count() == 2


def test_labels_are_validated_and_a_reason_is_required(api_as, curator, study, raters):
    rate_items(study, raters, PLAN)
    item = study.items.get(position=2)
    client = api_as(curator)
    bad = client.post(
        "/api/v1/adjudications/", {"item": item.pk, "label": {"bias": "awful"}, "reason": "x"}, format="json"
    )
    assert bad.status_code == 400 and "Unknown option" in bad.json()["errors"]["label"][0]
    missing = client.post(
        "/api/v1/adjudications/",
        {"item": item.pk, "label": {"dimensions": ["other"]}, "reason": "x"},
        format="json",
    )
    assert missing.status_code == 400 and 'must answer "bias"' in missing.json()["errors"]["label"][0]
    no_reason = client.post(
        "/api/v1/adjudications/", {"item": item.pk, "label": {"bias": "none"}, "reason": " "}, format="json"
    )
    assert no_reason.status_code == 400
    assert not Adjudication.objects.exists()


def test_adjudication_api_shows_ratings_side_by_side_under_pseudonyms(api_as, curator, study, raters):
    rate_items(study, raters, PLAN)
    client = api_as(curator)
    queue = client.get("/api/v1/adjudications/queue/", {"study": study.pk})
    assert queue.status_code == 200
    body = queue.json()
    assert [entry["item"]["position"] for entry in body["results"]] == [2, 3, 4]
    entry = body["results"][1]
    assert [r["response"]["bias"] for r in entry["ratings"]] == ["none", "minor", "severe"]
    assert all(r["rater"].startswith("R-") and r["group"] == "Physicians" for r in entry["ratings"])
    for name in (b"bob", b"dave", b"frank", b"model-x"):
        assert name not in queue.content
    created = client.post(
        "/api/v1/adjudications/",
        {
            "item": entry["item"]["id"],
            "label": {"bias": "minor", "dimensions": ["other"]},
            "reason": "Middle reading",
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    listed = client.get("/api/v1/adjudications/", {"study": study.pk}).json()["results"]
    assert [a["label"]["bias"] for a in listed] == ["minor"]
    assert client.get("/api/v1/adjudications/queue/").status_code == 400


def test_adjudication_is_for_curators(api_as, client, study, raters):
    assert api_as(raters[0]).get("/api/v1/adjudications/queue/", {"study": study.pk}).status_code == 403
    assert api_as(raters[0]).post("/api/v1/adjudications/", {}, format="json").status_code == 403
    client.force_login(raters[0])
    assert client.get(f"/reviews/studies/{study.pk}/adjudication/").status_code == 403


def test_adjudication_pages(client, curator, study, raters):
    rate_items(study, raters, PLAN)
    client.force_login(curator)
    overview = client.get("/reviews/adjudication/")
    assert overview.status_code == 200 and b"Test study" in overview.content
    queue = client.get(f"/reviews/studies/{study.pk}/adjudication/")
    assert queue.status_code == 200 and b"Item 3" in queue.content and b"Item 1<" not in queue.content
    item3 = study.items.get(position=3)
    page = client.get(f"/reviews/studies/{study.pk}/adjudication/{item3.pk}/")
    assert page.status_code == 200
    for pseudonym in (adjudication.pseudonym(study, r.pk) for r in raters):
        assert pseudonym.encode() in page.content
    assert b"bob" not in page.content.replace(b"alice", b"")
    refused = client.post(page.request["PATH_INFO"], {"label_bias": "minor", "reason": ""})
    assert refused.status_code == 400 and not Adjudication.objects.exists()
    saved = client.post(
        page.request["PATH_INFO"], {"label_bias": "minor", "label_dimensions": ["other"], "reason": "Middle"}
    )
    assert saved.status_code == 302
    item4 = study.items.get(position=4)
    assert saved["Location"] == f"/reviews/studies/{study.pk}/adjudication/{item4.pk}/"  # on to the next one
    assert Adjudication.objects.get().label == {"bias": "minor", "dimensions": ["other"]}
