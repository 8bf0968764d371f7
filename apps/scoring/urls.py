"""HTML pages (urlpatterns, namespace "scoring") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.scoring import api, exports, views

app_name = "scoring"
urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/new/preview/", views.run_selection_preview, name="run_selection_preview"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/finetune/", views.finetune_create, name="finetune_create"),
    path("runs/train/<str:target>/", views.train_create, name="train_create"),
    path("runs/evaluate/", views.evaluation_create, name="evaluation_create"),
    path("generators/", views.generator_list, name="generator_list"),
    path("reward-models/", views.reward_list, name="reward_list"),
    path("reward-models/<int:pk>/", views.reward_detail, name="reward_detail"),
    path("reward-models/<int:pk>/activate/", views.reward_activate, name="reward_activate"),
    path(
        "candidates/<int:pk>/accept/", views.candidate_decide, {"decision": "accept"}, name="candidate_accept"
    ),
    path(
        "candidates/<int:pk>/reject/", views.candidate_decide, {"decision": "reject"}, name="candidate_reject"
    ),
]

router = SimpleRouter()
router.register("runs", api.ModelRunViewSet, basename="run")
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("reward-models", api.RewardModelViewSet, basename="reward-model")
router.register("generator-versions", api.GeneratorVersionViewSet, basename="generator-version")

api_urlpatterns = [
    path("exports/candidates.jsonl", exports.CandidatesJsonlExport.as_view(), name="candidates-export-jsonl"),
    path("exports/candidates.csv", exports.CandidatesCsvExport.as_view(), name="candidates-export-csv"),
    path(
        "exports/preferences.jsonl", exports.PreferencesJsonlExport.as_view(), name="preferences-export-jsonl"
    ),
    path("exports/preferences.csv", exports.PreferencesCsvExport.as_view(), name="preferences-export-csv"),
    path(
        "exports/evaluation-outputs.jsonl",
        exports.EvaluationJsonlExport.as_view(),
        name="evaluation-outputs-export-jsonl",
    ),
    path(
        "exports/evaluation-outputs.csv",
        exports.EvaluationCsvExport.as_view(),
        name="evaluation-outputs-export-csv",
    ),
    *router.urls,
]
