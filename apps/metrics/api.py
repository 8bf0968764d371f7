"""`POST /api/v1/readability/`: every readability metric of one posted text (any signed-in user)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.metrics.readability import ENGINE, METRICS
from apps.metrics.text_scores import text_scores_get_or_compute, text_sha256

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
        [metrics] = text_scores_get_or_compute([text])
        return Response({"sha256": text_sha256(text), "engine": ENGINE, "metrics": metrics})
