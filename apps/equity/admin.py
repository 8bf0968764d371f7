from django.contrib import admin

from apps.equity.models import (
    Answer,
    CounterfactualPair,
    IdentityAxis,
    IdentityTerm,
    Producer,
    Question,
    QuestionSet,
)


class IdentityTermInline(admin.TabularInline):
    model = IdentityTerm
    extra = 1


@admin.register(IdentityAxis)
class IdentityAxisAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [IdentityTermInline]


@admin.register(IdentityTerm)
class IdentityTermAdmin(admin.ModelAdmin):
    list_display = ("term", "axis")
    list_filter = ("axis",)
    search_fields = ("term",)


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "licence", "source_file_name", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "question_set", "position", "short_text", "identity_axes", "topics")
    list_filter = ("question_set",)
    search_fields = ("text",)
    readonly_fields = ("text_hash",)

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(CounterfactualPair)
class CounterfactualPairAdmin(admin.ModelAdmin):
    list_display = ("id", "question_set", "position", "changed_from", "changed_to", "changed_attribute")
    list_filter = ("question_set", "attribute_edited")
    raw_id_fields = ("question_a", "question_b")
    search_fields = ("question_a__text", "question_b__text", "changed_attribute")


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ("name", "revision", "parameters", "created_at")
    search_fields = ("name", "revision")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("id", "question", "producer", "origin", "created_at")
    list_filter = ("origin", "producer", "question__question_set")
    raw_id_fields = ("question", "job")
    search_fields = ("text", "question__text")
    readonly_fields = ("text_hash", "created_at")
