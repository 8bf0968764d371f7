"""Elevate fixtures: the seeded checklist, a second curator (dave), assessments to work with."""

import pytest

from apps.core.roles import Role
from apps.elevate import selectors, services
from apps.elevate.models import ChecklistItem
from tests.factories import UserFactory


@pytest.fixture
def checklist(db):
    """The ELEVATE template the data migration seeded."""
    return selectors.template_current()


@pytest.fixture
def other_curator(db):
    return UserFactory(username="dave", role=Role.CURATOR)


@pytest.fixture
def publication(curator, checklist):
    return services.assessment_create(
        assessor=curator,
        subject_kind="publication",
        title="LLM-assisted screening for a systematic review",
        doi="10.1016/j.jval.2024.01.001",
    )


def item(assessment, code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(domain__template=assessment.template_id, code=code)


def item_count(template) -> int:
    """How many items a checklist template (or template id) has."""
    return ChecklistItem.objects.filter(domain__template=template).count()


def answer_all(assessment, user, status="reported", comment=""):
    for checklist_item in ChecklistItem.objects.filter(domain__template=assessment.template_id):
        services.response_save(
            assessment=assessment,
            item=checklist_item,
            actor=user,
            status=status,
            location="p. 3",
            comment=comment,
        )
