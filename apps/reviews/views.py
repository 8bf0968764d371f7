"""HTML pages of curators: studies (and what raters read of them, item flags), results, rubrics and
the raters page (figures, filters, CSV, deactivation). The raters' own pages are in `rater_views.py`.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import RaterGroup, RaterProfile
from apps.core.errors import error_messages
from apps.core.roles import require_curator
from apps.reviews import assignment as engine
from apps.reviews import quality, selectors, services
from apps.reviews.forms import PreassignForm, StudyForm, StudyTextsForm, rating_fields
from apps.reviews.models import Rubric, Study

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
            "item_flags": selectors.item_flags(study)[:200],
            "skip_reasons": selectors.skip_reasons(study),
        },
    )


@login_required
def study_texts(request, pk: int):
    """Edit the study's internal description and the title and instructions raters read."""
    require_curator(request.user)
    study = get_object_or_404(Study, pk=pk)
    initial = {field: getattr(study, field) for field in StudyTextsForm.base_fields}
    form = StudyTextsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.study_texts_update(study=study, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Saved what raters read.")
            return redirect("reviews:study_detail", pk=pk)
    status = 400 if form.errors else 200
    return render(request, "reviews/study_texts.html", {"study": study, "form": form}, status=status)


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


@require_GET
@login_required
def study_item_flags_csv(request, pk: int):
    """The study's item flags and skip reasons as CSV (curators)."""
    require_curator(request.user)
    study = get_object_or_404(Study, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-item-flags.csv"'
    writer = csv.writer(response)
    writer.writerow(selectors.ITEM_FLAG_CSV_COLUMNS)
    writer.writerows(selectors.item_flag_csv_rows(study))
    return response


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
