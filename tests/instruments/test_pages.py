"""The pages: start, the form (htmx autosave of one item, errors inline, read-only when frozen or not
yours), instrument pages, results; curators only."""

import pytest
from django.urls import reverse

from apps.instruments import services
from tests.instruments.conftest import answer_all, item, start

pytestmark = pytest.mark.django_db


def test_a_curator_starts_an_assessment_from_the_form(client, curator, pemat_p, document):
    client.force_login(curator)
    page = client.get(reverse("instruments:assessment_new") + f"?document={document.pk}")
    assert page.status_code == 200 and "Colon cancer screening" in page.content.decode()
    response = client.post(
        reverse("instruments:assessment_new"),
        {"document": document.pk, "instrument": pemat_p.pk, "side": "simplified"},
    )
    assessment = curator.instrument_assessments.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "instruments:assessment_detail", args=[assessment.pk]
    )
    form = client.get(response["Location"]).content.decode()
    assert "Get checked for colon cancer" in form  # the assessed text beside the form
    assert "Automatic:" in form and "not counted until you confirm it" in form
    assert "Automatic answers count once you confirm them." in form


def test_the_start_form_says_what_is_wrong(client, curator, pemat_p, document):
    client.force_login(curator)
    response = client.post(
        reverse("instruments:assessment_new"),
        {"document": 999999, "instrument": pemat_p.pk, "side": "original"},
    )
    assert response.status_code == 200 and "There is no document #999999." in response.content.decode()


def test_an_item_saves_through_htmx_and_sends_back_its_feedback_and_the_scores(
    client, curator, pemat_p, document
):
    assessment = start(curator, pemat_p, document)
    client.force_login(curator)
    url = reverse("instruments:answer_save", args=[assessment.pk, item(assessment, "1").pk])
    response = client.post(
        url, {"value": "agree", "comment": "Purpose in the title."}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved" in body and 'id="ins-scores"' in body and 'hx-swap-oob="true"' in body
    assert "100%" in body  # 1 point of 1 applicable item
    stored = assessment.answers.get(item__code="1")
    assert (stored.value, stored.comment) == ("agree", "Purpose in the title.")


def test_a_refused_answer_is_shown_inline_and_nothing_is_stored(client, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    client.force_login(curator)
    url = reverse("instruments:answer_save", args=[assessment.pk, item(assessment, "7").pk])
    response = client.post(url, {"value": "na"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert (
        "Not saved: Item 7 of PEMAT-P has no N/A option" in body and "The stored answer is unchanged." in body
    )
    assert not assessment.answers.exists()


def test_without_javascript_an_item_posts_and_comes_back_to_the_form(client, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    client.force_login(curator)
    it = item(assessment, "2")
    response = client.post(
        reverse("instruments:answer_save", args=[assessment.pk, it.pk]), {"value": "disagree"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{it.pk}")
    assert assessment.answers.get(item=it).value == "disagree"


def test_confirming_an_automatic_answer_from_the_page(client, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document, prefill=True)
    client.force_login(curator)
    it = item(assessment, "7")
    response = client.post(
        reverse("instruments:answer_confirm", args=[assessment.pk, it.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Automatic, confirmed by alice" in response.content.decode()
    assert assessment.answers.get(item=it).confirmed


def test_a_submitted_assessment_shows_read_only_and_refuses_saves(client, curator, pemat_p, document):
    assessment = start(curator, pemat_p, document)
    answer_all(assessment, curator)
    services.assessment_submit(assessment=assessment, actor=curator)
    client.force_login(curator)
    page = client.get(reverse("instruments:assessment_detail", args=[assessment.pk])).content.decode()
    assert "this assessment is frozen and shown read-only" in page and "<fieldset disabled>" in page
    response = client.post(
        reverse("instruments:answer_save", args=[assessment.pk, item(assessment, "1").pk]),
        {"value": "disagree"},
        HTTP_HX_REQUEST="true",
    )
    assert "Not saved:" in response.content.decode() and "frozen" in response.content.decode()
    assert assessment.answers.get(item__code="1").value == "agree"


def test_another_curator_reads_a_draft_but_cannot_change_it(
    client, curator, other_curator, pemat_p, document
):
    assessment = start(curator, pemat_p, document)
    client.force_login(other_curator)
    page = client.get(reverse("instruments:assessment_detail", args=[assessment.pk])).content.decode()
    assert "This draft belongs to alice" in page and "<fieldset disabled>" in page


def test_instrument_pages_show_sources_and_unverified_items(client, curator, pemat_p):
    client.force_login(curator)
    listing = client.get(reverse("instruments:instrument_list")).content.decode()
    assert "PEMAT-P" in listing and "PEMAT-A/V" in listing and "CDC Clear Communication Index" in listing
    detail = client.get(reverse("instruments:instrument_detail", args=[pemat_p.pk])).content.decode()
    assert "AHRQ Publication No. 14-0002-EF" in detail and "US government work" in detail
    assert (
        "unverified" in detail
        and "provides simple instructions or examples of how to perform calculations" in detail
    )


def test_raters_get_403_on_every_page(client, rater_physician, pemat_p, document):
    client.force_login(rater_physician)
    for url in [
        reverse("instruments:instrument_list"),
        reverse("instruments:instrument_detail", args=[pemat_p.pk]),
        reverse("instruments:assessment_new"),
        reverse("instruments:document_results", args=[document.pk]),
    ]:
        assert client.get(url).status_code == 403, url
