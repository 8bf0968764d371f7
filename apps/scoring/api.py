"""Scoring API: `runs/` (POST starts one: generate, train, evaluate), `candidates/` (+ `accept`/`reject`),
`reward-models/` (registry, read-only), `generator-versions/` (the registry of trained generators,
read-only). Curators only. (The candidate, preference and evaluation-output exports are `exports.py`;
`readability/` and `metrics/` are the metrics app's.)"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import IsCurator
from apps.scoring import evaluation_runs, generators, reward_registry, selectors, services, training
from apps.scoring.models import Candidate, GeneratorVersion, ModelRun, ReferenceScore, RewardModel
from apps.scoring.prompts import DEFAULT_TEMPLATE

# ---- model runs and candidates (curators only) ------------------------------------------------------


class ModelRunSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=ModelRun.Status.choices, read_only=True, help_text="The run's job's status"
    )
    requested_by = serializers.CharField(source="requested_by.username", default=None, read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)
    job_status = serializers.CharField(source="job.status", default=None, read_only=True)
    progress_done = serializers.IntegerField(source="job.progress_done", default=0, read_only=True)
    progress_total = serializers.IntegerField(source="job.progress_total", default=0, read_only=True)
    segment_count = serializers.SerializerMethodField()
    generator_version = serializers.SerializerMethodField(
        help_text="For a finished SFT, RL or DPO run: the id of the generator version it registered"
    )
    summary = serializers.JSONField(
        read_only=True,
        help_text="What the run produced. Generation: counts and means (`mean_sari` is the mean of the "
        "candidates' `sari`, HF evaluate's sentence SARI). Evaluation: `evaluation` = {columns (key, label, "
        "definition), rows (one per generator version: values per column), intervals (per later version, "
        "difference from the first with its 95% paired bootstrap interval), n, seed, resamples, "
        "confidence, method}; `sari_corpus` there is EASSE's corpus SARI.",
    )

    class Meta:
        model = ModelRun
        fields = [
            "id",
            "kind",
            "status",
            "model_name",
            "model_path",
            "model_revision",
            "parameters",
            "prompt_template",
            "prompt_version",
            "seed",
            "selection",
            "segment_count",
            "summary",
            "environment",
            "prompt_examples",
            "generator_version",
            "job",
            "job_status",
            "progress_done",
            "progress_total",
            "requested_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_segment_count(self, run) -> int:
        return getattr(run, "segment_total", None) or run.segments.count()

    def get_generator_version(self, run) -> int | None:
        version = getattr(run, "generator_version", None) if run.kind == ModelRun.Kind.TRAIN else None
        return version.pk if version is not None else None


class RunCreateSerializer(serializers.Serializer):
    """`kind` generate (default): `segments` (ids) or any of `document`, `split`, `search` (each narrows the
    others) chooses the segments;
    `parameters` holds the generation settings (target_grade, style, num_candidates, temperature, top_p,
    max_new_tokens, batch_size, similarity_threshold, few_shot — with the plain-language-few-shot
    template —, reward_weights; defaults for any left out); `train_run` generates with a trained version.

    `kind` train: `target` reward trains a reward-model version (parameters: test_fraction, seed, C,
    encoder_mode frozen|finetune, epochs, learning_rate, batch_size, statuses, sources,
    include_unlabelled); `sft` fine-tunes the generator on approved train-split pairs (steps,
    learning_rate, batch_size, max_length, target_grade, style, lora_r, lora_alpha, seed); `rl` trains it
    with GRPO on the product's reward over unlabelled and train originals (steps, learning_rate,
    prompts_per_step, num_generations, max_completion_length, temperature, beta, target_grade, style,
    reward_weights, max_texts, lora_r, lora_alpha, seed, start_from); `generator` runs DPO on the
    preference export (steps, learning_rate, beta, batch_size, max_length, lora_r, lora_alpha, seed,
    sources, start_from). `start_from`: a training run id whose version to continue from; `model_path`:
    the base generator.

    `kind` evaluate: `generators` lists the versions to compare (the first is the baseline), each
    `{"label", "train_run"?, "model_path"?, "few_shot"?, "target_grade"?, "style"?, "prompt_template"?,
    "prompt_version"?}` (no `train_run`: the base model); `split` (default test); `parameters`:
    temperature, top_p, max_new_tokens, batch_size, similarity_threshold, reward_weights, resamples,
    confidence; `seed`."""

    kind = serializers.ChoiceField(
        choices=["generate", "train", "evaluate"], required=False, default="generate"
    )
    target = serializers.ChoiceField(
        choices=["reward", "sft", "rl", "generator"], required=False, allow_blank=True
    )

    segments = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False)
    document = serializers.IntegerField(required=False)
    split = serializers.CharField(required=False, allow_blank=True)
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Generate: segments matching this full-text search (the segment list's), narrowed by "
        "`document` and `split` when given",
    )
    model_path = serializers.CharField(required=False, allow_blank=True, default="")
    train_run = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Generate with the generator version this training run made",
    )
    generators = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Evaluate: the generator versions to compare"
    )
    prompt_template = serializers.CharField(required=False, default=DEFAULT_TEMPLATE[0])
    prompt_version = serializers.IntegerField(required=False, default=DEFAULT_TEMPLATE[1])
    seed = serializers.IntegerField(required=False, default=0)
    parameters = serializers.DictField(required=False, default=dict)


class CandidateSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)
    original = serializers.CharField(source="segment.original", read_only=True)
    reference = serializers.CharField(source="segment.simplified", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "run",
            "segment",
            "index",
            "text",
            "raw_text",
            "source_version",
            "original",
            "reference",
            "new_tokens",
            "finished",
            "rank",
            "reward",
            "reward_parts",
            "reward_model",
            "grade",
            "readability",
            "sari",
            "sari_parts",
            "bleu",
            "compression",
            "similarity",
            "flags",
            "reference_version",
            "scored_at",
            "decision",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class CandidateDecisionSerializer(serializers.Serializer):
    segment_version = serializers.IntegerField(
        required=False, help_text="The segment version you saw; a stale one is refused with 409"
    )
    replace = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Accept only: true to replace an existing simplified text (409 without it); undo by "
        "restoring the replaced version from the segment's revisions",
    )


class ReferenceScoreSerializer(serializers.ModelSerializer):
    """The segment's human simplification scored like a candidate of the run; `would_rank` = 1 + the
    candidates of the segment with a higher reward (of `candidates_ranked` + 1)."""

    reward_model_version = serializers.IntegerField(source="reward_model.version", default=None)

    class Meta:
        model = ReferenceScore
        fields = [
            "segment",
            "segment_version",
            "text",
            "would_rank",
            "candidates_ranked",
            "reward",
            "reward_parts",
            "reward_model_version",
            "grade",
            "readability",
            "compression",
            "similarity",
            "flags",
        ]
        read_only_fields = fields


class CandidateFilter(django_filters.FilterSet):
    class Meta:
        model = Candidate
        fields = ["run", "segment", "decision"]


class ModelRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ModelRun.Status.choices, method="filter_status")

    class Meta:
        model = ModelRun
        fields = ["status", "kind"]

    def filter_status(self, runs, name, value):
        return runs.with_status(value)


class ModelRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Model runs. `POST` starts a generation run (a Job on queue gpu) and answers 201 with the run."""

    permission_classes = [IsCurator]
    queryset = ModelRun.objects.none()
    serializer_class = ModelRunSerializer
    filterset_class = ModelRunFilter

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user)

    @extend_schema(request=RunCreateSerializer, responses={201: ModelRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == ModelRun.Kind.TRAIN:
            run = self._train(request, data)
        elif data["kind"] == ModelRun.Kind.EVALUATE:
            run = evaluation_runs.evaluation_start(
                user=request.user,
                generators=data.get("generators"),
                split=data.get("split") or "test",
                parameters=data["parameters"],
                seed=data["seed"],
            )
        else:
            run = services.run_create(
                user=request.user,
                segment_ids=data.get("segments"),
                document_id=data.get("document"),
                split=data.get("split", ""),
                search=data.get("search", ""),
                model_path=data["model_path"],
                parameters=data["parameters"],
                prompt_template=data["prompt_template"],
                prompt_version=data["prompt_version"],
                seed=data["seed"],
                train_run=data.get("train_run"),
            )
        run = self.get_queryset().get(pk=run.pk)
        return Response(ModelRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ReferenceScoreSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def references(self, request, pk=None):
        """Each segment's human reference scored like a candidate of this run, and where it would rank."""
        run = self.get_object()
        rows = run.reference_scores.select_related("reward_model").order_by("segment_id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReferenceScoreSerializer(page, many=True).data)

    def _train(self, request, data) -> ModelRun:
        target = data.get("target") or ""
        if target == "reward":
            return reward_registry.reward_train_start(user=request.user, parameters=data["parameters"])
        if target in training.TARGETS:
            return training.training_start(
                user=request.user,
                target=target,
                model_path=data["model_path"],
                parameters=data["parameters"],
                prompt_template=data["prompt_template"],
                prompt_version=data["prompt_version"],
            )
        raise serializers.ValidationError(
            {"target": "A train run needs a target: reward, sft, rl or generator."}
        )


class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Candidates with every score and flag; filter by `run`, `segment`, `decision`."""

    permission_classes = [IsCurator]
    queryset = Candidate.objects.none()
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self):
        return selectors.candidates_visible_to(self.request.user).order_by("run_id", "segment_id", "index")

    def _decide(self, request, pk, accept: bool):
        """A refusal (already accepted, empty, a stale segment version) is a 409 from the error handler."""
        candidate = self.get_object()
        serializer = CandidateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if accept:
            candidate = services.candidate_accept(
                candidate_id=candidate.pk,
                user=request.user,
                segment_version=serializer.validated_data.get("segment_version"),
                replace=serializer.validated_data["replace"],
            )
        else:
            candidate = services.candidate_reject(candidate_id=candidate.pk, user=request.user)
        return Response(CandidateSerializer(self.get_queryset().get(pk=candidate.pk)).data)

    @extend_schema(request=CandidateDecisionSerializer, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Save the candidate as the segment's simplified text (a new revision attributed to the run).
        Over an existing simplified text: 409 unless `"replace": true`."""
        return self._decide(request, pk, accept=True)

    @extend_schema(request=CandidateDecisionSerializer, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Mark the candidate rejected (kept as preference data)."""
        return self._decide(request, pk, accept=False)


class RewardModelSerializer(serializers.ModelSerializer):
    activated_by = serializers.CharField(source="activated_by.username", default=None, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    beats_baseline = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = RewardModel
        fields = [
            "id",
            "version",
            "label",
            "encoder",
            "training_snapshot",
            "snapshot_hash",
            "parameters",
            "metrics",
            "beats_baseline",
            "artifact_path",
            "artifact_sha256",
            "is_active",
            "created_by",
            "activated_by",
            "activated_at",
            "job",
            "created_at",
        ]
        read_only_fields = fields


class RewardModelViewSet(viewsets.ReadOnlyModelViewSet):
    """The reward-model registry. Train a version with `POST runs/` (kind train, target reward);
    `POST reward-models/{id}/activate/` makes it the one that scores candidates (one at a time)."""

    permission_classes = [IsCurator]
    queryset = RewardModel.objects.select_related("created_by", "activated_by")
    serializer_class = RewardModelSerializer

    @extend_schema(request=None, responses={200: RewardModelSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        model = reward_registry.reward_model_activate(reward_model_id=self.get_object().pk, user=request.user)
        return Response(RewardModelSerializer(self.get_queryset().get(pk=model.pk)).data)

    @extend_schema(request=None, responses={200: RewardModelSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        model = reward_registry.reward_model_deactivate(
            reward_model_id=self.get_object().pk, user=request.user
        )
        return Response(RewardModelSerializer(self.get_queryset().get(pk=model.pk)).data)


class GeneratorVersionSerializer(serializers.ModelSerializer):
    train_run = serializers.IntegerField(source="run_id", read_only=True, help_text="Name it as `train_run`")
    parent_train_run = serializers.IntegerField(source="parent.run_id", default=None, read_only=True)
    status = serializers.CharField(source="run.status", read_only=True)

    class Meta:
        model = GeneratorVersion
        fields = [
            "id",
            "train_run",
            "method",
            "parent",
            "parent_train_run",
            "status",
            "base_model",
            "base_revision",
            "model_name",
            "model_revision",
            "adapter_path",
            "adapter_sha256",
            "data_snapshot",
            "parameters",
            "seed",
            "environment",
            "history",
            "created_at",
        ]
        read_only_fields = fields


class GeneratorVersionFilter(django_filters.FilterSet):
    class Meta:
        model = GeneratorVersion
        fields = ["method"]


class GeneratorVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of trained generators (SFT, RL, DPO adapters with their record). Train one with
    `POST runs/` (kind train, target sft | rl | generator); use one in a generation or evaluation run by
    its `train_run`."""

    permission_classes = [IsCurator]
    queryset = GeneratorVersion.objects.none()
    serializer_class = GeneratorVersionSerializer
    filterset_class = GeneratorVersionFilter

    def get_queryset(self):
        return generators.generator_versions_visible_to(self.request.user)
