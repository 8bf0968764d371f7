"""Equity API (curators only; raters get 403 on every endpoint): question sets, questions,
counterfactual pairs, answers and the import endpoint.

Writes call the services; their refusals (`EquityError`, a ServiceError) are answered by the global
handler with the one error body, so nothing here translates errors.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.imports import ImportReportSerializer, import_answer
from apps.equity import import_services, selectors, services
from apps.equity.models import Answer, CounterfactualPair, Producer, Question, QuestionSet

GENERATE_ANSWERS_REQUEST = inline_serializer(
    "GenerateAnswersRequest",
    {
        "model_path": serializers.CharField(required=False, allow_blank=True),
        "max_new_tokens": serializers.IntegerField(required=False),
        "temperature": serializers.FloatField(required=False),
        "top_p": serializers.FloatField(required=False),
        "seed": serializers.IntegerField(required=False),
        "batch_size": serializers.IntegerField(required=False),
    },
)
GENERATE_ANSWERS_JOB = inline_serializer(
    "GenerateAnswersJob",
    {"job": serializers.IntegerField(), "status": serializers.CharField(), "url": serializers.CharField()},
)


class QuestionSetSerializer(serializers.ModelSerializer):
    question_count = serializers.IntegerField(read_only=True)
    pair_count = serializers.IntegerField(read_only=True)
    answer_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuestionSet
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "description",
            "provenance",
            "licence",
            "source_file_name",
            "question_count",
            "pair_count",
            "answer_count",
            "created_at",
        ]
        read_only_fields = ["slug", "kind", "source_file_name", "created_at"]


class QuestionSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Question sets with counts. Sets are created by importing a file (`POST equity/import/`)."""

    permission_classes = [IsCurator]
    serializer_class = QuestionSetSerializer
    queryset = QuestionSet.objects.none()

    def get_queryset(self):
        return selectors.question_sets_with_counts()

    @extend_schema(request=GENERATE_ANSWERS_REQUEST, responses={202: GENERATE_ANSWERS_JOB})
    @action(detail=True, methods=["post"], url_path="generate-answers")
    def generate_answers(self, request, pk=None):
        """Answer every question of the set with a model: a Job on queue gpu (poll `url`)."""
        from apps.scoring.answer_runs import answers_generate_start

        job = answers_generate_start(
            user=request.user, question_set=self.get_object(), parameters=dict(request.data.items())
        )
        return Response(
            {"job": job.pk, "status": job.status, "url": f"/api/v1/jobs/{job.pk}/"},
            status=status.HTTP_202_ACCEPTED,
        )

    def perform_update(self, serializer):
        serializer.instance = services.question_set_update(
            question_set=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class QuestionSerializer(serializers.ModelSerializer):
    question_set_name = serializers.CharField(source="question_set.name", read_only=True)
    answer_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Question
        fields = [
            "id",
            "question_set",
            "question_set_name",
            "position",
            "text",
            "topics",
            "identity_axes",
            "answer_count",
            "created_at",
        ]
        read_only_fields = ["question_set", "position", "text", "created_at"]


@extend_schema(
    parameters=[
        OpenApiParameter("question_set", int, description="Only this set (id)."),
        OpenApiParameter("q", str, description='Full-text search (words, "phrases", -excluded, or).'),
        OpenApiParameter("identity_axis", str, many=True, description="Carries every given axis slug."),
        OpenApiParameter("topic", str, many=True, description="Carries every given topic tag."),
    ]
)
class QuestionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Questions; PATCH changes their tags (`topics`, `identity_axes`) only."""

    permission_classes = [IsCurator]
    serializer_class = QuestionSerializer
    queryset = Question.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        question_set = _question_set_param(params.get("question_set"))
        return selectors.questions_search(
            question_set=question_set,
            q=params.get("q", ""),
            identity_axes=params.getlist("identity_axis"),
            topics=params.getlist("topic"),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.question_tags_update(
            question=serializer.instance,
            topics=data.get("topics"),
            identity_axes=data.get("identity_axes"),
            actor=self.request.user,
        )


def _question_set_param(value) -> QuestionSet | None:
    if value in (None, ""):
        return None
    try:
        return QuestionSet.objects.get(pk=int(value))
    except (ValueError, QuestionSet.DoesNotExist):
        raise ValidationError({"question_set": [f'No question set has id "{value}".']}) from None


class QuestionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "text", "identity_axes"]
        read_only_fields = fields


class CounterfactualPairSerializer(serializers.ModelSerializer):
    question_a = QuestionBriefSerializer(read_only=True)
    question_b = QuestionBriefSerializer(read_only=True)

    class Meta:
        model = CounterfactualPair
        fields = [
            "id",
            "question_set",
            "position",
            "question_a",
            "question_b",
            "changed_from",
            "changed_to",
            "changed_axes",
            "changed_attribute",
            "attribute_edited",
        ]
        read_only_fields = ["question_set", "position", "changed_from", "changed_to", "attribute_edited"]


@extend_schema(
    parameters=[
        OpenApiParameter("question_set", int, description="Only this set (id)."),
        OpenApiParameter("axis", str, description="Only pairs whose changed axes include this slug."),
    ]
)
class CounterfactualPairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Counterfactual pairs; PATCH corrects `changed_attribute` (and `changed_axes`)."""

    permission_classes = [IsCurator]
    serializer_class = CounterfactualPairSerializer
    queryset = CounterfactualPair.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return selectors.pairs_list(
            question_set=_question_set_param(params.get("question_set")), axis=params.get("axis", "")
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.pair_attribute_update(
            pair=serializer.instance,
            changed_attribute=data.get("changed_attribute", serializer.instance.changed_attribute),
            changed_axes=data.get("changed_axes"),
            actor=self.request.user,
        )


class ProducerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Producer
        fields = ["id", "name", "revision", "parameters", "label"]
        read_only_fields = fields


class AnswerSerializer(serializers.ModelSerializer):
    """Curator view of an answer, producer included."""

    producer = ProducerSerializer(read_only=True)
    question_set = serializers.IntegerField(source="question.question_set_id", read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "question",
            "question_set",
            "producer",
            "text",
            "origin",
            "parameters",
            "job",
            "created_at",
        ]
        read_only_fields = fields


class RaterAnswerSerializer(serializers.Serializer):
    """What a rater may see of an answer (from `selectors.answer_for_rater`): no producer, ever."""

    id = serializers.IntegerField()
    question_id = serializers.IntegerField()
    question = serializers.CharField()
    text = serializers.CharField()

    def to_representation(self, instance):
        return super().to_representation(selectors.answer_for_rater(instance))


@extend_schema(
    parameters=[
        OpenApiParameter("question_set", int, description="Only answers to questions of this set (id)."),
        OpenApiParameter("question", int, description="Only answers to this question (id)."),
        OpenApiParameter("producer", int, description="Only this producer's answers (id)."),
    ]
)
class AnswerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Answers with their producers (curators only). Created by `POST equity/import/` or model runs."""

    permission_classes = [IsCurator]
    serializer_class = AnswerSerializer
    queryset = Answer.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        answers = selectors.answers_list(question_set=_question_set_param(params.get("question_set")))
        for name in ("question", "producer"):
            value = params.get(name)
            if value:
                if not value.isdigit():
                    raise ValidationError({name: [f'"{value}" is not an id.']})
                answers = answers.filter(**{f"{name}_id": int(value)})
        return answers


class EquityImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A release CSV (questions) or a CSV/JSONL answer file.")
    target = serializers.ChoiceField(choices=["questions", "answers"], default="questions")
    set_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    kind = serializers.ChoiceField(
        choices=QuestionSet.Kind.choices, required=False, allow_null=True, default=None
    )
    question_set = serializers.PrimaryKeyRelatedField(
        queryset=QuestionSet.objects.all(), required=False, allow_null=True, default=None
    )
    producer = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    revision = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class EquityImportReportSerializer(ImportReportSerializer):
    question_set = serializers.CharField(help_text="The set the file went (or would go) into")


class EquityImportView(APIView):
    """Import questions (release CSV: headerless, one question per line, or two for `cc_` files) or
    answers (CSV with header / JSONL). 201 with the report, or 400 with the row-numbered errors and
    nothing written, in the one import report shape (`apps.core.imports.import_answer`). Re-importing the
    same file creates nothing new."""

    permission_classes = [IsCurator]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=EquityImportRequestSerializer,
        responses={201: EquityImportReportSerializer, 400: EquityImportReportSerializer},
    )
    def post(self, request):
        form = EquityImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        if data["target"] == "questions":
            report = import_services.question_set_import(
                file_name=upload.name,
                file=upload,
                set_name=data["set_name"] or (data["question_set"].name if data["question_set"] else ""),
                kind=data["kind"],
                actor=request.user,
            )
        else:
            report = import_services.answers_import(
                file_name=upload.name,
                file=upload,
                question_set=data["question_set"],
                producer=data["producer"],
                revision=data["revision"],
                actor=request.user,
            )
        body, code = import_answer(report)
        return Response(body, status=code)
