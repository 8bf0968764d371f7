"""ELEVATE API: checklist templates (read), assessments with their responses (assessor writes), exports.

Curators only; raters get 403, anonymous callers 401. Any curator reads every assessment; only an
assessment's own assessor changes it (403 otherwise), and a submitted one answers 409. The services'
refusals (ValidationError, PermissionDenied, the ServiceErrors of `exceptions.py`) are answered by the
global handler with the one error body: nothing here translates them.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api import IsCurator
from apps.core.exports import export_response, export_views
from apps.elevate import selectors, services
from apps.elevate.models import (
    Assessment,
    ChecklistDomain,
    ChecklistItem,
    ChecklistTemplate,
    ItemResponse,
    SubjectKind,
)

# --- templates -------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "code", "wording", "guidance"]


class ChecklistDomainSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistDomain
        fields = ["id", "order", "name", "description", "items"]


class TemplateSerializer(serializers.ModelSerializer):
    domains = ChecklistDomainSerializer(many=True, read_only=True)
    is_frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "name",
            "version",
            "description",
            "previous",
            "frozen_at",
            "is_frozen",
            "created_at",
            "domains",
        ]
        read_only_fields = fields


class TemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Checklist templates with their domains and items, newest version first (curators read)."""

    queryset = ChecklistTemplate.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = TemplateSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["name", "version"]

    def get_queryset(self):
        return selectors.templates_visible_to(self.request.user).order_by("name", "-version")


# --- assessments -----------------------------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    assessor = django_filters.CharFilter(field_name="assessor__username", help_text="Assessor's username.")
    template_name = django_filters.CharFilter(field_name="template__name")

    class Meta:
        model = Assessment
        fields = ["status", "subject_kind", "subject_id", "assessor", "template", "template_name", "doi"]


class ItemResponseSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    updated_by = serializers.CharField(source="updated_by.username", default=None, read_only=True)

    class Meta:
        model = ItemResponse
        fields = [
            "id",
            "item",
            "item_code",
            "status",
            "location",
            "comment",
            "prefilled",
            "prefill_source",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class ResponseWriteSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=20, help_text='The checklist item, e.g. "5.1".')
    status = serializers.ChoiceField(choices=ItemResponse.Status.choices, allow_blank=True)
    location = serializers.CharField(allow_blank=True, required=False, default="", trim_whitespace=False)
    comment = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=False,
        help_text='Required when the status is "partial" or "not_reported".',
    )


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.CharField(source="assessor.username", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    subject_label = serializers.CharField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "template",
            "template_name",
            "template_version",
            "assessor",
            "subject_kind",
            "subject_id",
            "subject_label",
            "title",
            "doi",
            "url",
            "status",
            "submitted_at",
            "revision_of",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    responses = ItemResponseSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "responses"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    subject_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    doi = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="Defaults to the newest version of the ELEVATE checklist.",
    )
    prefill = serializers.BooleanField(required=False, default=True)


class AssessmentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    doi = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)


class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """ELEVATE assessments. Every curator reads all of them; only the assessor writes, while a draft."""

    queryset = Assessment.objects.none()  # for the schema; requests use get_queryset()
    permission_classes = [IsCurator]
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        assessments = selectors.assessments_visible_to(self.request.user)
        if self.action == "retrieve":
            assessments = assessments.prefetch_related("responses__item", "responses__updated_by")
        return assessments

    def get_serializer_class(self):
        return {
            "retrieve": AssessmentDetailSerializer,
            "create": AssessmentCreateSerializer,
            "partial_update": AssessmentUpdateSerializer,
            "responses": ResponseWriteSerializer,
        }.get(self.action, AssessmentSerializer)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentDetailSerializer})
    def create(self, request):
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(assessor=request.user, **serializer.validated_data)
        return Response(self._detail(assessment), status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentUpdateSerializer, responses={200: AssessmentDetailSerializer})
    def partial_update(self, request, pk=None):
        assessment = self.get_object()
        serializer = AssessmentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_update(
            assessment=assessment, actor=request.user, **serializer.validated_data
        )
        return Response(self._detail(assessment))

    def _detail(self, assessment: Assessment) -> dict:
        fresh = (
            self.get_queryset()
            .prefetch_related("responses__item", "responses__updated_by")
            .get(pk=assessment.pk)
        )
        return AssessmentDetailSerializer(fresh).data

    @extend_schema(
        request=None,
        responses={200: AssessmentDetailSerializer, 409: OpenApiResponse(description="Already submitted")},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (freeze) the assessment; every item needs an answer (400 lists the missing ones)."""
        assessment = services.assessment_submit(assessment=self.get_object(), actor=request.user)
        return Response(self._detail(assessment))

    @extend_schema(request=None, responses={201: AssessmentDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Start (or reopen) a draft revision of a submitted assessment, with its answers copied."""
        revision = services.assessment_revise(assessment=self.get_object(), actor=request.user)
        return Response(self._detail(revision), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("PrefillResult", {"written": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def prefill(self, request, pk=None):
        """Fill answers from data stored in Equitext; answers a person gave are kept."""
        written = services.assessment_prefill(assessment=self.get_object(), actor=request.user)
        return Response({"written": written})

    @extend_schema(
        methods=["GET"], request=None, responses={200: ItemResponseSerializer(many=True)}, filters=False
    )
    @extend_schema(methods=["POST"], request=ResponseWriteSerializer, responses={200: ItemResponseSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def responses(self, request, pk=None):
        """GET: the answers given so far. POST: save the answer to one item (`item_code`)."""
        assessment = self.get_object()
        if request.method == "GET":
            responses = assessment.responses.select_related("item", "updated_by")
            return Response(ItemResponseSerializer(responses, many=True).data)
        serializer = ResponseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = ChecklistItem.objects.filter(
            domain__template=assessment.template_id, code=data["item_code"]
        ).first()
        if item is None:
            raise ValidationError(
                {"item_code": [f'Checklist {assessment.template} has no item "{data["item_code"]}".']}
            )
        response = services.response_save(
            assessment=assessment,
            item=item,
            actor=request.user,
            status=data["status"],
            location=data["location"],
            comment=data["comment"],
        )
        return Response(ItemResponseSerializer(response).data)


# --- exports ---------------------------------------------------------------------------------------


class _AssessmentExport(generics.GenericAPIView):
    queryset = Assessment.objects.none()  # for the schema; requests use get_queryset()
    filterset_class = AssessmentFilter
    pagination_class = None

    def get_queryset(self):
        return selectors.assessments_visible_to(self.request.user)

    def get(self, request):
        assessments = self.filter_queryset(self.get_queryset())  # a bad filter value is a 400 here
        names = self.filterset_class.base_filters
        return export_response(
            name="assessments",
            fmt=self.fmt,
            schema_version=selectors.EXPORT_SCHEMA_VERSION,
            fields=selectors.EXPORT_FIELDS,
            filters={k: v for k, v in request.query_params.items() if k in names},
            count=lambda: selectors.assessment_export_count(assessments),
            records=lambda: selectors.assessment_export_records(assessments),
        )


AssessmentExportJsonl, AssessmentExportCsv = export_views(
    _AssessmentExport,
    name="Assessment",
    filters=True,
    jsonl=(
        "Every checklist item of every visible assessment, one JSON object per line (streamed).",
        "One JSON object per checklist item (`?manifest=1`: the manifest first)",
    ),
    csv=(
        "Every checklist item of every visible assessment, one CSV row each (streamed).",
        "CSV with a header row; the manifest in X-Export-Manifest",
    ),
)
