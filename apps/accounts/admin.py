from django.contrib import admin

from apps.accounts.models import ApiToken, Invitation, RaterGroup, RaterProfile


@admin.register(RaterGroup)
class RaterGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(RaterProfile)
class RaterProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "expertise", "active")
    list_filter = ("group", "active")
    search_fields = ("user__username", "expertise")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    search_fields = ("user__username", "name")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made on the invitations page or API (the link is shown once there)."""

    list_display = ("name", "email", "group", "status", "expires_at", "used_at", "created_by")
    list_filter = ("group",)
    search_fields = ("name", "email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
