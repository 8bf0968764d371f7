"""HTML pages (urlpatterns, namespace "corpus") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.corpus import api, views
from apps.corpus.dataset_folder import CorpusDatasetView

app_name = "corpus"
urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("segments/", views.segment_list, name="segment_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("segments/<int:pk>/readability/", views.segment_readability, name="segment_readability"),
    path("segments/<int:pk>/save/", views.segment_save, name="segment_save"),
    path("segments/<int:pk>/history/", views.segment_history, name="segment_history"),
    path("segments/<int:pk>/revert/", views.segment_revert, name="segment_revert"),
    path("import/", views.import_upload, name="import"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/import/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
]

router = SimpleRouter()
router.register("sources", api.SourceViewSet, basename="source")
router.register("documents", api.DocumentViewSet, basename="document")
router.register("segments", api.SegmentViewSet, basename="segment")

api_urlpatterns = [
    *router.urls,
    path("corpus/import/", api.CorpusImportView.as_view(), name="corpus-import"),
    path("exports/corpus.jsonl", api.CorpusJsonlExport.as_view(), name="corpus-export-jsonl"),
    path("exports/corpus.csv", api.CorpusCsvExport.as_view(), name="corpus-export-csv"),
    path("exports/corpus/dataset.zip", CorpusDatasetView.as_view(), name="corpus-dataset"),
]
