"""`GET /api/v1/studies/{id}/results/` carries the issue-19 tables — agreement between groups,
Bradley–Terry, counterfactual one/either/both, model-rater calibration — each naming its statistic,
interval method, n and seed, and the Methods paragraph describes them."""

import pytest

from apps.equity.models import CounterfactualPair
from apps.reviews.autoraters import services
from apps.reviews.autoraters.models import Autorater
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def _check(table):
    assert table["statistic"] and table["interval_methods"] and table["seed"] is not None
    for estimate in table["estimates"]:
        assert estimate["statistic"] and estimate["interval_method"] in (
            "BCa bootstrap",
            "Clopper–Pearson",
            "none",
        )
        assert isinstance(estimate["n_items"], int) and isinstance(estimate["n_ratings"], int)
        if estimate["interval_method"] != "none":
            assert estimate["low"] < estimate["high"]  # never a zero-width interval


def test_pairwise_results_carry_between_groups_ranking_and_calibration(
    api_as, curator, rater_physician, rater_consumer, dave
):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x", "model-y", "model-z"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )
    for rater in (rater_physician, dave, rater_consumer):
        factories.rate_all(
            study, rater, lambda item: PAIRWISE_ANSWER | {"overall": "a" if item.position % 3 else "b"}
        )
    autorater = Autorater.objects.create(
        study=study, name="m", template_version="rubric-json v1", system_prompt="…", seed=3
    )
    services.autorater_ratings_store(
        autorater=autorater, outputs=[{"item": i.pk, "text": "no idea"} for i in study.items.all()]
    )
    data = api_as(curator).get(f"/api/v1/studies/{study.pk}/results/").json()
    tables = {t["key"]: t for t in data["tables"]}
    for key in ("between_groups", "bradley_terry", f"calibration_{autorater.pk}", "calibration_humans"):
        _check(tables[key])
    assert tables[f"calibration_{autorater.pk}"]["section"] == "calibration"
    assert "0 of 6 model outputs parsed" in tables[f"calibration_{autorater.pk}"]["note"]
    assert tables["between_groups"]["section"] == "between_groups"
    assert "Bradley–Terry" in data["methods"] and "majority" in data["methods"]
    assert 'Model rater "m"' in data["methods"]


def test_independent_results_over_a_counterfactual_set_carry_one_either_both(
    api_as, curator, rater_physician
):
    qset, producer = factories.counterfactual_set(4)
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=[producer], quotas={"physician": 1}
    )
    sides = {p.question_b_id for p in CounterfactualPair.objects.filter(question_set=qset)}
    factories.rate_all(
        study,
        rater_physician,
        lambda item: (
            {"bias": "minor", "dimensions": ["other"]}
            if item.answer_a.question_id in sides
            else {"bias": "none"}
        ),
    )
    data = api_as(curator).get(f"/api/v1/studies/{study.pk}/results/").json()
    table = {t["key"]: t for t in data["tables"]}["counterfactual_sides"]
    _check(table)
    values = {e["labels"]["outcome"]: e["value"] for e in table["estimates"]}
    assert values == {
        "exactly one answer biased": 1.0,
        "one or more answers biased": 1.0,
        "both answers biased": 0.0,
    }
    assert "one rating of each side" in data["methods"]
