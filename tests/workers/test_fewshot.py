"""Few-shot retrieval with the embedded MiniLM encoder: nearest approved pairs first, never the segment
itself, never a pair of a held-out segment's own document."""

import pytest

from workers.ml import fewshot

pytestmark = pytest.mark.slow

POOL = [
    fewshot.PoolPair(
        1,
        3,
        10,
        "Do not take more than 4 grams of acetaminophen in 24 hours.",
        "Never take more than 4 grams a day.",
    ),
    fewshot.PoolPair(
        2, 1, 10, "Ibuprofen can irritate the lining of the stomach.", "Ibuprofen can upset your stomach."
    ),
    fewshot.PoolPair(
        3, 1, 20, "Screening should begin at age 45 for people at average risk.", "Start screening at 45."
    ),
    fewshot.PoolPair(
        4,
        2,
        20,
        "Colonoscopy permits visualization of the entire colon.",
        "A colonoscopy shows your whole colon.",
    ),
]


def _ids(chosen):
    return [example["segment"] for example in chosen]


def test_the_nearest_pairs_come_first_with_their_versions_and_similarity():
    query = fewshot.Query(
        segment=99, document=30, split="train", original="Never exceed 4 grams of acetaminophen per day."
    )
    [chosen] = fewshot.nearest_pairs([query], POOL, 2).values()
    assert _ids(chosen)[0] == 1 and len(chosen) == 2
    assert chosen[0]["version"] == 3 and chosen[0]["simplified"] == "Never take more than 4 grams a day."
    assert chosen[0]["similarity"] >= chosen[1]["similarity"]


def test_a_segment_never_gets_itself_and_a_test_segment_never_its_own_document():
    itself = fewshot.Query(segment=1, document=10, split="train", original=POOL[0].original)
    held_out = fewshot.Query(
        segment=50, document=10, split="test", original="Take no more than 4 grams of acetaminophen."
    )
    chosen = fewshot.nearest_pairs([itself, held_out], POOL, 4)
    assert 1 not in _ids(chosen[1]) and _ids(chosen[1])[0] == 2  # same document is fine for train
    assert set(_ids(chosen[50])) == {3, 4}  # pairs 1 and 2 are from the test segment's document


def test_no_examples_for_k_zero_or_an_empty_pool():
    query = fewshot.Query(segment=5, document=1, split="test", original="x")
    assert fewshot.nearest_pairs([query], POOL, 0) == {5: []}
    assert fewshot.nearest_pairs([query], [], 3) == {5: []}
