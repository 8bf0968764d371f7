"""Comprehension API (`/api/v1/comprehension/…`). Curators: passages with their questions, studies,
results. Raters: their own comprehension items — the text first, then (after `read/`) the questions;
answers are submitted through `assignments/{id}/submit/` like any rating."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IsCurator, IsRater
from apps.corpus.models import Document
from apps.reviews import selectors
from apps.reviews.comprehension import reading, services
from apps.reviews.comprehension.models import ComprehensionPassage
from apps.reviews.comprehension.results import DIFFERENCE_METHOD, RESAMPLING_UNIT, comprehension_results
from apps.reviews.comprehension.texts import passage_texts
from apps.reviews.models import Rubric, Study

QUESTION_HELP = (
    'Each question: {"text", "options": [2–6 labels], "correct": number of the correct option from 1, '
    '"dont_know": offer "I don\'t know" (default true)}.'
)


class ComprehensionQuestionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField()
    options = serializers.JSONField()
    correct = serializers.CharField()
    dont_know = serializers.BooleanField()


class PassageSerializer(serializers.ModelSerializer):
    questions = ComprehensionQuestionSerializer(many=True, read_only=True)
    original_text = serializers.SerializerMethodField()
    simplified_text = serializers.SerializerMethodField()

    class Meta:
        model = ComprehensionPassage
        fields = ["id", "document", "segment_ids", "title", "questions", "original_text", "simplified_text"]

    def get_original_text(self, passage) -> str:
        return passage_texts(passage).original

    def get_simplified_text(self, passage) -> str:
        return passage_texts(passage).simplified


class PassageCreateSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    segments = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    questions = serializers.JSONField(help_text=QUESTION_HELP)


class QuestionsSetSerializer(serializers.Serializer):
    questions = serializers.JSONField(help_text=QUESTION_HELP)


class PassageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Passages (a document or some of its segments) with their 1–5 comprehension questions."""

    permission_classes = [IsCurator]
    serializer_class = PassageSerializer
    queryset = ComprehensionPassage.objects.prefetch_related("questions").order_by("-created_at", "-id")
    filterset_fields = ["document"]

    @extend_schema(request=PassageCreateSerializer, responses={201: PassageSerializer})
    def create(self, request):
        data = PassageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = get_object_or_404(Document, pk=data.validated_data["document"])
        passage = services.passage_create(
            document=document,
            segment_ids=data.validated_data["segments"],
            title=data.validated_data["title"],
            questions=data.validated_data["questions"],
            actor=request.user,
        )
        return Response(PassageSerializer(passage).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.passage_delete(passage=instance, actor=self.request.user)

    @extend_schema(request=QuestionsSetSerializer, responses={200: PassageSerializer})
    @action(detail=True, methods=["put"])
    def questions(self, request, pk=None):
        """Replace the questions (1–5). Studies already made keep the questions they were made with."""
        data = QuestionsSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        passage = services.passage_questions_set(
            passage=self.get_object(), questions=data.validated_data["questions"], actor=request.user
        )
        return Response(PassageSerializer(ComprehensionPassage.objects.get(pk=passage.pk)).data)


class ComprehensionStudyCreateSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    passages = serializers.ListField(child=serializers.IntegerField())
    quotas = serializers.DictField(child=serializers.IntegerField(), help_text='e.g. {"consumer": 10}')
    seed = serializers.IntegerField(required=False, allow_null=True, default=None)
    lease_minutes = serializers.IntegerField(required=False, default=30)


class ComprehensionStudyCreateView(APIView):
    """Create a draft comprehension study (launch it with `studies/{id}/launch/`)."""

    permission_classes = [IsCurator]

    @extend_schema(
        request=ComprehensionStudyCreateSerializer,
        responses={201: inline_serializer("ComprehensionStudy", {"id": serializers.IntegerField()})},
    )
    def post(self, request):
        data = ComprehensionStudyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        study = services.comprehension_study_create(
            name=values["name"],
            description=values["description"],
            passage_ids=values["passages"],
            quotas=values["quotas"],
            seed=values["seed"],
            lease_minutes=values["lease_minutes"],
            actor=request.user,
        )
        return Response(
            {"id": study.pk, "name": study.name, "seed": study.seed, "items": study.items.count()},
            status=status.HTTP_201_CREATED,
        )


class ComprehensionResultsView(APIView):
    """Accuracy by version and rater group, the difference simplified − original with its 95% BCa
    interval (texts resampled), reading time by version, per-question difficulty, and the Methods text."""

    permission_classes = [IsCurator]

    @extend_schema(
        responses={200: inline_serializer("ComprehensionResults", {"methods": serializers.CharField()})}
    )
    def get(self, request, pk: int):
        study = get_object_or_404(Study, pk=pk, rubric__kind=Rubric.Kind.COMPREHENSION)
        results = comprehension_results(study)
        return Response(
            {
                "study": study.pk,
                "seed": results.seed,
                "n_texts": results.n_texts,
                "n_ratings": results.n_ratings,
                "n_raters": results.n_raters,
                "resampling_unit": RESAMPLING_UNIT,
                "difference_method": DIFFERENCE_METHOD,
                "accuracy": results.accuracy,
                "difference": results.difference,
                "reading_time": results.reading,
                "difficulty": results.difficulty,
                "methods": results.methods,
            }
        )


class ReadSerializer(serializers.Serializer):
    visible_ms = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Time the text was visible; capped by the lease.",
    )


class _OwnAssignment:
    permission_classes = [IsRater]

    def _own(self, request, pk: int):
        assignment = selectors.assignment_own(request.user, pk)
        if assignment is None or assignment.study.rubric.kind != Rubric.Kind.COMPREHENSION:
            raise NotFound("Not found, or not visible to your account.")
        return assignment


class ComprehensionAssignmentView(_OwnAssignment, APIView):
    """The calling rater's own comprehension item: `stage` "read" (the text), "answer" (the questions,
    no text, never the correct option) or "done"."""

    @extend_schema(
        responses={200: inline_serializer("ComprehensionItemView", {"stage": serializers.CharField()})}
    )
    def get(self, request, pk: int):
        return Response(reading.rater_item(self._own(request, pk)))


class ComprehensionReadView(_OwnAssignment, APIView):
    """Done reading: records the visible time (capped by the lease clock); the text is not shown again."""

    @extend_schema(
        request=ReadSerializer,
        responses={200: inline_serializer("ComprehensionRead", {"stage": serializers.CharField()})},
    )
    def post(self, request, pk: int):
        assignment = self._own(request, pk)
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading.reading_done(
            assignment_id=assignment.pk, rater=request.user, visible_ms=data.validated_data.get("visible_ms")
        )
        return Response(reading.rater_item(assignment))
