"""Admin for checklist templates. A frozen template (used by an assessment) is read-only here; the
"Make a new version" action copies it into an editable next version."""

from django.contrib import admin, messages

from apps.elevate import services
from apps.elevate.models import Assessment, ChecklistDomain, ChecklistItem, ChecklistTemplate, ItemResponse


class FrozenReadOnly:
    """Refuse changes to anything that belongs to a frozen template."""

    def _template_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._template_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._template_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class FrozenInline(admin.TabularInline):
    """An inline whose parent (`obj`) belongs to a frozen template shows read-only."""

    extra = 0

    def _frozen(self, obj) -> bool:
        if obj is None:
            return False
        template = obj if isinstance(obj, ChecklistTemplate) else obj.template
        return template.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class DomainInline(FrozenInline):
    model = ChecklistDomain
    show_change_link = True


class ItemInline(FrozenInline):
    model = ChecklistItem


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(FrozenReadOnly, admin.ModelAdmin):
    list_display = ("name", "version", "frozen_at", "created_at")
    list_filter = ("name",)
    readonly_fields = ("frozen_at", "previous")
    inlines = [DomainInline]
    actions = ["make_new_version"]

    def _template_of(self, obj):
        return obj

    @admin.action(description="Make a new version (copy domains and items)")
    def make_new_version(self, request, queryset):
        for template in queryset:
            new = services.template_new_version(template=template, actor=request.user)
            self.message_user(request, f"{new} created from v{template.version}.", messages.SUCCESS)


@admin.register(ChecklistDomain)
class ChecklistDomainAdmin(FrozenReadOnly, admin.ModelAdmin):
    list_display = ("name", "order", "template")
    list_filter = ("template",)
    inlines = [ItemInline]

    def _template_of(self, obj):
        return obj.template


class ItemResponseInline(admin.TabularInline):
    model = ItemResponse
    extra = 0
    fields = ("item", "status", "location", "comment", "prefilled", "prefill_source", "updated_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: assessments change through the form and the API, where the rules are enforced."""

    list_display = ("id", "subject_kind", "title", "assessor", "template", "status", "submitted_at")
    list_filter = ("status", "subject_kind", "template")
    search_fields = ("title", "doi", "assessor__username")
    inlines = [ItemResponseInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
