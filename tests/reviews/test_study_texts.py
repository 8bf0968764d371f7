"""What raters read of a study: a rater-facing title and instructions, apart from the internal name and
description (which may name the models compared), with length limits on the free texts."""

import pytest
from django.urls import reverse

from apps.core.models import AuditLog
from apps.reviews.models import Study
from tests.reviews import factories

pytestmark = pytest.mark.django_db

INTERNAL = "Model gpt-secret vs llama-hidden"


def _study(curator, **texts):
    qset, producers = factories.question_set_with_answers(2, producers=("model-x",))
    return factories.study(
        "independent",
        actor=curator,
        qset=qset,
        producers=producers,
        quotas={"physician": 1},
        name=INTERNAL,
        description=f"{INTERNAL}: internal notes",
        **texts,
    )


def test_raters_read_the_title_and_instructions_never_the_internal_name(client, curator, rater_physician):
    study = _study(curator, rater_title="Answers about kidneys", rater_instructions="Read as a patient.")
    client.force_login(rater_physician)
    queue = client.get(reverse("accounts:queue")).content.decode()
    item_url = client.post(reverse("reviews:rate_next", args=[study.pk]))["Location"]
    item = client.get(item_url).content.decode()
    for page in (queue, item):
        assert "Answers about kidneys" in page and "Read as a patient." in page
        assert INTERNAL not in page and "gpt-secret" not in page


def test_the_rater_api_answers_title_and_instructions_only(api_as, curator, rater_physician):
    study = _study(curator, rater_title="Answers about kidneys", rater_instructions="Read as a patient.")
    client = api_as(rater_physician)
    leased = client.post(f"/api/v1/studies/{study.pk}/next/")
    assert leased.json()["study"] == {
        "id": study.pk,
        "title": "Answers about kidneys",
        "instructions": "Read as a patient.",
        "kind": "independent",
        "status": "live",
    }
    for body in (leased.content, client.get("/api/v1/studies/").content):
        assert b"gpt-secret" not in body and b"internal notes" not in body


def test_a_study_without_a_title_is_shown_as_study_n(client, curator, rater_physician):
    study = _study(curator)
    assert study.rater_title == f"Study {study.pk}"
    client.force_login(rater_physician)
    page = client.get(reverse("accounts:queue")).content.decode()
    assert f"Study {study.pk}" in page and INTERNAL not in page


def test_a_huge_description_is_refused_on_the_study_form_naming_the_field(client, curator):
    qset, producers = factories.question_set_with_answers(1, producers=("model-x",))
    client.force_login(curator)
    response = client.post(
        reverse("reviews:study_create"),
        {
            "name": "Huge",
            "description": "x" * 200_000,
            "rater_instructions": "y" * 10_001,
            "rubric": factories.rubric("independent").pk,
            "question_set": qset.pk,
            "producer_1": producers[0].pk,
            "blinding": "raters",
            "lease_minutes": 30,
            "quota_physician": 1,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert (
        "200,000 characters; the limit is 2,000 (EQUITEXT_MAX_DESCRIPTION_CHARS)"
        in form.errors["description"][0]
    )
    assert "EQUITEXT_MAX_INSTRUCTIONS_CHARS" in form.errors["rater_instructions"][0]
    assert not Study.objects.exists()


def test_the_api_refuses_over_long_instructions_with_a_field_error(api_as, curator):
    qset, producers = factories.question_set_with_answers(1, producers=("model-x",))
    response = api_as(curator).post(
        "/api/v1/studies/",
        {
            "name": "Long",
            "rater_title": "t" * 201,
            "rater_instructions": "y" * 10_001,
            "rubric": factories.rubric("independent").pk,
            "question_set": qset.pk,
            "producers": [producers[0].pk],
            "quotas": {"physician": 1},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "10,001 characters" in errors["rater_instructions"][0]
    assert "201 characters" in errors["rater_title"][0]
    assert not Study.objects.exists()


def test_curators_edit_what_raters_read_audited(client, curator):
    study = _study(curator)
    client.force_login(curator)
    url = reverse("reviews:study_texts", args=[study.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"rater_title": "Kidneys", "rater_instructions": "z" * 10_001})
    assert refused.status_code == 400 and "EQUITEXT_MAX_INSTRUCTIONS_CHARS" in refused.content.decode()
    study.refresh_from_db()
    assert study.rater_title == f"Study {study.pk}", "a refused save changes nothing"
    saved = client.post(
        url, {"description": "notes", "rater_title": "Kidneys", "rater_instructions": "Calmly."}
    )
    assert saved.status_code == 302
    study.refresh_from_db()
    assert (study.rater_title, study.rater_instructions, study.description) == ("Kidneys", "Calmly.", "notes")
    entry = AuditLog.objects.get(action="study.texts")
    assert entry.details["changed"] == ["description", "rater_instructions", "rater_title"]
