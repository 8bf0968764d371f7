from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _sync_roles(sender, using="default", **kwargs):
    from apps.core.roles import roles_ensure

    roles_ensure(using=using)


def _audit_admin_change(sender, instance, created, **kwargs):
    from apps.core.services import audit_record_admin

    if created:
        audit_record_admin(entry=instance)


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        # Role groups reference permissions, which Django creates after migrations, so the groups are
        # synchronised once every `migrate` has finished (idempotent).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="equitext-roles")
        # Changes made in the Django admin go to the audit log like every other write.
        post_save.connect(_audit_admin_change, sender="admin.LogEntry", dispatch_uid="equitext-audit-admin")
