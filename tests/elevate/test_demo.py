import pytest

from apps.core.roles import Role
from apps.elevate import demo, selectors
from apps.elevate.models import Assessment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_one_partly_filled_publication_assessment_once():
    UserFactory(username="curator", role=Role.CURATOR)
    assert demo.load() > 0
    assessment = Assessment.objects.get()
    assert (assessment.subject_kind, assessment.status, assessment.assessor.username) == (
        "publication",
        "draft",
        "curator",
    )
    sections = selectors.assessment_sections(assessment)
    answered = sum(s.answered for s in sections)
    assert 0 < answered < sum(s.total for s in sections)
    assert demo.load() == 0
    assert Assessment.objects.count() == 1
