"""HTML pages (urlpatterns, namespace "reviews"; rater_urlpatterns, namespace "accounts") and API routes
(api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api import InvitationViewSet
from apps.reviews import api, exports, views
from apps.reviews.quality import api as quality_api
from apps.reviews.quality import views as quality_views

app_name = "reviews"
urlpatterns = [
    path("studies/", views.study_list, name="study_list"),
    path("studies/new/", views.study_create, name="study_create"),
    path("studies/<int:pk>/", views.study_detail, name="study_detail"),
    path("studies/<int:pk>/preassign/", views.study_preassign, name="study_preassign"),
    path("studies/<int:pk>/results/", views.study_results, name="study_results"),
    path("studies/<int:pk>/agreement/", views.study_agreement, name="study_agreement"),
    path("studies/<int:pk>/tables/<slug:key>.csv", views.study_table_csv, name="study_table_csv"),
    # quality control (quality_views.py)
    path("studies/<int:pk>/quality/", quality_views.study_quality, name="study_quality"),
    path("studies/<int:pk>/quality/onboarding/", quality_views.study_onboarding, name="study_onboarding"),
    path(
        "studies/<int:pk>/quality/flags/<int:flag_pk>/resolve/",
        quality_views.flag_resolve,
        name="flag_resolve",
    ),
    path("studies/<int:pk>/items/", quality_views.study_items, name="study_items"),
    path("studies/<int:pk>/items/<int:item_pk>/", quality_views.item_quality, name="item_quality"),
    path("studies/<int:pk>/consent/", quality_views.study_consent, name="study_consent"),
    path("studies/<int:pk>/adjudication/", quality_views.study_adjudication, name="study_adjudication"),
    path(
        "studies/<int:pk>/adjudication/<int:item_pk>/",
        quality_views.adjudication_item,
        name="adjudication_item",
    ),
    path("adjudication/", quality_views.adjudication_list, name="adjudication_list"),
    path("rubrics/<int:pk>/min-seconds/", quality_views.rubric_min_seconds, name="rubric_min_seconds"),
    path("studies/<int:pk>/<slug:action>/", views.study_transition, name="study_transition"),
    path("rubrics/", views.rubric_list, name="rubric_list"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("rate/<int:study_pk>/next/", views.rate_next, name="rate_next"),
    path("assignments/<int:pk>/", views.rate, name="rate"),
    path("assignments/<int:pk>/submit/", views.rate_submit, name="rate_submit"),
    path("assignments/<int:pk>/skip/", views.rate_skip, name="rate_skip"),
    path("assignments/<int:pk>/draft/", views.rate_draft, name="rate_draft"),
]

# The rater's queue and the raters page came from accounts with their addresses and URL names:
# apps/urls.py mounts these at the site root in the "accounts" namespace, beside accounts' own pages
# (`accounts:queue`, `accounts:rater_list`, … as ever).
rater_urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("raters/", views.rater_list, name="rater_list"),
    path("raters/export.csv", views.rater_csv, name="rater_csv"),
    path("raters/<int:pk>/deactivate/", views.rater_deactivate, name="rater_deactivate"),
    path("raters/<int:pk>/reactivate/", views.rater_reactivate, name="rater_reactivate"),
]

router = SimpleRouter()
router.register("rubrics", api.RubricViewSet, basename="rubric")
router.register("studies", api.StudyViewSet, basename="study")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("ratings", api.RatingViewSet, basename="rating")
router.register("flags", quality_api.RaterFlagViewSet, basename="flag")
router.register("adjudications", quality_api.AdjudicationViewSet, basename="adjudication")
router.register("invitations", InvitationViewSet, basename="invitation")  # accounts' API, mounted here
api_urlpatterns = [
    *router.urls,
    path("exports/ratings.jsonl", exports.RatingsJsonlExport.as_view(), name="ratings-export-jsonl"),
    path("exports/ratings.csv", exports.RatingsCsvExport.as_view(), name="ratings-export-csv"),
]
