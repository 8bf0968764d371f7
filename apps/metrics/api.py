"""`POST /api/v1/readability/`: every readability metric of one posted text (any signed-in user);
`POST /api/v1/metrics/`: SARI, BLEU, compression and readability of a set of simplifications (curators)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.metrics.grades import grade_summary
from apps.metrics.language import METHOD
from apps.metrics.readability import ENGINE, FORMULAS, METRICS
from apps.metrics.simplification import DEFINITIONS, simplification_metrics
from apps.metrics.text_scores import text_scores_get_or_compute, text_sha256

# A long web page is a few thousand words; anything larger belongs in an import, not a live request.
READABILITY_MAX_CHARS = settings.EQUITEXT_MAX_TEXT_CHARS

_GRADE_FIELDS = ("applies", "reason", "language", "language_name", "formula", "formula_label", "grade")
_SPREAD_FIELDS = ("spread", "spread_text", "smog_minus_fkgl", "understatement", "understatement_text")


class ReadabilityRequestSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=False)

    def validate_text(self, value: str) -> str:
        if len(value) > READABILITY_MAX_CHARS:
            raise serializers.ValidationError(
                f"The text has {len(value):,} characters; the limit is {READABILITY_MAX_CHARS:,}. "
                "Send it in smaller parts (for example one paragraph per request)."
            )
        return value


def _metric_field(key: str):
    if key in FORMULAS:
        return serializers.FloatField(allow_null=True, help_text="None when the text is not English.")
    return serializers.FloatField()


_GRADE_NUMBERS = {"grade", "spread", "smog_minus_fkgl"}


def _grade_field(key: str):
    """The schema of one grade-summary value: grades are numbers, `applies`/`understatement` booleans,
    the rest text; every one null where it does not apply (text that is not English, one formula only)."""
    if key in _GRADE_NUMBERS:
        return serializers.FloatField(allow_null=True)
    if key in {"applies", "understatement"}:
        return serializers.BooleanField(allow_null=True)
    return serializers.CharField(allow_null=True)


class ReadabilityView(APIView):
    """Every readability metric of a posted text (textstat's formulas; cached by the text's SHA-256), its
    language, and the grade summary: the target formula's grade, the spread across the grade formulas and
    the Flesch–Kincaid understatement flag. Text that is not English gets no grade: every formula is
    null, `grade.applies` is false and `grade.reason` says "Readability formulas apply to English only"."""

    @extend_schema(
        request=ReadabilityRequestSerializer,
        responses={
            200: inline_serializer(
                "ReadabilityResponse",
                {
                    "sha256": serializers.CharField(),
                    "engine": serializers.CharField(),
                    "metrics": inline_serializer(
                        "ReadabilityMetrics",
                        {
                            **{key: _metric_field(key) for key in METRICS},
                            "language": serializers.CharField(),
                            "english": serializers.BooleanField(),
                        },
                    ),
                    "grade": inline_serializer(
                        "ReadabilityGrade",
                        {
                            **{key: _grade_field(key) for key in (*_GRADE_FIELDS, *_SPREAD_FIELDS)},
                            "grades": serializers.ListField(child=serializers.DictField()),
                            "language_method": serializers.CharField(),
                        },
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
        summary = grade_summary(metrics)
        grade = {key: summary.get(key) for key in (*_GRADE_FIELDS, *_SPREAD_FIELDS)}
        grade["grades"] = [
            {"formula": g["key"], "label": g["label"], "value": g["value"]} for g in summary["grades"]
        ]
        grade["language_method"] = METHOD
        return Response({"sha256": text_sha256(text), "engine": ENGINE, "metrics": metrics, "grade": grade})


# ---- POST /api/v1/metrics/ ------------------------------------------------------------------------------

# The curator permission's codename (apps.core.roles.CURATE). apps/metrics imports no other app, not even
# core, so it names the permission instead of importing it; tests/metrics/test_metrics_api.py keeps the two
# equal.
CURATE_PERMISSION = "core.curate"
METRICS_MAX_ITEMS = 1000


class IsCurator(BasePermission):
    message = "This endpoint is for curators; your account does not have the curator role."

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm(CURATE_PERMISSION)
        )


def _text_problem(value, *, blank_ok: bool) -> str | None:
    if not isinstance(value, str):
        return "Must be a string."
    if not blank_ok and not value.strip():
        return "Must not be blank."
    if len(value) > READABILITY_MAX_CHARS:
        return (
            f"The text has {len(value):,} characters; the limit is {READABILITY_MAX_CHARS:,}. Send it in "
            "smaller parts (for example one sentence or paragraph per item)."
        )
    return None


def metrics_request_clean(data) -> tuple[dict, dict[str, list[str]]]:
    """(cleaned request, errors by field): `sources`, `predictions`, `references` (a list of reference
    lists), `store`. Each problem is named by field and item index, e.g. `references[3][0]`."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {}, {"non_field_errors": ["Send a JSON object with sources, predictions and references."]}
    lists = {}
    for name in ("sources", "predictions", "references"):
        value = data.get(name)
        if value is None:
            errors[name] = ["This field is required."]
        elif not isinstance(value, list) or not value:
            errors[name] = ["Give a non-empty list (one entry per item)."]
        elif len(value) > METRICS_MAX_ITEMS:
            errors[name] = [
                f"{len(value):,} items; one request takes at most {METRICS_MAX_ITEMS:,}. Split the set."
            ]
        else:
            lists[name] = value
    unknown = sorted(set(data) - {"sources", "predictions", "references", "store"})
    if unknown:
        errors.update({name: ["Unknown field."] for name in unknown})
    store = data.get("store", False)
    if not isinstance(store, bool):
        errors["store"] = ["Must be true or false."]
    if len(lists) == 3:
        lengths = {name: len(value) for name, value in lists.items()}
        if len(set(lengths.values())) > 1:
            errors["predictions"] = [
                "sources, predictions and references need one entry per item; got "
                + ", ".join(f"{count} {name}" for name, count in lengths.items())
                + "."
            ]
    for name, blank_ok in (("sources", False), ("predictions", True)):
        for index, value in enumerate(lists.get(name, [])):
            problem = _text_problem(value, blank_ok=blank_ok)
            if problem:
                errors[f"{name}[{index}]"] = [problem]
    expected = None
    for index, refs in enumerate(lists.get("references", [])):
        if not isinstance(refs, list) or not refs:
            errors[f"references[{index}]"] = ['Give a list of one or more reference texts, e.g. ["…"].']
            continue
        for k, ref in enumerate(refs):
            problem = _text_problem(ref, blank_ok=False)
            if problem:
                errors[f"references[{index}][{k}]"] = [problem]
        if expected is None:
            expected = len(refs)
        elif len(refs) != expected:
            errors[f"references[{index}]"] = [
                f"Item {index} has {len(refs)} reference(s) but item 0 has {expected}; corpus SARI (EASSE) "
                "needs the same number of references for every item."
            ]
    return {**lists, "store": store is True}, errors


def _named(fields: dict) -> dict:
    return {name: serializers.FloatField(help_text=help_text) for name, help_text in fields.items()}


class MetricsRequestSerializer(serializers.Serializer):
    """The request body (its validation is `metrics_request_clean`, which names each bad item)."""

    sources = serializers.ListField(
        child=serializers.CharField(), help_text="The original texts, one per item."
    )
    predictions = serializers.ListField(
        child=serializers.CharField(allow_blank=True), help_text="The simplifications to score, one per item."
    )
    references = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per item, a list of one or more human reference simplifications (the same number for "
        "every item).",
    )
    store = serializers.BooleanField(
        required=False, default=False, help_text="Keep the readability scores in the text-score cache."
    )


class MetricsItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    sari = serializers.FloatField(help_text=DEFINITIONS["sari"])
    sari_parts = serializers.DictField(
        child=serializers.FloatField(), help_text="add / keep / delete of `sari`, 0–100"
    )
    bleu = serializers.FloatField(help_text=DEFINITIONS["bleu"])
    compression = serializers.FloatField(allow_null=True, help_text=DEFINITIONS["compression"])
    readability = serializers.DictField(help_text="`prediction` and `source`: " + DEFINITIONS["readability"])


class MetricsView(APIView):
    """SARI (both definitions), BLEU (sentence and corpus), compression and readability of posted
    predictions against their sources and references (curators). Nothing is stored unless `store` is true."""

    permission_classes = [IsCurator]

    @extend_schema(
        request=MetricsRequestSerializer,
        responses={
            200: inline_serializer(
                "MetricsResponse",
                {
                    "n": serializers.IntegerField(),
                    "references_per_item": serializers.IntegerField(),
                    "items": MetricsItemSerializer(many=True),
                    "corpus": inline_serializer(
                        "MetricsCorpus",
                        {
                            **_named(
                                {
                                    "sari_corpus": DEFINITIONS["sari_corpus"],
                                    "sari_mean": DEFINITIONS["sari_mean"],
                                    "bleu_corpus": DEFINITIONS["bleu_corpus"],
                                }
                            ),
                            "sari_corpus_parts": serializers.DictField(child=serializers.FloatField()),
                        },
                    ),
                    "definitions": serializers.DictField(
                        child=serializers.CharField(), help_text="Each metric's definition and tokenisation"
                    ),
                    "stored": serializers.BooleanField(),
                },
            )
        },
    )
    def post(self, request):
        cleaned, errors = metrics_request_clean(request.data)
        if errors:
            detail = " ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
            return Response({"detail": detail, "errors": errors}, status=400)
        return Response(simplification_metrics(**cleaned))
