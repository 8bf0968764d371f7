"""API routes (api_urlpatterns, under /api/v1/); the metrics app has no pages of its own."""

from django.urls import path

from apps.metrics import api

app_name = "metrics"
urlpatterns = []

api_urlpatterns = [
    path("readability/", api.ReadabilityView.as_view(), name="readability"),
    path("metrics/", api.MetricsView.as_view(), name="metrics"),
]
