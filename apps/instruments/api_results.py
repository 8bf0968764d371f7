"""Instruments API, read-only views of filled assessments: results per document and the streamed
exports. Curators only (raters 403, anonymous 401)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.exports import (
    MANIFEST_PARAMETER,
    AnyAccept,
    ManifestOptionMixin,
    export_response,
    export_schema_responses,
)
from apps.corpus.selectors import documents_visible_to
from apps.instruments import exports, results, selectors
from apps.instruments.api import AssessmentFilter
from apps.instruments.models import InstrumentAssessment

# --- results ---------------------------------------------------------------------------------------------


class DocumentResultsView(APIView):
    """Scores of a document's original and simplified texts side by side, every assessment's scores,
    the item breakdown and the agreement between assessors (with its n and method)."""

    permission_classes = [IsCurator]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        document = generics.get_object_or_404(documents_visible_to(request.user), pk=pk)
        found = results.document_results(document, request.user)
        return Response(
            {
                "document": document.pk,
                "document_title": document.title,
                "agreement_method": results.AGREEMENT_METHOD,
                "instruments": [
                    {
                        "instrument": r.instrument.pk,
                        "instrument_key": r.instrument.key,
                        "instrument_name": r.instrument.name,
                        "instrument_version": r.instrument.version,
                        "score_rule": r.instrument.score_rule,
                        "side_by_side": r.side_by_side,
                        "subjects": {
                            side: [results.subject_as_dict(s) for s in subjects]
                            for side, subjects in r.subjects.items()
                        },
                        "items": [
                            {
                                "item_code": row.item.code,
                                "original": row.original,
                                "simplified": row.simplified,
                            }
                            for row in r.items
                        ],
                    }
                    for r in found
                ],
            }
        )


# --- exports ---------------------------------------------------------------------------------------------


class _Export(ManifestOptionMixin, generics.GenericAPIView):
    queryset = InstrumentAssessment.objects.none()  # for the schema; requests use get_queryset()
    permission_classes = [IsCurator]
    filterset_class = AssessmentFilter
    pagination_class = None
    content_negotiation_class = AnyAccept
    fmt = ""
    name = ""

    def get_queryset(self):
        return selectors.assessments_visible_to(self.request.user)

    def get(self, request):
        assessments = self.filter_queryset(self.get_queryset())  # a bad filter value is a 400 here
        names = self.filterset_class.base_filters
        answers = self.name == "instrument-answers"
        return export_response(
            name=self.name,
            fmt=self.fmt,
            schema_version=exports.SCHEMA_VERSION,
            fields=exports.ANSWER_FIELDS if answers else exports.SCORE_FIELDS,
            filters={k: v for k, v in request.query_params.items() if k in names},
            count=lambda: (exports.answer_count if answers else exports.score_count)(assessments),
            records=lambda: (exports.answer_records if answers else exports.score_records)(assessments),
        )


@extend_schema(
    filters=True,
    parameters=[MANIFEST_PARAMETER],
    responses=export_schema_responses("jsonl", "One object per item (`?manifest=1`: the manifest first)"),
)
class AnswerExportJsonl(_Export):
    """Every item of every visible instrument assessment, one JSON object per line (streamed)."""

    fmt, name = "jsonl", "instrument-answers"


@extend_schema(
    filters=True,
    responses=export_schema_responses("csv", "CSV, one row per item; manifest in X-Export-Manifest"),
)
class AnswerExportCsv(_Export):
    """Every item of every visible instrument assessment, one CSV row each (streamed)."""

    fmt, name = "csv", "instrument-answers"


@extend_schema(
    filters=True,
    parameters=[MANIFEST_PARAMETER],
    responses=export_schema_responses("jsonl", "One object per scale (`?manifest=1`: the manifest first)"),
)
class ScoreExportJsonl(_Export):
    """Every scale score of every visible instrument assessment, one JSON object per line (streamed)."""

    fmt, name = "jsonl", "instrument-scores"


@extend_schema(
    filters=True,
    responses=export_schema_responses("csv", "CSV, one row per scale; manifest in X-Export-Manifest"),
)
class ScoreExportCsv(_Export):
    """Every scale score of every visible instrument assessment, one CSV row each (streamed)."""

    fmt, name = "csv", "instrument-scores"
