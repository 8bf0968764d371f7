"""The rater path's query budget (issue 17): every request a rater makes in the loop sends a fixed,
small number of statements whatever the study holds. A change that adds a query to one of these
requests fails here; raise a ceiling only with a reason in apps/reviews/README.md ("Cost on the rater
path").

Counted as PostgreSQL sees them: the tests run outside a test transaction (`transaction=True`), so BEGIN
and COMMIT count, and the after-commit webhook check runs; the API is called with a real token (its
look-up counts), pages with a session (session and user look-ups count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.services import token_create
from apps.core.models import WebhookDelivery
from apps.core.webhooks import webhook_create
from apps.reviews.models import Assignment, Rating
from tests.factories import make_rater
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HX-Request": "true"}
FORM = {**PAIRWISE_ANSWER, "time_spent_ms": "5000"}


@pytest.fixture
def study(curator):
    qset, producers = factories.question_set_with_answers(12)
    return factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 3, "consumer": 1}
    )


@pytest.fixture
def api(rater_physician):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=rater_physician, name='t')[1]}")
    client.get("/api/v1/tokens/")  # the token's last-use stamp is written at most once a minute
    return client


@pytest.fixture
def page(client, rater_physician):
    client.force_login(rater_physician)
    return client


@pytest.fixture
def subscribed(curator):
    return webhook_create(
        owner=curator, url="https://example.org/progress", events=["study.progress"], progress_percents=[90]
    )


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries.captured_queries)


def lease(api, study) -> int:
    response = api.post(f"/api/v1/studies/{study.pk}/next/")
    assert response.status_code == 200, response.content
    return response.json()["id"]


def test_next_leases_in_six_queries_and_returns_a_held_lease_in_six(api, study):
    response, new = counted(lambda: api.post(f"/api/v1/studies/{study.pk}/next/"))
    assert response.status_code == 200 and response.json()["item"]["responses"]
    again, held = counted(lambda: api.post(f"/api/v1/studies/{study.pk}/next/"))
    assert again.json()["id"] == response.json()["id"]
    # token, 2 permission look-ups, the study with the rater's context, the lease statement, the texts
    assert (new, held) == (6, 6)


def test_submit_is_six_queries_and_seven_with_a_study_webhook(api, study, subscribed, rater_physician):
    first = lease(api, study)
    response, with_hook = counted(
        lambda: api.post(f"/api/v1/assignments/{first}/submit/", {"response": PAIRWISE_ANSWER}, format="json")
    )
    assert response.status_code == 200 and Rating.objects.filter(assignment_id=first).exists()
    subscribed.delete()
    second = lease(api, study)
    response, without = counted(
        lambda: api.post(
            f"/api/v1/assignments/{second}/submit/", {"response": PAIRWISE_ANSWER}, format="json"
        )
    )
    assert response.status_code == 200
    # token, the assignment, BEGIN, claim + slot + rating, audit entry, COMMIT (+ the progress check)
    assert (without, with_hook) == (6, 7)
    assert not WebhookDelivery.objects.exists(), "90 % is not reached: nothing sent"


def test_skip_is_seven_queries_and_draft_three(api, study):
    first = lease(api, study)
    response, draft = counted(
        lambda: api.put(f"/api/v1/assignments/{first}/draft/", {"response": {"overall": "a"}}, format="json")
    )
    assert response.json() == {"response": {"overall": "a"}}
    response, skip = counted(lambda: api.post(f"/api/v1/assignments/{first}/skip/"))
    assert response.json()["status"] == "skipped"
    assert (draft, skip) == (3, 7)


def test_the_rating_pages_keep_their_budget(page, study, subscribed):
    response, queue = counted(lambda: page.get(reverse("accounts:queue")))
    assert "0 / 36 ratings" in response.content.decode()
    response, start = counted(lambda: page.post(reverse("reviews:rate_next", args=[study.pk])))
    assert response.status_code == 302
    first = int(response["Location"].rstrip("/").split("/")[-1])
    response, rate = counted(lambda: page.get(reverse("reviews:rate", args=[first])))
    assert "Response A" in response.content.decode()
    response, draft = counted(
        lambda: page.post(reverse("reviews:rate_draft", args=[first]), {"overall": "a"})
    )
    assert response.status_code == 200
    response, submit = counted(
        lambda: page.post(reverse("reviews:rate_submit", args=[first]), FORM, headers=HTMX)
    )
    second = int(response["HX-Push-Url"].rstrip("/").split("/")[-1])
    response, skip = counted(lambda: page.post(reverse("reviews:rate_skip", args=[second]), headers=HTMX))
    assert response.status_code == 200 and Assignment.objects.get(pk=second).status == "skipped"
    assert {"queue": queue, "start": start, "rate": rate, "draft": draft, "submit": submit, "skip": skip} == {
        "queue": 10,
        "start": 6,
        "rate": 7,
        "draft": 6,
        "submit": 15,  # submit (with the webhook check), then lease and show the next item
        "skip": 15,
    }


def test_the_queue_page_costs_the_same_with_more_studies(page, study, curator):
    _, one = counted(lambda: page.get(reverse("accounts:queue")))
    for n in range(3):
        qset, producers = factories.question_set_with_answers(3, name=f"More {n}")
        factories.study(
            "pairwise",
            actor=curator,
            qset=qset,
            producers=producers,
            quotas={"physician": 1},
            name=f"More {n}",
        )
    response, four = counted(lambda: page.get(reverse("accounts:queue")))
    assert response.content.decode().count("Start rating") == 4
    assert four == one


def test_next_costs_the_same_after_many_ratings(api, study):
    _, early = counted(lambda: api.post(f"/api/v1/studies/{study.pk}/next/"))
    held = Assignment.objects.get(rater__username="bob", status="leased")
    api.post(f"/api/v1/assignments/{held.pk}/submit/", {"response": PAIRWISE_ANSWER}, format="json")
    for n in range(2):
        rater = make_rater(f"phys{n}", "physician")
        client = APIClient()
        client.force_authenticate(rater)
        while (response := client.post(f"/api/v1/studies/{study.pk}/next/")).status_code == 200:
            pk = response.json()["id"]
            client.post(f"/api/v1/assignments/{pk}/submit/", {"response": PAIRWISE_ANSWER}, format="json")
    assert Rating.objects.count() > 20
    response, late = counted(lambda: api.post(f"/api/v1/studies/{study.pk}/next/"))
    assert response.status_code == 200
    assert late == early
