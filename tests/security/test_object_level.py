"""Object-level access, spelled out: rater B never reads or changes rater A's assignments, draft or
rating (pages and API answer 404 and nothing changes), lists show each rater only their own, and the
leak scan the matrix applies to rater-visible bodies is not vacuous (the strings it looks for are on
the pages of those allowed to see them)."""

from django.urls import reverse
from rest_framework.test import APIClient

from apps.reviews.models import Assignment, Rating
from tests.reviews import factories as review_factories
from tests.security.runner import body_of, forbidden_for, leaks
from tests.security.world import DRAFT_SECRET_A, PRODUCER_NAMES, RATING_SECRET_A, RATING_SECRET_B


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _results(response) -> list:
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def test_rater_b_never_reads_rater_a_assignments_draft_or_rating(world):
    b = _client(world.rater_b)
    for assignment in (world.assignment_a, world.assignment_a_submitted):
        page = b.get(reverse("reviews:rate", args=[assignment.pk]))
        api = b.get(f"/api/v1/assignments/{assignment.pk}/")
        assert page.status_code == 404, assignment
        assert api.status_code == 404 and "not visible to your account" in api.json()["detail"]
        for body in (page.content.decode(), api.content.decode()):
            assert DRAFT_SECRET_A not in body and RATING_SECRET_A not in body


def test_rater_b_never_changes_rater_a_draft_or_rating(world):
    b = _client(world.rater_b)
    draft, done = world.assignment_a, world.assignment_a_submitted
    answer = {"bias": "severe", "dimensions": ["other"], "comment": "overwritten by B"}
    form = {"bias": "severe", "dimensions": "other", "comment": "overwritten by B"}
    attempts = [
        ("post", reverse("reviews:rate_draft", args=[draft.pk]), form, None),
        ("post", reverse("reviews:rate_submit", args=[draft.pk]), form, None),
        ("post", reverse("reviews:rate_skip", args=[draft.pk]), {}, None),
        ("put", f"/api/v1/assignments/{draft.pk}/draft/", {"response": answer}, "json"),
        ("post", f"/api/v1/assignments/{draft.pk}/submit/", {"response": answer}, "json"),
        ("post", f"/api/v1/assignments/{draft.pk}/skip/", {}, "json"),
        ("post", f"/api/v1/assignments/{done.pk}/correct/", {"response": answer, "reason": "B's"}, "json"),
        (
            "post",
            f"/api/v1/ratings/{world.rating_a.pk}/correct/",
            {"response": answer, "reason": "B's"},
            "json",
        ),
    ]
    answers = {
        url: getattr(b, method)(url, data, format=fmt).status_code for method, url, data, fmt in attempts
    }

    assert answers == {url: 403 if "/ratings/" in url else 404 for _, url, _, _ in attempts}
    draft.refresh_from_db()
    assert draft.status == Assignment.Status.LEASED and draft.rater == world.rater_a
    assert draft.draft == {"bias": "minor", "comment": DRAFT_SECRET_A}
    ratings = list(Rating.objects.filter(assignment__rater=world.rater_a).values_list("response", "version"))
    assert ratings == [({"bias": "none", "comment": RATING_SECRET_A}, 1)]


def test_a_rater_outside_a_study_neither_sees_nor_joins_it(world):
    qset, producers = review_factories.question_set_with_answers(
        2, producers=PRODUCER_NAMES, name="Phys only"
    )
    study = review_factories.study(
        "independent", actor=world.curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    a, b = _client(world.rater_a), _client(world.rater_b)  # B is a consumer: no quota here
    assignments = Assignment.objects.count()
    answers = {
        "consent page": b.get(reverse("reviews:study_consent", args=[study.pk])),
        "next page": b.post(reverse("reviews:rate_next", args=[study.pk])),
        "study": b.get(f"/api/v1/studies/{study.pk}/"),
        "onboarding": b.get(f"/api/v1/studies/{study.pk}/onboarding/"),
        "next": b.post(f"/api/v1/studies/{study.pk}/next/"),
        "consent": b.post(f"/api/v1/studies/{study.pk}/consent/", {"version": 1}, format="json"),
    }

    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 404)
    assert study.pk not in [s["id"] for s in _results(b.get("/api/v1/studies/"))]
    assert Assignment.objects.count() == assignments
    assert a.get(f"/api/v1/studies/{study.pk}/").status_code == 200  # the physician does take part


def test_lists_show_each_rater_only_their_own(world):
    b = _client(world.rater_b)
    assignments = _results(b.get("/api/v1/assignments/"))
    in_study = _results(b.get(f"/api/v1/assignments/?study={world.study.pk}"))
    assert [a["id"] for a in assignments] == [a["id"] for a in in_study] == [world.assignment_b.pk]
    assert _results(b.get("/api/v1/tokens/")) == []  # rater A's token is not listed
    assert _results(b.get("/api/v1/jobs/")) == []  # nor the curator's job
    studies = _results(b.get("/api/v1/studies/"))
    assert [s["id"] for s in studies] == [world.study.pk]
    # no internal name or description, no source, seed, quotas
    assert set(studies[0]) == {"id", "title", "instructions", "kind", "status"}
    assert studies[0]["title"] == world.study.rater_title

    a = _client(world.rater_a)
    mine = {x["id"] for x in _results(a.get("/api/v1/assignments/"))}
    assert mine == {
        world.assignment_a.pk,
        world.assignment_a_submitted.pk,
        world.comprehension_assignment.pk,
        world.instrument_assignment.pk,
    }
    assert [t["id"] for t in _results(a.get("/api/v1/tokens/"))] == [world.token_a.pk]


def test_the_leak_scan_finds_what_it_looks_for_where_it_is_allowed(world):
    """Each forbidden string is on a page of someone allowed to read it, so the matrix's scan of rater
    bodies would catch it there; and each rater's own item pages are clean of the other's."""
    curator, a, b = _client(world.curator), _client(world.rater_a), _client(world.rater_b)

    own_draft = a.get(reverse("reviews:rate", args=[world.assignment_a.pk]))
    own_rating = a.get(reverse("reviews:rate", args=[world.assignment_a_submitted.pk]))
    b_rating = b.get(f"/api/v1/assignments/{world.assignment_b.pk}/")
    producers = curator.get(reverse("equity:question_detail", args=[world.question.pk]))
    results = curator.get(reverse("reviews:study_results", args=[world.study.pk]))
    raters = curator.get("/api/v1/raters/")
    export = curator.get("/api/v1/exports/ratings.csv")
    study_page = curator.get(reverse("reviews:study_detail", args=[world.study.pk]))
    queue = a.get(reverse("accounts:queue"))

    assert world.study.name in body_of(study_page) and world.study.rater_title in body_of(queue)
    assert world.study.rater_instructions in body_of(own_draft) and world.study.description
    assert DRAFT_SECRET_A in body_of(own_draft) and RATING_SECRET_A in body_of(own_rating)
    assert RATING_SECRET_B in body_of(b_rating)
    assert PRODUCER_NAMES[0] in body_of(producers)
    assert "Completion by rater group" in body_of(results)
    assert world.rater_a.email in body_of(raters) and world.rater_b.username in body_of(raters)
    assert leaks(export, body_of(export), {}) == ["an export download"]

    checked = (("rater_a", own_draft), ("rater_a", own_rating), ("rater_b", b_rating), ("rater_a", queue))
    for role, response in checked:
        assert response.status_code == 200
        assert leaks(response, body_of(response), forbidden_for(world, role)) == [], role
    b_page = b.get(reverse("reviews:rate", args=[world.assignment_b.pk]))
    assert b_page.status_code == 200
    assert leaks(b_page, body_of(b_page), forbidden_for(world, "rater_b")) == []
