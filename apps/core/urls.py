from django.urls import path

from apps.core import exports_candidates, views

app_name = "core"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/recount/", views.recount_start, name="recount_start"),
    path("audit/", views.audit_list, name="audit_list"),
    # API downloads that belong to no single feature app; same /api/v1/ prefix as the rest of the API.
    path(
        "api/v1/exports/candidates.jsonl",
        exports_candidates.CandidatesJsonlExport.as_view(),
        name="candidates-export-jsonl",
    ),
    path(
        "api/v1/exports/candidates.csv",
        exports_candidates.CandidatesCsvExport.as_view(),
        name="candidates-export-csv",
    ),
]
