"""HTML pages (urlpatterns, namespace "scoring") and API routes (api_urlpatterns, under /api/v1/)."""

app_name = "scoring"
urlpatterns = []
api_urlpatterns = []
