"""Scoring API. Readability: `POST readability/` scores one posted text. Model runs: `runs/` (POST starts
one), `candidates/` (+ `accept`/`reject`), `reward-models/` (registry, read-only). Runs are curators' only."""

import django_filters
from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.exports import AnyAccept, export_response, export_schema_responses
from apps.scoring import selectors, services
from apps.scoring.models import Candidate, ModelRun, RewardModel
from apps.scoring.prompts import DEFAULT_TEMPLATE
from apps.scoring.readability import ENGINE, METRICS

# A long web page is a few thousand words; anything larger belongs in an import, not a live request.
READABILITY_MAX_CHARS = settings.EQUITEXT_MAX_TEXT_CHARS


class ReadabilityRequestSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=False)

    def validate_text(self, value: str) -> str:
        if len(value) > READABILITY_MAX_CHARS:
            raise serializers.ValidationError(
                f"The text has {len(value):,} characters; the limit is {READABILITY_MAX_CHARS:,}. "
                "Send it in smaller parts (for example one paragraph per request)."
            )
        return value


class ReadabilityView(APIView):
    """Every readability metric of a posted text (textstat's formulas; cached by the text's SHA-256)."""

    @extend_schema(
        request=ReadabilityRequestSerializer,
        responses={
            200: inline_serializer(
                "ReadabilityResponse",
                {
                    "sha256": serializers.CharField(),
                    "engine": serializers.CharField(),
                    "metrics": inline_serializer(
                        "ReadabilityMetrics", {key: serializers.FloatField() for key in METRICS}
                    ),
                },
            )
        },
    )
    def post(self, request):
        serializer = ReadabilityRequestSerializer(data=request.data)
        if not serializer.is_valid():
            messages = [
                f"{field}: {' '.join(map(str, problems))}" for field, problems in serializer.errors.items()
            ]
            return Response({"detail": " ".join(messages), "errors": serializer.errors}, status=400)
        text = serializer.validated_data["text"]
        [metrics] = services.text_scores_get_or_compute([text])
        return Response({"sha256": services.text_sha256(text), "engine": ENGINE, "metrics": metrics})


# ---- model runs and candidates (curators only) ------------------------------------------------------


class ModelRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", default=None, read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)
    job_status = serializers.CharField(source="job.status", default=None, read_only=True)
    progress_done = serializers.IntegerField(source="job.progress_done", default=0, read_only=True)
    progress_total = serializers.IntegerField(source="job.progress_total", default=0, read_only=True)
    segment_count = serializers.SerializerMethodField()

    class Meta:
        model = ModelRun
        fields = [
            "id", "kind", "status", "model_name", "model_path", "model_revision", "parameters",
            "prompt_template", "prompt_version", "seed", "selection", "segment_count", "summary", "job",
            "job_status", "progress_done", "progress_total", "requested_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_segment_count(self, run) -> int:
        return getattr(run, "segment_total", None) or run.segments.count()


class RunCreateSerializer(serializers.Serializer):
    """`kind` generate (default): exactly one of `segments`, `document`, `split` chooses the segments;
    `parameters` holds the generation settings (target_grade, style, num_candidates, temperature, top_p,
    max_new_tokens, batch_size, similarity_threshold, reward_weights; defaults for any left out).

    `kind` train: `target` reward trains a reward-model version (parameters: test_fraction, seed, C,
    encoder_mode frozen|finetune, epochs, learning_rate, batch_size, statuses, sources,
    include_unlabelled); `target` generator fine-tunes the generator with DPO and a LoRA adapter on the
    preference export (parameters: steps, learning_rate, beta, batch_size, max_length, lora_r,
    lora_alpha, seed, sources; `model_path` the base generator)."""

    kind = serializers.ChoiceField(choices=["generate", "train"], required=False, default="generate")
    target = serializers.ChoiceField(choices=["reward", "generator"], required=False, allow_blank=True)

    segments = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False)
    document = serializers.IntegerField(required=False)
    split = serializers.CharField(required=False, allow_blank=True)
    model_path = serializers.CharField(required=False, allow_blank=True, default="")
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
            "id", "run", "segment", "index", "text", "original", "reference", "new_tokens", "finished",
            "rank", "reward", "reward_parts", "reward_model", "grade", "readability", "sari", "sari_parts",
            "bleu", "compression",
            "similarity", "flags", "reference_version", "scored_at", "decision", "decided_by", "decided_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CandidateDecisionSerializer(serializers.Serializer):
    segment_version = serializers.IntegerField(
        required=False, help_text="The segment version you saw; a stale one is refused with 409"
    )


class CandidateFilter(django_filters.FilterSet):
    class Meta:
        model = Candidate
        fields = ["run", "segment", "decision"]


class ModelRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Model runs. `POST` starts a generation run (a Job on queue gpu) and answers 201 with the run."""

    permission_classes = [IsCurator]
    queryset = ModelRun.objects.none()
    serializer_class = ModelRunSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user)

    @extend_schema(request=RunCreateSerializer, responses={201: ModelRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == ModelRun.Kind.TRAIN:
            run = self._train(request, data)
        else:
            run = services.run_create(
                user=request.user,
                segment_ids=data.get("segments"),
                document_id=data.get("document"),
                split=data.get("split", ""),
                model_path=data["model_path"],
                parameters=data["parameters"],
                prompt_template=data["prompt_template"],
                prompt_version=data["prompt_version"],
                seed=data["seed"],
            )
        run = self.get_queryset().get(pk=run.pk)
        return Response(ModelRunSerializer(run).data, status=status.HTTP_201_CREATED)

    def _train(self, request, data) -> ModelRun:
        from apps.scoring import finetune, reward_registry

        target = data.get("target") or ""
        if target == "reward":
            return reward_registry.reward_train_start(user=request.user, parameters=data["parameters"])
        if target == "generator":
            return finetune.generator_finetune_start(
                user=request.user, model_path=data["model_path"], parameters=data["parameters"]
            )
        raise serializers.ValidationError({"target": "A train run needs a target: reward or generator."})


class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Candidates with every score and flag; filter by `run`, `segment`, `decision`."""

    permission_classes = [IsCurator]
    queryset = Candidate.objects.none()
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self):
        return selectors.candidates_visible_to(self.request.user).order_by("run_id", "segment_id", "index")

    def _decide(self, request, pk, accept: bool):
        from apps.corpus.exceptions import StaleVersion

        candidate = self.get_object()
        serializer = CandidateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            if accept:
                candidate = services.candidate_accept(
                    candidate_id=candidate.pk,
                    user=request.user,
                    segment_version=serializer.validated_data.get("segment_version"),
                )
            else:
                candidate = services.candidate_reject(candidate_id=candidate.pk, user=request.user)
        except (services.DecisionRefused, StaleVersion) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(CandidateSerializer(self.get_queryset().get(pk=candidate.pk)).data)

    @extend_schema(request=CandidateDecisionSerializer, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Save the candidate as the segment's simplified text (a new revision attributed to the run)."""
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
            "id", "version", "encoder", "training_snapshot", "snapshot_hash", "parameters", "metrics",
            "beats_baseline", "artifact_path", "artifact_sha256", "is_active", "created_by", "activated_by",
            "activated_at", "job", "created_at",
        ]  # fmt: skip
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
        from apps.scoring import reward_registry

        model = reward_registry.reward_model_activate(reward_model_id=self.get_object().pk, user=request.user)
        return Response(RewardModelSerializer(self.get_queryset().get(pk=model.pk)).data)

    @extend_schema(request=None, responses={200: RewardModelSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        from apps.scoring import reward_registry

        model = reward_registry.reward_model_deactivate(
            reward_model_id=self.get_object().pk, user=request.user
        )
        return Response(RewardModelSerializer(self.get_queryset().get(pk=model.pk)).data)


PREFERENCE_EXPORT_PARAMETERS = [
    OpenApiParameter("run", int, description="Only candidates of this run"),
    OpenApiParameter("source", str, many=True, description="reward_rank and/or curator_decision"),
]


class _PreferencesExport(APIView):
    """Preference pairs from reward-ranked candidates and curators' accept/reject decisions (fields in
    apps/scoring/preferences.py); no duplicates; one snapshot, streamed, after the shared manifest."""

    permission_classes = [IsCurator]
    content_negotiation_class = AnyAccept
    fmt = ""

    def get(self, request):
        from apps.scoring import preferences

        run = request.query_params.get("run")
        sources = request.query_params.getlist("source")
        errors = {}
        if run is not None and not run.isdigit():
            errors["run"] = [f"{run!r} is not a run id."]
        unknown = [s for s in sources if s not in preferences.SOURCE_NAMES]
        if unknown:
            errors["source"] = [f"Unknown source {unknown[0]!r}; use {', '.join(preferences.SOURCE_NAMES)}."]
        if errors:
            raise serializers.ValidationError(errors)
        filters = {"run": int(run) if run else None, "sources": sources or None}
        return export_response(
            name="preferences",
            fmt=self.fmt,
            schema_version=preferences.SCHEMA_VERSION,
            fields=preferences.FIELDS,
            filters={"run": filters["run"], "source": sources},
            # Pairs are computed, not rows: counting is a first pass over the same snapshot.
            count=lambda: sum(1 for _ in preferences.records(**filters)),
            records=lambda: preferences.records(**filters),
        )


@extend_schema(
    parameters=PREFERENCE_EXPORT_PARAMETERS,
    responses=export_schema_responses(
        "jsonl", "A manifest line, then one preference record per line (TRL conversational format)."
    ),
)
class PreferencesJsonlExport(_PreferencesExport):
    """`prompt`/`chosen`/`rejected` as chat messages (TRL's conversational preference format) plus
    `source` and ids. Skip the first (manifest) line before handing the records to `trl.DPOTrainer`."""

    fmt = "jsonl"


@extend_schema(
    parameters=PREFERENCE_EXPORT_PARAMETERS,
    responses=export_schema_responses(
        "csv", "One pair per row (messages as JSON text); manifest in a header."
    ),
)
class PreferencesCsvExport(_PreferencesExport):
    """The same records as CSV; `prompt`, `chosen` and `rejected` are JSON text."""

    fmt = "csv"
