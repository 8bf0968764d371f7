from importlib import import_module

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.accounts import urls as account_urls
from apps.accounts import views as account_views
from apps.accounts.api import ApiTokenViewSet, TokenObtainView
from apps.core import views as core_views
from apps.core.api import AuditLogViewSet, JobViewSet, WebhookViewSet
from apps.reviews import urls as review_urls
from apps.reviews.api import RaterViewSet

router = DefaultRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("raters", RaterViewSet, basename="rater")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("audit", AuditLogViewSet, basename="audit")

# Each feature app exposes `urlpatterns` (pages, namespaced by app) and `api_urlpatterns` (under /api/v1/).
FEATURE_APPS = ["metrics", "scoring", "corpus", "equity", "reviews", "elevate", "instruments"]

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("", include(router.urls)),
    *[path("", include(import_module(f"apps.{app}.urls").api_urlpatterns)) for app in FEATURE_APPS],
]

# Unknown addresses under /api/ answer JSON like the rest of the API.
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("apps.core.urls")),
    # accounts' pages and the rater pages of reviews share the "accounts" namespace (accounts:queue, …)
    path("", include(([*account_urls.urlpatterns, *review_urls.rater_urlpatterns], "accounts"))),
    *[path(f"{app}/", include(f"apps.{app}.urls")) for app in FEATURE_APPS],
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
