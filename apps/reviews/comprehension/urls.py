"""Comprehension routes: pages (mounted in the "reviews" namespace) and API (under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.reviews.comprehension import api, views

urlpatterns = [
    path("comprehension/", views.home, name="comprehension_home"),
    path("comprehension/passages/new/", views.passage_new, name="comprehension_passage_new"),
    path("comprehension/passages/<int:pk>/", views.passage_detail, name="comprehension_passage"),
    path(
        "comprehension/passages/<int:pk>/delete/", views.passage_delete, name="comprehension_passage_delete"
    ),
    path("comprehension/studies/new/", views.study_new, name="comprehension_study_new"),
    path("comprehension/studies/<int:pk>/results/", views.study_results, name="comprehension_results"),
    path("comprehension/assignments/<int:pk>/", views.rate, name="comprehension_rate"),
    path("comprehension/assignments/<int:pk>/read/", views.read, name="comprehension_read"),
    path("comprehension/assignments/<int:pk>/submit/", views.submit, name="comprehension_submit"),
]

router = SimpleRouter()
router.register("comprehension/passages", api.PassageViewSet, basename="comprehension-passage")
api_urlpatterns = [
    *router.urls,
    path(
        "comprehension/studies/",
        api.ComprehensionStudyCreateView.as_view(),
        name="comprehension-study-create",
    ),
    path(
        "comprehension/studies/<int:pk>/results/",
        api.ComprehensionResultsView.as_view(),
        name="comprehension-results",
    ),
    path(
        "comprehension/assignments/<int:pk>/",
        api.ComprehensionAssignmentView.as_view(),
        name="comprehension-assignment",
    ),
    path(
        "comprehension/assignments/<int:pk>/read/",
        api.ComprehensionReadView.as_view(),
        name="comprehension-read",
    ),
]
