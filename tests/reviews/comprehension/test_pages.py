"""Comprehension pages and API: curators make passages and studies from the page; the generic study
pages still work for a comprehension study; raters see only their own item, text first."""

import pytest

from apps.reviews import assignment as engine
from apps.reviews.comprehension import reading
from apps.reviews.comprehension.models import ComprehensionItem, ComprehensionPassage
from tests.corpus.factories import SegmentFactory
from tests.factories import make_rater
from tests.reviews.comprehension.factories import study

pytestmark = pytest.mark.django_db


def test_a_curator_adds_a_passage_with_questions_from_the_page(client, curator):
    segment = SegmentFactory()
    client.force_login(curator)
    data = {
        "document": segment.document_id,
        "segments": "",
        "title": "Chemo",
        "q1_text": "When is chemo given?",
        "q1_options": "After surgery\nBefore surgery",
        "q1_correct": "1",
        "q1_dont_know": "on",
    }
    response = client.post("/reviews/comprehension/passages/new/", data)
    assert response.status_code == 302
    passage = ComprehensionPassage.objects.get()
    assert passage.questions.get().correct == "a"
    refused = client.post("/reviews/comprehension/passages/new/", {**data, "q1_correct": "5"})
    assert (
        refused.status_code == 400
        and "correct must be the number of the correct option" in refused.content.decode()
    )
    assert ComprehensionPassage.objects.count() == 1


def test_the_generic_study_pages_work_for_a_comprehension_study(client, curator):
    made = study(curator, passages=3, quotas={"consumer": 1})
    rater = make_rater("ann", "consumer")
    lease = engine.assignment_lease_next(study=made, rater=rater)
    reading.reading_done(assignment_id=lease.pk, rater=rater, visible_ms=100)
    item = ComprehensionItem.objects.get(item_id=lease.item_id)
    engine.assignment_submit(
        assignment_id=lease.pk, rater=rater, response={q["key"]: "a" for q in item.questions}
    )
    client.force_login(curator)
    detail = client.get(f"/reviews/studies/{made.pk}/").content.decode()
    assert f"/reviews/comprehension/studies/{made.pk}/results/" in detail
    for url in (f"/reviews/studies/{made.pk}/results/", f"/reviews/studies/{made.pk}/agreement/"):
        response = client.get(url)
        assert response.status_code == 200, url
    results = client.get(f"/api/v1/comprehension/studies/{made.pk}/results/").json()
    assert results["n_ratings"] == 1 and results["resampling_unit"] == "texts (passages)"


def test_a_rater_cannot_open_another_raters_item(client, curator):
    made = study(curator, passages=1, quotas={"consumer": 2})
    ann, ben = make_rater("ann", "consumer"), make_rater("ben", "consumer")
    lease = engine.assignment_lease_next(study=made, rater=ann)
    client.force_login(ben)
    assert client.get(f"/reviews/comprehension/assignments/{lease.pk}/").status_code == 404
    client.force_login(ann)
    page = client.get(f"/reviews/assignments/{lease.pk}/", follow=True)
    assert page.status_code == 200 and "Read this text" in page.content.decode()
