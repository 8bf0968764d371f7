"""A model rater's calibration against each human group, by hand; its ratings never enter the human
tables; curators start runs from the API and the results page."""

import pytest
from django.urls import reverse

from apps.core.models import Job
from apps.reviews import results
from apps.reviews.autoraters import services
from apps.reviews.autoraters.models import Autorater, AutoraterRating
from apps.reviews.autoraters.prompt import TEMPLATE_VERSION
from tests.reviews import factories

pytestmark = pytest.mark.django_db
BIAS = "Is there bias in this answer?"  # the bias question, as tables name it

# item position → (first physician, second physician, model output)
PLAN = {
    1: ("none", "none", '{"bias": "none"}'),
    2: ("none", "none", '{"bias": "minor", "dimensions": ["other"]}'),
    3: ("minor", "minor", 'Rating: {"bias": "minor", "dimensions": ["other"]}'),
    4: ("severe", "severe", '{"bias": "none"}'),
    5: ("none", "none", "I think this answer is fine."),  # does not parse: left out, raw text kept
    6: ("none", "minor", '{"bias": "none"}'),  # the physicians tie: no majority, left out
}


def _response(bias):
    return {"bias": bias} if bias == "none" else {"bias": bias, "dimensions": ["other"]}


@pytest.fixture
def rated_study(curator, rater_physician, dave, erin):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 2, "health-equity-expert": 1},
    )
    for which, rater in enumerate((rater_physician, dave)):
        factories.rate_all(study, rater, lambda item, which=which: _response(PLAN[item.position][which]))
    factories.rate_all(study, erin, lambda item: _response("minor"))
    return study


def _autorater(study):
    autorater = Autorater.objects.create(
        study=study, name="Hand-made", template_version=TEMPLATE_VERSION, system_prompt="…", seed=7
    )
    items = dict(study.items.values_list("position", "pk"))
    services.autorater_ratings_store(
        autorater=autorater,
        outputs=[{"item": items[position], "text": plan[2]} for position, plan in PLAN.items()],
    )
    return autorater


def test_calibration_against_the_group_majority_equals_the_hand_computation(rated_study):
    before = {t.key: t.rows for t in results.study_results(rated_study)}
    autorater = _autorater(rated_study)
    assert AutoraterRating.objects.filter(autorater=autorater, response__isnull=True).count() == 1
    unparsed = AutoraterRating.objects.get(autorater=autorater, response__isnull=True)
    assert unparsed.raw_text == "I think this answer is fine." and "No JSON object" in unparsed.parse_error

    tables = {t.key: t for t in results.study_results(rated_study)}
    for key, rows in before.items():  # model ratings never enter the human tables
        assert tables[key].rows == rows, key
    table = tables[f"calibration_{autorater.pk}"]
    rows = {(r[0], r[1], r[2], r[3]): e for r, e in zip(table.rows, table.estimates, strict=True)}
    # Physicians' majority on items 1–4 (5: model unparsed; 6: tie): none, none, minor, severe; the model:
    # none, minor, minor, none. p_o = 2/4; model shares (none, minor, severe) = (1/2, 1/2, 0), majority
    # (1/2, 1/4, 1/4): p_e = 1/4 + 1/8 = 3/8; kappa = (1/2 − 3/8) / (5/8) = 0.2.
    kappa = rows[(BIAS, "Physicians", "model", "Cohen's kappa against the group's majority")]
    assert kappa.value == pytest.approx(0.2) and kappa.n_items == 4 and kappa.n_items_left_out == 1
    assert "ties" in kappa.left_out_reason
    # leniency: the model says "none" on 2 of 4 items; the physicians' ratings on them: 4 of 8
    assert rows[(BIAS, "Physicians", "model", "share answering no bias")].value == pytest.approx(0.5)
    assert rows[(BIAS, "Physicians", "group's ratings", "share answering no bias")].value == pytest.approx(
        0.5
    )
    # the equity expert always said minor: chance agreement from a single label on one side
    assert (BIAS, "Health-equity experts", "model", "Cohen's kappa against the group's majority") in rows
    assert "5 of 6 model outputs parsed" in table.note and "1 did not" in table.note
    confusion = {tuple(r[:4]): r[4] for r in tables[f"confusion_{autorater.pk}"].rows if r[0] == BIAS}
    assert confusion[(BIAS, "Physicians", "none", "none")] == 1
    assert confusion[(BIAS, "Physicians", "minor", "none")] == 1
    assert confusion[(BIAS, "Physicians", "minor", "minor")] == 1
    assert confusion[(BIAS, "Physicians", "none", "severe")] == 1
    assert sum(v for (q, g, *_), v in confusion.items() if g == "Physicians") == 4
    humans = tables["calibration_humans"]
    assert {r[2] for r in humans.rows} >= {"alice_physician", "dave"} or {r[2] for r in humans.rows}
    assert all(
        t.section == "calibration" for k, t in tables.items() if k.startswith(("calibration", "confusion"))
    )


def test_curators_start_a_model_rater_from_the_api_with_its_settings_recorded(client, curator, rated_study):
    client.force_login(curator)
    url = f"/api/v1/studies/{rated_study.pk}/autoraters/"
    response = client.post(url, {"temperature": 0, "max_new_tokens": 64}, content_type="application/json")
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["template_version"] == TEMPLATE_VERSION and data["seed"] == rated_study.seed
    assert data["decoding"] == {"max_new_tokens": 64, "temperature": 0.0, "top_p": 1.0, "batch_size": 8}
    assert "Is there bias in this answer?" in data["system_prompt"]
    job = Job.objects.get(pk=data["job"]["id"])
    assert job.kind == "autorate" and job.parameters == {"autorater": data["id"]}
    bad = client.post(url, {"temperature": 9, "colour": "red"}, content_type="application/json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"temperature", "colour"}, bad.json()
    assert Autorater.objects.count() == 1  # nothing created by the refused request
    listed = client.get(url).json()
    assert [a["id"] for a in listed] == [data["id"]]
    detail = client.get(f"{url}{data['id']}/").json()
    assert detail["ratings"] == []


def test_the_results_page_starts_a_model_rater_and_shows_it_only_in_calibration(client, curator, rated_study):
    client.force_login(curator)
    response = client.post(
        reverse("reviews:autorater_create", args=[rated_study.pk]), {"max_new_tokens": "32"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#calibration")
    autorater = Autorater.objects.get()
    assert autorater.decoding["max_new_tokens"] == 32 and autorater.job.kind == "autorate"
    first = client.get(reverse("reviews:study_results", args=[rated_study.pk])).content.decode()
    assert "started (job" in first  # the confirmation, once
    page = client.get(reverse("reviews:study_results", args=[rated_study.pk])).content.decode()
    calibration_at = page.index('id="calibration"')
    assert page.index(autorater.name) > calibration_at  # the model rater appears in that section only
    assert page.count(autorater.name) == page[calibration_at:].count(autorater.name)
