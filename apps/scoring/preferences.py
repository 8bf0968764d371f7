"""Preference pairs for DPO: `GET /api/v1/exports/preferences.{jsonl,csv}`, and the generator
fine-tune's data (which reads `records()` directly).

The download follows the shared export rules (apps/core/exports.py): one snapshot, the manifest in the
`X-Export-Manifest` header, every JSONL line a record — `datasets.load_dataset("json",
data_files="preferences.jsonl")` reads it as it is (`?manifest=1` puts the manifest back as line 1).

Each record is TRL's *conversational preference* format, plus provenance fields TRL ignores:

    {"prompt":   [{"role": "system", ...}, {"role": "user", ...}],   # exactly what the model was shown
     "chosen":   [{"role": "assistant", "content": "..."}],
     "rejected": [{"role": "assistant", "content": "..."}],
     "source": "reward_rank" | "curator_decision" | "pairwise_rating",
     "run_id", "segment_id", "chosen_candidate_id", "rejected_candidate_id" (null: the original text),
     "chosen_reward", "rejected_reward", "prompt_template",
     "study_item_id", "votes"}   # pairwise ratings: the item and its counts of "more biased" votes

`prompt` is rebuilt from the run's versioned prompt template (`prompts.prompt_messages`; templates are
never edited once released, and a segment's original text is never edited), so it is the exact chat the
generator saw; TRL applies the model's chat template to it.

Where pairs come from (`CANDIDATE_PAIR_SOURCES`, each a function of one run's candidates for a segment):
- `reward_rank`: the best- and worst-rewarded candidate of the segment in that run, when their rewards
  differ (and texts differ). One pair per run and segment.
- `curator_decision`: every accepted candidate over every rejected candidate of the same run and segment,
  and every accepted candidate over the unchanged original (the prompt asked for a rewrite; a curator
  accepted one).

**No duplicates**: identical (prompt, chosen, rejected) can only arise from the same original text, so
candidates are read in order of the MD5 of their segment's original text (`.iterator()`, server-side
cursor) and de-duplicated within each such group; memory holds one group at a time, whatever the size
of the export. The first source listed wins a duplicate.

- `pairwise_rating`: pairwise equity ratings, the answer fewer raters found more biased over the other
  (apps/reviews/preferences.py, registered by the reviews app at start-up); its prompts are equity
  questions, so they never collide with the simplification prompts here. The generator fine-tune reads
  only the two candidate sources by default.

**Adding a source** from another app: call `preference_source_register(name=…, records=…)` in that app's
`AppConfig.ready()` with a function `(*, run, sources) -> Iterator[dict]` yielding the same record shape;
it must not repeat its own records. Scoring never imports the app that provides it.
"""

from collections.abc import Callable, Iterator

from django.db.models.functions import MD5

from apps.scoring.models import Candidate, ModelRun
from apps.scoring.prompts import prompt_messages, template_get

CHUNK = 2000
SCHEMA_VERSION = 1
FIELDS = (
    "prompt chosen rejected source run_id segment_id chosen_candidate_id rejected_candidate_id "
    "chosen_reward rejected_reward prompt_template study_item_id votes"
).split()


def _message(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def reward_rank_pairs(candidates: list[dict], original: str) -> Iterator[tuple[dict, dict | None]]:
    rewarded = [c for c in candidates if c["reward"] is not None and c["text"].strip()]
    if len(rewarded) < 2:
        return
    best = max(rewarded, key=lambda c: (c["reward"], -c["index"]))
    worst = min(rewarded, key=lambda c: (c["reward"], c["index"]))
    if best["reward"] > worst["reward"] and best["text"] != worst["text"]:
        yield best, worst


def curator_decision_pairs(candidates: list[dict], original: str) -> Iterator[tuple[dict, dict | None]]:
    accepted = [c for c in candidates if c["decision"] == Candidate.Decision.ACCEPTED and c["text"].strip()]
    rejected = [c for c in candidates if c["decision"] == Candidate.Decision.REJECTED]
    for chosen in accepted:
        for loser in rejected:
            if loser["text"] != chosen["text"]:
                yield chosen, loser
        if chosen["text"].strip() != original.strip():
            yield chosen, None  # the accepted rewrite over the unchanged original


CANDIDATE_PAIR_SOURCES: dict[str, Callable] = {
    "reward_rank": reward_rank_pairs,
    "curator_decision": curator_decision_pairs,
}


class _Prompts:
    """Each run's prompt settings, read once per run (runs are few next to candidates). A few-shot run's
    prompt includes the examples recorded for that segment (`ModelRun.prompt_examples`)."""

    def __init__(self):
        self._runs: dict[int, tuple | None] = {}

    def messages(self, run_id: int, segment_id: int, original: str) -> tuple[list[dict], str] | None:
        if run_id not in self._runs:
            run = ModelRun.objects.filter(pk=run_id).values(
                "prompt_template", "prompt_version", "parameters", "prompt_examples"
            )
            row = run.first()
            try:
                template = template_get(row["prompt_template"], row["prompt_version"])
                params = row["parameters"]
                self._runs[run_id] = (
                    template,
                    params["target_grade"],
                    params.get("style", "plain"),
                    row["prompt_examples"] or {},
                )
            except (ValueError, KeyError, TypeError):
                self._runs[run_id] = None  # not a generation run with a known template
        settings = self._runs[run_id]
        if settings is None:
            return None
        template, grade, style, examples = settings
        shown = examples.get(str(segment_id), []) if template.few_shot else []
        return prompt_messages(
            template, text=original, grade=grade, style=style, examples=shown
        ), template.label


def candidate_preferences(*, run: int | None = None, sources: list[str] | None = None) -> Iterator[dict]:
    """Preference records from stored candidates (see the module docstring)."""
    chosen_sources = [name for name in CANDIDATE_PAIR_SOURCES if not sources or name in sources]
    rows = Candidate.objects.filter(run__kind=ModelRun.Kind.GENERATE)
    if run is not None:
        rows = rows.filter(run_id=run)
    rows = (
        rows.annotate(original_md5=MD5("segment__original"))
        .order_by("original_md5", "segment_id", "run_id", "index")
        .values(
            "pk",
            "run_id",
            "segment_id",
            "index",
            "text",
            "reward",
            "decision",
            "original_md5",
            "segment__original",
        )
    )
    prompts = _Prompts()
    group: list[dict] = []
    for row in rows.iterator(chunk_size=CHUNK):
        if group and row["original_md5"] != group[0]["original_md5"]:
            yield from _group_records(group, chosen_sources, prompts)
            group = []
        group.append(row)
    if group:
        yield from _group_records(group, chosen_sources, prompts)


def _group_records(group: list[dict], sources: list[str], prompts: _Prompts) -> Iterator[dict]:
    """Records of the candidates of one original text, without duplicates."""
    seen: set[tuple] = set()
    by_run_segment: dict[tuple[int, int], list[dict]] = {}
    for row in group:
        by_run_segment.setdefault((row["run_id"], row["segment_id"]), []).append(row)
    for (run_id, segment_id), candidates in by_run_segment.items():
        original = candidates[0]["segment__original"]
        built = prompts.messages(run_id, segment_id, original)
        if built is None:
            continue
        prompt, template_label = built
        for source in sources:
            for chosen, rejected in CANDIDATE_PAIR_SOURCES[source](candidates, original):
                rejected_text = rejected["text"] if rejected else original
                key = (repr(prompt), chosen["text"], rejected_text)
                if key in seen:
                    continue
                seen.add(key)
                yield {
                    "prompt": prompt,
                    "chosen": _message(chosen["text"]),
                    "rejected": _message(rejected_text),
                    "source": source,
                    "run_id": run_id,
                    "segment_id": segment_id,
                    "chosen_candidate_id": chosen["pk"],
                    "rejected_candidate_id": rejected["pk"] if rejected else None,
                    "chosen_reward": chosen["reward"],
                    "rejected_reward": rejected["reward"] if rejected else None,
                    "prompt_template": template_label,
                    "study_item_id": None,
                    "votes": None,
                }


# Sources other apps add at start-up (their AppConfig.ready), so scoring imports none of them: name →
# `(*, run, sources) -> Iterator[record]`. A source yields nothing when `sources` leaves its name out or
# `run` names a model run it has no records of; its records may leave out fields (they become null).
REGISTERED_SOURCES: dict[str, Callable[..., Iterator[dict]]] = {}

# The generator fine-tune learns simplification: it reads only the candidate sources by default.
SIMPLIFICATION_SOURCES = list(CANDIDATE_PAIR_SOURCES)


def preference_source_register(*, name: str, records: Callable[..., Iterator[dict]]) -> None:
    """Add a source of preference records to the export, after the candidate sources (the same name
    registered again replaces it, so a repeated `ready()` adds nothing)."""
    REGISTERED_SOURCES[name] = records


def source_names() -> list[str]:
    """Every source the export knows, in export order: the candidate sources, then the registered ones."""
    return [*CANDIDATE_PAIR_SOURCES, *REGISTERED_SOURCES]


def records(*, run: int | None = None, sources: list[str] | None = None) -> Iterator[dict]:
    """Every preference record, source after source (streamed)."""
    yield from candidate_preferences(run=run, sources=sources)
    for source in REGISTERED_SOURCES.values():
        for record in source(run=run, sources=sources):
            yield {field: record.get(field) for field in FIELDS}
