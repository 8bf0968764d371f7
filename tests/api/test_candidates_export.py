"""GET /api/v1/exports/candidates.{jsonl,csv}: one row per candidate with its run, segment, scores,
flags and decision; filters; curators only."""

import pytest

from apps.scoring.exports import FIELDS
from tests.api.exports import read_csv, read_jsonl
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db

JSONL = "/api/v1/exports/candidates.jsonl"
CSV = "/api/v1/exports/candidates.csv"


@pytest.fixture
def candidates(curator):
    run = ModelRunFactory(model_name="SmolLM2-135M-Instruct", model_revision="sha256:abc", seed=11)
    other_run = ModelRunFactory(model_name="llama")
    document = DocumentFactory(title="Liver cancer")
    train = SegmentFactory(document=document, position=1, split="train", simplified="Short.")
    test = SegmentFactory(document=document, position=2, split="test")
    elsewhere = SegmentFactory(split="train")
    best = CandidateFactory(
        run=run,
        segment=train,
        index=0,
        text="The liver cleans the blood.",
        rank=1,
        reward=0.91,
        sari=42.5,
        flags=[{"code": "number_changed", "severity": "high"}],
        readability={"flesch_kincaid_grade": 4.2},
        decision="accepted",
        decided_by=curator,
    )
    worst = CandidateFactory(
        run=run, segment=train, index=1, text="-1 days", rank=2, reward=0.2, decision="rejected"
    )
    pending = CandidateFactory(run=run, segment=test, index=0)
    foreign = CandidateFactory(run=other_run, segment=elsewhere, index=0)
    return run, best, worst, pending, foreign


def test_one_record_per_candidate_with_run_segment_scores_and_decision(api_as, curator, candidates):
    run, best, worst, pending, foreign = candidates
    manifest, rows = read_jsonl(api_as(curator).get(JSONL))
    assert manifest["row_count"] == len(rows) == 4 and manifest["export"] == "candidates"
    assert [r["id"] for r in rows] == [best.pk, worst.pk, pending.pk, foreign.pk]  # run, segment, index
    first = rows[0]
    assert set(first) == set(FIELDS)
    assert first == {
        **first,
        "run_id": run.pk,
        "model_name": "SmolLM2-135M-Instruct",
        "model_revision": "sha256:abc",
        "run_seed": 11,
        "document_title": "Liver cancer",
        "split": "train",
        "original": best.segment.original,
        "reference": "Short.",
        "text": "The liver cleans the blood.",
        "rank": 1,
        "reward": 0.91,
        "sari": 42.5,
        "flags": [{"code": "number_changed", "severity": "high"}],
        "readability": {"flesch_kincaid_grade": 4.2},
        "decision": "accepted",
        "decided_by": "alice",
    }


def test_filters_by_run_decision_document_and_split(api_as, curator, candidates):
    run, best, worst, pending, foreign = candidates
    client = api_as(curator)

    def ids(**params):
        manifest, rows = read_jsonl(client.get(JSONL, params))
        assert manifest["row_count"] == len(rows)
        return [r["id"] for r in rows]

    assert ids(run=run.pk) == [best.pk, worst.pk, pending.pk]
    assert ids(decision="rejected") == [worst.pk]
    assert ids(document=best.segment.document_id) == [best.pk, worst.pk, pending.pk]
    assert ids(split="test") == [pending.pk]
    assert ids(run=run.pk, split="train", decision="pending") == []
    bad = client.get(JSONL, {"decision": "maybe", "run": "first"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"decision", "run"}


def test_csv_rows_neutralise_formulas_and_write_lists_as_json(api_as, curator, candidates):
    _, best, worst, _, _ = candidates
    manifest, rows = read_csv(api_as(curator).get(CSV, {"decision": "rejected"}))
    assert list(rows[0]) == FIELDS and manifest["row_count"] == len(rows) == 1
    assert rows[0]["text"] == "'-1 days"  # would start a formula in a spreadsheet
    assert rows[0]["reward"] == "0.2"
    _, rows = read_csv(api_as(curator).get(CSV, {"decision": "accepted"}))
    assert rows[0]["flags"] == '[{"code": "number_changed", "severity": "high"}]'


def test_raters_cannot_export_candidates(api, api_as, rater_physician):
    for path in (JSONL, CSV):
        assert api.get(path).status_code == 401
        assert api_as(rater_physician).get(path).status_code == 403
