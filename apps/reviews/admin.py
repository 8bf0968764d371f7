from django.contrib import admin

from apps.reviews.models import (
    Adjudication,
    Assignment,
    ConsentAcceptance,
    ConsentVersion,
    GoldStandard,
    RaterFlag,
    Rating,
    Rubric,
    Study,
    StudyItem,
    StudyQuota,
)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "kind", "created_at")
    list_filter = ("kind",)
    # Definitions change through the rubric page or the API, which validate them and version frozen rubrics.
    readonly_fields = ("definition", "version", "previous")


class StudyQuotaInline(admin.TabularInline):
    model = StudyQuota
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("name", "rubric", "status", "blinding", "created_at")
    list_filter = ("status",)
    readonly_fields = ("rubric", "seed", "source", "status", "launched_at", "closed_at")
    inlines = [StudyQuotaInline]


@admin.register(StudyItem)
class StudyItemAdmin(admin.ModelAdmin):
    list_display = ("study", "position", "kind", "swapped")
    list_filter = ("kind",)
    raw_id_fields = ("answer_a", "answer_b", "pair", "segment", "candidate")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("id", "study", "item", "rater", "group", "status", "leased_at", "submitted_at")
    list_filter = ("status",)
    raw_id_fields = ("item", "rater")

    def has_change_permission(self, request, obj=None):
        return False  # the engine keeps slots and assignments consistent; edits go through it


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("assignment", "version", "is_current", "submitted_at", "author")

    def has_change_permission(self, request, obj=None):
        return False  # immutable: corrections are new versions (API ratings/{id}/correct/)


# --- quality control: read-only here; changes go through the services (validated, audited) ---


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GoldStandard)
class GoldStandardAdmin(_ReadOnly):
    list_display = ("item", "expected", "updated_by", "updated_at")
    raw_id_fields = ("item",)


@admin.register(ConsentVersion)
class ConsentVersionAdmin(_ReadOnly):
    list_display = ("study", "version", "created_by", "created_at")


@admin.register(ConsentAcceptance)
class ConsentAcceptanceAdmin(_ReadOnly):
    list_display = ("study", "rater", "version", "accepted_at")


@admin.register(RaterFlag)
class RaterFlagAdmin(_ReadOnly):
    list_display = ("rater", "study", "kind", "created_at", "resolved_at", "resolved_by")
    list_filter = ("kind",)


@admin.register(Adjudication)
class AdjudicationAdmin(_ReadOnly):
    list_display = ("study", "item", "version", "is_current", "adjudicator", "created_at")
    raw_id_fields = ("item",)
