"""HTML pages (urlpatterns, namespace "reviews") and API routes (api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api import InvitationViewSet
from apps.reviews import api, api_quality, exports, views, views_quality

app_name = "reviews"
urlpatterns = [
    path("studies/", views.study_list, name="study_list"),
    path("studies/new/", views.study_create, name="study_create"),
    path("studies/<int:pk>/", views.study_detail, name="study_detail"),
    path("studies/<int:pk>/preassign/", views.study_preassign, name="study_preassign"),
    path("studies/<int:pk>/results/", views.study_results, name="study_results"),
    path("studies/<int:pk>/agreement/", views.study_agreement, name="study_agreement"),
    path("studies/<int:pk>/tables/<slug:key>.csv", views.study_table_csv, name="study_table_csv"),
    # quality control (views_quality.py)
    path("studies/<int:pk>/quality/", views_quality.study_quality, name="study_quality"),
    path("studies/<int:pk>/quality/onboarding/", views_quality.study_onboarding, name="study_onboarding"),
    path(
        "studies/<int:pk>/quality/flags/<int:flag_pk>/resolve/",
        views_quality.flag_resolve,
        name="flag_resolve",
    ),
    path("studies/<int:pk>/items/", views_quality.study_items, name="study_items"),
    path("studies/<int:pk>/items/<int:item_pk>/", views_quality.item_quality, name="item_quality"),
    path("studies/<int:pk>/consent/", views_quality.study_consent, name="study_consent"),
    path("studies/<int:pk>/adjudication/", views_quality.study_adjudication, name="study_adjudication"),
    path(
        "studies/<int:pk>/adjudication/<int:item_pk>/",
        views_quality.adjudication_item,
        name="adjudication_item",
    ),
    path("adjudication/", views_quality.adjudication_list, name="adjudication_list"),
    path("rubrics/<int:pk>/min-seconds/", views_quality.rubric_min_seconds, name="rubric_min_seconds"),
    path("studies/<int:pk>/<slug:action>/", views.study_transition, name="study_transition"),
    path("rubrics/", views.rubric_list, name="rubric_list"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("rate/<int:study_pk>/next/", views.rate_next, name="rate_next"),
    path("assignments/<int:pk>/", views.rate, name="rate"),
    path("assignments/<int:pk>/submit/", views.rate_submit, name="rate_submit"),
    path("assignments/<int:pk>/skip/", views.rate_skip, name="rate_skip"),
    path("assignments/<int:pk>/draft/", views.rate_draft, name="rate_draft"),
]

router = SimpleRouter()
router.register("rubrics", api.RubricViewSet, basename="rubric")
router.register("studies", api.StudyViewSet, basename="study")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("ratings", api.RatingViewSet, basename="rating")
router.register("flags", api_quality.RaterFlagViewSet, basename="flag")
router.register("adjudications", api_quality.AdjudicationViewSet, basename="adjudication")
router.register("invitations", InvitationViewSet, basename="invitation")  # accounts' API, mounted here
api_urlpatterns = [
    *router.urls,
    path("exports/ratings.jsonl", exports.RatingsJsonlExport.as_view(), name="ratings-export-jsonl"),
    path("exports/ratings.csv", exports.RatingsCsvExport.as_view(), name="ratings-export-csv"),
]
