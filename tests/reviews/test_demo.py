import pytest

from apps.accounts import demo as accounts_demo
from apps.equity import demo as equity_demo
from apps.reviews import demo
from apps.reviews.assignment import assignment_lease_next
from apps.reviews.models import Study

pytestmark = pytest.mark.django_db


def test_demo_studies_are_live_and_give_demo_raters_items():
    accounts_demo.load()
    equity_demo.load()
    created = demo.load()
    studies = {s.rubric.kind: s for s in Study.objects.select_related("rubric")}
    assert created == len(studies) >= 2
    assert {"pairwise", "independent"} <= set(studies)
    assert all(s.status == "live" and s.items.exists() for s in studies.values())
    for study in studies.values():
        assert "model" in study.name.lower(), "the internal names compare models…"
        assert "model" not in (study.rater_title + study.rater_instructions).lower(), (
            "…what raters read does not"
        )
    from django.contrib.auth import get_user_model

    physician = get_user_model().objects.get(username="physician")
    assert assignment_lease_next(study=studies["pairwise"], rater=physician) is not None
    assert demo.load() == 0, "a second load creates nothing"


def test_demo_is_skipped_without_the_equity_demo():
    assert demo.load() == 0
    assert not Study.objects.exists()
