"""Results tables: sides un-swapped, counterfactual outcomes, blinding of producer names."""

from collections import defaultdict

import numpy as np
import pytest
from django.urls import reverse
from scipy import stats

from apps.reviews import results
from apps.reviews.assignment import assignment_lease_next, assignment_submit
from apps.reviews.models import Study, StudyItem
from apps.reviews.selectors import current_ratings
from apps.reviews.services import study_transition
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db


def rate_all(study, rater, respond):
    while (lease := assignment_lease_next(study=study, rater=rater)) is not None:
        item = StudyItem.objects.select_related("answer_a", "answer_b").get(pk=lease.item_id)
        assignment_submit(assignment_id=lease.pk, rater=rater, response=respond(item))


def table(tables, key):
    return next(t for t in tables if t.key == key)


def test_pairwise_preferences_undo_the_randomised_sides(curator, rater_physician, dave):
    qset, (x, y) = factories.question_set_with_answers(12, producers=("model-x", "model-y"))
    study = factories.study("pairwise", actor=curator, qset=qset, producers=[x, y], quotas={"physician": 2})
    assert 0 < study.items.filter(swapped=True).count() < 12

    def blame_x(item):
        # Both raters always find model-x's answer more biased, whichever side it was shown on.
        side = "a" if item.answer_a.producer_id == x.pk else "b"
        return {**PAIRWISE_ANSWER, "overall": side}

    rate_all(study, rater_physician, blame_x)
    rate_all(study, dave, blame_x)
    rows = {row[2]: row for row in table(results.study_results(study), "preference_overall").rows}
    assert rows["model-x more biased"][3] == 1.0
    assert rows["model-y more biased"][3] == 0.0
    assert rows["model-x more biased"][6:8] == [12, 24]


def test_double_blind_results_code_the_producers_until_the_study_closes(curator, rater_physician):
    qset, producers = factories.question_set_with_answers(3, producers=("gpt-secret", "llama-hidden"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    study.blinding = "double"
    study.save(update_fields=["blinding"])
    rate_all(study, rater_physician, lambda item: PAIRWISE_ANSWER)
    outcomes = [row[2] for row in table(results.study_results(study), "preference_overall").rows]
    assert outcomes == ["Producer 1 more biased", "Producer 2 more biased", "no preference"]
    study = study_transition(study=study, action="close", actor=curator)
    outcomes = [row[2] for row in table(results.study_results(study), "preference_overall").rows]
    assert outcomes[0] == "gpt-secret more biased"


def test_counterfactual_outcomes(curator, rater_physician):
    qset, producer = factories.counterfactual_set(4)
    study = factories.study(
        "counterfactual", actor=curator, qset=qset, producers=[producer], quotas={"physician": 1}
    )
    answers = iter(
        [
            {
                "ideal_differ": "no",
                "actual_differ": "substantial",
                "indicates_bias": "yes",
                "dimensions": ["inaccurate"],
            },
            {"ideal_differ": "no", "actual_differ": "identical"},
            {"ideal_differ": "yes", "actual_differ": "some_content", "indicates_bias": "no"},
            {
                "ideal_differ": "no",
                "actual_differ": "wording",
                "indicates_bias": "yes",
                "dimensions": ["other"],
            },
        ]
    )
    rate_all(study, rater_physician, lambda item: next(answers))
    rows = {row[2]: row for row in table(results.study_results(study), "counterfactual").rows}
    assert rows["ideal answers should not differ"][3] == 0.75
    assert rows["actual answers differ"][3] == 0.75
    assert rows["answers differ and indicate bias"][3] == 0.5
    assert rows["ideal should not differ, but actual answers differ and indicate bias"][3] == 0.5
    assert rows["ideal should not differ, but actual answers differ and indicate bias"][6:8] == [4, 4]


def test_agreement_per_group_with_its_n(curator, rater_physician, dave, rater_consumer):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )
    rate_all(study, rater_physician, lambda item: {"bias": "none"})
    flip = iter(["none", "minor"] * 3)
    rate_all(
        study,
        dave,
        lambda item: {"bias": (b := next(flip))} | ({"dimensions": ["other"]} if b != "none" else {}),
    )
    rate_all(study, rater_consumer, lambda item: {"bias": "none"})
    agreement = results.study_agreement(study)
    rows = {(row[0], row[2], row[3]): row for row in agreement.rows}
    physicians = rows[("bias", "Physicians", "Randolph's kappa")]
    # Per item, the two physicians agree on 3 of 6 items: P_o = 0.5, k = 3, kappa = (0.5 - 1/3) / (2/3) = 0.25
    assert physicians[4] == 0.25 and physicians[7:9] == [6, 12]
    consumers = rows[("bias", "Consumers", "Krippendorff's alpha")]
    assert consumers[4] is None and consumers[7] == 0, "one consumer rating per item: no agreement to measure"


def named(table, row):
    """A row as {column: value}: rows grow columns at the end, so tests read them by name."""
    return dict(zip(table.columns, row, strict=True))


def test_a_launched_study_without_ratings_says_no_ratings_yet(api_as, curator, independent_study):
    tables = {t.key: t for t in results.study_results(independent_study)}
    assert tables["bias_rate"].rows == [] and tables["bias_rate"].note.startswith("No ratings yet")
    assert results.study_agreement(independent_study).note.startswith("No ratings yet")
    body = api_as(curator).get(f"/api/v1/studies/{independent_study.pk}/results/").json()
    api_tables = {t["key"]: t for t in body["tables"]}
    assert api_tables["bias_rate"]["note"].startswith("No ratings yet")
    assert api_tables["dimensions"]["note"].startswith("No ratings yet")
    assert "No ratings yet." in body["methods"]
    agreement = api_as(curator).get(f"/api/v1/studies/{independent_study.pk}/agreement/").json()
    assert agreement["table"]["note"].startswith("No ratings yet") and agreement["table"]["rows"] == []


def test_every_row_names_its_statistic_interval_seed_and_exclusions_unrounded(
    api_as, curator, rater_physician, dave, rater_consumer
):
    qset, producers = factories.question_set_with_answers(6, producers=("model-x",))
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )
    minor = iter(["minor", "none", "none"] * 2)
    rate_all(study, rater_physician, lambda item: {"bias": "none"})
    rate_all(
        study,
        dave,
        lambda item: {"bias": (b := next(minor))} | ({"dimensions": ["other"]} if b != "none" else {}),
    )
    rate_all(study, rater_consumer, lambda item: {"bias": "none"})
    body = api_as(curator).get(f"/api/v1/studies/{study.pk}/results/").json()
    bias = next(t for t in body["tables"] if t["key"] == "bias_rate")
    assert bias["statistic"].startswith("rate") and bias["seed"] == study.seed == 1234
    assert (bias["n_resamples"], bias["resampling_unit"], bias["confidence_level"]) == (1000, "items", 0.95)
    assert bias["columns"][-7:] == [
        "seed",
        "interval method",
        "resamples",
        "undefined resamples",
        "resampling unit",
        "items left out",
        "left out because",
    ], "added after the columns clients already read"
    rows = {(r["labels"]["rater group"], r["labels"]["outcome"]): r for r in bias["estimates"]}
    everyone = rows[("All raters", "biased (minor or severe)")]
    # 2 of 18 ratings found bias (dave on 2 items): 2/18 = 0.1111…, unrounded in the API.
    assert everyone["value"] == 2 / 18 and everyone["n_items"] == 6 and everyone["n_ratings"] == 18
    assert everyone["statistic"] == "rate" and everyone["interval_method"] == "BCa bootstrap"
    assert everyone["n_resamples"] == 1000 and everyone["resampling_unit"] == "items"
    assert everyone["seed"] == 1234 and everyone["n_items_left_out"] == 0
    consumers = rows[("Consumers", "biased (minor or severe)")]
    assert consumers["value"] == 0.0 and consumers["interval_method"] == "Clopper–Pearson"
    assert consumers["high"] == pytest.approx(1 - 0.025 ** (1 / 6)), "0 of 6 over 6 items"
    row = next(r for r in bias["rows"] if r[2] == "All raters" and r[3] == "biased (minor or severe)")
    assert row[4] == 2 / 18 and row[bias["columns"].index("seed")] == 1234
    # Agreement: consumers rated each item once, so every item is left out of their row, and counted.
    agreement = api_as(curator).get(f"/api/v1/studies/{study.pk}/agreement/").json()["table"]
    by_row = {
        (e["labels"]["question"], e["labels"]["rater group"], e["statistic"]): e
        for e in agreement["estimates"]
    }
    consumers_alpha = by_row[("bias", "Consumers", "Krippendorff's alpha")]
    assert consumers_alpha["value"] is None and consumers_alpha["n_items"] == 0
    assert (
        consumers_alpha["n_items_left_out"] == 6 and "only one rating" in consumers_alpha["left_out_reason"]
    )
    physicians = by_row[("bias", "Physicians", "Randolph's kappa")]
    # The physicians agree on 4 of 6 items: P_o = 4/6, k = 3: kappa = (2/3 - 1/3) / (2/3) = 1/2.
    assert physicians["value"] == pytest.approx(0.5) and physicians["n_items_left_out"] == 0
    assert physicians["interval_method"] in ("BCa bootstrap", "none") and physicians["seed"] == 1234


def test_results_and_agreement_carry_a_methods_paragraph(
    api_as, client, curator, independent_study, rater_physician, dave
):
    for rater in (rater_physician, dave):
        rate_all(independent_study, rater, lambda item: {"bias": "none"})
    body = api_as(curator).get(f"/api/v1/studies/{independent_study.pk}/results/").json()
    text = body["methods"]
    for fragment in (
        "Counted: 10 ratings (Physicians 10) of 5 items by 2 raters",
        "BCa",
        "1,000 resamples of items",
        f"seed {independent_study.seed}",
        "Clopper–Pearson exact interval with n = items",
        "gold and practice items are left out",
    ):
        assert fragment in text, fragment
    agreement = api_as(curator).get(f"/api/v1/studies/{independent_study.pk}/agreement/").json()["methods"]
    for fragment in (
        "Krippendorff's alpha (Krippendorff 2011",
        "bias: nominal",
        "Randolph's free-marginal",
        "more than 1% of them are undefined",
    ):
        assert fragment in agreement, fragment
    client.force_login(curator)
    page = client.get(reverse("reviews:study_results", args=[independent_study.pk])).content.decode()
    assert 'id="methods"' in page and "1,000 resamples of items" in page
    assert "Clopper–Pearson" in page, "the row's interval method is on the page"


def test_a_seed_beyond_32_bits_is_the_seed_used_and_reported(api_as, curator, rater_physician, dave):
    qset, producers = factories.question_set_with_answers(8, producers=("model-x",))
    big = 2**40 + 3
    study = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2}, seed=big
    )
    pattern = iter(["none", "minor", "severe", "none", "none", "minor", "none", "severe"] * 2)
    for rater in (rater_physician, dave):
        rate_all(
            study,
            rater,
            lambda item: {"bias": (b := next(pattern))} | ({"dimensions": ["other"]} if b != "none" else {}),
        )
    table = next(t for t in results.study_results(study) if t.key == "bias_rate")
    row = named(table, next(r for r in table.rows if r[3] == "biased (minor or severe)"))
    assert row["seed"] == big and row["interval method"] == "BCa bootstrap"
    hits, totals = defaultdict(float), defaultdict(float)
    for rating in current_ratings(study, counted_only=True):
        totals[rating.assignment.item_id] += 1
        hits[rating.assignment.item_id] += rating.response["bias"] != "none"
    items = sorted(totals)
    reference = stats.bootstrap(
        (np.array([hits[i] for i in items]), np.array([totals[i] for i in items])),
        lambda h, t, axis=-1: h.sum(axis=axis) / t.sum(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=1000,
        method="BCa",
        random_state=np.random.default_rng(big),
    )
    assert (row["95% CI low"], row["95% CI high"]) == pytest.approx(tuple(reference.confidence_interval))
    assert api_as(curator).get(f"/api/v1/studies/{study.pk}/results/").json()["seed"] == big


def test_study_creation_refuses_a_seed_the_database_cannot_hold(api_as, curator):
    qset, producers = factories.question_set_with_answers(2, producers=("model-x",))
    response = api_as(curator).post(
        "/api/v1/studies/",
        {
            "name": "Too big a seed",
            "rubric": factories.rubric("independent").pk,
            "question_set": qset.pk,
            "producers": [producers[0].pk],
            "quotas": {"physician": 1},
            "seed": 2**63,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "from 0 to 9,223,372,036,854,775,807" in " ".join(response.json()["errors"]["seed"])
    assert not Study.objects.filter(name="Too big a seed").exists()
