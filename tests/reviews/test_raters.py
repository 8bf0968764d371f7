"""The raters page and API: figures per rater, filters, CSV download, deactivation."""

import csv
import io

import pytest

from apps.accounts.models import RaterProfile
from apps.core.models import AuditLog
from apps.reviews import assignment as engine
from apps.reviews import quality, services
from apps.reviews.models import Assignment, ItemSlot, StudyItem
from tests.factories import PASSWORD, make_rater
from tests.reviews import factories
from tests.reviews.qc import NONE, SEVERE, rate_next, submit_for_item, submit_special

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(curator):
    """Four independent items, three physicians per item; item 4 is gold (expected: no bias)."""
    qset, producers = factories.question_set_with_answers(4, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 3}, launch=False
    )
    gold = study.items.get(position=4)
    quality.item_role_set(item=gold, role="gold", expected={"bias": "none"}, actor=curator)
    services.study_transition(study=study, action="launch", actor=curator)
    study.refresh_from_db()
    return study


def by_username(body):
    return {r["username"]: r for r in body["results"]}


def test_rater_figures_count_ratings_time_gold_and_agreement_with_the_group(api_as, curator, study):
    bob, dave, frank = (make_rater(n, "physician") for n in ("bob", "dave", "frank"))
    gold = study.items.get(role="gold")
    # bob and dave say "none" everywhere; frank says "severe" everywhere (also on the gold item).
    for rater, answer, seconds in ((bob, NONE, 10), (dave, NONE, 20), (frank, SEVERE, 40)):
        for _ in range(3):
            rate_next(study, rater, answer, seconds=seconds)
        submit_special(study, rater, gold, answer, seconds=seconds)
    body = api_as(curator).get("/api/v1/raters/", {"study": study.pk}).json()
    rows = by_username(body)
    assert set(rows) == {"bob", "dave", "frank"}
    bob_row, frank_row = rows["bob"], rows["frank"]
    assert bob_row["submitted"] == 3  # regular items only
    assert bob_row["median_seconds"] == 10.0 and frank_row["median_seconds"] == 40.0
    assert bob_row["gold_accuracy"] == 1.0 and bob_row["gold_items"] == 1
    assert frank_row["gold_accuracy"] == 0.0
    # On each of the 3 regular items bob's answer equals the majority of {dave, frank}? No: a tie (1-1)
    # leaves the item out for bob; frank disagrees with the unanimous bob+dave.
    assert bob_row["group_agreement_n"] == 0 and bob_row["group_agreement"] is None
    assert frank_row["group_agreement"] == 0.0 and frank_row["group_agreement_n"] == 3
    assert bob_row["studies"] == ["Test study"]


def test_agreement_with_the_group_is_the_share_of_items_matching_the_others_majority(api_as, curator, study):
    raters = [make_rater(n, "physician") for n in ("bob", "dave", "frank")]
    # Rate the three regular items: bob disagrees with dave+frank on one item only.
    answers = {"bob": [NONE, NONE, SEVERE], "dave": [NONE, NONE, NONE], "frank": [NONE, NONE, NONE]}
    regular = list(study.items.filter(role="regular").order_by("position"))
    for rater in raters:
        for item, answer in zip(regular, answers[rater.username], strict=True):
            submit_for_item(study, rater, item, answer)
    rows = by_username(api_as(curator).get("/api/v1/raters/", {"study": study.pk}).json())
    assert (rows["bob"]["group_agreement"], rows["bob"]["group_agreement_n"]) == (round(2 / 3, 3), 3)
    assert (rows["dave"]["group_agreement"], rows["dave"]["group_agreement_n"]) == (1.0, 2)  # item 3 ties


def test_filters_by_group_activity_and_flags(api_as, curator, study):
    bob, carol = make_rater("bob", "physician"), make_rater("carol", "consumer")
    quality.study_quality_set(study=study, actor=curator, fast_flag_count=1)
    rate_next(study, bob, NONE, seconds=1)  # faster than the rubric's 5 s
    client = api_as(curator)
    assert list(by_username(client.get("/api/v1/raters/", {"group": "consumer"}).json())) == ["carol"]
    flagged = client.get("/api/v1/raters/", {"study": study.pk, "flagged": "true"}).json()
    assert list(by_username(flagged)) == ["bob"]
    assert "faster than 5 s" in by_username(flagged)["bob"]["open_flags"][0]
    RaterProfile.objects.filter(user=carol).update(active=False)
    assert list(by_username(client.get("/api/v1/raters/", {"active": "false"}).json())) == ["carol"]
    assert client.get("/api/v1/raters/", {"study": "999999"}).status_code == 400


def test_raters_are_for_curators(api_as, client, rater_physician):
    assert api_as(rater_physician).get("/api/v1/raters/").status_code == 403
    client.force_login(rater_physician)
    assert client.get("/raters/").status_code == 403
    assert client.get("/raters/export.csv").status_code == 403


def test_csv_download_neutralises_spreadsheet_formulas(client, curator, study):
    bob = make_rater("bob", "physician")
    bob.first_name = '=HYPERLINK("http://evil.example")'
    bob.save()
    rate_next(study, bob, NONE)
    client.force_login(curator)
    response = client.get("/raters/export.csv", {"study": study.pk})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, bob_row = rows[0], rows[1]
    assert header[:4] == ["username", "name", "email", "group"]
    assert bob_row[0] == "bob" and bob_row[1] == '\'=HYPERLINK("http://evil.example")'
    assert bob_row[header.index("submitted ratings")] == "1"


def test_raters_page_lists_figures_and_filters(client, curator, study):
    bob = make_rater("bob", "physician")
    make_rater("carol", "consumer")
    rate_next(study, bob, NONE, seconds=12)
    client.force_login(curator)
    page = client.get("/raters/", {"group": "physician"})
    assert page.status_code == 200
    assert b'id="rater-bob"' in page.content and b'id="rater-carol"' not in page.content
    assert b"12.0" in page.content


def test_deactivating_a_rater_returns_their_leases_and_ends_their_access(client, api_as, curator, study):
    bob, dave = make_rater("bob", "physician"), make_rater("dave", "physician")
    leased = engine.assignment_lease_next(study=study, rater=bob)
    slot = ItemSlot.objects.filter(item=leased.item, group=leased.group).first()
    assert slot is None or slot.taken == 1
    response = api_as(curator).post(
        f"/api/v1/raters/{bob.rater_profile.pk}/deactivate/", {"reason": "left the project"}, format="json"
    )
    assert response.status_code == 200 and response.json()["active"] is False
    leased.refresh_from_db()
    assert leased.status == Assignment.Status.EXPIRED
    if slot is not None:
        slot.refresh_from_db()
        assert slot.taken == 0
    # bob can no longer log in, lease or submit
    refused = client.post("/login/", {"username": "bob", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    bob.refresh_from_db()
    with pytest.raises(engine.AssignmentError, match="deactivated"):
        engine.assignment_lease_next(study=study, rater=bob)
    with pytest.raises(engine.AssignmentError, match="deactivated"):
        engine.assignment_submit(assignment_id=leased.pk, rater=bob, response=NONE)
    # the item is back in the pool for others
    given = set()
    while (a := engine.assignment_lease_next(study=study, rater=dave)) is not None:
        given.add(a.item_id)
        engine.assignment_submit(assignment_id=a.pk, rater=dave, response=NONE)
    assert leased.item_id in given
    entry = AuditLog.objects.get(action="rater.deactivate")
    assert entry.details["released_leases"] == 1 and entry.details["reason"] == "left the project"


def test_a_deactivated_raters_preassignments_go_back_too_and_reactivation_restores_access(
    client, curator, study
):
    bob = make_rater("bob", "physician")
    regular = study.items.filter(role=StudyItem.Role.REGULAR).order_by("position")
    engine.assignments_preassign(study=study, rater=bob, item_ids=[i.pk for i in regular], actor=curator)
    assert ItemSlot.objects.filter(study=study, taken=1).count() == 3
    client.force_login(curator)
    client.post(f"/raters/{bob.rater_profile.pk}/deactivate/")
    assert ItemSlot.objects.filter(study=study, taken=0).count() == 3
    assert not Assignment.objects.filter(rater=bob, status="leased").exists()
    page = client.get("/raters/", {"active": "false"})
    assert b'id="rater-bob"' in page.content and b"Reactivate" in page.content
    client.post(f"/raters/{bob.rater_profile.pk}/reactivate/")
    client.logout()
    assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302
    assert AuditLog.objects.filter(action="rater.reactivate").exists()


def test_a_deactivated_raters_session_and_api_tokens_stop_working(client, api, curator, study):
    from apps.accounts.services import token_create
    from apps.reviews.services import rater_deactivate

    bob = make_rater("bob", "physician")
    client.force_login(bob)
    assert client.get("/queue/").status_code == 200
    _, key = token_create(user=bob, name="notebook")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/assignments/").status_code == 200
    rater_deactivate(profile=bob.rater_profile, actor=curator)
    gone = client.get("/queue/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    refused = api.post(f"/api/v1/studies/{study.pk}/next/")
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]
