"""In the admin, a template in use is read-only; "Make a new version" gives an editable copy."""

import pytest
from django.urls import reverse

from apps.core.roles import Role
from apps.elevate.models import ChecklistTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="root", role=Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_a_frozen_template_is_view_only_and_can_be_copied(admin_client, publication):
    frozen = publication.template
    page = admin_client.get(reverse("admin:elevate_checklisttemplate_change", args=[frozen.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html  # view-only: no save button
    domain = frozen.domains.first()
    refused = admin_client.post(
        reverse("admin:elevate_checklistdomain_change", args=[domain.pk]),
        {"name": "Changed", "order": domain.order, "template": frozen.pk},
    )
    assert refused.status_code == 403
    domain.refresh_from_db()
    assert domain.name == "Model characteristics"

    admin_client.post(
        reverse("admin:elevate_checklisttemplate_changelist"),
        {"action": "make_new_version", "_selected_action": [frozen.pk]},
    )
    copy = ChecklistTemplate.objects.get(name=frozen.name, version=2)
    assert not copy.is_frozen and copy.previous == frozen
    editable = admin_client.get(
        reverse("admin:elevate_checklisttemplate_change", args=[copy.pk])
    ).content.decode()
    assert 'name="_save"' in editable
