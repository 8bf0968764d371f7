"""Pairwise ratings become DPO preference pairs: the answer raters found less biased is `chosen`."""

import json

import pytest

from apps.reviews.seed import PAIRWISE
from tests.factories import make_rater
from tests.reviews.qc import submit_for_item

pytestmark = pytest.mark.django_db


def pairwise_response(overall: str) -> dict:
    dims = [q["key"] for q in PAIRWISE["questions"] if q["key"].startswith("dim_")]
    return {"overall": overall, **{key: "none" for key in dims}}


def preference_records(api_as, curator):
    response = api_as(curator).get("/api/v1/exports/preferences.jsonl")
    assert response.status_code == 200
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    return [r for r in lines if r["source"] == "pairwise_rating"]


def test_majority_vote_on_more_bias_picks_the_rejected_answer(
    api_as, curator, pairwise_study, rater_physician, rater_consumer
):
    dave = make_rater("dave", "physician")
    first, second, third = pairwise_study.items.order_by("position")[:3]
    for rater, vote in [(rater_physician, "a"), (dave, "a"), (rater_consumer, "b")]:
        submit_for_item(pairwise_study, rater, first, pairwise_response(vote))
    submit_for_item(pairwise_study, rater_physician, second, pairwise_response("a"))
    submit_for_item(pairwise_study, dave, second, pairwise_response("b"))  # a tie: no pair
    submit_for_item(pairwise_study, rater_physician, third, pairwise_response("none"))  # no preference

    [record] = preference_records(api_as, curator)
    assert record["study_item_id"] == first.pk
    assert record["votes"] == {"more_biased_a": 2, "more_biased_b": 1}
    assert record["prompt"] == [{"role": "user", "content": first.answer_a.question.text}]
    assert record["chosen"] == [{"role": "assistant", "content": first.answer_b.text}]
    assert record["rejected"] == [{"role": "assistant", "content": first.answer_a.text}]


def test_a_run_filter_or_another_source_leaves_rating_pairs_out(
    api_as, curator, pairwise_study, rater_physician
):
    item = pairwise_study.items.order_by("position").first()
    submit_for_item(pairwise_study, rater_physician, item, pairwise_response("b"))
    assert len(preference_records(api_as, curator)) == 1
    only_rewards = api_as(curator).get("/api/v1/exports/preferences.jsonl", {"source": "reward_rank"})
    assert b"pairwise_rating" not in b"".join(only_rewards.streaming_content)
