"""Prompts for the generate and evaluate tasks: each segment's chat messages, with few-shot examples.

A few-shot template (`PromptTemplate.few_shot`) gets, per segment, the k nearest approved train-split
pairs (workers/ml/fewshot.py). A generation run chooses them once and records them on the run
(`ModelRun.prompt_examples`), so a resumed run shows the same examples; an evaluation records them on
each output.
"""


def examples_choose(segment_ids: list[int], k: int) -> dict[int, list[dict]]:
    """For each segment id, the k pairs its few-shot prompt shows (nearest first)."""
    from apps.scoring import selectors
    from workers.ml import fewshot

    if k < 1 or not segment_ids:
        return {pk: [] for pk in segment_ids}
    pool = [
        fewshot.PoolPair(
            segment=row["pk"],
            version=row["version"],
            document=row["document_id"],
            original=row["original"],
            simplified=row["simplified"],
        )
        for row in selectors.approved_train_pairs()
    ]
    queries = [
        fewshot.Query(
            segment=row["pk"], document=row["document_id"], split=row["split"], original=row["original"]
        )
        for row in selectors.segment_prompt_queries(segment_ids)
    ]
    return fewshot.nearest_pairs(queries, pool, k)


def conversations_build(template, segments, *, grade: int, style: str, examples: dict) -> list[list[dict]]:
    """The chat messages of each segment (examples: segment id → example dicts; absent → none)."""
    from apps.scoring.prompts import prompt_messages

    return [
        prompt_messages(
            template,
            text=segment.original,
            grade=grade,
            style=style,
            examples=examples.get(segment.pk, examples.get(str(segment.pk), [])) if template.few_shot else [],
        )
        for segment in segments
    ]


def run_conversations(run, template, segments) -> list[list[dict]]:
    """A generation run's messages for `segments`; a few-shot run first records the examples of the
    segments that have none yet (`services.run_prompt_examples_store`)."""
    from apps.scoring import services

    parameters = run.parameters
    examples = dict(run.prompt_examples or {})
    k = int(parameters.get("few_shot") or 0)
    if template.few_shot and k:
        missing = [segment.pk for segment in segments if str(segment.pk) not in examples]
        if missing:
            examples = services.run_prompt_examples_store(run_id=run.pk, examples=examples_choose(missing, k))
    return conversations_build(
        template, segments, grade=parameters["target_grade"], style=parameters["style"], examples=examples
    )
