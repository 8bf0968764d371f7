"""HTML pages (urlpatterns, namespace "elevate") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.elevate import api, views

app_name = "elevate"
urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_new, name="assessment_new"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/items/<int:item_pk>/", views.response_save, name="response_save"),
    path("<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("<int:pk>/revise/", views.assessment_revise, name="assessment_revise"),
    path("<int:pk>/prefill/", views.assessment_prefill, name="assessment_prefill"),
    path("<int:pk>/summary/", views.assessment_summary, name="assessment_summary"),
    path("<int:pk>/report/", views.assessment_report, name="assessment_report"),
    path("<int:pk>/compare/<int:other_pk>/", views.assessment_compare, name="assessment_compare"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/new-version/", views.template_new_version, name="template_new_version"),
]

router = SimpleRouter()
router.register("elevate/templates", api.TemplateViewSet, basename="elevate-template")
router.register("elevate/assessments", api.AssessmentViewSet, basename="elevate-assessment")

api_urlpatterns = [
    *router.urls,
    path("exports/assessments.jsonl", api.AssessmentExportJsonl.as_view(), name="export-assessments-jsonl"),
    path("exports/assessments.csv", api.AssessmentExportCsv.as_view(), name="export-assessments-csv"),
]
