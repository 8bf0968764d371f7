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
        # Installs the offline CMU dictionary into textstat before any code in this process can call it
        # (textstat would otherwise try to download NLTK's copy). Cheap: the dictionary loads on first use.
        from apps.scoring import readability  # noqa: F401

        # The default beat schedules exist after every `migrate` (and after a test flush); ones an admin
        # edited or disabled are left alone (idempotent, by name).
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="equitext-scoring-schedules")
