"""The ratings download streams through COPY: a client that hangs up mid-way cancels it cleanly, and the
same connection serves the next request."""

import pytest
from django.db import connection

from apps.equity.models import Producer
from apps.reviews.models import Rating
from tests.api.exports import read_jsonl
from tests.factories import UserFactory, make_rater
from tests.reviews import factories
from tests.reviews.test_exports import bulk_question_set, bulk_ratings

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_client_that_hangs_up_mid_download_cancels_the_copy(api_as):
    curator = UserFactory(username="alice", role="curator")
    producers = [Producer.objects.create(name="model-x"), Producer.objects.create(name="model-y")]
    qset = bulk_question_set("Hang-up set", 300, producers)
    study = factories.study(
        "pairwise",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 1},
        seed=1,
        launch=False,
        name="Hang-up",
    )
    rater = make_rater("bob", "physician")
    bulk_ratings(study, {rater: rater.rater_profile.group}, lambda *a: factories.PAIRWISE_ANSWER)

    response = api_as(curator).get("/api/v1/exports/ratings.jsonl")
    chunks = iter(response.streaming_content)
    next(chunks)  # the manifest
    first = next(chunks)
    assert first.count(b"\n") < 300 * 8  # the body really is streamed in pieces
    response.close()  # the client goes away

    assert connection.get_autocommit() and not connection.in_atomic_block
    assert Rating.objects.count() == 300  # the connection works
    manifest, rows = read_jsonl(api_as(curator).get("/api/v1/exports/ratings.jsonl"))
    assert manifest["row_count"] == len(rows) == 300 * 8
