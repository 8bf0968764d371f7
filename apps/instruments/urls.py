"""HTML pages (urlpatterns, namespace "instruments") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.instruments import api, views

app_name = "instruments"
urlpatterns = [
    path("", views.instrument_list, name="instrument_list"),
    path("<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/items/<int:item_pk>/", views.answer_save, name="answer_save"),
    path("assessments/<int:pk>/items/<int:item_pk>/confirm/", views.answer_confirm, name="answer_confirm"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/prefill/", views.assessment_prefill, name="assessment_prefill"),
    path("documents/<int:pk>/", views.document_results, name="document_results"),
]

router = SimpleRouter()
# Assessments first: "instruments/assessments/" must not be read as an instrument's id.
router.register("instruments/assessments", api.AssessmentViewSet, basename="instrument-assessment")
router.register("instruments", api.InstrumentViewSet, basename="instrument")

api_urlpatterns = [
    path(
        "instruments/documents/<int:pk>/results/",
        api.DocumentResultsView.as_view(),
        name="instrument-document-results",
    ),
    *router.urls,
    path(
        "exports/instrument-answers.jsonl",
        api.AnswerExportJsonl.as_view(),
        name="export-instrument-answers-jsonl",
    ),
    path(
        "exports/instrument-answers.csv", api.AnswerExportCsv.as_view(), name="export-instrument-answers-csv"
    ),
    path(
        "exports/instrument-scores.jsonl",
        api.ScoreExportJsonl.as_view(),
        name="export-instrument-scores-jsonl",
    ),
    path("exports/instrument-scores.csv", api.ScoreExportCsv.as_view(), name="export-instrument-scores-csv"),
]
