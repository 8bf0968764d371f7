"""ELEVATE-GenAI: the published name ships as a new template version and is the default for new
assessments; assessments made with ELEVATE-AI LLMs keep it, and compare and exports say which version
each assessment used."""

import json

import pytest
from django.urls import reverse

from apps.elevate import selectors, services
from apps.elevate.checklist import ELEVATE_AI_LLMS_NAME, ELEVATE_NAME, elevate_seed
from apps.elevate.models import ChecklistDomain, ChecklistItem, ChecklistTemplate
from tests.elevate.conftest import item_count

pytestmark = pytest.mark.django_db


def legacy() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(name=ELEVATE_AI_LLMS_NAME, version=1)


def test_elevate_genai_is_the_default_and_follows_elevate_ai_llms_v1():
    current = selectors.template_current()
    assert (current.name, current.version, current.previous) == ("ELEVATE-GenAI", 1, legacy())
    assert ELEVATE_NAME == "ELEVATE-GenAI"
    assert "Value in Health 2025;28(11):1611–1625" in current.description
    assert [d.name for d in current.domains.all()] == [d.name for d in legacy().domains.all()]
    assert len(current.domains.all()) == 10 and item_count(current) == item_count(legacy())


def test_new_assessments_use_elevate_genai_and_old_ones_keep_their_version(curator):
    old = services.assessment_create(
        assessor=curator, subject_kind="publication", title="An older review", template=legacy()
    )
    new = services.assessment_create(assessor=curator, subject_kind="publication", title="A new review")
    assert new.template.name == "ELEVATE-GenAI"
    # Seeding again (every migrate) creates nothing and moves nobody.
    assert elevate_seed(ChecklistTemplate, ChecklistDomain, ChecklistItem) == 0
    old.refresh_from_db()
    assert old.template == legacy()
    assert ChecklistItem.objects.filter(domain__template=old.template).count() == item_count(legacy())


def test_compare_and_exports_say_which_version_each_assessment_used(client, api_as, curator, other_curator):
    subject = {"subject_kind": "publication", "title": "Same paper", "doi": "10.1000/same.1"}
    old = services.assessment_create(assessor=curator, template=legacy(), **subject)
    new = services.assessment_create(assessor=other_curator, **subject)
    client.force_login(curator)
    page = client.get(reverse("elevate:assessment_compare", args=[old.pk, new.pk])).content.decode()
    assert "checklist ELEVATE-AI LLMs v1" in page and "checklist ELEVATE-GenAI v1" in page
    assert "used different checklist versions" in page

    lines = api_as(curator).get("/api/v1/exports/assessments.jsonl")
    records = [json.loads(line) for line in b"".join(lines.streaming_content).decode().splitlines()]
    versions = {(r["assessment_id"], r["template"], r["template_version"]) for r in records}
    assert versions == {(old.pk, "ELEVATE-AI LLMs", 1), (new.pk, "ELEVATE-GenAI", 1)}
    listed = api_as(curator).get("/api/v1/elevate/assessments/").json()["results"]
    assert {(a["id"], a["template_name"]) for a in listed} == {
        (old.pk, "ELEVATE-AI LLMs"),
        (new.pk, "ELEVATE-GenAI"),
    }
