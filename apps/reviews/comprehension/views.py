"""Comprehension pages. Curators: passages and their questions, studies, results. Raters: one item at a
time — the text, then its questions without it (phone-width first; works without JavaScript)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.roles import RATE, require_curator
from apps.corpus.models import Document, Segment
from apps.reviews import assignment as engine
from apps.reviews import charts, selectors
from apps.reviews.comprehension import reading, services
from apps.reviews.comprehension.forms import ComprehensionStudyForm, PassageForm
from apps.reviews.comprehension.models import (
    ComprehensionExposure,
    ComprehensionItem,
    ComprehensionPassage,
    Version,
)
from apps.reviews.comprehension.results import ALL, DIFFERENCE, comprehension_results
from apps.reviews.comprehension.texts import passage_texts
from apps.reviews.models import Assignment, Rubric, Study
from apps.reviews.rubric import RubricError

# Results labels are short ("Consumers · simplified"), so the bars and numbers get the width on a phone.
# --- curators ---


@login_required
def home(request):
    require_curator(request.user)
    passages = ComprehensionPassage.objects.select_related("document").prefetch_related("questions")[:200]
    studies = Study.objects.filter(rubric__kind=Rubric.Kind.COMPREHENSION).order_by("-created_at")[:100]
    return render(request, "reviews/comprehension/home.html", {"passages": passages, "studies": studies})


def _segment_ids(document: Document, positions: list[int]) -> list[int]:
    found = dict(
        Segment.objects.filter(document=document, position__in=positions).values_list("position", "pk")
    )
    missing = [p for p in positions if p not in found]
    if missing:
        raise ValidationError(
            {"segments": [f"“{document}” has no segment §{', §'.join(map(str, missing))}."]}
        )
    return [found[p] for p in positions]


@login_required
def passage_new(request):
    require_curator(request.user)
    form = PassageForm(request.POST or None, initial={"document": request.GET.get("document")})
    if request.method == "POST" and form.is_valid():
        document = Document.objects.filter(pk=form.cleaned_data["document"]).first()
        try:
            positions = form.segment_positions()
        except ValidationError as exc:  # a malformed list of positions: shown on its field
            form.add_error("segments", exc)
        else:
            try:
                if document is None:
                    raise ValidationError(
                        {"document": [f"There is no document #{form.cleaned_data['document']}."]}
                    )
                passage = services.passage_create(
                    document=document,
                    segment_ids=_segment_ids(document, positions),
                    title=form.cleaned_data["title"],
                    questions=form.questions(),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, f"Passage “{passage}” saved with {passage.questions.count()} questions."
                )
                return redirect("reviews:comprehension_passage", pk=passage.pk)
    return render(
        request, "reviews/comprehension/passage_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def passage_detail(request, pk: int):
    require_curator(request.user)
    passage = get_object_or_404(ComprehensionPassage.objects.select_related("document"), pk=pk)
    if request.method == "POST":
        form = PassageForm(request.POST, edit_questions_only=True)
        if form.is_valid():
            try:
                services.passage_questions_set(
                    passage=passage, questions=form.questions(), actor=request.user
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, "Questions saved. Studies already made keep the questions they had."
                )
                return redirect("reviews:comprehension_passage", pk=pk)
    else:
        form = PassageForm(initial=PassageForm.initial_for(passage), edit_questions_only=True)
    return render(
        request,
        "reviews/comprehension/passage_detail.html",
        {
            "passage": passage,
            "texts": passage_texts(passage),
            "form": form,
            "questions": passage.questions.all(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def passage_delete(request, pk: int):
    require_curator(request.user)
    passage = get_object_or_404(ComprehensionPassage, pk=pk)
    try:
        services.passage_delete(passage=passage, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reviews:comprehension_passage", pk=pk)
    messages.success(request, "Passage deleted.")
    return redirect("reviews:comprehension_home")


@login_required
def study_new(request):
    require_curator(request.user)
    passages = list(ComprehensionPassage.objects.select_related("document").order_by("-created_at")[:500])
    form = ComprehensionStudyForm(request.POST or None, passages=passages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.comprehension_study_create(
                name=data["name"],
                description=data["description"],
                passage_ids=data["passages"],
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
    return render(
        request, "reviews/comprehension/study_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _lines(row: dict, n: int, unit: str) -> list[str]:
    first = f"{row['value']:.2f}"
    first += f" [{row['low']:.2f}, {row['high']:.2f}]" if row["low"] is not None else " (no interval)"
    return [first, f"{n:,} {unit}{'s' if n != 1 else ''}"]


def _figures(results) -> tuple[charts.Figure | None, charts.Figure | None]:
    """The accuracy (series: version, per rater group) and difference figures, drawn like every results
    figure (charts.figure_svg); rows without an estimate are left out of the figures, not the tables."""
    footnote = (
        "Whiskers: 95% intervals, BCa bootstrap over texts; Clopper–Pearson where an accuracy is 0 or 1 "
        "(the tables name the method of each)."
    )
    groups: dict[str, charts.Group] = {}
    for r in results.accuracy:
        if r["value"] is not None:
            group = groups.setdefault(r["group"], charts.Group(r["group"]))
            group.bars.append(
                charts.Bar(
                    r["version"], r["value"], r["low"], r["high"], lines=_lines(r, r["n_answers"], "answer")
                )
            )
    accuracy = charts.Figure(
        key="comprehension_accuracy",
        title="Accuracy by version and rater group",
        series=[v.value for v in Version],
        panels=[charts.Panel("", list(groups.values()))],
        axis_label="share of questions answered correctly",
        footnote=footnote,
    )
    bars = [
        charts.Group(
            r["group"],
            [charts.Bar(DIFFERENCE, r["value"], r["low"], r["high"], lines=_lines(r, r["n_texts"], "text"))],
        )
        for r in results.difference
        if r["value"] is not None
    ]
    difference = charts.Figure(
        key="comprehension_difference",
        title="Difference in accuracy, simplified − original",
        series=[DIFFERENCE],
        panels=[charts.Panel("", bars)],
        domain=(-1.0, 1.0),
        axis_label=DIFFERENCE,
        footnote=footnote,
    )
    return (accuracy if groups else None), (difference if bars else None)


@login_required
def study_results(request, pk: int):
    require_curator(request.user)
    study = get_object_or_404(
        Study.objects.select_related("rubric"), pk=pk, rubric__kind=Rubric.Kind.COMPREHENSION
    )
    results = comprehension_results(study)
    accuracy, difference = _figures(results)
    return render(
        request,
        "reviews/comprehension/results.html",
        {
            "study": study,
            "results": results,
            "all_label": ALL,
            "accuracy_svg": charts.figure_svg(accuracy),
            "difference_svg": charts.figure_svg(difference),
        },
    )


# --- raters ---


def _own(request, pk: int) -> Assignment:
    assignment = selectors.assignment_own(request.user, pk)
    if assignment is None or assignment.study.rubric.kind != Rubric.Kind.COMPREHENSION:
        raise Http404("Not found, or not visible to your account.")
    return assignment


def rater_url(assignment) -> str:
    return reverse("reviews:comprehension_rate", args=[assignment.pk])


def _next(request, study: Study, notice: str = ""):
    """Lease the rater's next item and go to it, or back to the queue when nothing is left."""
    try:
        assignment = engine.assignment_lease_next(study=study, rater=request.user)
    except engine.ConsentRequired:
        return redirect("reviews:study_consent", pk=study.pk)
    except engine.AssignmentError as exc:
        assignment, notice = None, str(exc)
    if notice:
        messages.info(request, notice)
    if assignment is None:
        messages.success(request, f"Nothing more to read in “{study.title_for_raters}” for now. Thank you!")
        return redirect("accounts:queue")
    return redirect(rater_url(assignment))


@login_required
@permission_required(RATE, raise_exception=True)
def rate(request, pk: int, errors=None, values=None):
    assignment = _own(request, pk)
    item = ComprehensionItem.objects.get(item_id=assignment.item_id)
    exposure = ComprehensionExposure.objects.filter(assignment=assignment).first()
    stage = reading.stage(assignment, exposure)
    done = Assignment.objects.filter(
        study_id=assignment.study_id, rater=request.user, status=Assignment.Status.SUBMITTED
    ).count()
    return render(
        request,
        "reviews/comprehension/rate.html",
        {
            "assignment": assignment,
            "study": assignment.study,
            "stage": stage,
            "text": item.text if stage == "read" else "",
            "questions": reading.questions_for_rater(item) if stage == "answer" else [],
            "instructions": assignment.study.rubric.definition.get("instructions", ""),
            "errors": errors or {},
            "values": values or {},
            "done": done,
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def read(request, pk: int):
    assignment = _own(request, pk)
    raw = request.POST.get("visible_ms", "")
    try:
        reading.reading_done(
            assignment_id=assignment.pk, rater=request.user, visible_ms=int(raw) if raw.isdigit() else None
        )
    except engine.AssignmentError as exc:
        messages.error(request, str(exc))
    return redirect(rater_url(assignment))


@require_POST
@login_required
@permission_required(RATE, raise_exception=True)
def submit(request, pk: int):
    assignment = _own(request, pk)
    item = ComprehensionItem.objects.get(item_id=assignment.item_id)
    response = {
        q["key"]: request.POST.get(q["key"], "") for q in item.questions if request.POST.get(q["key"])
    }
    if request.POST.get("comment", "").strip():
        response["comment"] = request.POST["comment"]
    spent = request.POST.get("time_spent_ms", "")
    try:
        engine.assignment_submit(
            assignment_id=assignment.pk,
            rater=request.user,
            response=response,
            time_spent_ms=int(spent) if spent.isdigit() else None,
        )
    except RubricError as exc:
        return rate(request, pk, errors=exc.errors, values=response)
    except engine.AssignmentError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        messages.error(request, str(exc))
        return redirect(rater_url(assignment))
    return _next(request, assignment.study, notice="Saved.")
