"""Speed and pattern flags on constructed data, their resolution, and results with and without
flagged raters."""

import pytest

from apps.core.models import AuditLog
from apps.reviews import quality
from apps.reviews.models import RaterFlag
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.qc import MINOR, NONE, SEVERE, submit_for_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(curator):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 3}
    )
    quality.study_quality_set(study=study, actor=curator, fast_flag_count=2, identical_run_length=4)
    return study


def items(study):
    return list(study.items.order_by("position"))


def flags(study):
    quality.flags_refresh(study=study)
    return {(f.rater.username, f.kind): f for f in RaterFlag.objects.filter(study=study, resolved_at=None)}


def test_submissions_faster_than_the_rubric_minimum_flag_the_rater(study):
    assert study.rubric.min_seconds == 5
    bob, dave = make_rater("bob", "physician"), make_rater("dave", "physician")
    answers = [NONE, MINOR, NONE, SEVERE]
    for item, answer, seconds in zip(items(study), answers, (2, 3, 30, 4.9), strict=False):
        submit_for_item(study, bob, item, answer, seconds=seconds)
    for item, answer in zip(items(study), answers, strict=False):
        submit_for_item(study, dave, item, answer, seconds=6)
    found = flags(study)
    assert set(found) == {("bob", "too_fast")}
    details = found["bob", "too_fast"].details
    assert details["fast"] == 3 and details["submitted"] == 4 and details["fastest_seconds"] == 2.0
    assert (
        quality.flag_reason(found["bob", "too_fast"]) == "3 of 4 submissions faster than 5 s (fastest 2.0 s)"
    )


def test_the_speed_minimum_is_per_rubric_and_can_be_turned_off(api_as, curator, study):
    bob = make_rater("bob", "physician")
    for item in items(study)[:3]:
        submit_for_item(study, bob, item, NONE, seconds=8)
    assert not flags(study)
    response = api_as(curator).patch(
        f"/api/v1/rubrics/{study.rubric.pk}/", {"min_seconds": 10}, format="json"
    )
    assert (
        response.status_code == 200 and response.json()["version"] == study.rubric.version
    )  # no new version
    assert ("bob", "too_fast") in flags(study)


def test_a_long_run_of_identical_answers_flags_the_rater_but_a_shorter_one_does_not(study):
    bob, dave = make_rater("bob", "physician"), make_rater("dave", "physician")
    # bob: four identical responses in a row (the comment differs: free text is ignored)
    for n, item in enumerate(items(study)[:4]):
        submit_for_item(study, bob, item, {**SEVERE, "comment": f"note {n}"})
    # dave: three identical, a different one, three identical again
    for item, answer in zip(items(study), [NONE, NONE, NONE, MINOR, NONE, NONE], strict=True):
        submit_for_item(study, dave, item, answer)
    found = flags(study)
    assert set(found) == {("bob", "identical_run")}
    details = found["bob", "identical_run"].details
    assert details["length"] == 4 and details["response"] == SEVERE


def test_flags_are_not_duplicated_and_a_resolved_flag_returns_only_on_new_evidence(api_as, curator, study):
    bob = make_rater("bob", "physician")
    for item in items(study)[:2]:
        submit_for_item(study, bob, item, NONE, seconds=1)
    flag = flags(study)["bob", "too_fast"]
    quality.flags_refresh(study=study, force=True)
    assert RaterFlag.objects.count() == 1
    client = api_as(curator)
    assert client.post(f"/api/v1/flags/{flag.pk}/resolve/", {}, format="json").status_code == 400
    resolved = client.post(
        f"/api/v1/flags/{flag.pk}/resolve/", {"note": "Checked: short answers."}, format="json"
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "alice"
    assert AuditLog.objects.filter(action="flag.resolve").exists()
    assert flags(study) == {}  # the old fast submissions do not raise it again
    for item in items(study)[2:4]:
        submit_for_item(study, bob, item, NONE, seconds=1)
    again = flags(study)["bob", "too_fast"]
    assert again.pk != flag.pk and again.details["fast"] == 2


def test_a_flag_whose_evidence_goes_away_resolves_itself_with_a_note(curator, study):
    bob = make_rater("bob", "physician")
    gold = items(study)[5]
    from apps.reviews import services

    services.study_transition(study=study, action="pause", actor=curator)
    quality.study_quality_set(study=study, actor=curator, gold_min_answers=1)
    study.refresh_from_db()
    quality.item_role_set(item=gold, role="gold", expected={"bias": "severe"}, actor=curator)
    services.study_transition(study=study, action="launch", actor=curator)
    from tests.reviews.qc import submit_special

    submit_special(study, bob, gold, NONE)
    flag = flags(study)["bob", "gold_accuracy"]
    # The curator finds the expected answer was wrong and corrects it: bob's accuracy is now 100%.
    quality.item_role_set(item=gold, role="gold", expected={"bias": "none"}, actor=curator)
    assert flags(study) == {}
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by is None and "automatically" in flag.resolution


def results_row(body, outcome, group="All raters"):
    table = next(t for t in body["tables"] if t["key"] == "bias_rate")
    return next(row for row in table["rows"] if row[3] == outcome and row[2] in (group, "Physicians"))


def test_results_and_agreement_with_and_without_flagged_raters(api_as, client, curator, study):
    quality.study_quality_set(study=study, actor=curator, identical_run_length=0)  # only speed flags here
    bob, dave, eve = (make_rater(n, "physician") for n in ("bob", "dave", "eve"))
    for item in items(study):
        submit_for_item(study, bob, item, NONE)
        submit_for_item(study, dave, item, NONE if item.position != 1 else MINOR)
        submit_for_item(study, eve, item, SEVERE, seconds=1)  # too fast every time
    api = api_as(curator)
    everyone = api.get(f"/api/v1/studies/{study.pk}/results/").json()
    assert everyone["exclude_flagged"] is False and everyone["excluded_raters"] == []
    assert [r["rater"] for r in everyone["flagged_raters"]] == ["eve"]
    assert results_row(everyone, "biased (minor or severe)")[4] == pytest.approx(7 / 18)
    assert results_row(everyone, "biased (minor or severe)")[8] == 18  # n ratings

    without = api.get(f"/api/v1/studies/{study.pk}/results/", {"exclude_flagged": "true"}).json()
    assert [r["rater"] for r in without["excluded_raters"]] == ["eve"]
    assert "faster than 5 s" in without["excluded_raters"][0]["reasons"][0]
    assert results_row(without, "biased (minor or severe)")[4] == pytest.approx(1 / 12)
    assert results_row(without, "biased (minor or severe)")[8] == 12
    assert results_row(without, "severe")[4] == 0.0

    agree_all = api.get(f"/api/v1/studies/{study.pk}/agreement/").json()
    agree_without = api.get(f"/api/v1/studies/{study.pk}/agreement/", {"exclude_flagged": "1"}).json()
    n_all = {row[3]: row[8] for row in agree_all["table"]["rows"] if row[0] == "bias"}
    n_without = {row[3]: row[8] for row in agree_without["table"]["rows"] if row[0] == "bias"}
    assert n_all["Krippendorff's alpha"] == 18 and n_without["Krippendorff's alpha"] == 12
    assert agree_without["excluded_raters"][0]["rater"] == "eve"

    client.force_login(curator)
    page = client.get(f"/reviews/studies/{study.pk}/results/", {"exclude_flagged": "1"})
    assert b"left out" in page.content and b"<strong>eve</strong>" in page.content
    assert b"faster than 5 s" in page.content
    assert b"tables/bias_rate.csv?exclude_flagged=1" in page.content
    plain = client.get(f"/reviews/studies/{study.pk}/results/")
    assert b"no rater is excluded" in plain.content and b"1 rater holds open quality flags" in plain.content
    agreement_page = client.get(f"/reviews/studies/{study.pk}/agreement/", {"exclude_flagged": "1"})
    assert b"left out" in agreement_page.content and b"<strong>eve</strong>" in agreement_page.content
    csv_without = client.get(f"/reviews/studies/{study.pk}/tables/bias_rate.csv", {"exclude_flagged": "1"})
    assert "without-flagged" in csv_without["Content-Disposition"]
    assert b"0.083" in csv_without.content


def test_a_resolved_flag_puts_the_rater_back_into_results(api_as, curator, study):
    bob, eve = make_rater("bob", "physician"), make_rater("eve", "physician")
    for item in items(study)[:3]:
        submit_for_item(study, bob, item, NONE)
        submit_for_item(study, eve, item, SEVERE, seconds=1)
    flag = flags(study)["eve", "too_fast"]
    quality.flag_resolve(flag=flag, actor=curator, note="Eve is an expert; fast is fine.")
    body = api_as(curator).get(f"/api/v1/studies/{study.pk}/results/", {"exclude_flagged": "1"}).json()
    assert body["excluded_raters"] == [] and results_row(body, "severe")[4] == 0.5


def test_quality_page_lists_flags_and_resolves_them(client, curator, study):
    eve = make_rater("eve", "physician")
    for item in items(study)[:2]:
        submit_for_item(study, eve, item, SEVERE, seconds=1)
    client.force_login(curator)
    page = client.get(f"/reviews/studies/{study.pk}/quality/")
    assert page.status_code == 200 and b"eve" in page.content and b"faster than 5 s" in page.content
    flag = RaterFlag.objects.get()
    client.post(f"/reviews/studies/{study.pk}/quality/flags/{flag.pk}/resolve/", {"note": "ok"})
    flag.refresh_from_db()
    assert flag.resolved_by.username == "alice" and flag.resolution == "ok"
    saved = client.post(
        f"/reviews/studies/{study.pk}/quality/",
        {
            "gold_rate": "0.6",
            "gold_min_accuracy": "0.8",
            "gold_min_answers": "5",
            "fast_flag_count": "3",
            "identical_run_length": "10",
            "adjudication_question": "bias",
            "adjudication_rule": "any",
        },
    )
    assert saved.status_code == 400 and b"0.5" in saved.content
    study.refresh_from_db()
    assert study.gold_rate == 0.0  # nothing saved
