"""HTML pages (urlpatterns, namespace "reviews") and API routes (api_urlpatterns, under /api/v1/)."""

app_name = "reviews"
urlpatterns = []
api_urlpatterns = []
