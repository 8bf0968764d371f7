"""Instrument studies' pages: curators create a study over documents and read its results; a rater's
item opens the instrument form (views.py) blinded to the side, and submitting it goes on to their next
item."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from apps.core.errors import ServiceErrorsFormMixin
from apps.core.roles import RATE, require_curator
from apps.instruments import selectors, studies
from apps.instruments.models import Instrument, InstrumentStudyItem
from apps.instruments.results import AGREEMENT_METHOD
from apps.reviews import assignment as engine
from apps.reviews.models import RaterGroup, Rubric, Study  # rater groups as the reviews app uses them


def version_label(assessment) -> str:
    subject = InstrumentStudyItem.objects.filter(item__assignments__pk=assessment.assignment_id).first()
    return subject.version_label if subject else "Version ?"


def next_item(request, assessment):
    """After a rater submits: their next item of the same study, or their queue when none is left."""
    study = Study.objects.filter(assignments__pk=assessment.assignment_id).first()
    try:
        assignment = engine.assignment_lease_next(study=study, rater=request.user)
    except engine.ConsentRequired:
        return redirect("reviews:study_consent", pk=study.pk)
    except engine.AssignmentError as exc:
        messages.info(request, str(exc))
        assignment = None
    if assignment is None:
        messages.success(request, f"Nothing more to assess in “{study.title_for_raters}” for now. Thank you!")
        return redirect("accounts:queue")
    return redirect("instruments:study_item", assignment_pk=assignment.pk)


@login_required
@permission_required(RATE, raise_exception=True)
def study_item(request, assignment_pk: int):
    """The rater's assessment for their item (made on first opening, with the automatic answers)."""
    try:
        assessment, _ = studies.study_assessment_start(assignment_id=assignment_pk, rater=request.user)
    except engine.AssignmentError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        messages.error(request, str(exc))
        return redirect("accounts:queue")
    return redirect("instruments:assessment_detail", pk=assessment.pk)


class InstrumentStudyForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    instrument = forms.ModelChoiceField(
        queryset=Instrument.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    documents = forms.CharField(label="Document numbers", help_text="Comma-separated, e.g. 3, 7, 12.")
    seed = forms.IntegerField(required=False, min_value=0, help_text="Empty: drawn at random (recorded).")
    lease_minutes = forms.IntegerField(initial=60, min_value=1, max_value=1440)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = Instrument.objects.filter(pk__in=[i.pk for i in instruments])
        self.fields["instrument"].label_from_instance = lambda i: f"{i.name} (v{i.version}) — {i.variant}"
        self.groups = list(RaterGroup.objects.order_by("name"))
        for group in self.groups:
            self.fields[f"quota_{group.slug}"] = forms.IntegerField(
                label=f"{group.name}: assessments per text", required=False, min_value=0, max_value=50
            )

    def clean_documents(self) -> list[int]:
        parts = [p.strip() for p in self.cleaned_data["documents"].split(",") if p.strip()]
        bad = [p for p in parts if not p.isdigit()]
        if bad or not parts:
            raise forms.ValidationError(
                f"Give document numbers separated by commas (not {', '.join(bad) or 'nothing'})."
            )
        return [int(p) for p in parts]

    def quotas(self) -> dict:
        return {g.slug: self.cleaned_data.get(f"quota_{g.slug}") or 0 for g in self.groups}


@login_required
def study_new(request):
    require_curator(request.user)
    form = InstrumentStudyForm(
        request.POST or None,
        instruments=selectors.instruments_current(request.user),
        initial={"documents": request.GET.get("document", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = studies.instrument_study_create(
                name=data["name"],
                instrument=data["instrument"],
                document_ids=data["documents"],
                quotas=form.quotas(),
                seed=data["seed"],
                lease_minutes=data["lease_minutes"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, f"Study “{study.name}” created with {study.items.count()} items; launch it here."
            )
            return redirect("reviews:study_detail", pk=study.pk)
    return render(request, "instruments/study_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def study_results(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(Study, pk=pk, rubric__kind=Rubric.Kind.INSTRUMENT)
    return render(
        request,
        "instruments/study_results.html",
        {"study": study, "documents": studies.study_results(study), "agreement_method": AGREEMENT_METHOD},
    )
