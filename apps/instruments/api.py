"""Instruments API: instruments (read), assessments with their answers and scores (assessor writes).
Results per document and the exports are in `api_results.py`.

Curators only; raters get 403, anonymous callers 401. Any curator reads every assessment; only its own
assessor changes it (403 otherwise), and a submitted one answers 409. Service refusals carry their own
status through the project's exception handler.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api import IsCurator
from apps.corpus.selectors import documents_visible_to
from apps.instruments import selectors, services
from apps.instruments.models import (
    Instrument,
    InstrumentAssessment,
    InstrumentGroup,
    InstrumentItem,
    ItemAnswer,
    Side,
)

# --- instruments -----------------------------------------------------------------------------------------


class InstrumentGroupSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = InstrumentGroup
        fields = [
            "order",
            "code",
            "name",
            "kind",
            "parent",
            "description",
            "reading_aid_threshold",
            "reading_aid",
        ]
        read_only_fields = fields


class InstrumentItemSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.code", read_only=True)
    options = serializers.ListField(child=serializers.DictField(), read_only=True)
    constraints_rule = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = InstrumentItem
        fields = [
            "order",
            "code",
            "group",
            "text",
            "guidance",
            "answer_kind",
            "options",
            "na_allowed",
            "na_label",
            "required",
            "constraints_rule",
            "auto_rule",
            "verified",
            "source_note",
        ]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    is_frozen = serializers.BooleanField(read_only=True)
    groups = InstrumentGroupSerializer(many=True, read_only=True)
    items = InstrumentItemSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "id",
            "key",
            "name",
            "family",
            "variant",
            "version",
            "description",
            "source_title",
            "source_publisher",
            "source_url",
            "source_date",
            "source_version",
            "licence_note",
            "score_rule",
            "verification_note",
            "previous",
            "frozen_at",
            "is_frozen",
            "groups",
            "items",
        ]
        read_only_fields = fields


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Instrument versions with their groups and items (item texts, options, N/A rules, sources)."""

    queryset = Instrument.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = InstrumentSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["key", "family", "version"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.instruments_visible_to(self.request.user).prefetch_related(
            "groups__parent", "items__group"
        )


# --- assessments -----------------------------------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    assessor = django_filters.CharFilter(field_name="assessor__username", help_text="Assessor's username.")
    instrument_key = django_filters.CharFilter(field_name="instrument__key", help_text='e.g. "pemat-p".')

    class Meta:
        model = InstrumentAssessment
        fields = ["status", "side", "document", "instrument", "instrument_key", "assessor"]


class InstrumentAnswerSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    answer_label = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField(help_text="True when the answer takes part in the score.")
    rule_inputs = serializers.DictField(read_only=True)
    updated_by = serializers.CharField(source="updated_by.username", default=None, read_only=True)

    class Meta:
        model = ItemAnswer
        fields = [
            "item_code",
            "value",
            "answer_label",
            "text",
            "comment",
            "source",
            "confirmed",
            "counts",
            "rule",
            "rule_value",
            "rule_note",
            "rule_inputs",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_answer_label(self, answer) -> str:
        return selectors.answer_label(answer.item, answer.value) if answer.value else ""

    def get_counts(self, answer) -> bool:
        return answer.confirmed and answer.is_answered


class InstrumentScaleScoreSerializer(serializers.Serializer):
    """One scale's score and the counts behind it (the definition is the instrument's `score_rule`)."""

    scale = serializers.CharField()
    name = serializers.CharField()
    percent = serializers.FloatField(
        allow_null=True, help_text="points ÷ applicable items × 100; null: none yet"
    )
    points = serializers.FloatField()
    applicable_items = serializers.IntegerField(help_text="Counted answers other than N/A.")
    not_applicable_items = serializers.IntegerField()
    unanswered_items = serializers.IntegerField()
    unconfirmed_automatic_items = serializers.IntegerField(
        help_text="Automatic answers that do not count yet."
    )
    items = serializers.IntegerField()
    complete = serializers.BooleanField()
    reading_aid_threshold = serializers.FloatField(allow_null=True)
    reading_aid = serializers.CharField()
    topics = serializers.ListField(child=serializers.DictField())


def scale_dicts(scales) -> list[dict]:
    return [
        {
            **s.score.as_dict(),
            "name": s.group.name,
            "reading_aid_threshold": s.group.reading_aid_threshold,
            "reading_aid": s.group.reading_aid,
        }
        for s in scales
    ]


class InstrumentAssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.CharField(source="assessor.username", read_only=True)
    instrument_key = serializers.CharField(source="instrument.key", read_only=True)
    instrument_name = serializers.CharField(source="instrument.name", read_only=True)
    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)
    segment_versions = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = InstrumentAssessment
        fields = [
            "id",
            "instrument",
            "instrument_key",
            "instrument_name",
            "instrument_version",
            "assessor",
            "document",
            "document_title",
            "side",
            "text_sha256",
            "segment_versions",
            "status",
            "submitted_at",
            "origin",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InstrumentAssessmentDetailSerializer(InstrumentAssessmentSerializer):
    answers = InstrumentAnswerSerializer(many=True, read_only=True)
    scores = serializers.SerializerMethodField()
    score_rule = serializers.CharField(source="instrument.score_rule", read_only=True)

    class Meta(InstrumentAssessmentSerializer.Meta):
        fields = [*InstrumentAssessmentSerializer.Meta.fields, "score_rule", "scores", "answers"]
        read_only_fields = fields

    @extend_schema_field(InstrumentScaleScoreSerializer(many=True))
    def get_scores(self, assessment) -> list[dict]:
        return scale_dicts(selectors.assessment_scores(assessment))


class InstrumentAssessmentCreateSerializer(serializers.Serializer):
    instrument = serializers.PrimaryKeyRelatedField(
        queryset=Instrument.objects.all(), help_text="An instrument version (see instruments/)."
    )
    document = serializers.IntegerField(min_value=1, help_text="The corpus document to assess.")
    side = serializers.ChoiceField(choices=Side.choices, help_text="Which of the document's two texts.")
    prefill = serializers.BooleanField(required=False, default=True, help_text="Run the automatic rules.")


class InstrumentAnswerWriteSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=10, help_text='The item number, e.g. "6" or "I1".')
    value = serializers.CharField(
        allow_blank=True, required=False, default="", help_text='An option value, "na", or blank to clear.'
    )
    text = serializers.CharField(
        allow_blank=True, required=False, default="", trim_whitespace=False, help_text="Free-text items."
    )
    comment = serializers.CharField(allow_blank=True, required=False, default="", trim_whitespace=False)


class InstrumentConfirmSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=10)


def _item_by_code(assessment, code: str) -> InstrumentItem:
    item = InstrumentItem.objects.filter(instrument=assessment.instrument_id, code=code).first()
    if item is None:
        raise ValidationError({"item_code": [f'{assessment.instrument} has no item "{code}".']})
    return item


def answer_save_response(request, assessment) -> Response:
    """POST answers/ of a curator's or a rater's assessment: one item's answer (`item_code`), saved."""
    serializer = InstrumentAnswerWriteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    answer = services.answer_save(
        assessment=assessment,
        item=_item_by_code(assessment, data["item_code"]),
        actor=request.user,
        value=data["value"],
        text=data["text"],
        comment=data["comment"],
    )
    return Response(InstrumentAnswerSerializer(answer).data)


def answer_confirm_response(request, assessment) -> Response:
    """POST confirm/: an automatic answer confirmed as it stands."""
    serializer = InstrumentConfirmSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    item = _item_by_code(assessment, serializer.validated_data["item_code"])
    answer = services.answer_confirm(assessment=assessment, item=item, actor=request.user)
    return Response(InstrumentAnswerSerializer(answer).data)


class AssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Instrument assessments. Every curator reads all of them; only the assessor writes, while a draft."""

    queryset = InstrumentAssessment.objects.none()  # for the schema; requests use get_queryset()
    permission_classes = [IsCurator]
    filterset_class = AssessmentFilter

    def get_queryset(self):
        assessments = selectors.assessments_visible_to(self.request.user)
        if self.action == "retrieve":
            assessments = assessments.prefetch_related("answers__item", "answers__updated_by")
        return assessments

    def get_serializer_class(self):
        return {
            "retrieve": InstrumentAssessmentDetailSerializer,
            "create": InstrumentAssessmentCreateSerializer,
            "answers": InstrumentAnswerWriteSerializer,
            "confirm": InstrumentConfirmSerializer,
        }.get(self.action, InstrumentAssessmentSerializer)

    def _detail(self, assessment) -> dict:
        fresh = (
            selectors.assessments_visible_to(self.request.user)
            .prefetch_related("answers__item", "answers__updated_by")
            .get(pk=assessment.pk)
        )
        return InstrumentAssessmentDetailSerializer(fresh).data

    @extend_schema(
        request=InstrumentAssessmentCreateSerializer,
        responses={201: InstrumentAssessmentDetailSerializer, 200: InstrumentAssessmentDetailSerializer},
    )
    def create(self, request):
        """Start an assessment (201), or get back the caller's existing one of the same text (200)."""
        serializer = InstrumentAssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = documents_visible_to(request.user).filter(pk=data["document"]).first()
        if document is None:
            raise ValidationError({"document": [f"There is no document #{data['document']}."]})
        assessment, created = services.assessment_start(
            assessor=request.user,
            instrument=data["instrument"],
            document=document,
            side=data["side"],
            prefill=data["prefill"],
        )
        return Response(
            self._detail(assessment), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        methods=["GET"], request=None, responses={200: InstrumentAnswerSerializer(many=True)}, filters=False
    )
    @extend_schema(
        methods=["POST"], request=InstrumentAnswerWriteSerializer, responses={200: InstrumentAnswerSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def answers(self, request, pk=None):
        """GET: the answers so far. POST: a person's answer to one item (`item_code`)."""
        assessment = self.get_object()
        if request.method == "GET":
            answers = assessment.answers.select_related("item", "updated_by")
            return Response(InstrumentAnswerSerializer(answers, many=True).data)
        return answer_save_response(request, assessment)

    @extend_schema(request=InstrumentConfirmSerializer, responses={200: InstrumentAnswerSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm an automatic answer as it stands (from now on it counts towards the score)."""
        return answer_confirm_response(request, self.get_object())

    @extend_schema(
        request=None,
        responses={
            200: InstrumentAssessmentDetailSerializer,
            409: OpenApiResponse(description="Already submitted"),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (freeze) the assessment: every required item answered and every automatic one confirmed."""
        assessment = services.assessment_submit(assessment=self.get_object(), actor=request.user)
        return Response(self._detail(assessment))

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("InstrumentPrefillResult", {"written": serializers.IntegerField()})
        },
    )
    @action(detail=True, methods=["post"])
    def prefill(self, request, pk=None):
        """Run the automatic rules again; answers a person gave or confirmed are kept."""
        written = services.assessment_prefill(assessment=self.get_object(), actor=request.user)
        return Response({"written": written})
