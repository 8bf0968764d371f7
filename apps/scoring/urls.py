"""HTML pages (urlpatterns, namespace "scoring") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path

from apps.scoring import api

app_name = "scoring"
urlpatterns = []
api_urlpatterns = [
    path("readability/", api.ReadabilityView.as_view(), name="readability"),
]
