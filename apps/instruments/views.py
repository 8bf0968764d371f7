"""Instrument pages (curators). The form saves each item as it changes (htmx; text fields debounced
while typing and flushed when the page is hidden, static/js/autosave.js) and re-renders only that
item's feedback and, out of band, the scores; without JavaScript every item still posts and redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.errors import ServiceError, error_messages
from apps.core.roles import is_curator, require_curator
from apps.corpus.selectors import documents_visible_to
from apps.instruments import results, selectors, services, study_views
from apps.instruments.forms import AnswerForm, AssessmentStartForm
from apps.instruments.models import InstrumentAssessment, InstrumentItem
from apps.instruments.rules import rule_label
from apps.instruments.subjects import assessed_text


def _visible_assessment(request, pk: int) -> InstrumentAssessment:
    """Curators: any assessment. Raters: only their own from instrument studies (anyone else's is a 404)."""
    assessment = selectors.assessment_for(request.user, pk)
    if assessment is None:
        raise Http404("Not found, or not visible to your account.")
    return assessment


@login_required
def instrument_list(request):
    require_curator(request.user)
    assessments = selectors.assessments_visible_to(request.user)
    if request.GET.get("mine"):
        assessments = assessments.filter(assessor=request.user)
    return render(
        request,
        "instruments/instrument_list.html",
        {
            "instruments": selectors.instruments_visible_to(request.user),
            "assessments": assessments[:100],
            "mine": bool(request.GET.get("mine")),
            "assessed": selectors.documents_assessed(request.user),
            "documents": documents_visible_to(request.user).order_by("-pk")[:8],
        },
    )


@login_required
def instrument_detail(request, pk: int):
    require_curator(request.user)
    instrument = get_object_or_404(selectors.instruments_visible_to(request.user), pk=pk)
    groups = list(instrument.groups.order_by("order").prefetch_related("items"))
    return render(
        request,
        "instruments/instrument_detail.html",
        {"instrument": instrument, "groups": groups, "rule_label": rule_label},
    )


@login_required
def assessment_new(request):
    require_curator(request.user)
    instruments = selectors.instruments_current(request.user)
    initial = {"document": request.GET.get("document"), "side": request.GET.get("side") or "original"}
    form = AssessmentStartForm(request.POST or None, instruments=instruments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = documents_visible_to(request.user).filter(pk=data["document"]).first()
        if document is None:
            form.add_error("document", f"There is no document #{data['document']}.")
        else:
            try:
                assessment, created = services.assessment_start(
                    assessor=request.user, instrument=data["instrument"], document=document, side=data["side"]
                )
            except ServiceError as error:
                form.add_service_errors(error)
            else:
                if created:
                    automatic = assessment.answers.filter(confirmed=False).count()
                    note = (
                        f"; {automatic} answers pre-filled by rules, waiting for you to confirm them"
                        if automatic
                        else ""
                    )
                    messages.success(request, f"Assessment started{note}.")
                else:
                    messages.info(
                        request, "You already have an assessment of this text with this instrument."
                    )
                return redirect("instruments:assessment_detail", pk=assessment.pk)
    document = None
    if str(initial["document"] or "").isdigit():
        document = documents_visible_to(request.user).filter(pk=int(initial["document"])).first()
    return render(request, "instruments/assessment_new.html", {"form": form, "document": document})


def _form_context(request, assessment: InstrumentAssessment) -> dict:
    # A rater's study assessment is shown blinded: "Version 1/2", never the side (study_views.py).
    blinded = assessment.origin == InstrumentAssessment.Origin.STUDY and not is_curator(request.user)
    return {
        "assessment": assessment,
        "editable": assessment.assessor_id == request.user.pk and not assessment.is_submitted,
        "scales": selectors.assessment_scores(assessment),
        "rule_label": rule_label,
        "blinded": blinded,
        "version_label": study_views.version_label(assessment) if blinded else "",
    }


@login_required
def assessment_detail(request, pk: int):
    """The form (read-only unless the viewer is the assessor of a draft), beside the assessed text."""
    assessment = _visible_assessment(request, pk)
    text, exact = assessed_text(assessment)
    context = _form_context(request, assessment)
    context.update(sections=selectors.assessment_sections(assessment), text=text, text_exact=exact)
    return render(request, "instruments/assessment_form.html", context)


def _save(request, pk: int, item_pk: int, *, confirm: bool):
    assessment = _visible_assessment(request, pk)
    item = get_object_or_404(InstrumentItem, pk=item_pk, instrument=assessment.instrument_id)
    form = AnswerForm(request.POST)
    errors, refused, saved = {}, "", False
    try:
        if not form.is_valid():
            raise ServiceError(errors={k: " ".join(v) for k, v in form.errors.items()})
        if confirm:
            services.answer_confirm(assessment=assessment, item=item, actor=request.user)
        else:
            services.answer_save(assessment=assessment, item=item, actor=request.user, **form.cleaned_data)
        saved = True
    except ServiceError as error:
        message, errors = error_messages(error)
        errors = {key: " ".join(texts) for key, texts in errors.items()}
        if error.status != 400 or not errors:
            refused, errors = message, {}
    if not request.htmx:
        if saved:
            messages.success(request, f"Item {item.code} {'confirmed' if confirm else 'saved'}.")
        else:
            messages.error(request, f"Item {item.code} not saved: {refused or ' '.join(errors.values())}")
        return redirect(reverse("instruments:assessment_detail", args=[pk]) + f"#item-{item.pk}")
    assessment.refresh_from_db()
    context = _form_context(request, assessment)
    answer = assessment.answers.filter(item=item).first()
    context.update(
        row=selectors.Row(item=item, answer=answer),
        errors=errors,
        refused=refused,
        saved_now=saved,
        oob=True,
    )
    if refused:
        context["editable"] = False
    return render(request, "instruments/assessment_form.html#item-saved", context)


@require_POST
@login_required
def answer_save(request, pk: int, item_pk: int):
    return _save(request, pk, item_pk, confirm=False)


@require_POST
@login_required
def answer_confirm(request, pk: int, item_pk: int):
    return _save(request, pk, item_pk, confirm=True)


@require_POST
@login_required
def assessment_submit(request, pk: int):
    assessment = _visible_assessment(request, pk)
    try:
        services.assessment_submit(assessment=assessment, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Assessment submitted; it is now frozen.")
        if assessment.origin == InstrumentAssessment.Origin.STUDY:  # a rater's: on to their next item
            return study_views.next_item(request, assessment)
    return redirect("instruments:assessment_detail", pk=pk)


@require_POST
@login_required
def assessment_prefill(request, pk: int):
    assessment = _visible_assessment(request, pk)
    try:
        written = services.assessment_prefill(assessment=assessment, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.info(
            request,
            f"{written} automatic answers refreshed; answers you gave or confirmed were kept."
            if written
            else "No rule could decide an item you have not answered yourself.",
        )
    return redirect("instruments:assessment_detail", pk=pk)


@login_required
def document_results(request, pk: int):
    require_curator(request.user)
    document = get_object_or_404(documents_visible_to(request.user).select_related("source"), pk=pk)
    return render(
        request,
        "instruments/document_results.html",
        {
            "document": document,
            "results": results.document_results(document, request.user),
            "agreement_method": results.AGREEMENT_METHOD,
        },
    )
