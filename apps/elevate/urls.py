"""HTML pages (urlpatterns, namespace "elevate") and API routes (api_urlpatterns, under /api/v1/)."""

app_name = "elevate"
urlpatterns = []
api_urlpatterns = []
