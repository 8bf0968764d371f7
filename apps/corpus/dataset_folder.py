"""The corpus as a dataset folder (`GET /api/v1/exports/corpus/dataset.zip`, curators; the corpus export's
filters, e.g. `?source=` for one corpus): one JSONL file per split (the corpus export's records), a
Hugging Face dataset card (`README.md`: one config with the splits, fields, each source's licence and
provenance, n, how the texts were collected, known limitations) and `manifest.json`
(`apps.core.datasets`)."""

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.datasets import DataFile, card_header, dataset_response, fields_table
from apps.core.exports import AnyAccept
from apps.corpus import exports, selectors
from apps.corpus.models import Source, Split

FIELD_MEANINGS = {
    "id, position, version": "the segment, its place in its document, its text version",
    "source, source_url, source_licence": "where the document comes from, and its licence",
    "document_id, document_title, document_url, topic": "the document (one web page)",
    "original, simplified": "the aligned texts: original and plain-language version",
    "split, status": "train / dev / test / unlabelled; draft, in review or approved",
    "notes, annotation": "curators' notes; Med-EASi edit tags (JSON)",
    "updated_at": "last change",
    "original_… / simplified_…": "readability of each side (textstat formulas; empty without text)",
}
HF_LICENCES = {"cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "cc0-1.0", "mit", "apache-2.0"}


def _card(segments, counts: dict[str, int], files: list[DataFile]) -> str:
    sources = Source.objects.filter(pk__in=segments.values("document__source")).annotate(
        n_documents=Count("documents", distinct=True)
    )
    licences = {(s.licence or "").strip().lower().replace(" ", "-") for s in sources}
    licence = (
        licences.pop() if len(licences) == 1 and next(iter(licences or {""}), "") in HF_LICENCES else "other"
    )
    total = sum(counts.values())
    header = card_header(
        pretty_name="Equitext corpus export",
        licence=licence,
        files=files,
        tags=["text-simplification", "health", "plain-language", "parallel-corpus"],
        size=total,
    )
    source_lines = (
        "\n".join(
            f"- **{s.name}** ({s.n_documents:,} documents): licence {s.licence or 'not recorded'}"
            + (f"; {s.url}" if s.url else "")
            + (f"; {s.notes}" if s.notes else "")
            for s in sources
        )
        or "- none"
    )
    split_lines = "\n".join(f"- `{f.split}` (`{f.path}`): {counts[f.path]:,} segments" for f in files)
    return f"""{header}
# Equitext corpus export

Aligned original ↔ plain-language health texts edited in Equitext, one row per segment.

## Splits

{split_lines}

`load_dataset("<folder>")` reads every split; each file also loads alone with
`load_dataset("json", data_files=…)`. `manifest.json` gives each file's row count, fields and filters.

## Fields

{fields_table(FIELD_MEANINGS)}
## Sources and licences

{source_lines}

Each source's licence applies to its texts: a licence such as CC-BY-NC-ND allows no redistribution of
derived texts; keep such folders for your own research.

## Collection

Documents were imported from the sources above and split into aligned segments; curators wrote or
edited the simplified side in Equitext's editor (every version kept), and moved each segment from draft
to review to approved. Readability is computed per side with the textstat formulas.

## Known limitations

- Drafts and segments in review are included unless filtered (`status`); check `status` before use.
- Readability formulas measure surface features, not understanding.
- Unlabelled segments have no simplified text.
"""


class CorpusDatasetView(APIView):
    """The corpus (or the segments matching the corpus export's filters) as a dataset folder (zip)."""

    permission_classes = [IsCurator]
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="The dataset folder")})
    def get(self, request):
        from apps.corpus.api import EXPORT_FILTER_NAMES, segment_filters_from

        filters = segment_filters_from(
            {k: v for k, v in request.query_params.items() if k in EXPORT_FILTER_NAMES}
        )
        segments = selectors.segments_filter(selectors.segments_visible_to(request.user), **filters)
        present = set(segments.order_by().values_list("split", flat=True).distinct())
        files = [
            DataFile(
                path=f"{split}.jsonl",
                config="default",
                split=split,
                count=segments.filter(split=split).count,
                fields=exports.FIELDS,
                records=lambda split=split: exports.records(segments.filter(split=split)),
                filters={**filters, "split": split},
            )
            for split in Split.values
            if split in present
        ]
        return dataset_response(
            name="corpus-dataset",
            files=files,
            card=lambda counts: _card(segments, counts, files),
            extra={"filters": filters},
        )
