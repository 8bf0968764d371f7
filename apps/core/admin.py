from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import DELETION, LogEntry
from django.utils import timezone

from apps.core.models import AuditLog, Job, Webhook, WebhookDelivery
from apps.core.services import audit_record_admin


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_audited(modeladmin, request, queryset):
    """Django's "delete selected" action, with every deletion copied to the audit log.

    Django writes the log entries of a multi-object deletion with bulk_create, which sends no post_save
    signal (the signal in apps.core.apps covers single-object adds, changes and deletions)."""
    started = timezone.now()
    response = delete_selected(modeladmin, request, queryset)
    if response is None:  # confirmed and done (otherwise Django rendered the confirmation page)
        entries = LogEntry.objects.filter(user=request.user, action_flag=DELETION, action_time__gte=started)
        if len(entries) > 1:
            for entry in entries:
                audit_record_admin(entry=entry)
    return response


admin.site.add_action(delete_selected_audited, "delete_selected")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress_done", "progress_total", "requested_by", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "events", "active", "created_at")
    list_filter = ("active",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "webhook", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields] + ["log"]
