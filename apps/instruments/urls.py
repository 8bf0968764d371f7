"""HTML pages (urlpatterns, namespace "instruments") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.instruments import api, api_results, api_studies, study_views, views

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
    # raters through reviews studies of kind "instrument" (studies.py)
    path("studies/new/", study_views.study_new, name="study_new"),
    path("studies/<int:pk>/results/", study_views.study_results, name="study_results"),
    path("study-items/<int:assignment_pk>/", study_views.study_item, name="study_item"),
]

router = SimpleRouter()
# Assessments first: "instruments/assessments/" must not be read as an instrument's id.
router.register("instruments/assessments", api.AssessmentViewSet, basename="instrument-assessment")
router.register(
    "instruments/study-assessments",
    api_studies.StudyAssessmentViewSet,
    basename="instrument-study-assessment",
)
router.register("instruments", api.InstrumentViewSet, basename="instrument")

api_urlpatterns = [
    path(
        "instruments/documents/<int:pk>/results/",
        api_results.DocumentResultsView.as_view(),
        name="instrument-document-results",
    ),
    *router.urls,
    *[
        path(f"exports/instrument-{name}.{fmt}", view.as_view(), name=f"export-instrument-{name}-{fmt}")
        for name, fmt, view in [
            ("answers", "jsonl", api_results.AnswerExportJsonl),
            ("answers", "csv", api_results.AnswerExportCsv),
            ("scores", "jsonl", api_results.ScoreExportJsonl),
            ("scores", "csv", api_results.ScoreExportCsv),
        ]
    ],
]
