"""Gold items: marked by curators, mixed in at the study's rate, indistinguishable for raters."""

import re

import pytest

from apps.core.models import AuditLog
from apps.reviews import quality, services
from apps.reviews.models import Assignment, GoldStandard, ItemSlot, StudyItem
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.qc import NONE, rate_all, rate_next

pytestmark = pytest.mark.django_db


def gold_study(curator, *, n_items, n_gold, rate, quotas=None, launch=True):
    qset, producers = factories.question_set_with_answers(n_items, producers=("model-x",))
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas=quotas or {"physician": 4},
        launch=False,
    )
    for item in study.items.order_by("position")[:n_gold]:
        quality.item_role_set(item=item, role="gold", expected={"bias": ["none", "minor"]}, actor=curator)
    quality.study_quality_set(study=study, actor=curator, gold_rate=rate)
    if launch:
        services.study_transition(study=study, action="launch", actor=curator)
    study.refresh_from_db()
    return study


def test_gold_items_appear_at_about_the_set_rate_and_never_alone(curator):
    study = gold_study(curator, n_items=90, n_gold=30, rate=0.2)
    raters = [make_rater(f"doc{n}", "physician") for n in range(4)]
    served = []
    for rater in raters:
        served += [r.assignment.item.role for r in rate_all(study, rater, lambda item: NONE)]
    gold_share = served.count("gold") / len(served)
    # 4 raters × 60 regular items, plus gold drawn with p = 0.2 per lease: expected share 0.2.
    assert served.count("regular") == 240
    assert 0.13 <= gold_share <= 0.27, gold_share
    # Every rater met gold, and gold never fills a quota slot.
    assert all(Assignment.objects.filter(rater=r, item__role="gold").exists() for r in raters)
    assert sum(ItemSlot.objects.filter(study=study).values_list("submitted", flat=True)) == 240
    assert not ItemSlot.objects.filter(item__role="gold").exists()


def test_no_gold_is_served_at_rate_zero(curator, rater_physician):
    study = gold_study(curator, n_items=12, n_gold=4, rate=0.0, quotas={"physician": 1})
    roles = [r.assignment.item.role for r in rate_all(study, rater_physician, lambda item: NONE)]
    assert roles == ["regular"] * 8


def _keys(value):
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(v) for v in value[:1]]
    return type(value).__name__


def test_gold_and_regular_items_look_the_same_in_the_api_and_on_the_page(
    client, api_as, curator, rater_physician
):
    study = gold_study(curator, n_items=40, n_gold=20, rate=0.5, quotas={"physician": 1})
    api = api_as(rater_physician)
    client.force_login(rater_physician)
    seen = {}
    while len(seen) < 2:
        leased = api.post(f"/api/v1/studies/{study.pk}/next/")
        assert leased.status_code == 200, "the draw never served both kinds"
        body = leased.json()
        role = StudyItem.objects.get(assignments__pk=body["id"]).role
        page = client.get(f"/reviews/assignments/{body['id']}/").content.decode()
        seen.setdefault(role, (body, page))
        api.post(f"/api/v1/assignments/{body['id']}/submit/", {"response": NONE}, format="json")
    (gold_body, gold_page), (regular_body, regular_page) = seen["gold"], seen["regular"]
    assert _keys(gold_body) == _keys(regular_body)
    assert gold_body["item"]["practice"] is False and gold_body["preassigned"] is False
    assert gold_body["lease_expires_at"] and regular_body["lease_expires_at"]
    for page in (gold_page, regular_page):
        assert "gold" not in page.lower() and "Practice item" not in page

    # The pages differ only in their texts, numbers and links: the same elements in the same order.
    def skeleton(html):
        return re.findall(r"<(\w+)[^>]*?(?:class=\"([^\"]*)\")?[^>]*>", html)

    assert skeleton(gold_page) == skeleton(regular_page)


def test_gold_answers_feed_accuracy_and_low_accuracy_is_flagged(curator):
    study = gold_study(curator, n_items=10, n_gold=5, rate=0.0, quotas={"physician": 1})
    from tests.reviews.qc import SEVERE, submit_special

    careful, careless = make_rater("bob", "physician"), make_rater("dave", "physician")
    for item in study.items.filter(role="gold"):
        submit_special(study, careful, item, NONE)
        submit_special(study, careless, item, SEVERE if item.position <= 4 else NONE)
    figures = quality.rater_figures(user_ids=[careful.pk, careless.pk], study=study)
    assert figures[careful.pk].gold_accuracy == 1.0 and figures[careful.pk].gold_items == 5
    assert figures[careless.pk].gold_accuracy == 0.2
    quality.flags_refresh(study=study)
    [flag] = study.flags.all()
    assert flag.rater == careless and flag.kind == "gold_accuracy"
    assert flag.details["accuracy"] == 0.2 and flag.details["gold_items"] == 5
    assert "gold accuracy 20% on 5 gold items (threshold 70%)" == quality.flag_reason(flag)
    # flagged, never removed: dave can still rate
    assert careless.rater_profile.active


def test_curators_mark_gold_through_the_api_with_validation_and_audit(api_as, curator):
    study = gold_study(curator, n_items=4, n_gold=0, rate=0.1, quotas={"physician": 1}, launch=False)
    item = study.items.get(position=1)
    url = f"/api/v1/studies/{study.pk}/items/{item.pk}/role/"
    client = api_as(curator)
    bad = client.put(
        url, {"role": "gold", "expected": {"bias": "awful", "comment": "x", "tone": 1}}, format="json"
    )
    assert bad.status_code == 400
    problems = " ".join(bad.json()["errors"]["expected"])
    assert (
        "Unknown option 'awful'" in problems
        and "free-text" in problems
        and "tone: the rubric has no such" in problems
    )
    ok = client.put(url, {"role": "gold", "expected": {"bias": "none"}}, format="json")
    assert ok.status_code == 200 and ok.json() == {
        "id": item.pk,
        "position": 1,
        "kind": "independent",
        "role": "gold",
        "expected": {"bias": ["none"]},
    }
    client.put(url, {"role": "gold", "expected": {"bias": ["none", "minor"]}}, format="json")
    assert GoldStandard.objects.get(item=item).expected == {"bias": ["none", "minor"]}
    actions = list(
        AuditLog.objects.filter(action="gold.set").order_by("id").values_list("details", flat=True)
    )
    assert actions[-1]["previous"] == {"bias": ["none"]} and actions[-1]["expected"] == {
        "bias": ["none", "minor"]
    }
    listed = client.get(f"/api/v1/studies/{study.pk}/items/", {"role": "gold"}).json()["results"]
    assert [i["id"] for i in listed] == [item.pk]
    unset = client.put(url, {"role": "regular"}, format="json")
    assert unset.status_code == 200 and not GoldStandard.objects.exists()
    assert AuditLog.objects.filter(action="gold.unset").exists()


def test_an_item_already_given_to_a_rater_cannot_change_role(api_as, curator, rater_physician):
    study = gold_study(curator, n_items=2, n_gold=0, rate=0.0, quotas={"physician": 1})
    rated = rate_next(study, rater_physician, NONE).assignment.item
    response = api_as(curator).put(
        f"/api/v1/studies/{study.pk}/items/{rated.pk}/role/",
        {"role": "gold", "expected": {"bias": "none"}},
        format="json",
    )
    assert response.status_code == 400 and "already been given" in response.json()["errors"]["role"][0]
    rated.refresh_from_db()
    assert rated.role == "regular" and ItemSlot.objects.filter(item=rated).exists()


def test_marking_gold_after_launch_removes_the_slots_and_unmarking_restores_them(curator):
    study = gold_study(curator, n_items=3, n_gold=0, rate=0.0, quotas={"physician": 2})
    item = study.items.get(position=2)
    quality.item_role_set(item=item, role="gold", expected={"bias": "none"}, actor=curator)
    assert not ItemSlot.objects.filter(item=item).exists()
    quality.item_role_set(item=item, role="regular", actor=curator)
    assert list(ItemSlot.objects.filter(item=item).values_list("quota", "taken")) == [(2, 0)]


def test_gold_pages_for_curators(client, curator):
    study = gold_study(curator, n_items=3, n_gold=1, rate=0.0, quotas={"physician": 1}, launch=False)
    client.force_login(curator)
    listing = client.get(f"/reviews/studies/{study.pk}/items/", {"role": "gold"})
    assert listing.status_code == 200 and b"none or minor" in listing.content
    item = study.items.get(position=2)
    page = client.get(f"/reviews/studies/{study.pk}/items/{item.pk}/")
    assert page.status_code == 200 and b"Answer 1 to question" in page.content
    saved = client.post(page.request["PATH_INFO"], {"role": "gold", "expect_bias": ["severe"]})
    assert saved.status_code == 302
    assert GoldStandard.objects.get(item=item).expected == {"bias": ["severe"]}
    empty = client.post(page.request["PATH_INFO"], {"role": "gold"})
    assert empty.status_code == 400 and b"at least one question" in empty.content
