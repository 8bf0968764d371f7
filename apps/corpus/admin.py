"""Admin for the corpus. Sources and documents save and delete through the corpus services; segments are
read-only here (their text changes in the editor), with bulk actions through `segments_bulk_update`."""

from django.contrib import admin, messages

from apps.corpus import services
from apps.corpus.models import Document, ImportBatch, Segment, SegmentRevision, Source, Split, Status


class ThroughServices(admin.ModelAdmin):
    """Saves and deletes through the corpus services (their checks and rules), with `audit=False`: the
    admin's own log entry, copied into the audit log, records each change once."""

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            saved = self.update(obj=type(obj).objects.get(pk=obj.pk), actor=request.user, **fields)
        else:
            saved = self.create(actor=request.user, **form.cleaned_data)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.delete(obj=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj=obj, actor=request.user)


@admin.register(Source)
class SourceAdmin(ThroughServices):
    list_display = ["name", "url", "licence", "created_at"]
    search_fields = ["name", "url"]

    def create(self, *, actor, **fields):
        return services.source_create(actor=actor, audit=False, **fields)

    def update(self, *, obj, actor, **fields):
        return services.source_update(source=obj, actor=actor, audit=False, **fields)

    def delete(self, *, obj, actor):
        services.source_delete(source=obj, actor=actor, audit=False)


@admin.register(Document)
class DocumentAdmin(ThroughServices):
    list_display = ["title", "source", "topic", "url", "created_at"]
    list_filter = ["source", "topic"]
    search_fields = ["title", "url"]

    def create(self, *, actor, **fields):
        return services.document_create(actor=actor, audit=False, **fields)

    def update(self, *, obj, actor, **fields):
        return services.document_update(document=obj, actor=actor, audit=False, **fields)

    def delete(self, *, obj, actor):
        # The admin's confirmation page has listed every segment, revision and candidate that goes.
        services.document_delete(document=obj, actor=actor, confirm=True, audit=False)


class RevisionInline(admin.TabularInline):
    model = SegmentRevision
    fields = ["version", "origin", "status", "split", "author", "created_at", "simplified"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False


def _bulk(modeladmin, request, queryset, **changes):
    changed, refused = services.segments_bulk_update(
        segment_ids=queryset.values_list("pk", flat=True), user=request.user, **changes
    )
    modeladmin.message_user(request, f"{changed} segment(s) changed.", messages.SUCCESS)
    for message in refused[:20]:
        modeladmin.message_user(request, f"Not changed: {message}", messages.WARNING)


@admin.action(description="Approve selected segments (in review → approved)")
def approve(modeladmin, request, queryset):
    _bulk(modeladmin, request, queryset, status=Status.APPROVED)


@admin.action(description="Send selected segments to review")
def send_to_review(modeladmin, request, queryset):
    _bulk(modeladmin, request, queryset, status=Status.IN_REVIEW)


def _move_action(split):
    def move(modeladmin, request, queryset):
        _bulk(modeladmin, request, queryset, split=split)

    move.__name__ = f"move_to_{split}"
    return admin.action(description=f"Move selected segments to split “{Split(split).label}”")(move)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "split",
        "version",
        "original_grade",
        "simplified_grade",
        "updated_at",
    ]
    list_filter = ["status", "split", "document__source", "document__topic"]
    search_fields = ["original", "simplified", "document__title"]
    list_select_related = ["document"]
    readonly_fields = [
        "version",
        "original_grade",
        "simplified_grade",
        "last_edited_by",
        "status",
        "split",
        "simplified",
        "notes",
    ]
    fields = ["document", "position", "original", *readonly_fields, "annotation"]
    inlines = [RevisionInline]
    actions = [approve, send_to_review, *[_move_action(split) for split in Split.values]]

    def has_add_permission(self, request):
        return False  # segments come from imports; their text changes only through the editor (revisions)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SegmentRevision)
class SegmentRevisionAdmin(admin.ModelAdmin):
    list_display = ["segment", "version", "origin", "status", "author", "created_at"]
    list_filter = ["origin", "status"]
    readonly_fields = [f.name for f in SegmentRevision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "preset",
        "state",
        "rows_imported",
        "rows_skipped",
        "created_by",
        "created_at",
    ]
    list_filter = ["state", "preset"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False
