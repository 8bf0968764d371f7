import pytest

from tests.security.world import build_world


@pytest.fixture
def world(db):
    """Every role and every kind of object the endpoints take (tests/security/world.py)."""
    return build_world()
