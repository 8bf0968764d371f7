"""HTML pages of quality control: a study's quality page (settings, onboarding texts, flags), its items
(gold and practice), adjudication, and the rater's consent page. Thin: parse, call a service or
selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.roles import RATE, require_curator
from apps.reviews import quality, selectors
from apps.reviews.models import RaterFlag, Rubric, Study, StudyItem
from apps.reviews.quality.forms import AdjudicationForm, ConsentForm, GoldForm, QualityForm


def _study(pk: int) -> Study:
    return get_object_or_404(selectors.studies_all(), pk=pk)


@login_required
def study_quality(request, pk: int):
    """Quality settings (POST saves them), onboarding texts, gold/practice counts and flags."""
    require_curator(request.user)
    study = _study(pk)
    form = QualityForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            quality.study_quality_set(study=study, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Quality settings saved.")
            return redirect("reviews:study_quality", pk=pk)
    quality.flags_refresh(study=study)
    current = quality.consent_current(study)
    counts = {row["role"]: row["n"] for row in _role_counts(study)}
    return render(
        request,
        "reviews/study_quality.html",
        {
            "study": study,
            "form": form,
            "consent": current,
            "consent_form": ConsentForm(
                initial={"instructions": current.instructions, "consent_text": current.consent_text}
                if current
                else None
            ),
            "acceptances": current.acceptances.count() if current else 0,
            "counts": counts,
            "open_flags": quality.flags_for_study(study).order_by("rater__username", "kind"),
            "resolved_flags": quality.flags_for_study(study, open_only=False)
            .filter(resolved_at__isnull=False)
            .order_by("-resolved_at")[:50],
        },
        status=400 if form.errors else 200,
    )


def _role_counts(study: Study):
    from django.db.models import Count

    return study.items.values("role").annotate(n=Count("id"))


@require_POST
@login_required
def study_onboarding(request, pk: int):
    require_curator(request.user)
    study = _study(pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            version = quality.consent_publish(study=study, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Instructions and consent text: version {version.version} is current.")
    else:
        messages.error(request, "Write the consent text raters must accept.")
    return redirect("reviews:study_quality", pk=pk)


@require_POST
@login_required
def flag_resolve(request, pk: int, flag_pk: int):
    require_curator(request.user)
    flag = get_object_or_404(RaterFlag, pk=flag_pk, study_id=pk)
    try:
        quality.flag_resolve(flag=flag, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Flag on {flag.rater.username} resolved.")
    return redirect("reviews:study_quality", pk=pk)


@login_required
def study_items(request, pk: int):
    require_curator(request.user)
    study = _study(pk)
    role = request.GET.get("role", "")
    items = study.items.select_related("gold").order_by("position")
    if role in StudyItem.Role.values:
        items = items.filter(role=role)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/study_items.html",
        {"study": study, "page": page, "role": role, "roles": StudyItem.Role.choices},
    )


@login_required
def item_quality(request, pk: int, item_pk: int):
    """One item as raters see it, and its role: regular, practice, or gold with expected answers."""
    require_curator(request.user)
    study = _study(pk)
    item = get_object_or_404(StudyItem.objects.select_related("gold"), pk=item_pk, study=study)
    form = GoldForm(request.POST or None, rubric=study.rubric, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            quality.item_role_set(
                item=item, role=form.cleaned_data["role"], expected=form.expected(), actor=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Item {item.position} saved.")
            return redirect("reviews:item_quality", pk=pk, item_pk=item_pk)
    return render(
        request,
        "reviews/item_quality.html",
        {"study": study, "item": item, "view": selectors.item_for_rater(item), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(RATE, raise_exception=True)
def study_consent(request, pk: int):
    """The rater reads the study's instructions and consent text and accepts it, then gets an item."""
    from apps.reviews.rater_views import _next_or_done

    study = get_object_or_404(selectors.studies_for_rater(request.user), pk=pk)
    current = quality.consent_current(study)
    if current is None:
        return redirect("accounts:queue")
    error = ""
    if request.method == "POST":
        if request.POST.get("agree") != "yes":
            error = "Tick “I agree” to accept, or go back to your queue."
        else:
            version = request.POST.get("version", "")
            try:
                quality.consent_accept(
                    study=study, rater=request.user, version=int(version) if version.isdigit() else 0
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return _next_or_done(request, study, notice="Thank you: consent recorded.")
    return render(
        request,
        "reviews/study_consent.html",
        {
            "study": study,
            "consent": current,
            "accepted": quality.consent_accepted(study, request.user),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def adjudication_list(request):
    """Studies with an adjudication rule and how many items wait."""
    require_curator(request.user)
    rows = []
    for study in selectors.studies_all().exclude(status=Study.Status.DRAFT).order_by("-created_at"):
        rule = quality.rule_of(study)
        rows.append(
            {
                "study": study,
                "rule": rule,
                "pending": len(quality.adjudication_queue(study)) if rule else None,
                "done": study.adjudications.filter(is_current=True).count(),
            }
        )
    return render(request, "reviews/adjudication_list.html", {"rows": rows})


@login_required
def study_adjudication(request, pk: int):
    require_curator(request.user)
    study = _study(pk)
    include_done = quality.truthy(request.GET.get("done"))
    return render(
        request,
        "reviews/study_adjudication.html",
        {
            "study": study,
            "rule": quality.rule_of(study),
            "queue": quality.adjudication_queue(study, include_done=include_done),
            "include_done": include_done,
        },
    )


@login_required
def adjudication_item(request, pk: int, item_pk: int):
    """Every rating of the item side by side (pseudonymous raters) and the form for the final label."""
    require_curator(request.user)
    study = _study(pk)
    item = get_object_or_404(StudyItem, pk=item_pk, study=study, role=StudyItem.Role.REGULAR)
    entry = quality.queue_item(study, item)
    form = AdjudicationForm(
        request.POST or None, rubric=study.rubric, question=entry.question, current=entry.current
    )
    if request.method == "POST" and form.is_valid():
        try:
            quality.adjudication_record(
                study=study,
                item=item,
                label=form.label(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Item {item.position}: final label recorded.")
            following = next(
                (e for e in quality.adjudication_queue(study) if e.item.position > item.position), None
            )
            if following is not None:
                return redirect("reviews:adjudication_item", pk=pk, item_pk=following.item.pk)
            return redirect("reviews:study_adjudication", pk=pk)
    return render(
        request,
        "reviews/adjudication_item.html",
        {
            "study": study,
            "item": item,
            "view": selectors.item_for_rater(item),
            "entry": entry,
            "grid": entry.grid(study.rubric.questions),
            "form": form,
            "history": item.adjudications.select_related("adjudicator").order_by("-version"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def rubric_min_seconds(request, pk: int):
    require_curator(request.user)
    rubric = get_object_or_404(Rubric, pk=pk)
    value = request.POST.get("min_seconds", "").strip()
    try:
        quality.rubric_min_seconds_set(
            rubric=rubric, min_seconds=int(value) if value.isdigit() else -1, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{rubric}: submissions faster than {rubric.min_seconds} s are counted as too fast."
        )
    return redirect("reviews:rubric_detail", pk=pk)
