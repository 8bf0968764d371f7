from django.contrib import admin

from apps.reviews.models import Assignment, Rating, Rubric, Study, StudyItem, StudyQuota


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
