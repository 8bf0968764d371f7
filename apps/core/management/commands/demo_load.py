from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def demo_modules():
    """Every installed Equitext app with a `demo.py`, in INSTALLED_APPS order (dependencies first).

    Each `demo.load()` is idempotent and returns how many rows it created."""
    for config in apps.get_app_configs():
        if config.name.startswith("apps.") and find_spec(f"{config.name}.demo"):
            yield import_module(f"{config.name}.demo")


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent: a second run creates nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Allow loading outside local development (`make run`)."
        )

    def handle(self, *args, force=False, **options):
        # `make run` sets EQUITEXT_LOCAL_DEV (DEBUG stays off there): that is local development too.
        if not (settings.DEBUG or settings.EQUITEXT_LOCAL_DEV or force):
            raise CommandError(
                "Demo data is for local development (EQUITEXT_LOCAL_DEV, set by `make run`); pass --force "
                "to load it elsewhere."
            )
        for module in demo_modules():
            created = module.load()
            self.stdout.write(f"{module.__name__}: {created} created")
