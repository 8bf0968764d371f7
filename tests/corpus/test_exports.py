"""GET /api/v1/exports/corpus.{jsonl,csv}: streamed, one record per segment, filters, curators only."""

import pytest

from apps.metrics.readability import readability_scores
from tests.api.exports import read_csv, read_jsonl
from tests.corpus.factories import DocumentFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    document = DocumentFactory(title="Stomach cancer", topic="stomach", url="https://www.cancer.org/stomach")
    train = SegmentFactory(document=document, position=1, split="train")
    test = SegmentFactory(
        document=document,
        position=2,
        split="test",
        original="The stomach is an organ.",
        simplified="",
        annotation={"edits": [{"type": "deletion", "text": "x"}]},
    )
    other = SegmentFactory(split="train", status="approved")
    return train, test, other


def test_jsonl_has_one_record_per_segment_with_document_source_split_and_readability(api_as, curator, corpus):
    train, test, other = corpus
    response = api_as(curator).get("/api/v1/exports/corpus.jsonl")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="corpus.jsonl"'
    manifest, records = read_jsonl(response)
    assert (manifest["export"], manifest["row_count"], manifest["filters"]) == ("corpus", 3, {})
    assert [r["id"] for r in records] == [train.pk, test.pk, other.pk]  # by document, then position
    first = records[0]
    assert (first["document_title"], first["topic"], first["source"], first["split"]) == (
        "Stomach cancer",
        "stomach",
        "National Cancer Institute",
        "train",
    )
    assert (
        first["original_flesch_kincaid_grade"] == readability_scores(train.original)["flesch_kincaid_grade"]
    )
    assert first["simplified_words"] == readability_scores(train.simplified)["words"]
    assert records[1]["simplified_flesch_kincaid_grade"] is None  # no simplified text yet
    assert records[1]["annotation"] == {"edits": [{"type": "deletion", "text": "x"}]}


def test_filters_by_split_status_and_document(api_as, curator, corpus):
    train, test, other = corpus
    client = api_as(curator)

    def ids(**params):
        manifest, records = read_jsonl(client.get("/api/v1/exports/corpus.jsonl", params))
        assert manifest["row_count"] == len(records)
        return [r["id"] for r in records]

    assert ids(split="test") == [test.pk]
    assert ids(status="approved") == [other.pk]
    assert ids(document=train.document_id) == [train.pk, test.pk]
    manifest, _ = read_jsonl(client.get("/api/v1/exports/corpus.jsonl", {"split": "test"}))
    assert manifest["filters"] == {"split": "test"}
    assert client.get("/api/v1/exports/corpus.jsonl", {"split": "holdout"}).status_code == 400


def test_csv_has_the_same_records(api_as, curator, corpus):
    response = api_as(curator).get("/api/v1/exports/corpus.csv", {"split": "train"})
    assert response.status_code == 200
    manifest, rows = read_csv(response)
    assert len(rows) == 2 == manifest["row_count"]
    assert {"original", "simplified", "split", "document_title", "original_flesch_reading_ease"} <= set(
        rows[0]
    )
    assert {r["split"] for r in rows} == {"train"}


def test_a_rater_cannot_export(api_as, rater_physician, corpus):
    for path in ("/api/v1/exports/corpus.jsonl", "/api/v1/exports/corpus.csv"):
        response = api_as(rater_physician).get(path)
        assert response.status_code == 403
        assert corpus[0].original not in response.content.decode()
