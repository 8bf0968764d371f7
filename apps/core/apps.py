from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", **kwargs):
    from apps.core.roles import roles_ensure

    roles_ensure(using=using)


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        # Role groups reference permissions, which Django creates after migrations, so the groups are
        # synchronised once every `migrate` has finished (idempotent).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="equitext-roles")
