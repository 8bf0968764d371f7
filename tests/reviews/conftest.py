import pytest

from apps.core.roles import Role
from tests.factories import UserFactory, make_rater
from tests.reviews import factories


@pytest.fixture
def dave(db):
    """A second physician rater."""
    return make_rater("dave", "physician")


@pytest.fixture
def erin(db):
    """A health-equity expert rater."""
    return make_rater("erin", "health-equity-expert")


@pytest.fixture
def pairwise_study(curator):
    qset, producers = factories.question_set_with_answers(6)
    return factories.study(
        "pairwise", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )


@pytest.fixture
def independent_study(curator):
    qset, producers = factories.question_set_with_answers(5, producers=("model-x",))
    return factories.study(
        "independent", actor=curator, qset=qset, producers=producers, quotas={"physician": 2, "consumer": 1}
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=Role.ADMIN)
