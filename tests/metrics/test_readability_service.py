"""text_scores_get_or_compute: metrics per text in order, cached by SHA-256, computed once."""

import pytest

from apps.metrics.models import TextScore
from apps.metrics.readability import ENGINE, readability_metrics
from apps.metrics.text_scores import (
    text_scores_by_text,
    text_scores_get_or_compute,
    text_sha256,
)

pytestmark = pytest.mark.django_db

A = "Stomach cancer can be hard to find early. It often has no signs until it has grown."
B = "Gastric adenocarcinoma frequently presents at an advanced stage owing to nonspecific symptoms."


def test_it_returns_metrics_in_the_order_given_and_stores_each_text_once():
    scores = text_scores_get_or_compute([A, B, A])
    assert scores == [readability_metrics(A), readability_metrics(B), readability_metrics(A)]
    assert TextScore.objects.count() == 2
    assert TextScore.objects.get(sha256=text_sha256(B)).metrics == readability_metrics(B)


def test_unchanged_text_is_read_from_the_cache(django_assert_num_queries):
    text_scores_get_or_compute([A, B])
    # One lookup; nothing computed or written (a write would add an INSERT and the savepoint queries).
    with django_assert_num_queries(1):
        assert text_scores_get_or_compute([B, A]) == [
            readability_metrics(B),
            readability_metrics(A),
        ]


def test_a_row_from_another_engine_version_is_recomputed():
    TextScore.objects.create(sha256=text_sha256(A), engine="textstat-0.0.0/r0", metrics={"words": -1})
    [scores] = text_scores_get_or_compute([A])
    assert scores == readability_metrics(A)
    row = TextScore.objects.get(sha256=text_sha256(A))
    assert (row.engine, row.metrics) == (ENGINE, readability_metrics(A))


def test_no_texts_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert text_scores_get_or_compute([]) == []


def test_by_text_keys_each_non_blank_text_once_and_stores_no_blank_one():
    scores = text_scores_by_text([A, "", "  \n", B, A])
    assert scores == {A: readability_metrics(A), B: readability_metrics(B)}
    assert TextScore.objects.count() == 2
