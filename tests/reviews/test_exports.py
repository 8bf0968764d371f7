"""GET /api/v1/exports/ratings.{jsonl,csv}: long format, A/B un-swapped, pseudonymous raters, filters,
curators only, manifest row count equal to the rows."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.equity.models import Answer, Producer, Question, QuestionSet, text_hash
from apps.reviews import services
from apps.reviews.exports import FIELDS, rater_pseudonym
from apps.reviews.models import Assignment, Rating, Study
from tests.api.exports import read_csv, read_jsonl
from tests.factories import make_rater
from tests.reviews import factories

pytestmark = pytest.mark.django_db

JSONL = "/api/v1/exports/ratings.jsonl"
CSV = "/api/v1/exports/ratings.csv"
DIMENSIONS = [f"dim_{key}" for key, _ in factories.BIAS_DIMENSIONS]
START = timezone.now().replace(microsecond=0) - timedelta(days=10)


def bulk_question_set(name: str, n: int, producers: list[Producer]) -> QuestionSet:
    """A question set of n questions, each answered by every producer (bulk inserts: fast)."""
    qset = QuestionSet.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    texts = [f"{name}: question {i} about kidney function?" for i in range(n)]
    questions = Question.objects.bulk_create(
        Question(question_set=qset, text=t, text_hash=text_hash(t), position=i) for i, t in enumerate(texts)
    )
    Answer.objects.bulk_create(
        Answer(
            question=q, producer=p, text=f"{p.name} answers {q.pk}.", text_hash=text_hash(f"{p.pk}:{q.pk}")
        )
        for q in questions
        for p in producers
    )
    return qset


def bulk_ratings(study: Study, raters: dict, respond) -> list[Rating]:
    """Every rater rates every regular item once: `respond(item, rater, n)` gives the response.
    Submitted times step one minute per rating from START."""
    now = timezone.now()
    items = list(study.items.order_by("position"))
    assignments = Assignment.objects.bulk_create(
        Assignment(
            study=study,
            item=item,
            rater=rater,
            group=group,
            status=Assignment.Status.SUBMITTED,
            leased_at=now,
            submitted_at=now,
            time_spent_ms=1000,
        )
        for rater, group in raters.items()
        for item in items
    )
    return Rating.objects.bulk_create(
        Rating(
            assignment=a,
            response=respond(a.item, a.rater, n),
            submitted_at=START + timedelta(minutes=n),
            author=a.rater,
        )
        for n, a in enumerate(assignments)
    )


def first_physician(raters: dict) -> dict:
    """The first physician of the `raters` fixture, as {user: group} for `bulk_ratings`."""
    user, group = next((u, g) for u, g in raters.items() if g.slug == "physician")
    return {user: group}


@pytest.fixture
def producers(db):
    return [
        Producer.objects.create(name="model-x", revision="v1"),
        Producer.objects.create(name="model-y"),
    ]


@pytest.fixture
def raters(db):
    """Five physicians and five consumers."""
    made = {}
    for group in ("physician", "consumer"):
        for n in range(5):
            user = make_rater(f"{group}{n}", group)
            made[user] = user.rater_profile.group
    return made


@pytest.fixture
def big_pairwise(curator, producers, raters):
    """1,000 pairwise items × 10 raters = 10,000 ratings. Every rater prefers model-x's answer as
    "less biased", i.e. picks the side showing model-y as "more biased", wherever that side was shown."""
    qset = bulk_question_set("OMAQ big", 1000, producers)
    study = factories.study(
        "pairwise",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 5, "consumer": 5},
        seed=7,
        launch=False,
        name="Big pairwise",
    )
    rng = random.Random(3)

    def respond(item, rater, n):
        side_of_y = "a" if item.swapped else "b"  # model-y is the second producer
        response = {"overall": side_of_y}
        response.update({key: rng.choice(["a", "b", "none"]) for key in DIMENSIONS})
        if n % 7 == 0:
            response["comment"] = f"Rating {n}."
        return response

    ratings = bulk_ratings(study, raters, respond)
    return study, qset, ratings


def test_10000_ratings_export_one_row_per_rating_and_question_with_sides_undone(
    api_as, curator, big_pairwise, producers
):
    study, qset, ratings = big_pairwise
    assert len(ratings) == 10_000
    items = {i.pk: i for i in study.items.all()}
    assert {i.swapped for i in items.values()} == {True, False}  # both sides were really randomised

    response = api_as(curator).get(JSONL)
    assert response.status_code == 200
    manifest, rows = read_jsonl(response)

    expected = {}
    for rating in ratings:
        swapped = items[rating.assignment.item_id].swapped
        for key, value in rating.response.items():
            if swapped and key != "comment" and value in ("a", "b"):
                value = {"a": "b", "b": "a"}[value]
            expected[(rating.pk, key)] = value
    assert len(rows) == len(expected) == manifest["row_count"]
    assert {(r["rating_id"], r["question_key"]): r["value"] for r in rows} == expected
    # Whatever side the rater saw, model-y (the second producer, "b") was judged more biased.
    overall = [r for r in rows if r["question_key"] == "overall"]
    assert len(overall) == 10_000 and {r["value"] for r in overall} == {"b"}
    assert {(r["producer_a"], r["producer_b"]) for r in rows} == {("model-x (v1)", "model-y")}
    assert {r["sides_swapped"] for r in overall} == {True, False}
    first = rows[0]
    assert set(first) == set(FIELDS)
    assert (first["study_id"], first["study"], first["question_set"], first["rubric"]) == (
        study.pk,
        "Big pairwise",
        "OMAQ big",
        study.rubric.name,
    )
    assert (manifest["export"], manifest["schema_version"], manifest["filters"]) == ("ratings", 1, {})


def test_raters_are_pseudonymous_and_stable(api_as, curator, big_pairwise, raters):
    _, _, _ = big_pairwise
    manifest, rows = read_jsonl(api_as(curator).get(JSONL, {"rater_group": "consumer"}))
    ids = {r["rater"] for r in rows}
    consumers = [u for u, g in raters.items() if g.slug == "consumer"]
    assert ids == {rater_pseudonym(u.pk) for u in consumers}
    body = str(rows)
    assert not any(u.username in body for u in raters)  # never the username
    # The same rater gets the same id in the next export.
    _, again = read_jsonl(api_as(curator).get(JSONL, {"rater_group": "consumer"}))
    assert {r["rater"] for r in again} == ids


def test_filters_by_study_group_question_set_and_time(api_as, curator, big_pairwise, producers, raters):
    study, qset, ratings = big_pairwise
    other_set = bulk_question_set("EHAI small", 5, producers[:1])
    other = factories.study(
        "independent",
        actor=curator,
        qset=other_set,
        producers=producers[:1],
        quotas={"physician": 1},
        seed=1,
        launch=False,
        name="Independent",
    )
    bulk_ratings(other, first_physician(raters), lambda item, rater, n: {"bias": "none"})
    client = api_as(curator)

    def export(**params):
        manifest, rows = read_jsonl(client.get(JSONL, params))
        assert manifest["row_count"] == len(rows)
        return manifest, rows

    manifest, rows = export(study=other.pk)
    assert {(r["study_id"], r["question_key"], r["value"]) for r in rows} == {(other.pk, "bias", "none")}
    assert len(rows) == 5 and manifest["filters"] == {"study": other.pk}
    assert {r["producer_b"] for r in rows} == {None}

    _, rows = export(question_set=qset.pk)
    assert {r["study_id"] for r in rows} == {study.pk}

    _, rows = export(study=study.pk, rater_group="physician")
    assert {r["rater_group"] for r in rows} == {"physician"}
    assert len({r["rating_id"] for r in rows}) == 5000

    after, before = START + timedelta(minutes=100), START + timedelta(minutes=200)
    manifest, rows = export(
        study=study.pk, submitted_after=after.isoformat(), submitted_before=before.isoformat()
    )
    assert {r["rating_id"] for r in rows} == {r.pk for r in ratings if after <= r.submitted_at < before}
    assert len({r["rating_id"] for r in rows}) == 100
    assert manifest["filters"]["submitted_after"].startswith(after.date().isoformat())

    bad = client.get(JSONL, {"rater_group": "astronaut", "study": "x"})
    assert bad.status_code == 400
    assert "astronaut" in str(bad.json()["errors"]["rater_group"]) and "study" in bad.json()["errors"]


def test_csv_has_the_same_rows_as_text_with_lists_as_json(api_as, curator, producers, raters):
    qset = bulk_question_set("CSV set", 3, producers[:1])
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers[:1],
        quotas={"physician": 1},
        seed=1,
        launch=False,
        name="Independent CSV",
    )
    bulk_ratings(
        study,
        first_physician(raters),
        lambda item, rater, n: {"bias": "minor", "dimensions": ["inaccurate", "other"], "comment": "Fine."},
    )
    response = api_as(curator).get(CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="ratings.csv"'
    manifest, rows = read_csv(response)
    assert list(rows[0]) == FIELDS == manifest["fields"]
    assert len(rows) == 9 == manifest["row_count"]
    values = {(r["question_key"], r["value"]) for r in rows}
    assert values == {("bias", "minor"), ("dimensions", '["inaccurate", "other"]'), ("comment", "Fine.")}
    assert {r["producer_a"] for r in rows} == {"model-x (v1)"} and {r["producer_b"] for r in rows} == {""}


def test_csv_neutralises_formulas_but_jsonl_keeps_the_text(api_as, curator, producers, raters):
    qset = bulk_question_set("Formula set", 1, producers[:1])
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers[:1],
        quotas={"physician": 1},
        seed=1,
        launch=False,
        name="=cmd|' /C calc'!A0",
    )
    comment = '=HYPERLINK("http://evil.example","click")'
    bulk_ratings(study, first_physician(raters), lambda *a: {"bias": "none", "comment": comment})
    _, rows = read_csv(api_as(curator).get(CSV))
    by_key = {r["question_key"]: r for r in rows}
    assert by_key["comment"]["value"] == "'" + comment
    assert by_key["bias"]["study"] == "'=cmd|' /C calc'!A0"
    assert by_key["bias"]["rating_version"] == "1"  # numbers stay numbers
    _, records = read_jsonl(api_as(curator).get(JSONL))
    assert {r["question_key"]: r["value"] for r in records}["comment"] == comment


def test_a_corrected_rating_exports_only_its_current_version(api_as, curator, producers, raters):
    qset = bulk_question_set("Correction set", 1, producers[:1])
    study = factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers[:1],
        quotas={"physician": 1},
        seed=1,
        name="Corrections",
    )
    (rating,) = bulk_ratings(study, first_physician(raters), lambda *a: {"bias": "none"})
    services.rating_correct(
        rating_id=rating.pk,
        actor=curator,
        response={"bias": "minor", "dimensions": ["other"]},
        reason="Misclick",
    )
    _, rows = read_jsonl(api_as(curator).get(JSONL, {"study": study.pk}))
    assert sorted((r["question_key"], r["value"], r["rating_version"]) for r in rows) == [
        ("bias", "minor", 2),
        ("dimensions", ["other"], 2),
    ]


def test_double_blind_studies_export_coded_producers_until_closed(api_as, curator, producers, raters):
    qset = bulk_question_set("Blind set", 2, producers)
    study = factories.study(
        "pairwise",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 1},
        seed=1,
        launch=False,
        name="Blind",
        blinding=Study.Blinding.DOUBLE,
    )
    bulk_ratings(study, first_physician(raters), lambda *a: {"overall": "none"})
    _, rows = read_jsonl(api_as(curator).get(JSONL))
    assert {(r["producer_a"], r["producer_b"]) for r in rows} == {("Producer 1", "Producer 2")}
    Study.objects.filter(pk=study.pk).update(status=Study.Status.CLOSED)
    _, rows = read_jsonl(api_as(curator).get(JSONL))
    assert {(r["producer_a"], r["producer_b"]) for r in rows} == {("model-x (v1)", "model-y")}


def test_raters_and_anonymous_callers_cannot_export(api, api_as, rater_physician):
    for path in (JSONL, CSV):
        assert api.get(path).status_code == 401
        response = api_as(rater_physician).get(path)
        assert response.status_code == 403
        assert not response.streaming and "curator" in response.json()["detail"]
