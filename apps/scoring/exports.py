"""The scoring app's streamed downloads (apps/core/exports.py has the shared rules and the view factory):

- `GET /api/v1/exports/candidates.{jsonl,csv}`: every model candidate with its run, segment, scores,
  flags and curator decision;
- `GET /api/v1/exports/preferences.{jsonl,csv}`: preference pairs for DPO (records in preferences.py).

Curators only. Schema versions: candidates 1, preferences `preferences.SCHEMA_VERSION`.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from apps.core.exports import export_response, export_views
from apps.corpus.models import Split
from apps.scoring import preferences
from apps.scoring.models import Candidate

# ---- candidates -------------------------------------------------------------------------------------

CANDIDATES_SCHEMA_VERSION = 1
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
FIELDS = list(COLUMNS)  # the candidates export's fields


class CandidateExportFilters(serializers.Serializer):
    """The query parameters of the candidates export."""

    run = serializers.IntegerField(required=False, min_value=1, help_text="Model run id.")
    decision = serializers.ChoiceField(required=False, choices=Candidate.Decision.choices)
    segment = serializers.IntegerField(required=False, min_value=1, help_text="Segment id.")
    document = serializers.IntegerField(required=False, min_value=1, help_text="Document id.")
    split = serializers.ChoiceField(required=False, choices=Split.choices, help_text="Segment split.")


LOOKUPS = {
    "run": "run_id",
    "decision": "decision",
    "segment": "segment_id",
    "document": "segment__document_id",
    "split": "segment__split",
}


def candidates_for_export(filters: dict):
    """The candidates matching `filters`, as rows in FIELDS order (run, segment, sample order)."""
    return (
        Candidate.objects.filter(**{LOOKUPS[name]: value for name, value in filters.items()})
        .order_by("run_id", "segment_id", "index")
        .values_list(*COLUMNS.values())
    )


class _CandidatesExport(APIView):
    def get(self, request):
        params = CandidateExportFilters(data={k: v for k, v in request.query_params.items() if k in LOOKUPS})
        if not params.is_valid():
            raise ValidationError(params.errors)
        filters = dict(params.validated_data)
        candidates = candidates_for_export(filters)
        return export_response(
            name="candidates",
            fmt=self.fmt,
            schema_version=CANDIDATES_SCHEMA_VERSION,
            fields=FIELDS,
            filters=filters,
            count=candidates.count,
            rows=lambda: candidates.iterator(chunk_size=2000),
        )


CandidatesJsonlExport, CandidatesCsvExport = export_views(
    _CandidatesExport,
    name="Candidates",
    parameters=[CandidateExportFilters],
    jsonl=(
        "Every candidate (run, model, segment, texts, scores, flags, decision), one JSON object per line.",
        "A manifest line, then one JSON object per candidate.",
    ),
    csv=(
        "The same rows as the JSONL export, as CSV (objects and lists as JSON text, cells neutralised).",
        "One row per candidate; the manifest in X-Export-Manifest.",
    ),
)


# ---- preferences ------------------------------------------------------------------------------------


class _PreferencesExport(APIView):
    """Preference pairs from reward-ranked candidates and curators' accept/reject decisions (fields in
    apps/scoring/preferences.py); no duplicates; one snapshot, streamed, after the shared manifest."""

    def get(self, request):
        run = request.query_params.get("run")
        sources = request.query_params.getlist("source")
        errors = {}
        if run is not None and not run.isdigit():
            errors["run"] = [f"{run!r} is not a run id."]
        known = preferences.source_names()
        unknown = [s for s in sources if s not in known]
        if unknown:
            errors["source"] = [f"Unknown source {unknown[0]!r}; use {', '.join(known)}."]
        if errors:
            raise serializers.ValidationError(errors)
        filters = {"run": int(run) if run else None, "sources": sources or None}
        return export_response(
            name="preferences",
            fmt=self.fmt,
            schema_version=preferences.SCHEMA_VERSION,
            fields=preferences.FIELDS,
            filters={"run": filters["run"], "source": sources},
            # Pairs are computed, not rows: counting is a first pass over the same snapshot.
            count=lambda: sum(1 for _ in preferences.records(**filters)),
            records=lambda: preferences.records(**filters),
        )


PreferencesJsonlExport, PreferencesCsvExport = export_views(
    _PreferencesExport,
    name="Preferences",
    parameters=[
        OpenApiParameter("run", int, description="Only candidates of this run"),
        OpenApiParameter("source", str, many=True, description="reward_rank and/or curator_decision"),
    ],
    jsonl=(
        "`prompt`/`chosen`/`rejected` as chat messages (TRL's conversational preference format) plus "
        "`source` and ids. Skip the first (manifest) line before handing the records to `trl.DPOTrainer`.",
        "A manifest line, then one preference record per line (TRL conversational format).",
    ),
    csv=(
        "The same records as CSV; `prompt`, `chosen` and `rejected` are JSON text.",
        "One pair per row (messages as JSON text); manifest in a header.",
    ),
)
