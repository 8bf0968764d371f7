"""REST API of quality control (thin): study settings, onboarding and consent, gold and practice items,
flags, adjudication. `StudyQualityActions` adds its actions to `studies/{id}/`; `RaterFlagViewSet`
(`flags/`) and `AdjudicationViewSet` (`adjudications/`) are routed in urls.py.

Service errors (django ValidationError) become 400s with `errors` keyed by field through the project's
exception handler.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response

from apps.core.api import IsCurator
from apps.reviews import quality, selectors
from apps.reviews.models import Adjudication, ConsentVersion, RaterFlag, Study, StudyItem

CURATOR_ACTIONS = ("quality", "items", "item_role", "flags")


class QualitySettingsSerializer(serializers.ModelSerializer):
    min_seconds = serializers.IntegerField(source="rubric.min_seconds", read_only=True)

    class Meta:
        model = Study
        fields = [*quality.QUALITY_FIELDS, "min_seconds"]
        extra_kwargs = {name: {"required": False} for name in quality.QUALITY_FIELDS}


class ConsentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentVersion
        fields = ["version", "instructions", "consent_text", "created_at"]
        read_only_fields = fields


class OnboardingSerializer(serializers.Serializer):
    consent = ConsentVersionSerializer(allow_null=True, help_text="The current version; null: no consent.")
    accepted = serializers.BooleanField(help_text="Whether you accepted the current version.")
    accepted_at = serializers.DateTimeField(allow_null=True)
    practice_items = serializers.IntegerField()


class ConsentPublishSerializer(serializers.Serializer):
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    consent_text = serializers.CharField()


class ConsentAcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read and accept.")


class CuratorItemSerializer(serializers.ModelSerializer):
    expected = serializers.SerializerMethodField()

    class Meta:
        model = StudyItem
        fields = ["id", "position", "kind", "role", "expected"]
        read_only_fields = fields

    def get_expected(self, item) -> dict | None:
        gold = getattr(item, "gold", None) if item.role == StudyItem.Role.GOLD else None
        return gold.expected if gold else None


class ItemRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=StudyItem.Role.choices)
    expected = serializers.JSONField(
        required=False, help_text='Gold only: {"bias": "none"} or {"bias": ["none", "minor"]}.'
    )


class RaterFlagSerializer(serializers.ModelSerializer):
    rater = serializers.CharField(source="rater.username", read_only=True)
    reason = serializers.SerializerMethodField()
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, read_only=True)

    class Meta:
        model = RaterFlag
        fields = [
            "id",
            "rater",
            "study",
            "kind",
            "reason",
            "details",
            "created_at",
            "resolved_at",
            "resolved_by",
            "resolution",
        ]
        read_only_fields = fields

    def get_reason(self, flag) -> str:
        return quality.flag_reason(flag)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, help_text="What you found and decided.")


class StudyQualityActions:
    """Quality-control actions of `studies/{id}/` (mixed into StudyViewSet)."""

    @extend_schema(methods=["GET"], responses={200: QualitySettingsSerializer})
    @extend_schema(
        methods=["PATCH"], request=QualitySettingsSerializer, responses={200: QualitySettingsSerializer}
    )
    @action(detail=True, methods=["get", "patch"])
    def quality(self, request, pk=None):
        """Gold rate and accuracy threshold, flag settings, adjudication rule (curators)."""
        study = self.get_object()
        if request.method == "PATCH":
            study = quality.study_quality_set(study=study, actor=request.user, **dict(request.data.items()))
        return Response(QualitySettingsSerializer(study).data)

    @extend_schema(methods=["GET"], responses={200: OnboardingSerializer})
    @extend_schema(
        methods=["POST"], request=ConsentPublishSerializer, responses={201: ConsentVersionSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def onboarding(self, request, pk=None):
        """GET: the study's current instructions and consent text, and whether you accepted it. POST
        (curators): publish the next version (raters must accept it before their next item)."""
        study = self.get_object()
        if request.method == "POST":
            self._require_curator(request)
            serializer = ConsentPublishSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            version = quality.consent_publish(study=study, actor=request.user, **serializer.validated_data)
            return Response(ConsentVersionSerializer(version).data, status=status.HTTP_201_CREATED)
        current = quality.consent_current(study)
        accepted = quality.consent_accepted(study, request.user)
        return Response(
            {
                "consent": ConsentVersionSerializer(current).data if current else None,
                "accepted": accepted is not None,
                "accepted_at": accepted.accepted_at if accepted else None,
                "practice_items": study.items.filter(role=StudyItem.Role.PRACTICE).count(),
            }
        )

    @extend_schema(
        request=ConsentAcceptSerializer,
        responses={
            201: inline_serializer(
                "ConsentAccepted",
                {"version": serializers.IntegerField(), "accepted_at": serializers.DateTimeField()},
            )
        },
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Accept the consent text you read (its version); then `next/` serves items."""
        study = self.get_object()
        serializer = ConsentAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        acceptance = quality.consent_accept(
            study=study, rater=request.user, version=serializer.validated_data["version"]
        )
        return Response(
            {"version": acceptance.version, "accepted_at": acceptance.accepted_at},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[OpenApiParameter("role", str, enum=StudyItem.Role.values)],
        responses={200: CuratorItemSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def items(self, request, pk=None):
        """The study's items with their role and, for gold items, the expected answers (curators)."""
        study = self.get_object()
        items = study.items.select_related("gold").order_by("position")
        role = request.query_params.get("role")
        if role:
            items = items.filter(role=role)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(CuratorItemSerializer(page, many=True).data)

    @extend_schema(request=ItemRoleSerializer, responses={200: CuratorItemSerializer})
    @action(detail=True, methods=["put"], url_path=r"items/(?P<item_id>\d+)/role")
    def item_role(self, request, pk=None, item_id=None):
        """Make an item gold (with expected answers), practice or regular again (curators)."""
        study = self.get_object()
        item = get_object_or_404(StudyItem, pk=item_id, study=study)
        serializer = ItemRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = quality.item_role_set(
            item=item,
            role=serializer.validated_data["role"],
            expected=serializer.validated_data.get("expected"),
            actor=request.user,
        )
        return Response(CuratorItemSerializer(StudyItem.objects.select_related("gold").get(pk=item.pk)).data)

    @extend_schema(responses={200: RaterFlagSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list (the schema must agree)
    def flags(self, request, pk=None):
        """The study's flags, refreshed from its submissions; `?open=false` includes resolved ones."""
        study = self.get_object()
        quality.flags_refresh(study=study)
        open_only = request.query_params.get("open", "true").lower() != "false"
        flags = quality.flags_for_study(study, open_only=open_only).order_by("rater__username", "kind")
        return Response(RaterFlagSerializer(flags, many=True).data)

    def _require_curator(self, request):
        if not IsCurator().has_permission(request, self):
            self.permission_denied(request, message=IsCurator.message)


class RaterFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rater flags (curators); `POST flags/{id}/resolve/` with a note."""

    queryset = RaterFlag.objects.select_related("rater", "resolved_by").order_by("-created_at", "-id")
    serializer_class = RaterFlagSerializer
    permission_classes = [IsCurator]
    filterset_fields = {"study": ["exact"], "kind": ["exact"], "resolved_at": ["isnull"]}

    @extend_schema(request=ResolveSerializer, responses={200: RaterFlagSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = quality.flag_resolve(
            flag=self.get_object(), actor=request.user, note=serializer.validated_data["note"]
        )
        return Response(RaterFlagSerializer(flag).data)


# --- adjudication ---


class AdjudicationSerializer(serializers.ModelSerializer):
    adjudicator = serializers.CharField(source="adjudicator.username", read_only=True)

    class Meta:
        model = Adjudication
        fields = [
            "id",
            "study",
            "item",
            "version",
            "is_current",
            "label",
            "reason",
            "rule",
            "ratings",
            "adjudicator",
            "created_at",
        ]
        read_only_fields = fields


class AdjudicationCreateSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Study item id.")
    label = serializers.JSONField(help_text='Question key → final answer, e.g. {"bias": "minor"}.')
    reason = serializers.CharField(max_length=5000)


class QueueRatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(source="rating_id")
    version = serializers.IntegerField()
    rater = serializers.CharField(source="pseudonym", help_text="Pseudonymous, stable within the study.")
    group = serializers.CharField()
    response = serializers.JSONField()
    flagged = serializers.BooleanField(help_text="The rater holds an open quality flag in this study.")


class QueueItemSerializer(serializers.Serializer):
    item = serializers.SerializerMethodField()
    question = serializers.CharField()
    ratings = QueueRatingSerializer(many=True)
    reopened = serializers.BooleanField(help_text="Adjudicated before, but its ratings changed since.")
    current = AdjudicationSerializer(allow_null=True)

    def get_item(self, entry) -> dict:
        return {"id": entry.item.pk, **selectors.item_for_rater(entry.item)}


class AdjudicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Adjudications (curators). `GET adjudications/queue/?study=` lists the items the study's rule sends
    to adjudication, every rating side by side under pseudonymous rater ids; `POST adjudications/`
    records the final label with a reason (a later decision on the same item is the next version).
    The list holds every recorded version (`?study=`, `?is_current=`)."""

    queryset = Adjudication.objects.select_related("adjudicator").order_by("-created_at", "-id")
    serializer_class = AdjudicationSerializer
    permission_classes = [IsCurator]
    filterset_fields = ["study", "item", "is_current"]

    @extend_schema(request=AdjudicationCreateSerializer, responses={201: AdjudicationSerializer})
    def create(self, request):
        serializer = AdjudicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = StudyItem.objects.select_related("study").filter(pk=data["item"]).first()
        if item is None:
            raise ValidationError({"item": [f"No study item with id {data['item']}."]})
        decided = quality.adjudication_record(
            study=item.study, item=item, label=data["label"], reason=data["reason"], actor=request.user
        )
        return Response(AdjudicationSerializer(decided).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("study", int, required=True),
            OpenApiParameter("include_done", bool, description="Also adjudicated items."),
        ],
        responses={200: QueueItemSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def queue(self, request):
        study_id = request.query_params.get("study", "")
        study = (
            Study.objects.select_related("rubric").filter(pk=study_id).first() if study_id.isdigit() else None
        )
        if study is None:
            raise ValidationError({"study": ["Give the study's id: ?study=<id>."]})
        entries = quality.adjudication_queue(
            study, include_done=quality.truthy(request.query_params.get("include_done"))
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(QueueItemSerializer(page, many=True).data)
