import pytest
from django.core.exceptions import ValidationError

from apps.elevate import selectors, services
from apps.elevate.checklist import ELEVATE_NAME
from apps.elevate.models import ChecklistItem, ChecklistTemplate
from tests.elevate.conftest import item, item_count

pytestmark = pytest.mark.django_db


def test_the_elevate_checklist_ships_with_ten_domains_of_three_to_six_items(checklist):
    assert checklist.name == ELEVATE_NAME and checklist.version == 1
    domains = list(checklist.domains.prefetch_related("items"))
    assert [d.order for d in domains] == list(range(1, 11))
    assert domains[0].name == "Model characteristics"
    assert domains[4].name == "Reproducibility protocols"
    for domain in domains:
        codes = [i.code for i in domain.items.all()]
        assert 3 <= len(codes) <= 6, domain.name
        assert all(code.startswith(f"{domain.order}.") for code in codes)


def test_an_unused_template_is_edited_in_place(checklist, curator):
    changed = services.template_item_update(
        item=item_of(checklist, "5.1"), actor=curator, wording="Prompts, verbatim."
    )
    assert changed.domain.template == checklist
    assert ChecklistTemplate.objects.filter(name=ELEVATE_NAME).count() == 1
    assert item_of(checklist, "5.1").wording == "Prompts, verbatim."


def test_editing_a_used_template_makes_a_new_version_and_leaves_old_assessments_alone(publication, curator):
    old_template = publication.template
    old_wording = item(publication, "5.1").wording
    services.response_save(
        assessment=publication, item=item(publication, "5.1"), actor=curator, status="reported", location="S1"
    )
    old_template.refresh_from_db()
    assert old_template.is_frozen

    changed = services.template_item_update(
        item=item(publication, "5.1"),
        actor=curator,
        wording="All prompts reported verbatim, incl. system prompts.",
    )

    new_template = changed.domain.template
    assert (new_template.name, new_template.version, new_template.previous) == (ELEVATE_NAME, 2, old_template)
    assert not new_template.is_frozen
    # The old version and the assessment made with it are unchanged.
    publication.refresh_from_db()
    assert publication.template == old_template
    assert item(publication, "5.1").wording == old_wording
    assert publication.responses.get().item.wording == old_wording
    # The new version is a full copy, and new assessments use it.
    assert item_count(new_template) == item_count(old_template)
    assert selectors.template_current() == new_template
    fresh = services.assessment_create(assessor=curator, subject_kind="publication", title="Another paper")
    assert fresh.template == new_template
    assert item(fresh, "5.1").wording.startswith("All prompts")


def test_an_item_needs_wording(checklist, curator):
    with pytest.raises(ValidationError) as error:
        services.template_item_update(item=item_of(checklist, "1.1"), actor=curator, wording="  ")
    assert "wording" in error.value.message_dict
    assert item_of(checklist, "1.1").wording.startswith("Model name")


def item_of(template, code):
    return ChecklistItem.objects.get(domain__template=template, code=code)
