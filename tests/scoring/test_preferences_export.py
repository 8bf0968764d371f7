"""GET /api/v1/exports/preferences.jsonl: DPO-ready records from reward ranks and curator decisions."""

import json

import pytest

from apps.scoring.models import Candidate
from apps.scoring.prompts import prompt_messages, template_get
from tests.api.exports import read_csv, read_jsonl
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/preferences.jsonl"
FIELDS = set(
    "prompt chosen rejected source run_id segment_id chosen_candidate_id rejected_candidate_id "
    "chosen_reward rejected_reward prompt_template study_item_id votes".split()
)


def _candidates(run, segment, rewards_and_texts, decisions=None):
    rows = []
    for index, (reward, text) in enumerate(rewards_and_texts):
        decision = (decisions or {}).get(index, Candidate.Decision.PENDING)
        rows.append(
            CandidateFactory(
                run=run, segment=segment, index=index, text=text, reward=reward, decision=decision
            )
        )
    return rows


def _export(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    manifest, records = read_jsonl(response)
    assert manifest["export"] == "preferences" and manifest["row_count"] == len(records)
    return records


def test_the_export_pairs_best_and_worst_and_accepted_over_original_without_duplicates(
    api_as, curator, segments
):
    first, second = segments
    run_a = ModelRunFactory()
    texts = [
        (0.9, "Never take more than 4 grams a day."),
        (0.1, "Take 4 grams."),
        (0.5, "Do not take a lot."),
    ]
    best, worst, _ = _candidates(run_a, first, texts, {0: "accepted", 1: "rejected"})
    # A second run with the same prompt and the same texts repeats every pair: exported once.
    run_b = ModelRunFactory()
    _candidates(run_b, first, texts)
    # Equal rewards give no reward pair.
    _candidates(run_a, second, [(0.4, "Start at 45."), (0.4, "Begin screening at 45.")])

    records = _export(api_as(curator))
    assert all(set(record) == FIELDS for record in records)
    keys = [json.dumps([r["prompt"], r["chosen"], r["rejected"]]) for r in records]
    assert len(keys) == len(set(keys)) == 2

    by_source = {r["source"]: r for r in records}
    template = template_get("plain-language", 1)
    expected_prompt = prompt_messages(template, text=first.original, grade=6, style="plain")
    ranked = by_source["reward_rank"]
    assert ranked["prompt"] == expected_prompt
    assert ranked["chosen"] == [{"role": "assistant", "content": best.text}]
    assert ranked["rejected"] == [{"role": "assistant", "content": worst.text}]
    assert (ranked["chosen_reward"], ranked["rejected_reward"]) == (0.9, 0.1)
    assert (ranked["run_id"], ranked["segment_id"]) == (run_a.pk, first.pk)
    # The curator's accepted-over-rejected pair equals the reward pair, so only accepted-over-original is new.
    decided = by_source["curator_decision"]
    assert decided["chosen_candidate_id"] == best.pk and decided["rejected_candidate_id"] is None
    assert decided["rejected"] == [{"role": "assistant", "content": first.original}]

    manifest, rows = read_csv(api_as(curator).get("/api/v1/exports/preferences.csv"))
    assert manifest["row_count"] == len(rows) == 2
    assert sorted(json.loads(row["prompt"]) == expected_prompt for row in rows) == [True, True]


def test_filters_by_run_and_source_and_reports_bad_values(api_as, curator, segments):
    run = ModelRunFactory()
    _candidates(run, segments[0], [(0.9, "Short."), (0.2, "Long text.")], {0: "accepted"})
    client = api_as(curator)
    assert {r["source"] for r in _export(client, "?source=curator_decision")} == {"curator_decision"}
    assert _export(client, f"?run={run.pk + 1000}") == []
    response = client.get(URL + "?source=ratings&run=x")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"source", "run"}


def test_raters_and_anonymous_users_cannot_download_preferences(api, api_as, rater_physician, segments):
    assert api_as(rater_physician).get(URL).status_code == 403
    assert api.get(URL).status_code == 401
