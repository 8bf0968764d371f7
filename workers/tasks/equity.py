"""Equity answer generation: `equitext.ml.generate_answers` (queue gpu).

Answers every question of a question set with a model, through the same loader and batched generation
code as simplification runs (workers/ml/), and stores them with `apps.equity.services.answer_create_many`
batch by batch (so progress is visible and a re-delivered task skips the questions already answered by
the same producer). An empty output cannot be an answer: it is left out and listed in the job's result.
"""

from celery.exceptions import SoftTimeLimitExceeded

from workers.celery import app

ANSWERS_SOFT_LIMIT = 6 * 3600


@app.task(
    name="equitext.ml.generate_answers",
    bind=True,
    acks_late=True,
    soft_time_limit=ANSWERS_SOFT_LIMIT,
    time_limit=ANSWERS_SOFT_LIMIT + 120,
)
def generate_answers(self, job_id: int) -> None:
    self.run_job(job_id, _generate_answers)


def _generate_answers(job, progress) -> dict:
    from apps.equity import services as equity
    from apps.equity.models import Answer, QuestionSet
    from apps.scoring.prompts import ANSWER_TEMPLATES, DEFAULT_ANSWER_TEMPLATE, answer_messages
    from workers.ml import generation, loader

    p = job.parameters
    question_set = QuestionSet.objects.get(pk=p["question_set"])
    questions = list(question_set.questions.order_by("position", "pk").values_list("pk", "text"))
    total = len(questions)
    progress(0, total, "Loading the model")
    loaded = loader.load_causal_lm(p.get("model_path") or None)
    template = ANSWER_TEMPLATES[DEFAULT_ANSWER_TEMPLATE]
    settings = generation.GenerationSettings(
        temperature=p["temperature"],
        top_p=p["top_p"],
        max_new_tokens=p["max_new_tokens"],
        seed=p["seed"],
        batch_size=p["batch_size"],
    )
    producer = equity.producer_get_or_create(
        name=loaded.source.model_id,
        revision=loaded.source.revision,
        parameters={k: p[k] for k in ("max_new_tokens", "temperature", "top_p", "seed", "prompt_template")},
    )
    answered = set(
        Answer.objects.filter(producer=producer, question__question_set=question_set).values_list(
            "question_id", flat=True
        )
    )
    pending = [(pk, text) for pk, text in questions if pk not in answered]
    done = total - len(pending)
    progress(done, total, f"Answering with {loaded.source.model_id} on {loaded.device}")
    conversations = [answer_messages(template, question=text) for _, text in pending]
    created, empty, truncated = 0, [], 0
    try:
        for start, batch in generation.generate(loaded, conversations, settings):
            rows = []
            for (question_id, _), [sample] in zip(pending[start : start + len(batch)], batch, strict=True):
                if sample.text.strip():
                    rows.append((question_id, sample.text))
                    truncated += not sample.finished
                else:
                    empty.append(question_id)
            if rows:
                result = equity.answer_create_many(
                    question_set=question_set,
                    producer=producer,
                    answers=rows,
                    job=job,
                    parameters={
                        "prompt_template": template.label,
                        "device": str(loaded.device),
                        "dtype": str(loaded.dtype).removeprefix("torch."),
                        "seed": p["seed"],
                    },
                )
                created += len(result.created)
            done += len(batch)
            progress(done, total, f"{done} of {total} questions answered")
    except SoftTimeLimitExceeded:
        raise RuntimeError(
            f"Answer generation exceeded its time limit ({ANSWERS_SOFT_LIMIT // 3600} h); the answers stored "
            "so far are kept. Start it again to answer the remaining questions."
        ) from None
    return {
        "question_set": question_set.pk,
        "questions": total,
        "answers_created": created,
        "already_answered": len(answered),
        "empty_outputs": empty,
        "stopped_at_token_limit": truncated,
        "producer": {"name": producer.name, "revision": producer.revision},
        "device": str(loaded.device),
    }
