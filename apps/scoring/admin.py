from django.contrib import admin

from apps.scoring.models import Candidate, ModelRun, RewardModel


@admin.register(ModelRun)
class ModelRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "model_name", "status", "requested_by", "created_at"]
    list_filter = ["kind", "job__status"]
    list_select_related = ["job", "requested_by"]
    readonly_fields = ["job", "model_revision", "summary", "created_at"]
    raw_id_fields = ["segments", "requested_by"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "run",
        "segment",
        "index",
        "rank",
        "reward",
        "grade",
        "sari",
        "similarity",
        "decision",
    ]
    list_filter = ["decision"]
    raw_id_fields = ["run", "segment", "decided_by", "reward_model"]
    search_fields = ["text"]


@admin.register(RewardModel)
class RewardModelAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "encoder",
        "beats_baseline",
        "is_active",
        "activated_by",
        "created_by",
        "created_at",
    ]
    raw_id_fields = ["activated_by", "created_by", "job"]
    # Activation goes through the reward-model page (audited, one active at a time), not the admin form.
    readonly_fields = [
        "version",
        "encoder",
        "training_snapshot",
        "snapshot_hash",
        "parameters",
        "metrics",
        "artifact_path",
        "artifact_sha256",
        "is_active",
        "activated_by",
        "activated_at",
        "created_by",
        "job",
    ]

    @admin.display(boolean=True, description="beats grade level")
    def beats_baseline(self, obj):
        return obj.beats_baseline
