"""Corpus API (curators only): sources, documents, segments (+ revisions), import, streamed exports.

Every write calls a service; a service's refusal (ServiceError, Django ValidationError) becomes the one
error body in `apps.core.api.exception_handler`, so there is no error translation here.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import limits
from apps.core.api import ERROR_RESPONSES, IsCurator
from apps.core.exports import export_response, export_views
from apps.core.imports import ImportReportSerializer, import_answer
from apps.corpus import exports, import_services, selectors, services
from apps.corpus.exceptions import StaleVersion
from apps.corpus.imports import MAPPABLE, PRESETS
from apps.corpus.models import Document, ImportBatch, Segment, SegmentRevision, Source, Split, Status


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "name", "url", "licence", "notes", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DocumentSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    segment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "source",
            "source_name",
            "title",
            "url",
            "topic",
            "segment_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class SegmentSerializer(serializers.ModelSerializer):
    document_title = serializers.CharField(source="document.title", read_only=True)
    last_edited_by = serializers.CharField(source="last_edited_by.username", default=None, read_only=True)

    class Meta:
        model = Segment
        fields = [
            "id",
            "document",
            "document_title",
            "position",
            "original",
            "simplified",
            "split",
            "status",
            "version",
            "notes",
            "annotation",
            "original_grade",
            "simplified_grade",
            "last_edited_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SegmentCreateSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    original = serializers.CharField(max_length=services.MAX_TEXT_CHARS)
    simplified = serializers.CharField(max_length=services.MAX_TEXT_CHARS, required=False, allow_blank=True)
    split = serializers.ChoiceField(choices=Split.choices, default=Split.UNLABELLED)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class SegmentPatchSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you started from; a stale one is refused with 409."
    )
    simplified = serializers.CharField(
        max_length=services.MAX_TEXT_CHARS, required=False, allow_blank=True, trim_whitespace=False
    )
    split = serializers.ChoiceField(choices=Split.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = (
            "Send the `version` you edited (from GET); it protects against overwriting someone else's save."
        )


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)

    class Meta:
        model = SegmentRevision
        fields = [
            "version",
            "simplified",
            "split",
            "status",
            "notes",
            "origin",
            "base_version",
            "reverted_to",
            "model_run_id",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class SourceViewSet(viewsets.ModelViewSet):
    """Sources (publishers). DELETE refuses (409) a source that still has documents."""

    queryset = Source.objects.none()
    serializer_class = SourceSerializer
    permission_classes = [IsCurator]

    def get_queryset(self):
        return selectors.sources_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.source_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.source_update(
            source=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(responses={204: None, 409: ERROR_RESPONSES[409]})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.source_delete(source=instance, actor=self.request.user)


CONFIRM = OpenApiParameter(
    "confirm",
    bool,
    description="Delete a document that holds segments, with them and everything that hangs on them. "
    "Without it such a document is refused (409) with what would be lost.",
)


class DocumentViewSet(viewsets.ModelViewSet):
    """Documents. DELETE of a document that holds segments needs `?confirm=true`; without it the 409
    names the segments, revisions, candidates and links that would be lost."""

    queryset = Document.objects.none()
    serializer_class = DocumentSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["source", "topic"]

    def get_queryset(self):
        return selectors.documents_visible_to(self.request.user).order_by("source__name", "title")

    def perform_create(self, serializer):
        serializer.instance = services.document_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.document_update(
            document=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        parameters=[CONFIRM],
        responses={204: None, 409: OpenApiResponse(ERROR_RESPONSES[409].response, "Holds segments; confirm")},
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        confirm = self.request.query_params.get("confirm", "").lower() in ("1", "true", "yes")
        services.document_delete(document=instance, actor=self.request.user, confirm=confirm)


SEGMENT_FILTERS = [
    OpenApiParameter("q", str, description="Full-text search over both texts (web-search syntax)"),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("split", str, enum=Split.values),
    OpenApiParameter("topic", str),
    OpenApiParameter("document", int),
    OpenApiParameter("source", int),
    OpenApiParameter("grade_min", float, description="Simplified text's Flesch–Kincaid grade, at least"),
    OpenApiParameter("grade_max", float, description="… at most"),
]


def segment_filters_from(params) -> dict:
    """Query parameters → selectors.segments_filter arguments; a bad value is a 400 naming the parameter."""
    filters, errors = {}, {}
    for name in ("q", "topic"):
        if params.get(name):
            filters[name] = params[name]
    for name, choices in (("status", Status.values), ("split", Split.values)):
        if params.get(name):
            if params[name] not in choices:
                errors[name] = f"Unknown {name} {params[name]!r}; use one of {', '.join(choices)}."
            filters[name] = params[name]
    for name, kind in (("document", int), ("source", int), ("grade_min", float), ("grade_max", float)):
        if params.get(name) not in (None, ""):
            try:
                filters[name] = kind(params[name])
            except ValueError:
                errors[name] = f"{name} must be a number, not {params[name]!r}."
    if errors:
        raise ValidationError(errors)
    return filters


class SegmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Segments. `PATCH` must carry the `version` you edited; a stale version gets 409 and changes nothing."""

    queryset = Segment.objects.none()
    serializer_class = SegmentSerializer
    permission_classes = [IsCurator]
    filter_backends = []  # filtering is segment_filters_from (full-text search and grade range included)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        segments = selectors.segments_visible_to(self.request.user).order_by("document_id", "position")
        if self.action == "list":
            segments = selectors.segments_filter(segments, **segment_filters_from(self.request.query_params))
        return segments

    @extend_schema(parameters=SEGMENT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SegmentCreateSerializer, responses={201: SegmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SegmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = services.segment_create(user=request.user, **serializer.validated_data)
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SegmentPatchSerializer, responses={200: SegmentSerializer, 409: OpenApiTypes.OBJECT}
    )
    def partial_update(self, request, *args, **kwargs):
        segment = self.get_object()
        serializer = SegmentPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            segment = services.segment_update(
                segment_id=segment.pk, user=request.user, **serializer.validated_data
            )
        except StaleVersion as exc:
            # Not a translation: the 409 carries both texts (the stored segment, as this API shows it, and
            # what was sent) so that a client can merge, as the editor does.
            body = {"detail": exc.message, "current": SegmentSerializer(exc.current).data}
            return Response(body | {"yours": serializer.validated_data}, status=exc.status)
        return Response(SegmentSerializer(segment).data)

    @extend_schema(responses=RevisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def revisions(self, request, pk=None):
        segment = self.get_object()
        page = self.paginate_queryset(selectors.revisions_of(segment))
        return self.get_paginated_response(RevisionSerializer(page, many=True).data)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[limits.upload_size_validator])
    preset = serializers.ChoiceField(choices=list(PRESETS))
    format = serializers.ChoiceField(choices=["", "csv", "tsv", "jsonl"], required=False, default="")
    mapping = serializers.JSONField(
        required=False, default=dict, help_text=f"For preset `mapping`: target → column, targets {MAPPABLE}"
    )
    default_split = serializers.ChoiceField(choices=Split.choices, required=False, default=Split.UNLABELLED)
    default_source = serializers.CharField(required=False, allow_blank=True, default="")
    default_document = serializers.CharField(required=False, allow_blank=True, default="")
    skip_invalid = serializers.BooleanField(required=False, default=False)

    def validate_mapping(self, value):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise serializers.ValidationError(
                'Send an object like {"original": "Column A", "simplified": "B"}.'
            )
        unknown = set(value) - set(MAPPABLE)
        if unknown:
            raise serializers.ValidationError(f"Unknown targets {sorted(unknown)}; use {MAPPABLE}.")
        return value


class CorpusImportReportSerializer(ImportReportSerializer):
    batch = serializers.IntegerField(help_text="The import batch (its page: /corpus/import/{batch}/)")
    state = serializers.ChoiceField(choices=ImportBatch.State.choices)
    job = serializers.IntegerField(allow_null=True, help_text="The job of a large file (`jobs/{id}/`)")


class CorpusImportView(APIView):
    """Upload a CSV, TSV or JSONL file. Small files answer at once: 201 with counts, or 400 with the
    row-numbered report (nothing written). Files over 2 MB answer 202 with a job to follow at `jobs/{id}/`.
    The body is the one import report shape (`apps.core.imports.import_answer`), plus `batch`, `state`
    and `job`."""

    permission_classes = [IsCurator]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={code: CorpusImportReportSerializer for code in (201, 202, 400)},
    )
    def post(self, request):
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        options = import_services.import_options(
            file_name=upload.name,
            preset=data["preset"],
            format=data["format"],
            mapping=data["mapping"],
            default_split=data["default_split"],
            default_source=data["default_source"],
            default_document=data["default_document"],
        )
        batch = import_services.corpus_import_start(
            upload=upload,
            file_name=upload.name,
            options=options,
            skip_invalid=data["skip_invalid"],
            user=request.user,
        )
        body, code = import_answer(
            import_services.import_report(batch),
            detail=import_services.import_summary(batch),
            as_job=bool(batch.job_id),
            batch=batch.pk,
            state=batch.state,
            job=batch.job_id,
        )
        return Response(body, status=code)


EXPORT_FILTER_NAMES = ("status", "split", "document", "source", "topic")
EXPORT_FILTERS = [p for p in SEGMENT_FILTERS if p.name in EXPORT_FILTER_NAMES]


class _CorpusExport(APIView):
    def get(self, request):
        filters = segment_filters_from(
            {k: v for k, v in request.query_params.items() if k in EXPORT_FILTER_NAMES}
        )
        segments = selectors.segments_filter(selectors.segments_visible_to(request.user), **filters)
        return export_response(
            name="corpus",
            fmt=self.fmt,
            schema_version=exports.SCHEMA_VERSION,
            fields=exports.FIELDS,
            filters=filters,
            count=segments.count,
            records=lambda: exports.records(segments),
        )


CorpusJsonlExport, CorpusCsvExport = export_views(
    _CorpusExport,
    name="Corpus",
    parameters=EXPORT_FILTERS,
    jsonl=(
        "One JSON object per segment (document and source fields, split, status, both texts' readability), "
        "streamed with a server-side cursor; the manifest in X-Export-Manifest (`?manifest=1`: line 1).",
        "One JSON object per segment (apps/core/EXPORTS.md); `?manifest=1` adds the manifest as line 1.",
    ),
    csv=(
        "The same records as the JSONL export, as CSV (annotation as a JSON string).",
        "One row per segment; the manifest in X-Export-Manifest.",
    ),
)
