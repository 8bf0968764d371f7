"""Writes of core: the audit log, and the demo recount job's work. The job lifecycle is `apps/core/jobs.py`,
webhooks are `apps/core/webhooks.py`."""

from collections.abc import Callable

from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from apps.core.models import AuditLog


def audit_record(*, actor, action: str, obj=None, details: dict | None = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        details=details or {},
    )


ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def audit_record_admin(*, entry) -> AuditLog:
    """Copy a Django admin log entry (someone changed data in /admin/) into the audit log."""
    content_type = entry.content_type
    return AuditLog.objects.create(
        at=entry.action_time,
        actor=entry.user,
        action=f"admin.{ADMIN_ACTIONS.get(entry.action_flag, 'other')}",
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(entry.object_id or "")[:64],
        object_repr=entry.object_repr[:200],
        details={"message": entry.get_change_message()} if entry.change_message else {},
    )


def data_recount(*, progress: Callable[..., None]) -> dict:
    """Count the rows of every Equitext model; the demo job that proves web → broker → worker → database."""
    from django.apps import apps as django_apps

    models = [m for m in django_apps.get_models() if m.__module__.startswith("apps.") and m._meta.managed]
    counts = {}
    for done, model in enumerate(models, start=1):
        counts[model._meta.label] = model.objects.count()
        progress(done, len(models), f"Counted {model._meta.verbose_name_plural}")
    return {"counts": counts}
