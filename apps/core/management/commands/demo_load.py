from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# Each app with demo data has a `demo.load()` that is idempotent and returns how many rows it created.
DEMO_LOADERS = ["apps.accounts.demo.load"]


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent: a second run creates nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow loading with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            raise CommandError("Demo data is for local development; pass --force to load it with DEBUG off.")
        for path in DEMO_LOADERS:
            created = import_string(path)()
            self.stdout.write(f"{path}: {created} created")
