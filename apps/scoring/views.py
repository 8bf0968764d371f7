"""Model-run pages: list, start form, run detail with live progress and candidates. Curators only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.roles import require_curator
from apps.scoring import selectors, services
from apps.scoring.forms import FinetuneForm, RewardTrainForm, RunForm
from apps.scoring.models import ModelRun, RewardModel

SEGMENTS_PER_PAGE = 25


@login_required
def run_list(request):
    require_curator(request.user)
    runs = list(selectors.runs_visible_to(request.user)[:100])
    polling = any(run.status in (ModelRun.Status.QUEUED, ModelRun.Status.RUNNING) for run in runs)
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
        form = RunForm(initial=initial)
    return render(request, "scoring/run_form.html", {"form": form})


@login_required
def run_detail(request, pk: int):
    require_curator(request.user)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    if run.kind == ModelRun.Kind.TRAIN:
        return _train_run_detail(request, run)
    sort = request.GET.get("sort", "reward")
    if sort not in selectors.CANDIDATE_SORTS:
        sort = "reward"
    page = Paginator(selectors.run_segment_ids(run), SEGMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "job": run.job,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in selectors.CANDIDATE_SORTS.items()],
        "page": page,
        "rows": selectors.run_segment_page(run, list(page.object_list), sort),
        "running": run.status in (ModelRun.Status.QUEUED, ModelRun.Status.RUNNING),
    }
    template = "scoring/run_detail.html#run-body" if request.htmx else "scoring/run_detail.html"
    return render(request, template, context)


@require_POST
@login_required
def candidate_decide(request, pk: int, decision: str):
    from apps.corpus.exceptions import StaleVersion

    require_curator(request.user)
    candidate = get_object_or_404(selectors.candidates_visible_to(request.user), pk=pk)
    error = ""
    try:
        if decision == "accept":
            candidate = services.candidate_accept(
                candidate_id=candidate.pk,
                user=request.user,
                segment_version=request.POST.get("segment_version"),
            )
        else:
            candidate = services.candidate_reject(candidate_id=candidate.pk, user=request.user)
    except (services.DecisionRefused, StaleVersion, ValidationError) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if request.htmx:
        candidate = selectors.candidates_visible_to(request.user).get(pk=candidate.pk)
        return render(request, "scoring/run_detail.html#candidate", {"candidate": candidate, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Candidate {decision}ed.")
    return redirect(
        reverse("scoring:run_detail", args=[candidate.run_id]) + f"#segment-{candidate.segment_id}"
    )


def _train_run_detail(request, run: ModelRun):
    """A training run: its job's progress and what it produced (a reward model or a generator adapter)."""
    context = {
        "run": run,
        "job": run.job,
        "running": run.status in (ModelRun.Status.QUEUED, ModelRun.Status.RUNNING),
        "reward_model": RewardModel.objects.filter(pk=run.summary.get("reward_model")).first(),
    }
    template = "scoring/train_run_detail.html#train-body" if request.htmx else "scoring/train_run_detail.html"
    return render(request, template, context)


# ---- reward models ----------------------------------------------------------------------------------


@login_required
def reward_list(request):
    require_curator(request.user)
    from apps.scoring import reward_registry

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
        for key, label in [("accuracy", "Accuracy"), ("roc_auc", "ROC AUC"),
                           ("pair_accuracy", "Pair-ranking accuracy")]
    ]  # fmt: skip
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
    from apps.scoring import reward_registry

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


@login_required
def finetune_create(request):
    """Start a DPO fine-tune of the generator on the preference export."""
    from apps.scoring import finetune

    require_curator(request.user)
    if request.method == "POST":
        form = FinetuneForm(request.POST)
        if form.is_valid():
            try:
                run = finetune.generator_finetune_start(
                    user=request.user,
                    model_path=form.cleaned_data["model_path"],
                    parameters=form.parameters(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Fine-tuning queued as run #{run.pk}.")
                return redirect("scoring:run_detail", pk=run.pk)
    else:
        form = FinetuneForm()
    return render(request, "scoring/finetune_form.html", {"form": form})
