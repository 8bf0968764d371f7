"""API of model raters (curators): `GET/POST studies/{id}/autoraters/` (list; add a model rater and start
its run on queue gpu), `GET studies/{id}/autoraters/{autorater_id}/` (the run record and every output:
raw text, parsed response or why it did not parse). Calibration tables are in `studies/{id}/results/`
(section "calibration")."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.reviews import selectors as review_selectors
from apps.reviews.autoraters import selectors, services
from apps.reviews.autoraters.models import Autorater


class AutoraterCreateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    model_path = serializers.CharField(
        required=False, allow_blank=True, help_text="A local model directory; empty: the embedded SmolLM2."
    )
    template_version = serializers.CharField(
        required=False,
        help_text="rubric-json v1 (default) or rubric-json-primed v1 (the answer begun with its first key).",
    )
    temperature = serializers.FloatField(required=False, help_text="0 (default): greedy.")
    top_p = serializers.FloatField(required=False)
    max_new_tokens = serializers.IntegerField(required=False)
    batch_size = serializers.IntegerField(required=False)
    seed = serializers.IntegerField(required=False, help_text="Default: the study's seed.")


class AutoraterSerializer(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()
    n_ratings = serializers.IntegerField(read_only=True, default=0)
    n_parsed = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Autorater
        fields = [
            "id",
            "study",
            "name",
            "model_path",
            "model_name",
            "model_revision",
            "template_version",
            "system_prompt",
            "decoding",
            "seed",
            "run_record",
            "job",
            "n_ratings",
            "n_parsed",
            "created_at",
        ]
        read_only_fields = fields

    def get_job(self, obj) -> dict | None:
        job = obj.job
        if job is None:
            return None
        return {
            "id": job.pk,
            "status": job.status,
            "done": job.progress_done,
            "total": job.progress_total,
            "error": job.error,
        }


class AutoraterRatingSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    item_position = serializers.IntegerField(source="item.position")
    parsed = serializers.BooleanField()
    response = serializers.JSONField(allow_null=True)
    parse_error = serializers.CharField(allow_blank=True)
    raw_text = serializers.CharField(allow_blank=True)
    new_tokens = serializers.IntegerField()
    finished = serializers.BooleanField()


class AutoraterDetailSerializer(AutoraterSerializer):
    """For the schema: the run and its outputs."""

    ratings = AutoraterRatingSerializer(many=True)

    class Meta(AutoraterSerializer.Meta):
        fields = [*AutoraterSerializer.Meta.fields, "ratings"]
        read_only_fields = fields


class StudyAutoratersView(APIView):
    """A study's model raters. POST adds one and queues its run (202 with the run and its job)."""

    permission_classes = [IsCurator]

    def _study(self, pk):
        return get_object_or_404(review_selectors.studies_all(), pk=pk)

    @extend_schema(responses={200: AutoraterSerializer(many=True)})
    def get(self, request, id: int):  # noqa: A002 (the path parameter of studies/{id}/)
        study = self._study(id)
        return Response(AutoraterSerializer(selectors.autoraters_of(study), many=True).data)

    @extend_schema(request=AutoraterCreateSerializer, responses={202: AutoraterSerializer})
    def post(self, request, id: int):  # noqa: A002
        study = self._study(id)
        # The service validates every field, unknown ones included (a typo is refused, not dropped).
        settings = dict(request.data) if hasattr(request.data, "keys") else request.data
        autorater = services.autorater_create(study=study, actor=request.user, settings=settings)
        autorater = selectors.autoraters_of(study).get(pk=autorater.pk)
        return Response(AutoraterSerializer(autorater).data, status=status.HTTP_202_ACCEPTED)


class AutoraterDetailView(APIView):
    """One model rater: its run record and every output (raw text kept; unparsed outputs say why)."""

    permission_classes = [IsCurator]

    @extend_schema(responses={200: AutoraterDetailSerializer})
    def get(self, request, id: int, autorater_id: int):  # noqa: A002
        study = get_object_or_404(review_selectors.studies_all(), pk=id)
        autorater = get_object_or_404(selectors.autoraters_of(study), pk=autorater_id)
        data = AutoraterSerializer(autorater).data
        data["ratings"] = AutoraterRatingSerializer(selectors.autorater_ratings(autorater), many=True).data
        return Response(data)
