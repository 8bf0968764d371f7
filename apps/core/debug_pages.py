"""Debug pages for the developer's own browser only (`EQUITEXT_DEV_DEBUG=1`, off by default).

DEBUG stays off under `make run`, so nobody gets a traceback or the route list by default: a 404 is the
product's page (JSON under /api/), a 500 the product's error page and a traceback in the web process's
log. With `EQUITEXT_DEV_DEBUG=1` a developer sees Django's debug pages, but only for requests from a
loopback address that carry no proxy header: a reverse proxy on the same machine makes every visitor
look like loopback, and its forwarding headers give it away. Everyone else keeps the normal pages.
"""

import ipaddress
import sys

from django.conf import settings
from django.http import HttpResponse
from django.views import debug

PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
    "HTTP_VIA",
)


def debug_pages_allowed(request) -> bool:
    """True only when EQUITEXT_DEV_DEBUG is on and the request came straight from this machine."""
    if not getattr(settings, "EQUITEXT_DEV_DEBUG", False):
        return False
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def debug_404(request, exception) -> HttpResponse | None:
    """Django's technical 404 (with the route list) for the developer, else None."""
    if not debug_pages_allowed(request):
        return None
    return debug.technical_404_response(request, exception)


def debug_500(request) -> HttpResponse | None:
    """Django's technical 500 (the traceback) for the developer, else None. Called while the exception
    is being handled, so sys.exc_info() holds it."""
    if not debug_pages_allowed(request) or sys.exc_info()[0] is None:
        return None
    return debug.technical_500_response(request, *sys.exc_info())
