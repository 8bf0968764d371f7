from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedules(sender, using="default", **kwargs):
    from django.db import connections

    from apps.scoring.services import schedules_ensure

    if "django_celery_beat_periodictask" in connections[using].introspection.table_names():
        schedules_ensure(using=using)


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    label = "scoring"

    def ready(self):
        # The default beat schedules exist after every `migrate` (and after a test flush); ones an admin
        # edited or disabled are left alone (idempotent, by name).
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="equitext-scoring-schedules")
