from pathlib import Path

from django.core.management.base import BaseCommand

from apps.core.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and media files into .data/backups/<time>/."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Folder to create (default .data/backups/<time>).")

    def handle(self, *args, output=None, **options):
        directory = backup_create(directory=output)
        self.stdout.write(f"Backup written to {directory}")
