import pytest

from tests.factories import UserFactory


@pytest.fixture
def curator2(db):
    """dave, a second curator (four-eyes approval, concurrent edits)."""
    from apps.core.roles import Role

    return UserFactory(username="dave", role=Role.CURATOR)
