"""The one-page form: autosave through the htmx endpoint, inline errors, frozen after submit, access."""

import pytest
from django.urls import reverse

from apps.elevate import services
from apps.elevate.models import Assessment, ItemResponse
from tests.elevate.conftest import answer_all, item, item_count

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(client, curator):
    client.force_login(curator)
    return client


def save_url(assessment, code):
    return reverse("elevate:response_save", args=[assessment.pk, item(assessment, code).pk])


def test_the_form_shows_every_domain_with_its_progress(alice, publication, curator):
    services.response_save(
        assessment=publication, item=item(publication, "1.1"), actor=curator, status="reported"
    )
    page = alice.get(reverse("elevate:assessment_detail", args=[publication.pk])).content.decode()
    assert page.count('class="card elevate-domain"') == 10
    assert "1/6 answered" in page  # domain 1 has six items, one answered
    assert "0/4 answered" in page
    assert 'id="item-' in page and 'hx-post="' in page


def test_an_item_autosaves_and_returns_its_feedback_with_the_domain_progress(alice, publication):
    response = alice.post(
        save_url(publication, "5.1"),
        {"status": "reported", "location": "Supplement S1", "comment": ""},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Only the item's feedback and error slots come back (the inputs are never replaced while typing).
    assert html.lstrip().startswith(f'<div id="item-{item(publication, "5.1").pk}-feedback"')
    assert "Saved" in html and "<textarea" not in html
    assert 'hx-swap-oob="outerHTML:[data-domain-progress=' in html and "1/6 answered" in html
    assert 'id="overall-progress" class="elevate-overall" hx-swap-oob="true"' in html
    saved = ItemResponse.objects.get(assessment=publication)
    assert (saved.item.code, saved.status, saved.location) == ("5.1", "reported", "Supplement S1")


def test_a_missing_comment_is_shown_inline_and_nothing_is_saved(alice, publication):
    response = alice.post(save_url(publication, "5.3"), {"status": "not_reported", "location": ""}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    comment_pk = item(publication, "5.3").pk
    assert f'<p class="error" id="comment-{comment_pk}-error" role="alert" hx-swap-oob="true">Explain' in html
    assert "comment is required" in html and "Not saved" in html
    assert not ItemResponse.objects.filter(assessment=publication).exists()


def test_leaving_and_coming_back_shows_the_saved_answers(alice, publication):
    alice.post(
        save_url(publication, "2.2"), {"status": "partial", "comment": "No confidence intervals."}, **HTMX
    )
    page = alice.get(reverse("elevate:assessment_detail", args=[publication.pk])).content.decode()
    assert "No confidence intervals." in page
    assert f"1 of {item_count(publication.template_id)}</strong> items answered" in page


def test_without_javascript_the_item_form_posts_and_redirects_back(alice, publication):
    response = alice.post(save_url(publication, "1.2"), {"status": "reported", "location": "p. 4"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item(publication, '1.2').pk}")
    assert ItemResponse.objects.get(assessment=publication).location == "p. 4"


def test_a_submitted_assessment_refuses_edits_and_shows_read_only(alice, publication, curator):
    answer_all(publication, curator)
    response = alice.post(reverse("elevate:assessment_submit", args=[publication.pk]), follow=True)
    assert "submitted; it is now frozen" in response.content.decode()

    refused = alice.post(save_url(publication, "1.1"), {"status": "not_applicable"}, **HTMX)
    assert "Not saved" in refused.content.decode() and "frozen" in refused.content.decode()
    assert publication.responses.get(item__code="1.1").status == "reported"

    page = alice.get(reverse("elevate:assessment_detail", args=[publication.pk])).content.decode()
    assert "frozen and shown read-only" in page
    assert "hx-post=" not in page and "<fieldset disabled>" in page
    assert "Start a revision" in page


def test_submitting_an_incomplete_assessment_says_what_is_missing(alice, publication):
    response = alice.post(reverse("elevate:assessment_submit", args=[publication.pk]), follow=True)
    assert (
        f"Not submitted: {item_count(publication.template_id)} items still have no answer"
        in response.content.decode()
    )
    publication.refresh_from_db()
    assert publication.status == "draft"


def test_start_a_revision_from_the_page(alice, publication, curator):
    answer_all(publication, curator)
    services.assessment_submit(assessment=publication, actor=curator)
    response = alice.post(reverse("elevate:assessment_revise", args=[publication.pk]))
    revision = Assessment.objects.get(revision_of=publication)
    assert response["Location"] == reverse("elevate:assessment_detail", args=[revision.pk])
    page = alice.get(response["Location"]).content.decode()
    assert (
        "hx-post=" in page
        and f'revision of <a href="/elevate/{publication.pk}/">#{publication.pk}</a>' in page
    )


def test_another_curator_reads_but_cannot_change(client, publication, other_curator):
    client.force_login(other_curator)
    page = client.get(reverse("elevate:assessment_detail", args=[publication.pk])).content.decode()
    assert "belongs to alice" in page and "hx-post=" not in page
    response = client.post(save_url(publication, "1.1"), {"status": "reported"}, **HTMX)
    assert response.status_code == 403
    assert not publication.responses.exists()


def test_raters_cannot_open_elevate_pages(client, publication, rater_physician):
    client.force_login(rater_physician)
    assert client.get(reverse("elevate:assessment_list")).status_code == 403
    assert client.get(reverse("elevate:assessment_detail", args=[publication.pk])).status_code == 403
    assert client.post(save_url(publication, "1.1"), {"status": "reported"}, **HTMX).status_code == 403
    assert not publication.responses.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, publication):
    response = client.get(reverse("elevate:assessment_detail", args=[publication.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_curator_starts_a_publication_assessment_from_the_new_page(alice, checklist):
    response = alice.post(
        reverse("elevate:assessment_new"),
        {
            "subject_kind": "publication",
            "title": "A screening study",
            "doi": "",
            "url": "",
            "template": checklist.pk,
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("elevate:assessment_detail", args=[assessment.pk])
    assert (assessment.title, assessment.template, assessment.status) == (
        "A screening study",
        checklist,
        "draft",
    )


def test_the_new_page_names_bad_fields(alice, checklist):
    response = alice.post(
        reverse("elevate:assessment_new"),
        {"subject_kind": "publication", "title": "", "doi": "", "url": "ftp://x", "template": checklist.pk},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the publication&#x27;s title." in html and "starting with http:// or https://" in html
    assert not Assessment.objects.exists()


def test_list_page_shows_progress(alice, publication, curator):
    services.response_save(
        assessment=publication, item=item(publication, "1.1"), actor=curator, status="reported"
    )
    html = alice.get(reverse("elevate:assessment_list")).content.decode()
    assert (
        "LLM-assisted screening for a systematic review" in html
        and f"1 / {item_count(publication.template_id)}" in html
    )


def test_the_new_page_offers_recent_studies_to_assess(alice, checklist):
    from apps.reviews.models import Rubric, Study

    study = Study.objects.create(
        name="Bias review of screening answers", rubric=Rubric.objects.first(), seed=1
    )
    html = alice.get(reverse("elevate:assessment_new")).content.decode()
    assert f"#{study.pk} Bias review of screening answers" in html
    response = alice.post(
        reverse("elevate:assessment_new"),
        {"subject_kind": "study", "subject_id": study.pk, "template": checklist.pk},
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("elevate:assessment_detail", args=[assessment.pk])
    assert (assessment.subject_kind, assessment.subject_id, assessment.title) == (
        "study",
        study.pk,
        "Bias review of screening answers",
    )
