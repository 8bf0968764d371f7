"""HTML pages (urlpatterns, namespace "reviews"; rater_urlpatterns, namespace "accounts") and API routes
(api_urlpatterns, under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api import InvitationViewSet
from apps.reviews import api, dataset_folder, exports, rater_views, results_views, views
from apps.reviews.autoraters import api as autorater_api
from apps.reviews.autoraters import views as autorater_views
from apps.reviews.comprehension import urls as comprehension_urls
from apps.reviews.quality import api as quality_api
from apps.reviews.quality import views as quality_views

app_name = "reviews"
urlpatterns = [
    path("studies/", views.study_list, name="study_list"),
    path("studies/new/", views.study_create, name="study_create"),
    path("studies/<int:pk>/", views.study_detail, name="study_detail"),
    path("studies/<int:pk>/texts/", views.study_texts, name="study_texts"),
    path("studies/<int:pk>/item-flags.csv", views.study_item_flags_csv, name="study_item_flags_csv"),
    path("studies/<int:pk>/preassign/", views.study_preassign, name="study_preassign"),
    path("studies/<int:pk>/results/", results_views.study_results, name="study_results"),
    path("studies/<int:pk>/agreement/", results_views.study_agreement, name="study_agreement"),
    path("studies/<int:pk>/tables/<slug:key>.csv", results_views.study_table_csv, name="study_table_csv"),
    path(
        "studies/<int:pk>/figures/<slug:key>.<str:fmt>",
        results_views.study_figure,
        name="study_figure",
    ),
    path("studies/<int:pk>/autoraters/new/", autorater_views.autorater_create, name="autorater_create"),
    path(
        "studies/<int:pk>/autoraters/<int:autorater_pk>/",
        autorater_views.autorater_detail,
        name="autorater_detail",
    ),
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
    path("rate/<int:study_pk>/next/", rater_views.rate_next, name="rate_next"),
    path("rate/<int:study_pk>/mine/", rater_views.rate_mine, name="rate_mine"),
    path("rate/<int:study_pk>/previous/", rater_views.rate_previous, name="rate_previous"),
    path("assignments/<int:pk>/", rater_views.rate, name="rate"),
    path("assignments/<int:pk>/submit/", rater_views.rate_submit, name="rate_submit"),
    path("assignments/<int:pk>/skip/", rater_views.rate_skip, name="rate_skip"),
    path("assignments/<int:pk>/correct/", rater_views.rate_correct, name="rate_correct"),
    path("assignments/<int:pk>/flag/", rater_views.rate_flag, name="rate_flag"),
    path("assignments/<int:pk>/draft/", rater_views.rate_draft, name="rate_draft"),
    *comprehension_urls.urlpatterns,  # comprehension studies (apps/reviews/comprehension/)
]

# The rater's queue and the raters page came from accounts with their addresses and URL names:
# apps/urls.py mounts these at the site root in the "accounts" namespace, beside accounts' own pages
# (`accounts:queue`, `accounts:rater_list`, … as ever).
rater_urlpatterns = [
    path("queue/", rater_views.queue, name="queue"),
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
    path(
        "studies/<int:id>/autoraters/", autorater_api.StudyAutoratersView.as_view(), name="study-autoraters"
    ),
    path(
        "studies/<int:id>/autoraters/<int:autorater_id>/",
        autorater_api.AutoraterDetailView.as_view(),
        name="study-autorater-detail",
    ),
    path("studies/<int:id>/dataset.zip", dataset_folder.StudyDatasetView.as_view(), name="study-dataset"),
    *router.urls,
    path("exports/ratings.jsonl", exports.RatingsJsonlExport.as_view(), name="ratings-export-jsonl"),
    path("exports/ratings.csv", exports.RatingsCsvExport.as_view(), name="ratings-export-csv"),
    *comprehension_urls.api_urlpatterns,
]
