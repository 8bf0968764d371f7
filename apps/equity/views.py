"""Curation pages (curators only): sets, question browser, pairs, tags, answers by producer, imports."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.roles import require_curator
from apps.equity import import_services, selectors, services
from apps.equity.exceptions import EquityError
from apps.equity.forms import AnswerImportForm, PairAttributeForm, QuestionImportForm, QuestionTagsForm
from apps.equity.models import CounterfactualPair, Question, QuestionSet

PAGE_SIZE = 50


def curator_required(view):
    """Signed in and holding the curator role (403 otherwise)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_curator(request.user)
        return view(request, *args, **kwargs)

    return wrapped


@curator_required
def set_list(request):
    return render(request, "equity/set_list.html", {"sets": selectors.question_sets_with_counts()})


def _browser_context(request, question_set: QuestionSet | None) -> dict:
    q = request.GET.get("q", "").strip()
    axes = request.GET.getlist("axis")
    topics = request.GET.getlist("topic")
    if question_set is None and request.GET.get("set"):
        question_set = QuestionSet.objects.filter(slug=request.GET["set"]).first()
    questions = selectors.questions_search(question_set=question_set, q=q, identity_axes=axes, topics=topics)
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "q": q,
        "selected_axes": axes,
        "selected_topics": topics,
        "axes": selectors.identity_axes(),
        "topics": selectors.topics_in_use(question_set),
        "sets": QuestionSet.objects.all(),
        "current_set": question_set,
        "query_without_page": _query_without_page(request),
    }


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@curator_required
def question_list(request):
    """Question browser over every set: full-text search and tag filters."""
    context = _browser_context(request, None)
    template = "equity/question_list.html#results" if request.htmx else "equity/question_list.html"
    return render(request, template, context)


@curator_required
def set_detail(request, slug: str):
    question_set = get_object_or_404(selectors.question_sets_with_counts(), slug=slug)
    context = {"question_set": question_set, "answer_form": _answer_form()}
    if question_set.kind == QuestionSet.Kind.COUNTERFACTUAL:
        context["pairs"] = Paginator(selectors.pairs_list(question_set=question_set), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "equity/set_detail.html", context)
    context |= _browser_context(request, question_set)
    template = "equity/question_list.html#results" if request.htmx else "equity/set_detail.html"
    return render(request, template, context)


def _answer_form(data=None):
    from apps.scoring.forms import AnswerGenerationForm  # model answers are the scoring app's jobs

    return AnswerGenerationForm(data)


@require_POST
@curator_required
def generate_answers(request, slug: str):
    """Queue a job that answers every question of the set with a model; then show the job."""
    from django.core.exceptions import ValidationError

    from apps.scoring.answer_runs import answers_generate_start

    question_set = get_object_or_404(QuestionSet, slug=slug)
    form = _answer_form(request.POST)
    if form.is_valid():
        try:
            job = answers_generate_start(
                user=request.user, question_set=question_set, parameters=form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Answer generation queued as job #{job.pk}.")
            return redirect("core:job_detail", pk=job.pk)
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("equity:set_detail", slug=slug)


@curator_required
def question_detail(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("question_set"), pk=pk)
    return render(
        request,
        "equity/question_detail.html",
        {
            "question": question,
            "form": _tags_form(question),
            "answers_by_producer": selectors.answers_by_producer(question),
            "pairs": selectors.pairs_of_question(question),
        },
    )


def _tags_form(question: Question, data=None) -> QuestionTagsForm:
    return QuestionTagsForm(
        data, initial={"topics": ", ".join(question.topics), "identity_axes": question.identity_axes}
    )


@require_POST
@curator_required
def question_tags(request, pk: int):
    """Save a question's tags; htmx gets the tags partial back, a plain POST a redirect."""
    question = get_object_or_404(Question, pk=pk)
    form = _tags_form(question, request.POST)
    saved = False
    if form.is_valid():
        try:
            services.question_tags_update(
                question=question,
                topics=form.cleaned_data["topics"],
                identity_axes=form.cleaned_data["identity_axes"],
                actor=request.user,
            )
            saved = True
        except EquityError as exc:
            form.add_service_errors(exc)
    if saved and not request.htmx:
        messages.success(request, "Tags saved.")
        return redirect("equity:question_detail", pk=pk)
    if saved:
        form = _tags_form(question)
    return render(
        request,
        "equity/question_detail.html#tags",
        {"question": question, "form": form, "saved": saved},
        status=200 if saved else 400,
    )


@curator_required
def pair_detail(request, pk: int):
    try:
        pair, diff = selectors.pair_with_answers(pk)
    except CounterfactualPair.DoesNotExist:
        raise Http404("No such pair.") from None
    form = PairAttributeForm(
        initial={"changed_attribute": pair.changed_attribute, "changed_axes": pair.changed_axes}
    )
    return render(request, "equity/pair_detail.html", {"pair": pair, "diff": diff, "form": form})


@require_POST
@curator_required
def pair_attribute(request, pk: int):
    pair = get_object_or_404(CounterfactualPair, pk=pk)
    form = PairAttributeForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.pair_attribute_update(
                pair=pair,
                changed_attribute=form.cleaned_data["changed_attribute"],
                changed_axes=form.cleaned_data["changed_axes"],
                actor=request.user,
            )
            saved = True
        except EquityError as exc:
            form.add_service_errors(exc)
    if saved and not request.htmx:
        messages.success(request, "Attribute saved.")
        return redirect("equity:pair_detail", pk=pk)
    return render(
        request,
        "equity/pair_detail.html#attribute",
        {"pair": pair, "form": form, "saved": saved},
        status=200 if saved else 400,
    )


@require_http_methods(["GET", "POST"])
@curator_required
def import_questions(request):
    """Upload a release CSV; the report lists every problem by row, and nothing is written if any."""
    form = QuestionImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_services.question_set_import(
            file_name=upload.name,
            file=upload,
            set_name=form.cleaned_data["set_name"],
            kind=form.cleaned_data["kind"] or None,
            actor=request.user,
        )
    question_set = (
        QuestionSet.objects.filter(name=report.question_set).first() if report and report.ok else None
    )
    status = 400 if (request.method == "POST" and (report is None or not report.ok)) else 200
    return render(
        request,
        "equity/import_questions.html",
        {"form": form, "report": report, "question_set": question_set},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@curator_required
def import_answers(request):
    form = AnswerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_services.answers_import(
            file_name=upload.name,
            file=upload,
            question_set=form.cleaned_data["question_set"],
            producer=form.cleaned_data["producer"],
            revision=form.cleaned_data["revision"],
            actor=request.user,
        )
    status = 400 if (request.method == "POST" and (report is None or not report.ok)) else 200
    return render(request, "equity/import_answers.html", {"form": form, "report": report}, status=status)
