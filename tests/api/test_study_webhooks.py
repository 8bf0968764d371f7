"""study.progress and study.completed: emitted after submitted ratings, once per webhook, study and
percentage; only to the webhooks that subscribed."""

import pytest

from apps.core.models import WebhookDelivery
from apps.core.webhooks import webhook_create
from apps.reviews import assignment as engine
from apps.reviews.events import study_progress_check
from tests.reviews import factories

pytestmark = pytest.mark.django_db

INDEPENDENT_ANSWER = {"bias": "none"}


@pytest.fixture
def study(curator):
    qset, producers = factories.question_set_with_answers(4, producers=("model-x",))
    return factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 1},
        name="Four items",
    )


def rate_one(study, rater, capture):
    with capture(execute=True):
        lease = engine.assignment_lease_next(study=study, rater=rater)
        engine.assignment_submit(assignment_id=lease.pk, rater=rater, response=INDEPENDENT_ANSWER)


def sent(hook, event):
    return [d.payload for d in WebhookDelivery.objects.filter(webhook=hook, event=event).order_by("id")]


def test_progress_and_completion_are_sent_once_each_to_their_subscribers(
    curator, rater_physician, study, django_capture_on_commit_callbacks
):
    quarter = webhook_create(
        owner=curator, url="https://example.org/a", events=["study.progress"], progress_percents=[25, 50]
    )
    done = webhook_create(owner=curator, url="https://example.org/b", events=["study.completed"])
    jobs = webhook_create(owner=curator, url="https://example.org/c", events=["job.finished"])

    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    assert [p["percent"] for p in sent(quarter, "study.progress")] == [25]
    assert sent(done, "study.completed") == []

    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    assert [p["percent"] for p in sent(quarter, "study.progress")] == [25, 50]  # not again at 75 %
    assert sent(done, "study.completed") == []

    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    assert sent(done, "study.completed") == [
        {"study": study.pk, "name": "Four items", "submitted": 4, "needed": 4}
    ]
    assert sent(quarter, "study.progress")[1] == {
        "study": study.pk,
        "name": "Four items",
        "submitted": 2,
        "needed": 4,
        "percent": 50,
        "progress": 50.0,
    }
    assert not WebhookDelivery.objects.filter(webhook=jobs).exists()
    # Checking again (a late or repeated check) sends nothing new.
    assert study_progress_check(study_id=study.pk) == []
    assert WebhookDelivery.objects.filter(webhook__in=[quarter, done]).count() == 3


def test_a_webhook_registered_late_gets_the_percentages_already_passed_with_the_next_rating(
    curator, rater_physician, study, django_capture_on_commit_callbacks
):
    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    late = webhook_create(owner=curator, url="https://example.org/late", events=["study.progress"])
    assert sent(late, "study.progress") == []
    rate_one(study, rater_physician, django_capture_on_commit_callbacks)
    assert [(p["percent"], p["submitted"]) for p in sent(late, "study.progress")] == [(50, 3)]


def test_webhooks_validate_their_progress_percentages(api_as, curator):
    client = api_as(curator)
    created = client.post(
        "/api/v1/webhooks/", {"url": "https://example.org/h", "events": ["study.progress"]}, format="json"
    )
    assert created.status_code == 201 and created.json()["progress_percents"] == [50]
    bad = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/h", "events": ["study.progress"], "progress_percents": [0, 150]},
        format="json",
    )
    assert bad.status_code == 400 and "progress_percents" in bad.json()["errors"]
    custom = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/h", "events": ["study.progress"], "progress_percents": [75, 25, 75]},
        format="json",
    )
    assert custom.json()["progress_percents"] == [25, 75]


@pytest.mark.django_db(transaction=True)
def test_two_raters_finishing_a_study_at_once_send_one_completion(curator, rater_physician):
    import threading

    from django.db import connection

    from tests.factories import make_rater

    dave = make_rater("dave", "physician")
    qset, producers = factories.question_set_with_answers(2, producers=("model-x",))
    two = factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    hook = webhook_create(owner=curator, url="https://example.org/done", events=["study.completed"])
    leases = {
        rater: engine.assignment_lease_next(study=two, rater=rater) for rater in (rater_physician, dave)
    }
    barrier = threading.Barrier(2)

    def submit(rater):
        try:
            barrier.wait()
            engine.assignment_submit(assignment_id=leases[rater].pk, rater=rater, response=INDEPENDENT_ANSWER)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(rater,)) for rater in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p["submitted"] for p in sent(hook, "study.completed")] == [2]
