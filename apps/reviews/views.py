"""HTML pages: curators manage studies, read results and manage raters (the raters page: figures,
filters, CSV, deactivation); raters see their queue and work through their items.

Rater pages only ever load the rater's own assignments (`selectors.assignment_own`): anything else is a
404, the same answer as for an id that does not exist.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import RaterGroup, RaterProfile
from apps.core.errors import error_messages
from apps.core.exports import csv_cell
from apps.core.roles import RATE, require_curator
from apps.reviews import assignment as engine
from apps.reviews import charts, methods, quality, results, selectors, services
from apps.reviews.forms import PreassignForm, StudyForm, rating_fields, response_from_post
from apps.reviews.models import Assignment, Rubric, Study
from apps.reviews.rubric import RubricError

# --- curator pages ---


@login_required
def study_list(request):
    require_curator(request.user)
    studies = selectors.studies_all().order_by("-created_at", "-id")
    return render(request, "reviews/study_list.html", {"studies": studies})


@login_required
def study_create(request):
    require_curator(request.user)
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f'Study "{study.name}" created with {study.items.count()} items.')
            return redirect("reviews:study_detail", pk=study.pk)
    return render(request, "reviews/study_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def study_detail(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(selectors.studies_all(), pk=pk)
    return render(
        request,
        "reviews/study_detail.html",
        {
            "study": study,
            "quotas": study.quotas.select_related("group"),
            "completion": selectors.study_completion(study),
            "preassign_form": PreassignForm(),
            "items": study.items.order_by("position")[:20],
        },
    )


@require_POST
@login_required
def study_transition(request, pk: int, action: str):
    require_curator(request.user)
    if action not in ("launch", "pause", "close"):
        raise Http404
    study = get_object_or_404(Study, pk=pk)
    try:
        services.study_transition(study=study, action=action, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f'Study "{study.name}": {action} done.')
    return redirect("reviews:study_detail", pk=pk)


@require_POST
@login_required
def study_preassign(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(Study, pk=pk)
    form = PreassignForm(request.POST)
    if form.is_valid():
        try:
            positions = form.positions()
            rater = get_user_model().objects.filter(username=form.cleaned_data["rater"]).first()
            if rater is None:
                raise ValidationError(f"No user named {form.cleaned_data['rater']!r}.")
            ids = dict(study.items.filter(position__in=positions).values_list("position", "id"))
            missing = sorted(set(positions) - set(ids))
            if missing:
                raise ValidationError(f"The study has no item number {', '.join(map(str, missing[:10]))}.")
            created = engine.assignments_preassign(
                study=study, rater=rater, item_ids=[ids[p] for p in positions], actor=request.user
            )
        except (ValidationError, engine.AssignmentError) as exc:
            messages.error(request, error_messages(exc)[0])
        else:
            messages.success(request, f"{len(created)} items assigned to {rater.username}.")
    else:
        messages.error(request, "Give a rater and item numbers.")
    return redirect("reviews:study_detail", pk=pk)


def _with_charts(tables):
    for table in tables:
        table.svg = charts.bar_chart_svg(table.chart, title=table.title, domain=table.chart_domain)
    return tables


def _exclusion(request, study: Study):
    """Who results leave out: raters with open quality flags when `?exclude_flagged=1` (flags brought up
    to date first)."""
    quality.flags_refresh(study=study)
    return quality.exclusion_for(study, exclude_flagged=quality.truthy(request.GET.get("exclude_flagged")))


@login_required
def study_results(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(selectors.studies_all(), pk=pk)
    exclusion = _exclusion(request, study)
    tables = _with_charts(results.study_results(study, exclude=exclusion.ids))
    text = methods.results_methods(study, tables, excluded=exclusion.excluded)
    return render(
        request,
        "reviews/study_results.html",
        {"study": study, "tables": tables, "exclusion": exclusion, "methods": text},
    )


@login_required
def study_agreement(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(selectors.studies_all(), pk=pk)
    exclusion = _exclusion(request, study)
    table = _with_charts([results.study_agreement(study, exclude=exclusion.ids)])[0]
    text = methods.agreement_methods(study, table, excluded=exclusion.excluded)
    template = "reviews/study_agreement.html#agreement" if request.htmx else "reviews/study_agreement.html"
    return render(
        request, template, {"study": study, "table": table, "exclusion": exclusion, "methods": text}
    )


@require_GET
@login_required
def study_table_csv(request, pk: int, key: str):
    require_curator(request.user)
    study = get_object_or_404(Study, pk=pk)
    exclusion = _exclusion(request, study)
    if key == "agreement":
        table = results.study_agreement(study, exclude=exclusion.ids)
    else:
        table = next((t for t in results.study_results(study, exclude=exclusion.ids) if t.key == key), None)
        if table is None:
            raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-without-flagged" if exclusion.active else ""
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{key}{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows([csv_cell(cell) for cell in row] for row in table.rows)
    return response


@login_required
def rubric_list(request):
    require_curator(request.user)
    return render(
        request, "reviews/rubric_list.html", {"rubrics": Rubric.objects.order_by("name", "-version")}
    )


@login_required
def rubric_detail(request, pk: int):
    require_curator(request.user)
    rubric = get_object_or_404(Rubric, pk=pk)
    error = None
    if request.method == "POST":
        try:
            definition = json.loads(request.POST.get("definition", ""))
            revised = services.rubric_revise(
                rubric=rubric,
                definition=definition,
                description=request.POST.get("description"),
                actor=request.user,
            )
        except json.JSONDecodeError as exc:
            error = f"The definition is not valid JSON: {exc}."
        except ValidationError as exc:
            error = "\n".join(exc.messages)
        else:
            if revised.pk != rubric.pk:
                messages.success(request, f"{rubric} is in use; your edit is saved as {revised}.")
            else:
                messages.success(request, f"{rubric} saved.")
            return redirect("reviews:rubric_detail", pk=revised.pk)
    return render(
        request,
        "reviews/rubric_detail.html",
        {
            "rubric": rubric,
            "frozen": services.rubric_is_frozen(rubric),
            "preview": rating_fields(rubric.definition, {}),
            "definition_json": request.POST.get("definition")
            if error
            else json.dumps(rubric.definition, indent=2),
            "error": error,
        },
        status=400 if error else 200,
    )


# --- rater pages ---


@login_required
@permission_required(RATE, raise_exception=True)
def queue(request):
    """The rater's work queue: the studies they take part in, with their progress."""
    return render(
        request,
        "reviews/queue.html",
        {
            "profile": getattr(request.user, "rater_profile", None),
            "queue": selectors.rater_queue(request.user),
        },
    )


def _item_context(assignment: Assignment, values=None, errors=None, notice: str = "") -> dict:
    definition = assignment.study.rubric.definition
    if values is None:
        current = assignment.ratings.filter(is_current=True).first()
        values = current.response if current else assignment.draft
    return {
        "assignment": assignment,
        "study": assignment.study,
        "item": selectors.item_for_rater(assignment.item),
        "instructions": definition.get("instructions", ""),
        "fields": rating_fields(definition, values, errors),
        "errors": errors,
        "notice": notice,
        "progress": _progress(assignment),
        "editable": assignment.status in (Assignment.Status.LEASED, Assignment.Status.EXPIRED),
    }


def _progress(assignment: Assignment) -> dict:
    done = Assignment.objects.filter(
        study_id=assignment.study_id, rater_id=assignment.rater_id, status=Assignment.Status.SUBMITTED
    ).count()
    return {"done": done}


def _render_item(request, assignment: Assignment, status: int = 200, **context):
    page = _item_context(assignment, **context)
    if request.htmx:
        response = render(request, "reviews/rate.html#item", page, status=status)
        response["HX-Push-Url"] = reverse("reviews:rate", args=[assignment.pk])
        return response
    return render(request, "reviews/rate.html", page, status=status)


def _next_or_done(request, study: Study, notice: str = ""):
    """Lease the rater's next item of `study` and show it, or say that nothing is left."""
    try:
        assignment = engine.assignment_lease_next(study=study, rater=request.user)
    except engine.ConsentRequired:
        consent_url = reverse("reviews:study_consent", args=[study.pk])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = consent_url
            return response
        return redirect(consent_url)
    except engine.AssignmentError as exc:
        assignment, notice = None, str(exc)
    if assignment is None:
        if request.htmx:
            return render(request, "reviews/rate.html#done", {"study": study, "notice": notice})
        if notice:
            messages.info(request, notice)
        messages.success(request, f'Nothing more to rate in "{study.name}" for now. Thank you!')
        return redirect("accounts:queue")
    assignment = selectors.assignment_own(request.user, assignment.pk)
    if request.htmx:
        return _render_item(request, assignment, notice=notice)
    if notice:
        messages.info(request, notice)
    return redirect("reviews:rate", pk=assignment.pk)


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_next(request, study_pk: int):
    study = get_object_or_404(selectors.studies_for_rater(request.user), pk=study_pk)
    return _next_or_done(request, study)


def _own(request, pk: int) -> Assignment:
    assignment = selectors.assignment_own(request.user, pk)
    if assignment is None:
        raise Http404("Not found, or not visible to your account.")
    return assignment


@login_required
@permission_required(RATE, raise_exception=True)
def rate(request, pk: int):
    return _render_item(request, _own(request, pk))


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_submit(request, pk: int):
    assignment = _own(request, pk)
    definition = assignment.study.rubric.definition
    response = response_from_post(definition, request.POST)
    spent = request.POST.get("time_spent_ms", "")
    try:
        engine.assignment_submit(
            assignment_id=assignment.pk,
            rater=request.user,
            response=response,
            time_spent_ms=int(spent) if spent.isdigit() else None,
        )
    except RubricError as exc:
        # htmx swaps only 2xx answers: the form comes back with its messages in place.
        return _render_item(
            request, assignment, status=200 if request.htmx else 400, values=response, errors=exc.errors
        )
    except engine.AssignmentError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        return _next_or_done(request, assignment.study, notice=str(exc))
    return _next_or_done(request, assignment.study, notice="Saved.")


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_skip(request, pk: int):
    assignment = _own(request, pk)
    try:
        engine.assignment_skip(assignment_id=assignment.pk, rater=request.user)
    except engine.AssignmentError as exc:
        return _next_or_done(request, assignment.study, notice=str(exc))
    return _next_or_done(request, assignment.study, notice="Skipped.")


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def rate_draft(request, pk: int):
    assignment = _own(request, pk)
    kept = engine.assignment_draft_save(
        assignment_id=assignment.pk,
        rater=request.user,
        draft=response_from_post(assignment.study.rubric.definition, request.POST),
    )
    return HttpResponse(f"Draft saved ({len(kept)} answer{'s' if len(kept) != 1 else ''}).")


# --- raters (curators) ---


def _rater_filters(request) -> dict:
    study_id = request.GET.get("study", "")
    return {
        "group": request.GET.get("group", ""),
        "active": request.GET.get("active", ""),
        "flagged": request.GET.get("flagged", ""),
        "search": request.GET.get("search", "").strip(),
        "study": Study.objects.filter(pk=study_id).first() if study_id.isdigit() else None,
    }


def _raters(filters: dict):
    """(profile, figures) of the raters the filters (`_rater_filters`, raters_filtered's arguments) keep."""
    return selectors.raters_with_figures(selectors.raters_filtered(**filters), study=filters["study"])


@login_required
def rater_list(request):
    require_curator(request.user)
    filters = _rater_filters(request)
    quality.flags_refresh_all(study=filters["study"])  # the figures read open flags
    return render(
        request,
        "reviews/rater_list.html",
        {
            "raters": _raters(filters),
            "filters": filters,
            "groups": RaterGroup.objects.order_by("name"),
            "studies": Study.objects.exclude(status=Study.Status.DRAFT).order_by("-created_at")[:200],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def rater_csv(request):
    require_curator(request.user)
    filters = _rater_filters(request)
    quality.flags_refresh_all(study=filters["study"])  # the figures read open flags
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-study-{filters['study'].pk}" if filters["study"] else ""
    response["Content-Disposition"] = f'attachment; filename="raters{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(selectors.RATER_CSV_COLUMNS)
    writer.writerows(selectors.rater_csv_rows(_raters(filters)))
    return response


@require_POST
@login_required
def rater_deactivate(request, pk: int):
    require_curator(request.user)
    profile = get_object_or_404(RaterProfile, pk=pk)
    try:
        services.rater_deactivate(profile=profile, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{profile.user.username} is deactivated; their open items went back to the pool."
        )
    return redirect("accounts:rater_list")


@require_POST
@login_required
def rater_reactivate(request, pk: int):
    require_curator(request.user)
    profile = get_object_or_404(RaterProfile, pk=pk)
    services.rater_reactivate(profile=profile, actor=request.user)
    messages.success(request, f"{profile.user.username} can log in and rate again.")
    return redirect("accounts:rater_list")
