"""Study webhooks: `study.progress` (a study reached N % of its ratings) and `study.completed` (every
quota filled), checked after each submitted rating.

The submit path calls `rating_submitted(study_id=…)` inside its transaction; the check runs after
commit, so it counts every rating committed so far (two raters who submit the last two ratings at the
same time both commit before either checks, so `completed` is never missed). Each (webhook, study,
percentage) and (webhook, study, completed) is sent once: checks of one study take a transaction-level
advisory lock and skip what a delivery already records. A webhook registered after a study passed one
of its percentages receives that event with the study's next rating. No subscribed webhook: no query
beyond one indexed existence check.

Progress = submitted ratings / quota over the study's quota slots (`ItemSlot`: gold and practice items
have none, so they never count).
"""

from django.db import connection, transaction
from django.db.models import Q, Sum

from apps.core.models import Webhook, WebhookDelivery
from apps.core.webhooks import webhook_emit
from apps.reviews.models import ItemSlot, Study

PROGRESS = Webhook.Event.STUDY_PROGRESS.value
COMPLETED = Webhook.Event.STUDY_COMPLETED.value


def rating_submitted(*, study_id: int) -> None:
    """Call after a rating is stored: the study's progress is checked once the transaction commits."""
    transaction.on_commit(lambda: study_progress_check(study_id=study_id))


def _subscribed():
    return Webhook.objects.filter(active=True).filter(
        Q(events__contains=[PROGRESS]) | Q(events__contains=[COMPLETED])
    )


@transaction.atomic
def study_progress_check(*, study_id: int) -> list[WebhookDelivery]:
    """Emit the study events now due and not sent before; returns the new deliveries."""
    hooks = list(_subscribed())
    if not hooks:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('equitext.study_progress'), %s)", [study_id])
    totals = ItemSlot.objects.filter(study_id=study_id).aggregate(done=Sum("submitted"), needed=Sum("quota"))
    done, needed = totals["done"] or 0, totals["needed"] or 0
    if not needed:
        return []
    study = Study.objects.only("id", "name").get(pk=study_id)
    sent = {
        (hook_id, event, percent)
        for hook_id, event, percent in WebhookDelivery.objects.filter(
            webhook__in=hooks, event__in=[PROGRESS, COMPLETED], payload__study=study_id
        ).values_list("webhook_id", "event", "payload__percent")
    }
    base = {"study": study.pk, "name": study.name, "submitted": done, "needed": needed}
    deliveries = []
    for hook in hooks:
        if PROGRESS in hook.events:
            for percent in sorted(hook.progress_percents):
                if done * 100 >= percent * needed and (hook.pk, PROGRESS, percent) not in sent:
                    payload = {**base, "percent": percent, "progress": round(100 * done / needed, 1)}
                    deliveries += webhook_emit(event=PROGRESS, payload=payload, webhooks=[hook])
        if COMPLETED in hook.events and done >= needed and (hook.pk, COMPLETED, None) not in sent:
            deliveries += webhook_emit(event=COMPLETED, payload=base, webhooks=[hook])
    return deliveries
