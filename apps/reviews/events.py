"""Study webhooks: `study.progress` (a study reached N % of its ratings) and `study.completed` (every
quota filled), checked after each submitted rating.

The submit path calls `rating_submitted(study_id=…)` inside its transaction when a study webhook is
subscribed (its read of the assignment says so); the check runs after commit, so it counts every rating
committed so far (two raters who submit the last two ratings at the same time both commit before either
checks, so `completed` is never missed). Each (webhook, study, percentage) and (webhook, study,
completed) is sent once.

Cost: the check is one query — the subscribed webhooks, each with the study's progress (the
trigger-kept `StudyProgress` counters: a few rows whatever the study's size) and the events already
sent to it for this study. Only when an event is due does it take the study's advisory lock, read again
under it and emit, so two checks never send the same event. A webhook registered after a study passed
one of its percentages receives that event with the study's next rating.

Progress = submitted ratings / quota over the study's quota slots (gold and practice items have no slot,
so they never count).
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.models import Webhook, WebhookDelivery
from apps.core.webhooks import webhook_emit
from apps.reviews.models import Study, StudyProgress

PROGRESS = Webhook.Event.STUDY_PROGRESS.value
COMPLETED = Webhook.Event.STUDY_COMPLETED.value


# The same condition as `study_webhooks()`, for reads written in SQL (`rater_context`).
STUDY_WEBHOOKS_SQL = (
    "SELECT 1 FROM core_webhook WHERE active "
    f"AND (events @> '[\"{PROGRESS}\"]'::jsonb OR events @> '[\"{COMPLETED}\"]'::jsonb)"
)


def study_webhooks():
    """Active webhooks subscribed to a study event."""
    return Webhook.objects.filter(active=True).filter(
        Q(events__contains=[PROGRESS]) | Q(events__contains=[COMPLETED])
    )


def rating_submitted(*, study_id: int) -> None:
    """Call after a rating is stored: the study's progress is checked once the transaction commits."""
    transaction.on_commit(lambda: study_progress_check(study_id=study_id))


def _total(column: str, study_id: int):
    counters = (
        StudyProgress.objects.filter(study_id=study_id)
        .values("study_id")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(counters, output_field=IntegerField()), Value(0))


def _hooks_with_progress(study_id: int) -> list[Webhook]:
    """The subscribed webhooks, each with the study's `done`, `needed` and `study_name`, and what was
    already sent to it for this study: `sent_events` (event names) and `sent_percents`."""
    sent = WebhookDelivery.objects.filter(
        webhook=OuterRef("pk"), event__in=[PROGRESS, COMPLETED], payload__study=study_id
    )
    return list(
        study_webhooks()
        .annotate(
            done=_total("submitted", study_id),
            needed=_total("needed", study_id),
            study_name=Subquery(Study.objects.filter(pk=study_id).values("name")[:1]),
            sent_events=ArraySubquery(sent.values_list("event", flat=True)),
            sent_percents=ArraySubquery(
                sent.filter(event=PROGRESS).values_list("payload__percent", flat=True)
            ),
        )
        .order_by("pk")
    )


def _due(hook: Webhook) -> list[tuple[str, int | None]]:
    """The (event, percent) of `hook` that the study has reached and that were not sent yet."""
    if not hook.needed:
        return []
    due = []
    if PROGRESS in hook.events:
        sent = set(hook.sent_percents)
        for percent in sorted(hook.progress_percents):
            if hook.done * 100 >= percent * hook.needed and percent not in sent:
                due.append((PROGRESS, percent))
    if COMPLETED in hook.events and hook.done >= hook.needed and COMPLETED not in hook.sent_events:
        due.append((COMPLETED, None))
    return due


def study_progress_check(*, study_id: int) -> list[WebhookDelivery]:
    """Emit the study events now due and not sent before; returns the new deliveries."""
    if not any(_due(hook) for hook in _hooks_with_progress(study_id)):
        return []
    return _emit_due(study_id)


@transaction.atomic
def _emit_due(study_id: int) -> list[WebhookDelivery]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('equitext.study_progress'), %s)", [study_id])
    deliveries = []
    for hook in _hooks_with_progress(study_id):  # again, under the lock: what another check sent counts
        base = {"study": study_id, "name": hook.study_name, "submitted": hook.done, "needed": hook.needed}
        for event, percent in _due(hook):
            payload = (
                base
                if percent is None
                else {
                    **base,
                    "percent": percent,
                    "progress": round(100 * hook.done / hook.needed, 1),
                }
            )
            deliveries += webhook_emit(event=event, payload=payload, webhooks=[hook])
    return deliveries
