from django.contrib import admin

from apps.scoring.models import Candidate, ModelRun, RewardModel


@admin.register(ModelRun)
class ModelRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "model_name", "status", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["job", "model_revision", "summary", "created_at"]
    raw_id_fields = ["segments", "requested_by"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["id", "run", "segment", "index", "grade", "sari", "similarity", "decision"]
    list_filter = ["decision"]
    raw_id_fields = ["run", "segment", "decided_by"]
    search_fields = ["text"]


@admin.register(RewardModel)
class RewardModelAdmin(admin.ModelAdmin):
    list_display = ["version", "encoder", "is_active", "activated_by", "created_at"]
    raw_id_fields = ["activated_by", "job"]
