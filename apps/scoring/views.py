"""Model-run pages: list, start forms (generation, training, evaluation), run detail with live progress
(candidates, a training run's generator version, an evaluation's table and outputs), the generator
registry. Curators only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import ServiceError
from apps.core.roles import require_curator
from apps.scoring import evaluation_runs, generators, reward_registry, selectors, services, training
from apps.scoring.forms import EvaluateForm, RewardTrainForm, RunForm, SegmentSelectionForm, TrainForm
from apps.scoring.models import GeneratorVersion, ModelRun, RewardModel

SEGMENTS_PER_PAGE = 25
OUTPUT_SEGMENTS_PER_PAGE = 10
CHART_COLUMNS = ("sari_corpus", "sari_mean", "bleu_corpus", "fkgl_mean", "at_target", "reward_mean")


@login_required
def run_list(request):
    require_curator(request.user)
    runs = list(selectors.runs_visible_to(request.user)[:100])
    polling = any(run.in_progress for run in runs)
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
        if request.GET.get("model_path"):
            initial["model_path"] = request.GET["model_path"]
        if request.GET.get("train_run"):
            initial["train_run"] = request.GET["train_run"]
        form = RunForm(initial=initial)
    return render(request, "scoring/run_form.html", {"form": form})


SELECTION_HINTS = {
    "document": "Choose a document to see which segments the run covers.",
    "split": "Choose a split to see which segments the run covers.",
    "search": "Type a search to see which segments match.",
}


@require_GET
@login_required
def run_selection_preview(request):
    """The run form's live preview of its segment choice: how many segments, and the first few."""
    require_curator(request.user)
    form = SegmentSelectionForm(request.GET)
    context = {}
    if not form.is_valid():
        context["errors"] = [error for errors in form.errors.values() for error in errors]
    elif form.cleaned_data["select"] == "segments":
        context["hint"] = "The run covers the segments whose ids you list."
    else:
        arguments = form.selection_arguments()
        if not any(arguments.values()):
            context["hint"] = SELECTION_HINTS[form.cleaned_data["select"]]
        else:
            try:
                context["preview"] = services.run_segments_preview(**arguments)
            except ValidationError as exc:
                context["errors"] = exc.messages
    return render(request, "scoring/_run_preview.html", context)


@login_required
def run_detail(request, pk: int):
    require_curator(request.user)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    if run.kind == ModelRun.Kind.TRAIN:
        return _train_run_detail(request, run)
    if run.kind == ModelRun.Kind.EVALUATE:
        return _evaluation_run_detail(request, run)
    sort = request.GET.get("sort", "reward")
    if sort not in selectors.CANDIDATE_SORTS:
        sort = "reward"
    page = Paginator(selectors.run_segment_ids(run), SEGMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "selection": services.selection_describe(run.selection or {}),
        "job": run.job,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in selectors.CANDIDATE_SORTS.items()],
        "page": page,
        "rows": selectors.run_segment_page(run, list(page.object_list), sort),
        "running": run.in_progress,
        "reward_model": RewardModel.objects.filter(
            version=run.parameters.get("reward_model_version")
        ).first(),
    }
    template = "scoring/run_detail.html#run-body" if request.htmx else "scoring/run_detail.html"
    return render(request, template, context)


@require_POST
@login_required
def candidate_decide(request, pk: int, decision: str):
    """Accept or reject; a refusal (already accepted, a stale segment version: 409s) or a bad value is
    shown on the candidate, and nothing changed. Accepting over an existing simplified text first shows
    the replace confirmation (in the candidate with htmx, as a page without), whose form sends
    `replace=1`."""
    require_curator(request.user)
    candidate = get_object_or_404(selectors.candidates_visible_to(request.user), pk=pk)
    error, confirm, replaced_version = "", None, None
    try:
        if decision == "accept":
            candidate = services.candidate_accept(
                candidate_id=candidate.pk,
                user=request.user,
                segment_version=request.POST.get("segment_version"),
                replace=request.POST.get("replace") == "1",
            )
            replaced_version = candidate.replaced_version
        else:
            candidate = services.candidate_reject(candidate_id=candidate.pk, user=request.user)
    except services.ReplaceNeedsConfirmation as exc:
        confirm = selectors.replace_comparison(candidate, exc.replaced_version)
    except (ServiceError, ValidationError) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
    if confirm and not request.htmx:
        return render(request, "scoring/candidate_confirm.html", {"candidate": candidate, "confirm": confirm})
    if request.htmx:
        candidate = selectors.candidates_visible_to(request.user).get(pk=candidate.pk)
        context = {
            "candidate": candidate,
            "error": error,
            "confirm": confirm,
            "replaced_version": replaced_version,
        }
        return render(request, "scoring/run_detail.html#candidate", context)
    if error:
        messages.error(request, error)
    elif replaced_version:
        messages.success(
            request,
            f"Candidate accepted: it replaced version {replaced_version} of the simplified text. Undo: "
            f"restore version {replaced_version} from the segment's history.",
        )
    else:
        messages.success(request, f"Candidate {decision}ed.")
    return redirect(
        reverse("scoring:run_detail", args=[candidate.run_id]) + f"#segment-{candidate.segment_id}"
    )


def _train_run_detail(request, run: ModelRun):
    """A training run: its job's progress and what it produced (a reward model or a generator adapter)."""
    version = GeneratorVersion.objects.select_related("parent").filter(run=run).first()
    context = {
        "run": run,
        "job": run.job,
        "running": run.in_progress,
        "reward_model": RewardModel.objects.filter(pk=run.summary.get("reward_model")).first(),
        "version": version,
        "start": training.start_version(run),
        "history": _history_rows(version.history if version else []),
    }
    template = "scoring/train_run_detail.html#train-body" if request.htmx else "scoring/train_run_detail.html"
    return render(request, template, context)


# ---- reward models ----------------------------------------------------------------------------------


@login_required
def reward_list(request):
    require_curator(request.user)
    if request.method == "POST":
        form = RewardTrainForm(request.POST)
        if form.is_valid():
            try:
                run = reward_registry.reward_train_start(user=request.user, parameters=form.parameters())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Training queued as run #{run.pk}.")
                return redirect("scoring:run_detail", pk=run.pk)
    else:
        form = RewardTrainForm()
    new_pairs, latest = reward_registry.new_pairs_since_last_version()
    context = {
        "models": RewardModel.objects.select_related("created_by", "activated_by")[:100],
        "form": form,
        "new_pairs": new_pairs,
        "latest": latest,
        "training_runs": selectors.runs_visible_to(request.user).filter(
            kind=ModelRun.Kind.TRAIN, parameters__target="reward"
        )[:10],
    }
    return render(request, "scoring/reward_list.html", context)


@login_required
def reward_detail(request, pk: int):
    require_curator(request.user)
    model = get_object_or_404(RewardModel.objects.select_related("created_by", "activated_by"), pk=pk)
    snapshot = model.training_snapshot or {}
    sides = [side for _, _, side in snapshot.get("pairs", [])]
    metrics = model.metrics or {}
    rows = [
        (label, (metrics.get("reward") or {}).get(key), (metrics.get("baseline_fk") or {}).get(key))
        for key, label in [
            ("accuracy", "Accuracy"),
            ("roc_auc", "ROC AUC"),
            ("pair_accuracy", "Pair-ranking accuracy"),
        ]
    ]
    context = {
        "model": model,
        "rows": rows,
        "metrics": metrics,
        "train_pairs": sides.count("train"),
        "test_pairs": sides.count("test"),
        "snapshot": snapshot,
    }
    return render(request, "scoring/reward_detail.html", context)


@require_POST
@login_required
def reward_activate(request, pk: int):

    require_curator(request.user)
    model = get_object_or_404(RewardModel, pk=pk)
    if request.POST.get("action") == "deactivate":
        reward_registry.reward_model_deactivate(reward_model_id=model.pk, user=request.user)
        messages.success(request, f"Reward model v{model.version} deactivated: new candidates get no reward.")
    else:
        try:
            reward_registry.reward_model_activate(reward_model_id=model.pk, user=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Reward model v{model.version} is now active.")
    return redirect("scoring:reward_detail", pk=model.pk)


def _history_rows(history: list[dict]) -> list[dict]:
    """Per step: loss and reward (when the method has one), for the training page's table."""
    return [
        {"step": row.get("step"), "loss": row.get("loss"), "reward": row.get("reward")} for row in history
    ]


@login_required
def finetune_create(request):
    """The DPO form's address from earlier releases: the training form for target generator."""
    return train_create(request, target="generator")


TRAIN_TITLES = {
    "sft": "Supervised fine-tuning (SFT with a LoRA adapter)",
    "rl": "Reinforcement learning with the reward (GRPO with a LoRA adapter)",
    "generator": "Fine-tune the generator on preferences (DPO with a LoRA adapter)",
}


@login_required
def train_create(request, target: str):
    """Start an SFT, RL or DPO training run of the generator."""
    require_curator(request.user)
    if target not in training.TARGETS:
        raise Http404("Unknown training target.")
    if request.method == "POST":
        form = TrainForm(request.POST, target=target)
        if form.is_valid():
            try:
                run = training.training_start(
                    user=request.user,
                    target=target,
                    model_path=form.cleaned_data["model_path"],
                    parameters=form.parameters(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Training queued as run #{run.pk}.")
                return redirect("scoring:run_detail", pk=run.pk)
    else:
        initial = {"start_from": request.GET["start_from"]} if request.GET.get("start_from") else {}
        form = TrainForm(target=target, initial=initial)
    context = {
        "form": form,
        "target": target,
        "title": TRAIN_TITLES[target],
        "targets": TRAIN_TITLES,
        "problem": training.too_little_data(target),
    }
    return render(request, "scoring/train_form.html", context)


@login_required
def evaluation_create(request):
    """Start a held-out evaluation of generator versions."""
    require_curator(request.user)
    if request.method == "POST":
        form = EvaluateForm(request.POST)
        if form.is_valid():
            try:
                run = evaluation_runs.evaluation_start(
                    user=request.user,
                    generators=form.generators(),
                    split=form.cleaned_data["split"],
                    parameters=form.parameters(),
                    seed=form.cleaned_data["seed"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Evaluation queued as run #{run.pk}.")
                return redirect("scoring:run_detail", pk=run.pk)
    else:
        initial = {"versions": request.GET.getlist("versions")} if request.GET.get("versions") else {}
        form = EvaluateForm(initial=initial)
    return render(request, "scoring/evaluation_form.html", {"form": form})


def _chart(evaluation: dict, key: str) -> dict | None:
    """Bars of one column (value per version, the difference from the first with its interval), with
    widths relative to the largest absolute value."""
    column = next((c for c in evaluation.get("columns", []) if c["key"] == key), None)
    if column is None:
        return None
    values = [row["values"].get(key) for row in evaluation["rows"]]
    scale = max((abs(v) for v in values if v is not None), default=0) or 1
    intervals = {
        item["version"]: (item["differences"] or {}).get(key) for item in evaluation.get("intervals", [])
    }
    bars = [
        {
            "label": row["label"],
            "value": value,
            "width": 0 if value is None else round(100 * abs(value) / scale, 1),
            "interval": intervals.get(row["version"]),
        }
        for row, value in zip(evaluation["rows"], values, strict=True)
    ]
    return {"column": column, "bars": bars}


def _evaluation_run_detail(request, run: ModelRun):
    """An evaluation: progress, the table with intervals, a chart, the outputs side by side."""
    evaluation = (run.summary or {}).get("evaluation") or {}
    chart_key = request.GET.get("chart", "sari_corpus")
    if chart_key not in CHART_COLUMNS:
        chart_key = "sari_corpus"
    segment_ids = [pk for pk, _ in run.selection.get("segments", [])]
    page = Paginator(segment_ids, OUTPUT_SEGMENTS_PER_PAGE).get_page(request.GET.get("page"))
    intervals = {item["version"]: item["differences"] for item in evaluation.get("intervals", [])}
    table = [
        {
            "row": row,
            "cells": [
                {
                    "value": row["values"].get(c["key"]),
                    "interval": (intervals.get(row["version"]) or {}).get(c["key"]),
                }
                for c in evaluation.get("columns", [])
            ],
        }
        for row in evaluation.get("rows", [])
    ]
    context = {
        "run": run,
        "job": run.job,
        "running": run.in_progress,
        "evaluation": evaluation,
        "table": table,
        "chart": _chart(evaluation, chart_key) if evaluation else None,
        "chart_columns": [c for c in evaluation.get("columns", []) if c["key"] in CHART_COLUMNS],
        "chart_key": chart_key,
        "entries": run.parameters.get("generators", []),
        "page": page,
        "rows": selectors.evaluation_output_page(run, list(page.object_list)),
    }
    template = (
        "scoring/evaluation_run_detail.html#evaluation-body"
        if request.htmx
        else "scoring/evaluation_run_detail.html"
    )
    return render(request, template, context)


@login_required
def generator_list(request):
    """The registry of trained generator versions."""
    require_curator(request.user)
    versions = generators.generator_versions_visible_to(request.user)[:200]
    training_runs = selectors.runs_visible_to(request.user).filter(
        kind=ModelRun.Kind.TRAIN, parameters__target__in=list(training.TARGETS)
    )[:20]
    return render(
        request, "scoring/generator_list.html", {"versions": versions, "training_runs": training_runs}
    )
