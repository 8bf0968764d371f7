"""Pages of model raters (curators): start one from the results page's calibration section, and read a
run's record and every output it gave (raw text; why an output did not parse)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import ServiceError, error_messages
from apps.core.roles import require_curator
from apps.reviews import selectors as review_selectors
from apps.reviews.autoraters import selectors, services

FIELDS = (
    "name",
    "model_path",
    "template_version",
    "temperature",
    "top_p",
    "max_new_tokens",
    "batch_size",
    "seed",
)


@require_POST
@login_required
def autorater_create(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(review_selectors.studies_all(), pk=pk)
    settings = {field: request.POST[field] for field in FIELDS if request.POST.get(field, "").strip()}
    try:
        autorater = services.autorater_create(study=study, actor=request.user, settings=settings)
    except (ValidationError, ServiceError) as exc:
        messages.error(request, f"Model rater not started: {error_messages(exc)[0]}")
    else:
        messages.success(
            request,
            f"Model rater “{autorater.name}” started (job {autorater.job_id}); its calibration appears here "
            "as it rates.",
        )
    return redirect(reverse("reviews:study_results", args=[study.pk]) + "#calibration")


@require_GET
@login_required
def autorater_detail(request, pk: int, autorater_pk: int):
    require_curator(request.user)
    study = get_object_or_404(review_selectors.studies_all(), pk=pk)
    autorater = get_object_or_404(selectors.autoraters_of(study), pk=autorater_pk)
    context = {"study": study, "autorater": autorater, "ratings": selectors.autorater_ratings(autorater)}
    return render(request, "reviews/autorater_detail.html", context)
