"""HTML pages (urlpatterns, namespace "corpus") and API routes (api_urlpatterns, under /api/v1/)."""

app_name = "corpus"
urlpatterns = []
api_urlpatterns = []
