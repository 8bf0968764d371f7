"""A model as a rater: `equitext.ml.autorate` (queue gpu).

Rates every regular item of a study with a language model through the rubric's own validation
(`apps.reviews.autoraters`): the prompt is built from the rubric (template version on the run), the item
is shown as a rater sees it (texts only), the output is parsed strictly and stored with its raw text.
Greedy decoding (the default) is batched — left padding makes a batch's output equal each prompt alone;
with sampling, each item is generated on its own with the seed (run seed, item id), so a resumed run or
another batch size gives the same ratings on the same device and dtype. A re-delivered task rates only
the items still missing.
"""

from celery.exceptions import SoftTimeLimitExceeded

from workers.celery import app

AUTORATE_SOFT_LIMIT = 6 * 3600


@app.task(
    name="equitext.ml.autorate",
    bind=True,
    acks_late=True,
    soft_time_limit=AUTORATE_SOFT_LIMIT,
    time_limit=AUTORATE_SOFT_LIMIT + 120,
)
def autorate(self, job_id: int) -> None:
    self.run_job(job_id, _autorate)


def _autorate(job, progress) -> dict:
    import importlib.metadata

    from apps.reviews import selectors as review_selectors
    from apps.reviews.autoraters import prompt, selectors, services
    from apps.reviews.autoraters.models import Autorater
    from apps.reviews.models import StudyItem
    from workers.ml import generation, loader

    autorater = Autorater.objects.select_related("study__rubric").get(pk=job.parameters["autorater"])
    rubric = autorater.study.rubric
    pending = selectors.items_to_rate(autorater)
    total = StudyItem.objects.filter(study_id=autorater.study_id, role=StudyItem.Role.REGULAR).count()
    done = total - len(pending)
    progress(done, total, "Loading the model")
    loaded = loader.load_causal_lm(autorater.model_path or None)
    decoding = autorater.decoding
    settings = generation.GenerationSettings(
        temperature=decoding["temperature"],
        top_p=decoding["top_p"],
        max_new_tokens=decoding["max_new_tokens"],
        seed=int(autorater.seed),
        batch_size=decoding["batch_size"],
    )
    services.autorater_record(
        autorater=autorater,
        model_name=loaded.source.model_id,
        model_revision=loaded.source.revision,
        record={
            "device": str(loaded.device),
            "dtype": str(loaded.dtype).removeprefix("torch."),
            "torch": importlib.metadata.version("torch"),
            "transformers": importlib.metadata.version("transformers"),
            "template_version": autorater.template_version,
            "seed": int(autorater.seed),
            "decoding": decoding,
            "sampling": "greedy, batched" if settings.temperature == 0 else "seeded per item (seed, item id)",
        },
    )
    items = {i.pk: i for i in StudyItem.objects.filter(pk__in=pending)}
    conversations = [
        prompt.messages(rubric, review_selectors.item_for_rater(items[pk]), autorater.system_prompt)
        for pk in pending
    ]
    prefix = prompt.answer_prefix(rubric, autorater.template_version)
    prompts = [text + prefix for text in generation.render_prompts(loaded, conversations)]
    progress(done, total, f"Rating with {loaded.source.model_id} on {loaded.device}")
    try:
        for start, batch in _generate(generation, loaded, prompts, settings, pending):
            outputs = [
                {
                    "item": item,
                    "text": prefix + sample.text,
                    "new_tokens": sample.new_tokens,
                    "finished": sample.finished,
                }
                for item, [sample] in zip(pending[start : start + len(batch)], batch, strict=True)
            ]
            services.autorater_ratings_store(autorater=autorater, outputs=outputs)
            done += len(batch)
            progress(done, total, f"{done} of {total} items rated")
    except SoftTimeLimitExceeded:
        raise RuntimeError(
            f"The model rater exceeded its time limit ({AUTORATE_SOFT_LIMIT // 3600} h); the ratings stored "
            "so far are kept. Start it again to rate the remaining items."
        ) from None
    ratings = selectors.autorater_ratings(autorater)
    parsed = ratings.filter(response__isnull=False).count()
    return {"autorater": autorater.pk, "items": total, "parsed": parsed, "unparsed": ratings.count() - parsed}


def _generate(generation, loaded, prompts, settings, item_ids):
    """(index of the first prompt, its outputs) batch by batch: batched when greedy; one item at a time
    seeded by its id when sampling (so the seed of an item never depends on its batch)."""
    if settings.temperature == 0:
        for start in range(0, len(prompts), settings.batch_size):
            yield (
                start,
                generation.generate_batch(loaded, prompts[start : start + settings.batch_size], settings),
            )
        return
    for index, (prompt_text, item_id) in enumerate(zip(prompts, item_ids, strict=True)):
        yield index, generation.generate_batch(loaded, [prompt_text], settings, seed_offset=item_id)
