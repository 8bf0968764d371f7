"""Model-run pages: list, start form, run detail with live progress and candidates. Curators only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.roles import require_curator
from apps.scoring import selectors, services
from apps.scoring.forms import RunForm
from apps.scoring.models import ModelRun

SEGMENTS_PER_PAGE = 25


@login_required
def run_list(request):
    require_curator(request.user)
    runs = list(selectors.runs_visible_to(request.user)[:100])
    polling = any(run.status in (ModelRun.Status.QUEUED, ModelRun.Status.RUNNING) for run in runs)
    template = "scoring/run_list.html#run-table" if request.htmx else "scoring/run_list.html"
    return render(request, template, {"runs": runs, "polling": polling})


@login_required
def run_create(request):
    require_curator(request.user)
    if request.method == "POST":
        form = RunForm(request.POST)
        if form.is_valid():
            try:
                run = services.run_create(user=request.user, **form.run_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Run #{run.pk} queued: {run.segments.count()} segments.")
                return redirect("scoring:run_detail", pk=run.pk)
    else:
        initial = {}
        if request.GET.get("segments"):
            initial.update(select="segments", segment_ids=request.GET["segments"])
        elif request.GET.get("document"):
            initial.update(select="document", document=request.GET["document"])
        form = RunForm(initial=initial)
    return render(request, "scoring/run_form.html", {"form": form})


@login_required
def run_detail(request, pk: int):
    require_curator(request.user)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    sort = request.GET.get("sort", "reward")
    if sort not in selectors.CANDIDATE_SORTS:
        sort = "reward"
    page = Paginator(selectors.run_segment_ids(run), SEGMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "job": run.job,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in selectors.CANDIDATE_SORTS.items()],
        "page": page,
        "rows": selectors.run_segment_page(run, list(page.object_list), sort),
        "running": run.status in (ModelRun.Status.QUEUED, ModelRun.Status.RUNNING),
    }
    template = "scoring/run_detail.html#run-body" if request.htmx else "scoring/run_detail.html"
    return render(request, template, context)


@require_POST
@login_required
def candidate_decide(request, pk: int, decision: str):
    from apps.corpus.services import StaleVersion

    require_curator(request.user)
    candidate = get_object_or_404(selectors.candidates_visible_to(request.user), pk=pk)
    error = ""
    try:
        if decision == "accept":
            candidate = services.candidate_accept(
                candidate_id=candidate.pk,
                user=request.user,
                segment_version=request.POST.get("segment_version"),
            )
        else:
            candidate = services.candidate_reject(candidate_id=candidate.pk, user=request.user)
    except (services.DecisionRefused, StaleVersion, ValidationError) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if request.htmx:
        candidate = selectors.candidates_visible_to(request.user).get(pk=candidate.pk)
        return render(request, "scoring/run_detail.html#candidate", {"candidate": candidate, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Candidate {decision}ed.")
    return redirect(
        reverse("scoring:run_detail", args=[candidate.run_id]) + f"#segment-{candidate.segment_id}"
    )
