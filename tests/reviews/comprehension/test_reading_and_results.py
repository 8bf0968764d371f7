"""A rater reads one version, then answers its questions without the text; reading time is the visible
time capped by the lease clock; results give accuracy by version and group, the difference with a named
95% interval, reading time and per-question difficulty, worked by hand."""

from datetime import timedelta

import pytest

from apps.reviews import assignment as engine
from apps.reviews.comprehension import reading
from apps.reviews.comprehension.models import ComprehensionExposure, ComprehensionItem
from apps.reviews.comprehension.results import ALL, comprehension_results
from apps.reviews.models import Assignment
from apps.reviews.rubric import RubricError
from tests.factories import make_rater
from tests.reviews.comprehension.factories import study

pytestmark = pytest.mark.django_db


def test_the_text_comes_first_then_the_questions_without_it_and_never_the_correct_option(
    curator, rater_consumer
):
    made = study(curator, passages=1)
    lease = engine.assignment_lease_next(study=made, rater=rater_consumer)
    first = reading.rater_item(lease)
    assert first["stage"] == "read" and first["text"] and first["questions"] is None
    reading.reading_done(assignment_id=lease.pk, rater=rater_consumer, visible_ms=1234)
    second = reading.rater_item(lease)
    assert second["stage"] == "answer" and second["text"] is None
    assert [o["label"] for o in second["questions"][0]["options"]][-1] == "I don't know"
    assert "correct" not in second["questions"][0]


def test_answers_before_reading_are_refused(curator, rater_consumer):
    made = study(curator, passages=1)
    lease = engine.assignment_lease_next(study=made, rater=rater_consumer)
    item = ComprehensionItem.objects.get(item_id=lease.item_id)
    with pytest.raises(engine.AssignmentError, match="Read the text first"):
        engine.assignment_submit(
            assignment_id=lease.pk, rater=rater_consumer, response={q["key"]: "a" for q in item.questions}
        )


def test_missing_and_unknown_answers_are_named_and_i_dont_know_is_an_answer(curator, rater_consumer):
    made = study(curator, passages=1)
    lease = engine.assignment_lease_next(study=made, rater=rater_consumer)
    reading.reading_done(assignment_id=lease.pk, rater=rater_consumer, visible_ms=None)
    first, second = ComprehensionItem.objects.get(item_id=lease.item_id).questions
    with pytest.raises(RubricError) as refused:
        engine.assignment_submit(assignment_id=lease.pk, rater=rater_consumer, response={first["key"]: "z"})
    assert set(refused.value.errors) == {first["key"], second["key"]}
    assert "Unknown option 'z'" in refused.value.errors[first["key"]][0]
    rating = engine.assignment_submit(
        assignment_id=lease.pk,
        rater=rater_consumer,
        response={first["key"]: "dont_know", second["key"]: "a", "comment": "Clear."},
    )
    assert rating.response == {first["key"]: "dont_know", second["key"]: "a", "comment": "Clear."}


def test_reading_time_is_the_visible_time_capped_by_the_lease_clock(curator, rater_consumer):
    made = study(curator, passages=1)
    lease = engine.assignment_lease_next(study=made, rater=rater_consumer)
    exposure = reading.reading_done(
        assignment_id=lease.pk,
        rater=rater_consumer,
        visible_ms=10**9,
        now=lease.leased_at + timedelta(seconds=42),
    )
    assert exposure.reading_ms == 42_000
    again = reading.reading_done(assignment_id=lease.pk, rater=rater_consumer, visible_ms=5)
    assert again.reading_ms == 42_000  # once read, the record stays


def test_results_by_hand(curator):
    """Four texts, two questions each, two consumers (one per arm), so each text is read once per
    version. Simplified readers answer every question right; original readers one of two."""
    made = study(curator, passages=4, quotas={"consumer": 1}, seed=11)
    readers = [make_rater("ann", "consumer"), make_rater("ben", "consumer")]
    for rater in readers:
        for _ in range(4):
            lease = engine.assignment_lease_next(study=made, rater=rater)
            version = ComprehensionItem.objects.get(item_id=lease.item_id).version
            item = ComprehensionItem.objects.get(item_id=lease.item_id)
            Assignment.objects.filter(pk=lease.pk).update(leased_at=lease.leased_at - timedelta(minutes=5))
            reading.reading_done(
                assignment_id=lease.pk, rater=rater, visible_ms=30_000 if version == "original" else 20_000
            )
            response = {
                q["key"]: "a" if version == "simplified" or n == 0 else "b"
                for n, q in enumerate(item.questions)
            }
            engine.assignment_submit(assignment_id=lease.pk, rater=rater, response=response)
    results = comprehension_results(made)
    assert (results.n_texts, results.n_ratings, results.n_raters, results.seed) == (4, 8, 2, 11)
    accuracy = {(r["group"], r["version"]): r for r in results.accuracy}
    assert accuracy[(ALL, "simplified")]["value"] == 1.0  # 8 of 8
    assert accuracy[(ALL, "simplified")]["interval_method"] == "Clopper–Pearson"
    assert accuracy[(ALL, "original")]["value"] == 0.5  # 4 of 8
    assert accuracy[(ALL, "original")]["n_answers"] == 8
    [consumers, everyone] = results.difference
    assert everyone["group"] == ALL and everyone["value"] == pytest.approx(0.5)
    assert everyone["n_texts"] == everyone["n_texts_both_versions"] == 4
    assert everyone["seed"] == 11 and everyone["resampling_unit"] == "texts (passages)"
    # every text has the same difference (0.5): no sampling spread, so no interval — and it says so
    assert everyone["interval_method"] == "none" and "same value" in everyone["note"]
    reading_rows = {(r["group"], r["version"]): r for r in results.reading}
    assert reading_rows[(ALL, "original")]["median_seconds"] == 30.0
    assert reading_rows[(ALL, "simplified")]["median_seconds"] == 20.0
    first_questions = [r for r in results.difficulty if r["position"] == 1 and r["version"] == "original"]
    second_questions = [r for r in results.difficulty if r["position"] == 2 and r["version"] == "original"]
    assert {r["p_correct"] for r in first_questions} == {1.0} and {
        r["p_correct"] for r in second_questions
    } == {0.0}
    assert "BCa" in results.methods and "seed 11" in results.methods


def test_the_difference_gets_a_bca_interval_when_texts_vary(curator):
    made = study(curator, passages=6, quotas={"consumer": 1}, seed=3, questions=2)
    readers = [make_rater("ann", "consumer"), make_rater("ben", "consumer")]
    right = {0: 2, 1: 1, 2: 2, 3: 0, 4: 1, 5: 2}
    for rater in readers:
        for _ in range(6):
            lease = engine.assignment_lease_next(study=made, rater=rater)
            item = ComprehensionItem.objects.get(item_id=lease.item_id)
            Assignment.objects.filter(pk=lease.pk).update(leased_at=lease.leased_at - timedelta(minutes=5))
            reading.reading_done(assignment_id=lease.pk, rater=rater, visible_ms=1000)
            order = sorted({i.passage_id for i in ComprehensionItem.objects.filter(item__study=made)})
            hits = 2 if item.version == "simplified" else right[order.index(item.passage_id)]
            if item.version == "simplified" and order.index(item.passage_id) == 3:
                hits = 1
            response = {q["key"]: "a" if n < hits else "b" for n, q in enumerate(item.questions)}
            engine.assignment_submit(assignment_id=lease.pk, rater=rater, response=response)
    everyone = comprehension_results(made).difference[-1]
    # simplified 11 of 12, original 8 of 12 → +0.25
    assert everyone["value"] == pytest.approx(11 / 12 - 8 / 12)
    assert everyone["interval_method"] == "BCa bootstrap" and everyone["n_resamples"] == 1000
    assert everyone["low"] < everyone["value"] < everyone["high"]
    assert ComprehensionExposure.objects.filter(study=made).count() == 12
