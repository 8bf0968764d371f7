"""HTML pages (urlpatterns, namespace "equity") and API routes (api_urlpatterns, under /api/v1/)."""

app_name = "equity"
urlpatterns = []
api_urlpatterns = []
