"""The product's URLs plus two views that crash, to see what a 500 shows (tests/core/test_error_pages.py)."""

from django.urls import path

from apps import urls as product

SECRET_DETAIL = "boom: a detail only the server log may show"

handler404 = product.handler404
handler500 = getattr(product, "handler500", "django.views.defaults.server_error")  # Django's if none


def crash(request):
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [path("boom/", crash), path("api/v1/boom/", crash), *product.urlpatterns]
