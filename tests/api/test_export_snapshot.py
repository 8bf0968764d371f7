"""Exports read one snapshot: rows committed while a download streams are not in it, and the manifest's
row count always equals the rows that follow. Real transactions (no test-wrapping transaction)."""

import threading

import pytest
from django.db import connection

from tests.api.exports import read_jsonl
from tests.corpus.factories import SegmentFactory
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_committed_while_streaming_are_left_out_and_the_count_matches(api_as, curator):
    run, segment = ModelRunFactory(), SegmentFactory()
    for index in range(3):
        CandidateFactory(run=run, segment=segment, index=index)
    response = api_as(curator).get("/api/v1/exports/candidates.jsonl")
    assert response.status_code == 200

    # Another request commits a new candidate before this download's body is read.
    writer = threading.Thread(
        target=lambda: (CandidateFactory(run=run, segment=segment, index=3), connection.close())
    )
    writer.start()
    writer.join()

    manifest, rows = read_jsonl(response)
    assert manifest["row_count"] == len(rows) == 3
    assert [r["index"] for r in rows] == [0, 1, 2]
    # The snapshot ended with the body: this connection is back to autocommit and sees the new row.
    assert connection.get_autocommit() and not connection.in_atomic_block
    manifest, rows = read_jsonl(api_as(curator).get("/api/v1/exports/candidates.jsonl"))
    assert manifest["row_count"] == len(rows) == 4


def test_an_unread_download_still_ends_its_transaction(api_as, curator):
    CandidateFactory(segment=SegmentFactory())
    response = api_as(curator).get("/api/v1/exports/candidates.csv")
    assert response.status_code == 200
    response.close()  # the client hung up before reading anything
    assert connection.get_autocommit() and not connection.in_atomic_block
