"""A study's dataset folder (`GET /api/v1/studies/{id}/dataset.zip`, curators): its ratings as the ratings
export writes them (long format, A/B undone, pseudonymous raters), its items with the texts rated, a
Hugging Face dataset card (`README.md`: configs, fields, licence and provenance of each source, n,
collection method, rater groups, agreement summary, known limitations) and `manifest.json`
(`apps.core.datasets`)."""

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.views import APIView

from apps.core.api import IsCurator
from apps.core.datasets import DataFile, card_header, dataset_response, fields_table
from apps.core.exports import AnyAccept, copy_lines
from apps.reviews import exports, results, selectors
from apps.reviews.models import Study, StudyItem

ITEM_FIELDS = {
    "item_id": "the study item (joins `ratings.item_id`)",
    "item_position": "its place in the study's seeded order",
    "item_kind": "independent, pairwise, counterfactual or simplification",
    "item_role": "regular (counted), gold (quality checks) or practice (never counted)",
    "question_set": "the EquityMedQA question set",
    "question": "the question (counterfactual: the pair's first question)",
    "question_b": "counterfactual items: the pair's second question",
    "answer_a": "the answer of `producer_a` (sides undone, as in the ratings)",
    "answer_b": "pairwise: the answer of `producer_b`; counterfactual: the answer to `question_b`",
    "producer_a": "who wrote `answer_a` (coded while a double-blind study is open)",
    "producer_b": "who wrote `answer_b`",
    "original_text": "simplification items: the original",
    "candidate_text": "simplification items: the simplification rated",
}
RATING_FIELDS = {
    "study_id, study, rubric, rubric_version": "the study and the rubric version",
    "item_id, item_position, item_kind, item_role": "the item (see the items config)",
    "question_set_id, question_set, question_id, pair_id, candidate_id": "what the item shows",
    "sides_swapped": "the rater saw `producer_a` as Response B",
    "producer_a, producer_b": "the study's producers for this item; `a` in `value` always means `producer_a`",
    "rater_group": "the rater's group (slug)",
    "rater": "pseudonymous rater id (stable across exports; never the username)",
    "rating_id, rating_version": "the rating (version > 1: corrected)",
    "submitted_at, time_spent_ms": "when, and visible time on the item",
    "question_key, value": "the rubric question and the answer (lists for multiple choice)",
}
HF_LICENCES = {"cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "cc0-1.0", "mit", "apache-2.0"}


def _licence(text: str) -> str:
    key = (text or "").strip().lower().replace(" ", "-")
    return key if key in HF_LICENCES else "other"


def _item_records(study: Study):
    labels = results._producer_labels(study)
    items = (
        StudyItem.objects.filter(study=study)
        .select_related(
            "answer_a__question__question_set",
            "answer_b__question__question_set",
            "pair__question_a",
            "pair__question_b",
        )
        .order_by("position")
    )
    for item in items.iterator(chunk_size=1000):
        first, second = (item.answer_b, item.answer_a) if item.swapped else (item.answer_a, item.answer_b)
        yield {
            "item_id": item.pk,
            "item_position": item.position,
            "item_kind": item.kind,
            "item_role": item.role,
            "question_set": first.question.question_set.name if first else None,
            "question": first.question.text if first else None,
            "question_b": item.pair.question_b.text if item.pair_id else None,
            "answer_a": first.text if first else None,
            "answer_b": second.text if second else None,
            "producer_a": labels.get(first.producer_id) if first else None,
            "producer_b": labels.get(second.producer_id) if second else None,
            "original_text": item.original_text or None,
            "candidate_text": item.candidate_text or None,
        }


def _agreement_summary(study: Study) -> str:
    table = results.study_agreement(study)
    lines = []
    for row, estimate in zip(table.rows, table.estimates, strict=True):
        if estimate.value is None or ":" in str(row[0]):
            continue
        interval = f" [{estimate.low:.2f}, {estimate.high:.2f}]" if estimate.low is not None else ""
        lines.append(
            f"- {row[0]} · {row[2]} · {row[3]}: {estimate.value:.2f}{interval} ({estimate.n_items} items)"
        )
    between = results.study_between_groups(study)[0]
    for row, estimate in zip(between.rows, between.estimates, strict=True):
        if estimate.value is None or ":" in str(row[0]):
            continue
        lines.append(
            f"- between groups, {row[0]} · {row[1]} · {row[2]}: {estimate.value:.2f} "
            f"({estimate.n_items} items)"
        )
    return "\n".join(lines) or "- No agreement can be computed yet (too few ratings per item)."


def _card(study: Study, counts: dict[str, int]) -> str:
    from apps.equity.models import Producer, QuestionSet

    question_set = QuestionSet.objects.filter(pk=study.source.get("question_set")).first()
    producers = Producer.objects.filter(pk__in=[int(p) for p in study.source.get("producers", [])])
    coded = study.blinding == Study.Blinding.DOUBLE and study.status != Study.Status.CLOSED
    ratings = selectors.current_ratings(study, counted_only=True)
    per_group = ratings.values("assignment__group__name").annotate(
        n=Count("id"),
        raters=Count("assignment__rater", distinct=True),
        items=Count("assignment__item", distinct=True),
    )
    files = _files(study)
    size = counts.get("ratings.jsonl", 0)
    header = card_header(
        pretty_name=study.name,
        licence=_licence(question_set.licence if question_set else ""),
        files=files,
        tags=["health-equity", "bias", "human-ratings", "equitymedqa", study.rubric.kind],
        size=size,
    )
    groups = (
        "\n".join(
            f"- {g['assignment__group__name']}: {g['n']:,} ratings of {g['items']:,} items by "
            f"{g['raters']:,} raters"
            for g in per_group.order_by("assignment__group__name")
        )
        or "- No ratings yet."
    )
    quotas = ", ".join(f"{q.group.name} {q.quota}" for q in study.quotas.select_related("group"))
    source = (
        f"- **{question_set.name}** ({question_set.get_kind_display()}): licence "
        f"{question_set.licence or 'not recorded'}; provenance: {question_set.provenance or 'not recorded'}"
        f"{'; file ' + question_set.source_file_name if question_set.source_file_name else ''}."
        if question_set
        else "- Texts given directly (simplification items): see `items.jsonl`."
    )
    producer_lines = (
        "- Producers are coded (double-blind study, still open)."
        if coded
        else "\n".join(
            f"- {p.label}" + (f": parameters {p.parameters}" if p.parameters else "") for p in producers
        )
        or "- none"
    )
    return f"""{header}
# {study.name}

{study.description or "Ratings of model answers by groups of raters, collected with Equitext."}

## Configs

- `ratings` (`ratings.jsonl`, {counts.get("ratings.jsonl", 0):,} rows): one row per current rating and
  answered rubric question (long format).
- `items` (`items.jsonl`, {counts.get("items.jsonl", 0):,} rows): what each item showed.

`load_dataset("<folder>", "ratings")` reads a config; each file also loads alone with
`load_dataset("json", data_files=…)`. `manifest.json` gives each file's row count and fields.

## Fields

### ratings
{fields_table(RATING_FIELDS)}
### items
{fields_table(ITEM_FIELDS)}
## Sources and licences

{source}

Answers by:
{producer_lines}

## Collection

- Rubric "{study.rubric.name}" version {study.rubric.version} ({study.rubric.kind}); its questions are
  the `question_key` values.
- Raters per item and group (quotas): {quotas or "none"}; blinding: {study.get_blinding_display()};
  seed {study.seed} (item order, A/B sides); status {study.get_status_display().lower()}.
- Each rater rated each item at most once; corrections are new versions (only the current one is here).
  Gold and practice items are marked by `item_role` and never counted in results.

## Rater groups

{groups}

## Agreement (95% intervals; BCa bootstrap over items, 1,000 resamples, seed {study.seed})

{_agreement_summary(study)}

## Known limitations

- Agreement on bias is often low on these tasks (alpha near zero or negative is common): read rates
  with their intervals and per rater group.
- Raters are pseudonymous; groups, not individuals, are the unit of the study's design.
- Items with a single rating from a group carry no agreement information for that group.
- Answers were produced by the models named above with the settings recorded; other settings can
  give other answers.
"""


def _files(study: Study) -> list[DataFile]:
    filters = {"study": study.pk}
    return [
        DataFile(
            path="ratings.jsonl",
            config="ratings",
            split="train",
            count=lambda: exports.ratings_count(filters),
            fields=exports.FIELDS,
            chunks=lambda: copy_lines(*exports.ratings_query(filters, "jsonl")),
            filters=filters,
        ),
        DataFile(
            path="items.jsonl",
            config="items",
            split="train",
            count=StudyItem.objects.filter(study=study).count,
            fields=list(ITEM_FIELDS),
            records=lambda: _item_records(study),
            filters=filters,
        ),
    ]


class StudyDatasetView(APIView):
    """The study's dataset folder as a zip: ratings.jsonl, items.jsonl, README.md (a Hugging Face dataset
    card) and manifest.json; streamed."""

    permission_classes = [IsCurator]
    content_negotiation_class = AnyAccept

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="The dataset folder")})
    def get(self, request, id: int):  # noqa: A002 (the path parameter of studies/{id}/)
        study = get_object_or_404(selectors.studies_all(), pk=id)
        return dataset_response(
            name=f"study-{study.pk}-dataset",
            files=_files(study),
            card=lambda counts: _card(study, counts),
            extra={"study": study.pk, "seed": study.seed, "rubric": study.rubric.name},
        )
