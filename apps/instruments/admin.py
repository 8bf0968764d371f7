"""Admin for instruments. A frozen instrument (used by an assessment) is read-only here; the action
"Make a new version" copies it into an editable next version. Assessments are read-only: they change
through the form and the API, where the rules are enforced."""

from django.contrib import admin, messages

from apps.instruments import services
from apps.instruments.models import (
    Instrument,
    InstrumentAssessment,
    InstrumentGroup,
    InstrumentItem,
    ItemAnswer,
)


class FrozenInline(admin.TabularInline):
    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class GroupInline(FrozenInline):
    model = InstrumentGroup
    fields = ("order", "code", "name", "kind", "parent", "reading_aid_threshold", "reading_aid")


class ItemInline(FrozenInline):
    model = InstrumentItem
    fields = ("order", "code", "group", "text", "na_allowed", "na_label", "auto_rule", "verified")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "variant", "frozen_at", "created_at")
    list_filter = ("family", "key")
    readonly_fields = ("frozen_at", "previous")
    inlines = [GroupInline, ItemInline]
    actions = ["make_new_version"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Make a new version (copy groups and items)")
    def make_new_version(self, request, queryset):
        for instrument in queryset:
            new = services.instrument_new_version(instrument=instrument, actor=request.user)
            self.message_user(request, f"{new} created from v{instrument.version}.", messages.SUCCESS)


class AnswerInline(admin.TabularInline):
    model = ItemAnswer
    extra = 0
    fields = ("item", "value", "text", "comment", "source", "confirmed", "rule", "rule_note", "updated_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InstrumentAssessment)
class InstrumentAssessmentAdmin(admin.ModelAdmin):
    list_display = ("id", "instrument", "document", "side", "assessor", "status", "submitted_at")
    list_filter = ("status", "side", "instrument")
    search_fields = ("document__title", "assessor__username")
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
