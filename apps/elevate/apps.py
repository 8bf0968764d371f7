from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_template(sender, **kwargs):
    from apps.elevate.checklist import elevate_seed
    from apps.elevate.models import ChecklistDomain, ChecklistItem, ChecklistTemplate

    elevate_seed(ChecklistTemplate, ChecklistDomain, ChecklistItem)


class ElevateConfig(AppConfig):
    name = "apps.elevate"
    label = "elevate"

    def ready(self):
        # The ELEVATE template is product data: it exists after every `migrate` and after a test flush
        # (the seed does nothing when a template of that name exists).
        post_migrate.connect(_seed_template, sender=self, dispatch_uid="equitext-elevate-template")
