from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.core import jobs, selectors
from apps.core.debug_pages import debug_404, debug_500
from apps.core.exports import export_response
from apps.core.forms import AuditFilterForm
from apps.core.health import health_report
from apps.core.roles import is_curator, require_admin, require_curator


@login_required
def home(request):
    """Curators land on the dashboard, raters on their queue."""
    if is_curator(request.user):
        return redirect("core:dashboard")
    return redirect("accounts:queue")


@login_required
def dashboard(request):
    require_curator(request.user)
    jobs = selectors.jobs_visible_to(request.user)[:5]
    return render(request, "core/dashboard.html", {"jobs": jobs, "cards": selectors.dashboard_summary()})


@login_required
def job_list(request):
    jobs = list(selectors.jobs_visible_to(request.user)[:100])
    polling = any(not job.is_finished for job in jobs)
    template = "core/jobs.html#job-table" if request.htmx else "core/jobs.html"
    return render(request, template, {"jobs": jobs, "polling": polling})


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(selectors.jobs_visible_to(request.user), pk=pk)
    template = "core/job_detail.html#job-status" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@require_POST
@login_required
def recount_start(request):
    require_curator(request.user)
    job = jobs.job_create(kind="recount", task="equitext.core.recount", requested_by=request.user)
    messages.success(request, f"Job #{job.pk} queued: counting the data.")
    return redirect("core:job_detail", pk=job.pk)


AUDIT_FIELDS = ["at", "actor", "action", "object_type", "object_id", "object_repr", "details"]


@login_required
@require_GET
def audit_list(request):
    """Who changed what, for administrators: filter by person, action, object and dates; download as CSV."""
    require_admin(request.user)
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types())
    filters = form.filters()
    entries = selectors.audit_entries(**filters)
    if request.GET.get("download") == "csv" and not form.errors:
        return export_response(
            name="audit",
            fmt="csv",
            schema_version=1,
            fields=AUDIT_FIELDS,
            filters={k: str(v) for k, v in filters.items()},
            count=entries.count,
            rows=lambda: (
                (
                    e.at,
                    e.actor.username if e.actor else "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.details,
                )
                for e in entries.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "core/audit.html#audit-results" if request.htmx else "core/audit.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@require_GET
@never_cache
def healthz(request):

    ok, report = health_report()
    return JsonResponse({"ok": ok, **report}, status=200 if ok else 503)


def page_not_found(request, exception):
    """404 for an address no route matches: JSON in the API's error shape under /api/, a page elsewhere
    (Django's debug page with the route list only for a developer on loopback, `debug_pages`)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"No API endpoint at {request.path}; see /api/docs/."}, status=404)
    return debug_404(request, exception) or render(request, "404.html", status=404)


def server_error(request):
    """500: JSON under /api/, a page elsewhere; never a traceback (it goes to the web process's log),
    except Django's debug page for a developer on loopback (`debug_pages`). Rendered without context
    processors: whatever failed (the database, say) must not fail the error page too."""
    debug_page = debug_500(request)
    if debug_page is not None:
        return debug_page
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Internal server error; it is logged for the administrators. Try again later."},
            status=500,
        )
    return HttpResponseServerError(loader.get_template("500.html").render({}))
