"""`GET /api/v1/exports/candidates.{jsonl,csv}`: every model candidate with its run, segment, scores,
flags and curator decision (curators only), streamed through `apps.core.exports`.

Lives in core so that the scoring app keeps its own files; it reads the scoring and corpus models only
inside functions (core never imports a feature app when it is imported), and is mounted by
`apps/core/urls.py`.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.exports import AnyAccept, export_response, export_schema_responses

SCHEMA_VERSION = 1

# field → the `values()` lookup it comes from
COLUMNS = {
    "id": "id",
    "run_id": "run_id",
    "run_kind": "run__kind",
    "model_name": "run__model_name",
    "model_revision": "run__model_revision",
    "prompt_template": "run__prompt_template",
    "prompt_version": "run__prompt_version",
    "run_seed": "run__seed",
    "run_parameters": "run__parameters",
    "segment_id": "segment_id",
    "segment_position": "segment__position",
    "document_id": "segment__document_id",
    "document_title": "segment__document__title",
    "split": "segment__split",
    "index": "index",
    "original": "segment__original",
    "reference": "segment__simplified",
    "reference_version": "reference_version",
    "text": "text",
    "new_tokens": "new_tokens",
    "finished": "finished",
    "rank": "rank",
    "reward": "reward",
    "reward_model_version": "reward_model__version",
    "reward_parts": "reward_parts",
    "grade": "grade",
    "readability": "readability",
    "sari": "sari",
    "sari_parts": "sari_parts",
    "bleu": "bleu",
    "compression": "compression",
    "similarity": "similarity",
    "flags": "flags",
    "decision": "decision",
    "decided_by": "decided_by__username",
    "decided_at": "decided_at",
    "scored_at": "scored_at",
    "created_at": "created_at",
}
FIELDS = list(COLUMNS)


class CandidateExportFilters(serializers.Serializer):
    """Query parameters; the choices come from the models when the serializer is used (not imported)."""

    def get_fields(self):
        from apps.corpus.models import Split
        from apps.scoring.models import Candidate

        return {
            "run": serializers.IntegerField(required=False, min_value=1, help_text="Model run id."),
            "decision": serializers.ChoiceField(required=False, choices=Candidate.Decision.choices),
            "segment": serializers.IntegerField(required=False, min_value=1, help_text="Segment id."),
            "document": serializers.IntegerField(required=False, min_value=1, help_text="Document id."),
            "split": serializers.ChoiceField(
                required=False, choices=Split.choices, help_text="Segment split."
            ),
        }


LOOKUPS = {
    "run": "run_id",
    "decision": "decision",
    "segment": "segment_id",
    "document": "segment__document_id",
    "split": "segment__split",
}


def candidates_for_export(filters: dict):
    from apps.scoring.models import Candidate

    return (
        Candidate.objects.filter(**{LOOKUPS[name]: value for name, value in filters.items()})
        .order_by("run_id", "segment_id", "index")
        .values_list(*COLUMNS.values())
    )


class _CandidatesExport(APIView):
    permission_classes = [IsCurator]
    content_negotiation_class = AnyAccept
    fmt = ""

    def get(self, request):
        params = CandidateExportFilters(data={k: v for k, v in request.query_params.items() if k in LOOKUPS})
        if not params.is_valid():
            raise ValidationError(params.errors)
        filters = dict(params.validated_data)
        candidates = candidates_for_export(filters)
        return export_response(
            name="candidates",
            fmt=self.fmt,
            schema_version=SCHEMA_VERSION,
            fields=FIELDS,
            filters=filters,
            count=candidates.count,
            rows=lambda: candidates.iterator(chunk_size=2000),
        )


def _schema(fmt: str, description: str):
    from drf_spectacular.utils import extend_schema

    return extend_schema(
        parameters=[CandidateExportFilters], responses=export_schema_responses(fmt, description)
    )


@_schema("jsonl", "A manifest line, then one JSON object per candidate.")
class CandidatesJsonlExport(_CandidatesExport):
    """Every candidate (run, model, segment, texts, scores, flags, decision), one JSON object per line."""

    fmt = "jsonl"


@_schema("csv", "One row per candidate; the manifest in X-Export-Manifest.")
class CandidatesCsvExport(_CandidatesExport):
    """The same rows as the JSONL export, as CSV (objects and lists as JSON text, cells neutralised)."""

    fmt = "csv"
