"""ELEVATE pages (curators). The form saves each item on change through htmx and re-renders that item
and the progress of its domain; without JavaScript every form still posts and redirects back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.roles import require_curator
from apps.elevate import selectors, services
from apps.elevate.exceptions import AssessmentLocked, AssessmentRefused
from apps.elevate.forms import AssessmentCreateForm, ResponseForm
from apps.elevate.models import Assessment, ChecklistItem, ItemResponse


def _visible_assessment(request, pk: int) -> Assessment:
    require_curator(request.user)
    return get_object_or_404(selectors.assessments_visible_to(request.user), pk=pk)


@login_required
def assessment_list(request):
    require_curator(request.user)
    assessments = selectors.assessments_with_progress(request.user)
    status = request.GET.get("status", "")
    if status in Assessment.Status.values:
        assessments = assessments.filter(status=status)
    if request.GET.get("mine"):
        assessments = assessments.filter(assessor=request.user)
    return render(
        request,
        "elevate/assessment_list.html",
        {"assessments": assessments[:200], "status": status, "mine": bool(request.GET.get("mine"))},
    )


@login_required
def assessment_new(request):
    require_curator(request.user)
    current = selectors.template_current()
    form = AssessmentCreateForm(request.POST or None, current_template=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_create(
                assessor=request.user,
                subject_kind=data["subject_kind"],
                subject_id=data["subject_id"],
                title=data["title"],
                doi=data["doi"],
                url=data["url"],
                template=data["template"] or current,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            prefilled = assessment.responses.filter(prefilled=True).count()
            note = f"; {prefilled} answers pre-filled from Equitext data" if prefilled else ""
            messages.success(request, f"Assessment started{note}.")
            return redirect("elevate:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "elevate/assessment_new.html",
        {"form": form, "current": current, "recent": selectors.recent_subjects(request.user)},
    )


def _form_context(request, assessment: Assessment) -> dict:
    answered, total = selectors.progress_totals(assessment)
    return {
        "assessment": assessment,
        "editable": assessment.assessor_id == request.user.pk and not assessment.is_submitted,
        "answered": answered,
        "total": total,
        "statuses": ItemResponse.Status.choices,
        "needs_comment": list(ItemResponse.NEEDS_COMMENT),
    }


@login_required
def assessment_detail(request, pk: int):
    """The form (read-only unless the viewer is the assessor of a draft)."""
    assessment = _visible_assessment(request, pk)
    context = _form_context(request, assessment)
    context["sections"] = selectors.assessment_sections(assessment)
    context["others"] = selectors.assessments_of_same_subject(assessment, request.user)
    context["can_prefill"] = assessment.subject_kind != "publication"
    return render(request, "elevate/assessment_form.html", context)


@require_POST
@login_required
def response_save(request, pk: int, item_pk: int):
    """Autosave of one item. htmx gets the item (and, out of band, the progress) back; errors say what
    to fix and leave the stored answer as it was."""
    assessment = _visible_assessment(request, pk)
    item = get_object_or_404(
        ChecklistItem.objects.select_related("domain"), pk=item_pk, domain__template=assessment.template_id
    )
    form = ResponseForm(request.POST)
    errors, refused, saved = {}, "", False
    if not form.is_valid():
        errors = {field: " ".join(e) for field, e in form.errors.items()}
    else:
        try:
            response = services.response_save(
                assessment=assessment, item=item, actor=request.user, **form.cleaned_data
            )
            saved = True
        except ValidationError as error:
            errors = {field: " ".join(e) for field, e in error.message_dict.items()}
        except AssessmentLocked as error:
            refused = str(error)
    if not saved:
        # Show what the assessor typed, unsaved, beside the message.
        response = ItemResponse(
            assessment=assessment,
            item=item,
            status=request.POST.get("status", ""),
            location=request.POST.get("location", ""),
            comment=request.POST.get("comment", ""),
        )
    if not request.htmx:
        if saved:
            messages.success(request, f"Item {item.code} saved.")
        else:
            messages.error(request, f"Item {item.code} not saved: {refused or ' '.join(errors.values())}")
        return redirect(reverse("elevate:assessment_detail", args=[pk]) + f"#item-{item.pk}")
    assessment.refresh_from_db()
    context = _form_context(request, assessment)
    context.update(
        row=selectors.Row(item=item, response=response),
        section=selectors.section_of(assessment, item.domain),
        errors=errors,
        refused=refused,
        saved_now=saved,
        oob=True,
    )
    if refused:
        context["editable"] = False
    return render(request, "elevate/assessment_form.html#item-saved", context)


@require_POST
@login_required
def assessment_submit(request, pk: int):
    assessment = _visible_assessment(request, pk)
    try:
        services.assessment_submit(assessment=assessment, actor=request.user)
    except AssessmentRefused as error:
        messages.error(request, f"Not submitted: {error}")
    except AssessmentLocked as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Assessment submitted; it is now frozen.")
    return redirect("elevate:assessment_detail", pk=pk)


@require_POST
@login_required
def assessment_revise(request, pk: int):
    assessment = _visible_assessment(request, pk)
    try:
        revision = services.assessment_revise(assessment=assessment, actor=request.user)
    except AssessmentRefused as error:
        messages.error(request, str(error))
        return redirect("elevate:assessment_detail", pk=pk)
    messages.success(request, f"Revision of assessment #{pk} started with its answers copied.")
    return redirect("elevate:assessment_detail", pk=revision.pk)


@require_POST
@login_required
def assessment_prefill(request, pk: int):
    assessment = _visible_assessment(request, pk)
    try:
        written = services.assessment_prefill(assessment=assessment, actor=request.user)
    except AssessmentLocked as error:
        messages.error(request, str(error))
    else:
        if written:
            messages.success(request, f"{written} answers pre-filled; answers you gave yourself were kept.")
        else:
            messages.info(request, "Equitext holds no data that could pre-fill this assessment.")
    return redirect("elevate:assessment_detail", pk=pk)


@login_required
def assessment_summary(request, pk: int):
    assessment = _visible_assessment(request, pk)
    sections = selectors.assessment_sections(assessment)
    answered, total = selectors.progress_totals(assessment)
    return render(
        request,
        "elevate/assessment_summary.html",
        {
            "assessment": assessment,
            "sections": sections,
            "gaps": [(section, row) for section in sections for row in section.gaps],
            "answered": answered,
            "total": total,
            "others": selectors.assessments_of_same_subject(assessment, request.user),
        },
    )


@login_required
def assessment_report(request, pk: int):
    """A printable report of the whole assessment."""
    assessment = _visible_assessment(request, pk)
    answered, total = selectors.progress_totals(assessment)
    return render(
        request,
        "elevate/assessment_report.html",
        {
            "assessment": assessment,
            "sections": selectors.assessment_sections(assessment),
            "answered": answered,
            "total": total,
        },
    )


@login_required
def assessment_compare(request, pk: int, other_pk: int):
    left = _visible_assessment(request, pk)
    right = _visible_assessment(request, other_pk)
    sections = selectors.assessments_compare(left, right)
    return render(
        request,
        "elevate/assessment_compare.html",
        {
            "left": left,
            "right": right,
            "same_subject": left.subject_key == right.subject_key,
            "sections": sections,
            "disagreements": sum(s.disagreements for s in sections),
        },
    )


@login_required
def template_list(request):
    require_curator(request.user)
    return render(
        request,
        "elevate/template_list.html",
        {"templates": selectors.templates_visible_to(request.user).order_by("name", "-version")},
    )


@login_required
def template_detail(request, pk: int):
    require_curator(request.user)
    template = get_object_or_404(selectors.templates_visible_to(request.user), pk=pk)
    return render(request, "elevate/template_detail.html", {"template": template})


@require_POST
@login_required
def template_new_version(request, pk: int):
    require_curator(request.user)
    template = get_object_or_404(selectors.templates_visible_to(request.user), pk=pk)
    new = services.template_new_version(template=template, actor=request.user)
    messages.success(request, f"{new} created as a copy of v{template.version}; edit it before it is used.")
    return redirect("elevate:template_detail", pk=new.pk)
