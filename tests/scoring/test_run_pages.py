"""The run pages: curators only, form errors by field, candidates with scores and flagged spans."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.scoring.models import Candidate, ModelRun, ReferenceScore
from tests.corpus.factories import DocumentFactory, SegmentFactory
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = pytest.mark.django_db


def test_raters_and_outsiders_get_403_on_every_run_page(client, rater_physician, outsider):
    run = ModelRunFactory()
    for user in (rater_physician, outsider):
        client.force_login(user)
        for url in (
            reverse("scoring:run_list"),
            reverse("scoring:run_create"),
            reverse("scoring:run_selection_preview") + "?select=search&search=pain",
            reverse("scoring:run_detail", args=[run.pk]),
        ):
            assert client.get(url).status_code == 403


def test_the_form_shows_the_error_on_its_field_and_starts_nothing(client, curator, document):
    client.force_login(curator)
    data = {
        "select": "document",
        "document": document.pk,
        "template": "plain-language:1",
        "target_grade": 6,
        "style": "plain",
        "num_candidates": 3,
        "temperature": 0,
        "top_p": 1,
        "max_new_tokens": 16,
        "batch_size": 8,
        "seed": 0,
        "similarity_threshold": 0.5,
    }
    response = client.post(reverse("scoring:run_create"), data)
    assert response.status_code == 200
    assert (
        "raise the temperature" in response.content.decode()
        or "temperature above 0" in response.content.decode()
    )
    assert not ModelRun.objects.exists()

    data["temperature"] = 0.8
    response = client.post(reverse("scoring:run_create"), data)
    run = ModelRun.objects.get()
    assert response.url == reverse("scoring:run_detail", args=[run.pk])
    assert run.segments.count() == 2 and run.parameters["num_candidates"] == 3


def test_the_selection_preview_counts_the_matching_segments_and_names_the_first(client, curator, segments):
    client.force_login(curator)
    url = reverse("scoring:run_selection_preview")
    page = client.get(url, {"select": "search", "search": "screening", "split": "train"}).content.decode()
    assert "<strong>1</strong> segment matches" in page
    assert "Pain relief and screening</bdi>, segment 2 (Train)" in page and "average risk" in page
    nothing = client.get(url, {"select": "search", "search": "chemotherapy"}).content.decode()
    assert "<strong>0</strong> segments match." in nothing
    hint = client.get(url, {"select": "document", "document": ""}).content.decode()
    assert "Choose a document to see which segments the run covers." in hint
    assert not ModelRun.objects.exists()


def test_the_detail_shows_candidates_beside_original_and_reference_with_flag_spans(client, curator, segments):
    candidate = CandidateFactory(
        segment=segments[0],
        text="Take more than 4 grams.",
        sari=31.5,
        flags=[
            {
                "code": "negation_dropped",
                "severity": "high",
                "message": "The original negates here.",
                "span": "not take more",
                "side": "source",
                "start": 3,
                "end": 16,
            }
        ],
    )
    candidate.run.segments.set(segments)
    client.force_login(curator)
    page = client.get(reverse("scoring:run_detail", args=[candidate.run_id])).content.decode()
    assert segments[0].original in page and segments[0].simplified in page
    assert "Take more than 4 grams." in page and "SARI 31.5" in page
    assert 'data-flag="negation_dropped"' in page and "<mark" in page and "not take more" in page

    partial = client.get(reverse("scoring:run_detail", args=[candidate.run_id]), HTTP_HX_REQUEST="true")
    assert b'id="run-body"' in partial.content and b"<html" not in partial.content


def test_accepting_over_a_human_text_with_htmx_asks_first_then_replaces_with_an_undo_link(
    client, curator, segments
):
    candidate = CandidateFactory(
        segment=segments[0], grade=2.5, flags=[{"code": "number_dropped", "severity": "high", "message": "m"}]
    )
    human = segments[0].simplified
    client.force_login(curator)
    url = reverse("scoring:candidate_accept", args=[candidate.pk])
    asked = client.post(url, {"segment_version": 1}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-role="replace-confirm"' in asked and "<html" not in asked
    assert human in asked and candidate.text in asked  # both texts, side by side
    assert "replaces the human simplification (grade" in asked and "with this candidate (grade 2.5)" in asked
    assert "Undo: restore version 1" in asked and 'data-flag="number_dropped"' in asked
    assert "confirm(" not in asked and 'name="replace" value="1"' in asked
    segments[0].refresh_from_db()
    assert segments[0].simplified == human  # asking changed nothing

    done = client.post(url, {"segment_version": 1, "replace": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-decision="accepted"' in done and 'data-role="undo"' in done
    assert "Replaced version 1" in done and reverse("corpus:segment_history", args=[segments[0].pk]) in done
    segments[0].refresh_from_db()
    assert segments[0].simplified == candidate.text


def test_the_confirmation_shows_the_human_texts_grade_and_rank_as_scored_in_the_run(
    client, curator, segments
):
    segment = segments[0]
    assert segment.simplified_grade is None  # no cached corpus grade: the run's score supplies it
    candidate = CandidateFactory(segment=segment, grade=7.5, reward=0.4, rank=1)
    ReferenceScore.objects.create(
        run=candidate.run, segment=segment, segment_version=1, text=segment.simplified, reward=0.6, grade=5.3,
        would_rank=1, candidates_ranked=1,
    )  # fmt: skip
    client.force_login(curator)
    url = reverse("scoring:candidate_accept", args=[candidate.pk])
    asked = client.post(url, {"segment_version": 1}, HTTP_HX_REQUEST="true").content.decode()
    assert "replaces the human simplification (grade 5.3) with this candidate (grade 7.5)" in asked
    assert "reward 0.60 · would rank #1 of 2" in asked and "reward 0.40 · #1" in asked


def test_without_javascript_the_confirmation_is_a_page_of_its_own(client, curator, segments):
    candidate = CandidateFactory(segment=segments[0])
    client.force_login(curator)
    url = reverse("scoring:candidate_accept", args=[candidate.pk])
    page = client.post(url, {"segment_version": 1})
    assert page.status_code == 200 and b"<html" in page.content
    assert b"Replace the human simplification?" in page.content
    assert segments[0].simplified.encode() in page.content and candidate.text.encode() in page.content
    done = client.post(url, {"segment_version": 1, "replace": "1"}, follow=True)
    assert b"it replaced version 1 of the simplified text" in done.content
    segments[0].refresh_from_db()
    assert segments[0].simplified == candidate.text


def test_the_detail_costs_the_same_queries_however_many_segments_and_candidates_it_shows(
    client, curator, segments
):
    run = ModelRunFactory()
    run.segments.set(segments[:1])
    CandidateFactory(run=run, segment=segments[0])
    client.force_login(curator)
    url = reverse("scoring:run_detail", args=[run.pk])
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    more = [SegmentFactory(document=DocumentFactory(), position=1) for _ in range(4)]
    run.segments.add(segments[1], *more)
    for segment in [segments[1], *more]:
        CandidateFactory(run=run, segment=segment, text=f"Candidate for segment {segment.pk}.")
        CandidateFactory(run=run, segment=segment, index=1)
    with CaptureQueriesContext(connection) as six:
        page = client.get(url).content.decode()
    assert all(f"Candidate for segment {segment.pk}." in page for segment in more)
    assert all(str(segment.document) in page for segment in more)
    assert len(six) == len(one)


def test_a_refused_decision_is_shown_on_the_candidate_and_changes_nothing(client, curator, segments):
    candidate = CandidateFactory(segment=segments[0], text="Never take more than 4 grams a day.")
    client.force_login(curator)
    url = reverse("scoring:candidate_accept", args=[candidate.pk])
    for version, message in [("not-a-number", "is not a segment version number"), ("0", "changed since")]:
        response = client.post(url, {"segment_version": version}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and message in response.content.decode()
    segments[0].refresh_from_db()
    assert segments[0].simplified != candidate.text and segments[0].version == 1
    assert Candidate.objects.get(pk=candidate.pk).decision == "pending"


def test_the_run_page_shows_how_long_the_run_took(client, curator):
    """Failed before: the run page showed when a run was requested, never how long it ran."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.core.models import Job

    end = timezone.now()
    run = ModelRunFactory()
    run.job = Job.objects.create(
        kind="model_run",
        parameters={"run": run.pk},
        status="succeeded",
        started_at=end - timedelta(seconds=75.25),
        finished_at=end,
    )
    run.save(update_fields=["job"])
    client.force_login(curator)
    text = client.get(reverse("scoring:run_detail", args=[run.pk])).content.decode()
    assert "75.2 s" in text or "75.3 s" in text
    assert "(worker start to end)" in text
