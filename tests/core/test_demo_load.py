"""`make run` loads the demo data with DEBUG off (EQUITEXT_LOCAL_DEV); elsewhere it needs --force."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_data_refuses_outside_local_development(settings):
    settings.DEBUG, settings.EQUITEXT_LOCAL_DEV = False, False
    with pytest.raises(CommandError, match="local development"):
        call_command("demo_load")


def test_make_run_configuration_loads_the_demo_data(settings):
    settings.DEBUG, settings.EQUITEXT_LOCAL_DEV = False, True
    call_command("demo_load")
    assert get_user_model().objects.filter(username="curator").exists()
