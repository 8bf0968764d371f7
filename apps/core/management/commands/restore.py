from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup` (replaces the database and media files)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, directory, yes=False, **options):
        if not (directory / "manifest.json").exists():
            raise CommandError(f"{directory} is not a backup folder (no manifest.json).")
        if (
            not yes
            and input(f"Replace the current database and media with {directory}? [y/N] ").lower() != "y"
        ):
            raise CommandError("Restore cancelled.")
        manifest = backup_restore(directory=directory)
        total = sum(manifest["row_counts"].values())
        self.stdout.write(f"Restored {total} rows from {directory}; row counts match the backup.")
