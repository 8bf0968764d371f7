"""The scoring app's streamed downloads (apps/core/exports.py has the shared rules and the view factory):

- `GET /api/v1/exports/candidates.{jsonl,csv}`: every model candidate with its run, segment, scores,
  flags and curator decision;
- `GET /api/v1/exports/preferences.{jsonl,csv}`: preference pairs for DPO (records in preferences.py);
- `GET /api/v1/exports/evaluation-outputs.{jsonl,csv}?run=<id>`: an evaluation run's outputs and scores.

Curators only. Schema versions: candidates 2, preferences `preferences.SCHEMA_VERSION`.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from apps.core.exports import export_response, export_views
from apps.corpus.models import Split
from apps.scoring import preferences
from apps.scoring.models import Candidate, EvaluationOutput, ModelRun

# ---- candidates -------------------------------------------------------------------------------------

CANDIDATES_SCHEMA_VERSION = 2  # 2: raw_text and source_version (issue 16, 18)
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
    "raw_text": "raw_text",
    "source_version": "source_version",
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
        "Every candidate (run, model, segment, texts, scores, flags, decision), one JSON object per line; "
        "`sari` is HF evaluate's sentence SARI of the candidate (lower-cased sacrebleu 13a tokens).",
        "One JSON object per candidate (`?manifest=1`: the manifest first).",
    ),
    csv=(
        "The same rows as the JSONL export, as CSV (objects and lists as JSON text, cells neutralised).",
        "One row per candidate; the manifest in X-Export-Manifest.",
    ),
)


# ---- preferences ------------------------------------------------------------------------------------


class _PreferencesExport(APIView):
    """Preference pairs from reward-ranked candidates and curators' accept/reject decisions (fields in
    apps/scoring/preferences.py); no duplicates; one snapshot, streamed; the shared manifest in its header."""

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
        "`source` and ids; every line is a record: `datasets.load_dataset('json', …)` reads it for "
        "`trl.DPOTrainer`.",
        "One preference record per line (TRL conversational format); `?manifest=1`: the manifest first.",
    ),
    csv=(
        "The same records as CSV; `prompt`, `chosen` and `rejected` are JSON text.",
        "One pair per row (messages as JSON text); manifest in a header.",
    ),
)


# ---- evaluation outputs -----------------------------------------------------------------------------

EVALUATION_SCHEMA_VERSION = 1
EVALUATION_COLUMNS = {
    "run_id": "run_id",
    "version": "version",
    "segment_id": "segment_id",
    "document_id": "segment__document_id",
    "split": "segment__split",
    "segment_version": "segment_version",
    "original": "segment__original",
    "reference": "segment__simplified",
    "text": "text",
    "raw_text": "raw_text",
    "new_tokens": "new_tokens",
    "finished": "finished",
    "sari": "sari",
    "sari_parts": "sari_parts",
    "bleu": "bleu",
    "grade": "grade",
    "compression": "compression",
    "similarity": "similarity",
    "p_simplified": "p_simplified",
    "reward": "reward",
    "reward_parts": "reward_parts",
    "flags": "flags",
    "examples": "examples",
}
# `generator`, `train_run` and `few_shot` come from the run's list of versions; `sari` is HF evaluate's
# sentence SARI of the output (the run's `summary.evaluation` holds the corpus SARI).
EVALUATION_FIELDS = ["generator", "train_run", "few_shot", *EVALUATION_COLUMNS]


class EvaluationExportFilters(serializers.Serializer):
    run = serializers.IntegerField(min_value=1, help_text="Evaluation run id (required).")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="Only this generator (its position in the run's list)."
    )


class _EvaluationExport(APIView):
    """Every output of an evaluation run with its scores, one per generator version and segment."""

    def get(self, request):
        params = EvaluationExportFilters(data=request.query_params)
        if not params.is_valid():
            raise ValidationError(params.errors)
        filters = dict(params.validated_data)
        run = ModelRun.objects.filter(pk=filters["run"], kind=ModelRun.Kind.EVALUATE).first()
        if run is None:
            raise ValidationError({"run": [f"Run #{filters['run']} is not an evaluation run."]})
        entries = run.parameters.get("generators", [])
        outputs = EvaluationOutput.objects.filter(run=run)
        if "version" in filters:
            outputs = outputs.filter(version=filters["version"])
        outputs = outputs.order_by("segment__document_id", "segment__position", "version")

        def records():
            for row in outputs.values(*EVALUATION_COLUMNS.values()).iterator(chunk_size=2000):
                entry = entries[row["version"]] if row["version"] < len(entries) else {}
                record = {field: row[lookup] for field, lookup in EVALUATION_COLUMNS.items()}
                record["examples"] = [[e["segment"], e["version"]] for e in row["examples"] or []]
                yield {
                    "generator": entry.get("label"),
                    "train_run": entry.get("train_run"),
                    "few_shot": entry.get("few_shot", 0),
                    **record,
                }

        return export_response(
            name="evaluation-outputs",
            fmt=self.fmt,
            schema_version=EVALUATION_SCHEMA_VERSION,
            fields=EVALUATION_FIELDS,
            filters=filters,
            count=outputs.count,
            records=records,
        )


EvaluationJsonlExport, EvaluationCsvExport = export_views(
    _EvaluationExport,
    name="EvaluationOutputs",
    parameters=[EvaluationExportFilters],
    jsonl=(
        "Every output of an evaluation run (generator, segment, texts, scores, flags, few-shot examples as "
        "[segment id, version]), one JSON object per line; `sari` is HF evaluate's sentence SARI.",
        "A manifest line, then one JSON object per output.",
    ),
    csv=(
        "The same rows as the JSONL export, as CSV (objects and lists as JSON text, cells neutralised).",
        "One row per output; the manifest in X-Export-Manifest.",
    ),
)
