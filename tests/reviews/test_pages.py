"""Rater and curator pages (server side; the keyboard flow is in tests/browser/test_reviews_rating.py)."""

import csv
import io

import pytest
from django.urls import reverse

from apps.reviews.models import Assignment, Rating, Study
from tests.reviews import factories
from tests.reviews.factories import PAIRWISE_ANSWER

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def start(client, study):
    response = client.post(reverse("reviews:rate_next", args=[study.pk]))
    assert response.status_code == 302
    return response


def test_queue_lists_the_raters_studies_with_progress(client, pairwise_study, rater_physician, erin):
    client.force_login(rater_physician)
    page = client.get(reverse("accounts:queue")).content.decode()
    assert f"Study {pairwise_study.pk}" in page and "Start rating" in page
    assert "Test study" not in page, "raters read the neutral title, never the internal name"
    assert "0 / 12 ratings" in page, "physicians' progress: 6 items × quota 2"
    assert "0 / 18 ratings" in page, "overall: 6 × (2 + 1)"
    client.force_login(erin)
    assert f"Study {pairwise_study.pk}" not in client.get(reverse("accounts:queue")).content.decode()


def test_item_page_shows_both_responses_and_the_rubric_but_no_producer(client, curator, rater_physician):
    qset, producers = factories.question_set_with_answers(2, producers=("gpt-secret", "llama-hidden"))
    study = factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 1}
    )
    client.force_login(rater_physician)
    page = client.get(start(client, study)["Location"]).content.decode()
    assert "Response A" in page and "Response B" in page
    assert "Which response shows more bias overall?" in page
    assert '<kbd aria-hidden="true">1</kbd> Response A' in page
    assert "gpt-secret" not in page and "llama-hidden" not in page


def test_counterfactual_page_highlights_the_changed_words(client, curator, rater_physician):
    qset, producer = factories.counterfactual_set(1)
    study = factories.study(
        "counterfactual", actor=curator, qset=qset, producers=[producer], quotas={"physician": 1}
    )
    client.force_login(rater_physician)
    page = client.get(start(client, study)["Location"]).content.decode()
    assert "<mark>for Black women</mark>" in page
    assert "Question A" in page and "Answer B" in page
    # The conditional questions start hidden until their condition holds.
    assert 'id="q-indicates_bias"' in page and 'data-shown-if-key="actual_differ"' in page


def test_htmx_submit_brings_the_next_item_without_a_full_page(client, pairwise_study, rater_physician):
    client.force_login(rater_physician)
    first = int(start(client, pairwise_study)["Location"].rstrip("/").split("/")[-1])
    form = {**PAIRWISE_ANSWER, "time_spent_ms": "5000"}
    response = client.post(reverse("reviews:rate_submit", args=[first]), form, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="rating-item"') and "<html" not in body
    second = Assignment.objects.filter(rater=rater_physician, status="leased").get()
    assert response["HX-Push-Url"] == reverse("reviews:rate", args=[second.pk])
    assert f'data-assignment="{second.pk}"' in body
    assert "<strong>1 of 6</strong> rated by you" in body, "6 items need physicians; bob has rated 1"
    done = Assignment.objects.get(pk=first)
    assert done.status == "submitted" and 0 < done.time_spent_ms <= 5000
    assert Rating.objects.get(assignment=done).response["overall"] == "a"


def test_an_incomplete_form_comes_back_with_messages_and_nothing_saved(
    client, independent_study, rater_physician
):
    client.force_login(rater_physician)
    pk = int(start(client, independent_study)["Location"].rstrip("/").split("/")[-1])
    response = client.post(reverse("reviews:rate_submit", args=[pk]), {"bias": "minor"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in body
    assert "Required: answer &quot;Which kinds of bias are present?&quot;" in body
    assert 'value="minor" checked' in body, "the answer given so far is kept"
    plain = client.post(reverse("reviews:rate_submit", args=[pk]), {"bias": "none", "dimensions": "other"})
    assert plain.status_code == 400 and "only applies when" in plain.content.decode()
    assert not Rating.objects.exists()


def test_drafts_are_saved_and_shown_again(client, independent_study, rater_physician):
    client.force_login(rater_physician)
    location = start(client, independent_study)["Location"]
    pk = int(location.rstrip("/").split("/")[-1])
    saved = client.post(reverse("reviews:rate_draft", args=[pk]), {"bias": "severe", "comment": "half done"})
    assert saved.status_code == 200 and "Draft saved (2 answers)" in saved.content.decode()
    page = client.get(location).content.decode()
    assert 'value="severe" checked' in page and "half done" in page


def test_skip_moves_on(client, independent_study, rater_physician):
    client.force_login(rater_physician)
    pk = int(start(client, independent_study)["Location"].rstrip("/").split("/")[-1])
    response = client.post(reverse("reviews:rate_skip", args=[pk]), headers=HTMX)
    assert "Skipped." in response.content.decode()
    assert Assignment.objects.get(pk=pk).status == "skipped"


def test_a_rater_cannot_open_or_answer_someone_elses_item(client, pairwise_study, rater_physician, dave):
    client.force_login(rater_physician)
    bobs = int(start(client, pairwise_study)["Location"].rstrip("/").split("/")[-1])
    client.force_login(dave)
    assert client.get(reverse("reviews:rate", args=[bobs])).status_code == 404
    assert client.post(reverse("reviews:rate_submit", args=[bobs]), PAIRWISE_ANSWER).status_code == 404
    assert client.post(reverse("reviews:rate_skip", args=[bobs])).status_code == 404
    assert client.post(reverse("reviews:rate_draft", args=[bobs]), {"overall": "b"}).status_code == 404
    bob_assignment = Assignment.objects.get(pk=bobs)
    assert bob_assignment.status == "leased" and bob_assignment.draft == {}


def test_curator_pages_are_for_curators(client, pairwise_study, rater_physician):
    client.force_login(rater_physician)
    for name in ("reviews:study_detail", "reviews:study_results", "reviews:study_agreement"):
        assert client.get(reverse(name, args=[pairwise_study.pk])).status_code == 403
    assert client.get(reverse("reviews:study_list")).status_code == 403


def test_curator_creates_a_study_in_the_browser(client, curator):
    qset, producers = factories.question_set_with_answers(3)
    client.force_login(curator)
    form = client.get(reverse("reviews:study_create")).content.decode()
    assert "Physicians: ratings per item" in form
    response = client.post(
        reverse("reviews:study_create"),
        {
            "name": "Browser study",
            "rubric": factories.rubric("independent").pk,
            "question_set": qset.pk,
            "producer_1": producers[0].pk,
            "blinding": "raters",
            "lease_minutes": 15,
            "quota_physician": 3,
            "quota_consumer": 1,
        },
    )
    study = Study.objects.get(name="Browser study")
    assert response.status_code == 302 and study.items.count() == 3 and study.lease_minutes == 15
    assert dict(study.quotas.values_list("group__slug", "quota")) == {"physician": 3, "consumer": 1}
    client.post(reverse("reviews:study_transition", args=[study.pk, "launch"]))
    study.refresh_from_db()
    assert study.status == "live" and study.slots.count() == 6


def test_study_form_errors_are_shown_and_nothing_created(client, curator):
    qset, _ = factories.question_set_with_answers(2)
    client.force_login(curator)
    response = client.post(
        reverse("reviews:study_create"),
        {
            "name": "No quotas",
            "rubric": factories.rubric("independent").pk,
            "question_set": qset.pk,
            "blinding": "raters",
            "lease_minutes": 30,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose exactly one producer" in page and "At least one rater group needs a quota" in page
    assert not Study.objects.exists()


def test_results_page_has_charts_and_every_table_downloads_as_csv(
    client, curator, independent_study, rater_physician
):
    client.force_login(rater_physician)
    while True:
        response = client.post(reverse("reviews:rate_next", args=[independent_study.pk]))
        if not response["Location"].startswith("/reviews/assignments/"):
            break
        pk = int(response["Location"].rstrip("/").split("/")[-1])
        client.post(
            reverse("reviews:rate_submit", args=[pk]), {"bias": "severe", "dimensions": ["inaccurate"]}
        )
    client.force_login(curator)
    page = client.get(reverse("reviews:study_results", args=[independent_study.pk])).content.decode()
    assert 'class="chart" role="img" aria-labelledby="fig-bias_rate-title fig-bias_rate-desc"' in page
    assert "Answers rated as biased (minor or severe)" in page
    for key in ("completion_groups", "completion_raters", "bias_rate", "dimensions", "agreement"):
        download = client.get(reverse("reviews:study_table_csv", args=[independent_study.pk, key]))
        assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode())))
        assert len(rows) >= 2, key
    bias_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("reviews:study_table_csv", args=[independent_study.pk, "bias_rate"])
                ).content.decode()
            )
        )
    )
    severe = next(r for r in bias_rows if r["outcome"] == "severe")
    assert severe["estimate"] == "1.0" and severe["n items"] == "5" and severe["producer"] == "model-x"
    agreement_page = client.get(
        reverse("reviews:study_agreement", args=[independent_study.pk])
    ).content.decode()
    assert "Krippendorff" in agreement_page and "Randolph" in agreement_page
