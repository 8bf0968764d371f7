"""Instruments API for raters: their own assessments through instrument studies (studies.py), blinded —
"Version 1/2", never the side. Curators' assessments are `api.py`."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import IsRater
from apps.instruments import selectors, services, studies
from apps.instruments.api import (
    InstrumentAnswerSerializer,
    InstrumentAnswerWriteSerializer,
    InstrumentConfirmSerializer,
    InstrumentItemSerializer,
    InstrumentScaleScoreSerializer,
    answer_confirm_response,
    answer_save_response,
    scale_dicts,
)
from apps.instruments.models import InstrumentAssessment
from apps.instruments.study_views import version_label


class StudyAssessmentStartSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(
        help_text="Your assignment in an instrument study (studies/{id}/next/)."
    )


class StudyAssessmentSerializer(serializers.ModelSerializer):
    """A rater's study assessment, blinded: "Version 1/2" instead of the side, no text hashes."""

    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)
    version_label = serializers.SerializerMethodField()
    answers = InstrumentAnswerSerializer(many=True, read_only=True)
    scores = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = InstrumentAssessment
        fields = [
            "id",
            "assignment_id",
            "instrument",
            "instrument_name",
            "document_title",
            "version_label",
            "status",
            "submitted_at",
            "items",
            "answers",
            "scores",
        ]
        read_only_fields = fields

    def get_version_label(self, assessment) -> str:
        return version_label(assessment)

    @extend_schema_field(InstrumentScaleScoreSerializer(many=True))
    def get_scores(self, assessment) -> list[dict]:
        return scale_dicts(selectors.assessment_scores(assessment))

    @extend_schema_field(InstrumentItemSerializer(many=True))
    def get_items(self, assessment) -> list[dict]:
        return InstrumentItemSerializer(assessment.instrument.items.order_by("order"), many=True).data


class StudyAssessmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Raters: fill an instrument for an item of an instrument study. POST with the assignment opens the
    assessment (201, automatic answers pre-filled; 200 when it exists); answer items, confirm automatic
    answers, and submit — which submits the assignment too. Only your own; anyone else's is a 404."""

    queryset = InstrumentAssessment.objects.none()
    serializer_class = StudyAssessmentSerializer
    permission_classes = [IsRater]

    def get_queryset(self):
        return selectors.study_assessments_own(self.request.user).prefetch_related("answers__item")

    def _detail(self, assessment) -> dict:
        return StudyAssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data

    @extend_schema(
        request=StudyAssessmentStartSerializer,
        responses={201: StudyAssessmentSerializer, 200: StudyAssessmentSerializer},
    )
    def create(self, request):
        serializer = StudyAssessmentStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment, created = studies.study_assessment_start(
            assignment_id=serializer.validated_data["assignment"], rater=request.user
        )
        return Response(
            self._detail(assessment), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=InstrumentAnswerWriteSerializer, responses={200: InstrumentAnswerSerializer})
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Your answer to one item (`item_code`)."""
        return answer_save_response(request, self.get_object())

    @extend_schema(request=InstrumentConfirmSerializer, responses={200: InstrumentAnswerSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return answer_confirm_response(request, self.get_object())

    @extend_schema(request=None, responses={200: StudyAssessmentSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the assessment and its assignment together (every item answered, automatic ones
        confirmed)."""
        assessment = services.assessment_submit(assessment=self.get_object(), actor=request.user)
        return Response(self._detail(assessment))
