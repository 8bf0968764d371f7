"""Webhook services: create, update and delete (audited), emit events, sign bodies, deliver with retries (the
retry loop lives in the Celery task).

Signature: `X-Equitext-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, raw request body). A receiver
recomputes it over the bytes it received and compares in constant time.
"""

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.core.models import Webhook, WebhookDelivery
from apps.core.queue import task_send
from apps.core.services import audit_record

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10


def webhook_sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def progress_percents_clean(percents) -> list[int]:
    """Distinct whole percentages from 1 to 100, sorted; raises ValidationError naming the bad values."""
    bad = [p for p in percents if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 100]
    if bad:
        raise ValidationError({"progress_percents": f"Use whole percentages from 1 to 100; not {bad}."})
    return sorted(set(percents))


def _webhook_clean(
    *, url: str, events: list[str], progress_percents: list[int]
) -> tuple[list[str], list[int]]:
    """(events, percents) cleaned; ValidationError naming the field when the address, an event or the
    percentages are not usable."""
    unknown = sorted(set(events) - set(Webhook.Event.values))
    if not events or unknown:
        known = ", ".join(Webhook.Event.values)
        raise ValidationError({"events": f"Choose one or more of {known}; unknown: {', '.join(unknown)}."})
    if not url.startswith(("http://", "https://")):
        raise ValidationError({"url": "The address must start with http:// or https://."})
    percents = progress_percents_clean(progress_percents)
    if Webhook.Event.STUDY_PROGRESS in events and not percents:
        raise ValidationError(
            {"progress_percents": "study.progress needs at least one percentage, e.g. [50]."}
        )
    return sorted(set(events)), percents


@transaction.atomic
def webhook_create(
    *, owner, url: str, events: list[str], progress_percents: list[int] | None = None
) -> Webhook:
    """A webhook for `events`. `study.progress` fires once per study at each of `progress_percents`
    (default 50) of its ratings; `study.completed` once all its quotas are filled. Audited."""
    events, percents = _webhook_clean(
        url=url, events=events, progress_percents=[50] if progress_percents is None else progress_percents
    )
    hook = Webhook.objects.create(
        owner=owner, url=url, events=events, progress_percents=percents, secret=secrets.token_hex(32)
    )
    audit_record(actor=owner, action="webhook.create", obj=hook, details={"url": url, "events": hook.events})
    return hook


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    user,
    url: str | None = None,
    events: list[str] | None = None,
    progress_percents: list[int] | None = None,
    active: bool | None = None,
) -> Webhook:
    """Change a webhook's address, events, percentages or active flag (None: unchanged), checked like a
    new one; audited with the fields that changed. The secret never changes."""
    hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    wanted = {
        "url": hook.url if url is None else url,
        "events": hook.events if events is None else events,
        "progress_percents": hook.progress_percents if progress_percents is None else progress_percents,
    }
    wanted["events"], wanted["progress_percents"] = _webhook_clean(**wanted)
    if active is not None:
        wanted["active"] = bool(active)
    changed = {name: value for name, value in wanted.items() if getattr(hook, name) != value}
    for name, value in changed.items():
        setattr(hook, name, value)
    if changed:
        hook.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=user, action="webhook.update", obj=hook, details=changed)
    return hook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user) -> None:
    """Delete a webhook and its delivery log; audited with its address and events."""
    details = {"url": webhook.url, "events": webhook.events}
    audit_record(actor=user, action="webhook.delete", obj=webhook, details=details)
    webhook.delete()


def webhook_emit(*, event: str, payload: dict, webhooks=None) -> list[WebhookDelivery]:
    """Record a delivery for every active webhook subscribed to `event` (only those in `webhooks`, when
    given); each is sent after commit."""
    hooks = Webhook.objects.filter(active=True, events__contains=[event])
    if webhooks is not None:
        hooks = hooks.filter(pk__in=[hook.pk for hook in webhooks])
    deliveries = [
        WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload) for hook in hooks
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _send(pk))
    return deliveries


def _send(delivery_id: int) -> bool:
    """Queue the delivery. Runs after the caller's commit (a submitted rating, a finished job): when Redis
    is down that write stands and the request succeeds; the delivery stays pending, with the error."""
    try:
        task_send("equitext.core.deliver_webhook", args=[delivery_id])
    except Exception as exc:
        logger.warning("could not queue webhook delivery %s: %s", delivery_id, exc)
        error = f"{NOT_SENT} ({type(exc).__name__}: {exc})."
        WebhookDelivery.objects.filter(pk=delivery_id).update(last_response=error[:2000])
        return False
    return True


NOT_SENT = "Not sent: the job queue (Redis) was not reachable"


def deliveries_requeue_unsent() -> list[int]:
    """Queue again the deliveries that could not be queued (Redis was down when their event happened).

    Runs every minute in the jobs sweep. Only deliveries never attempted and marked "Not sent" qualify,
    and each is claimed by clearing that mark first, so a delivery is never queued twice."""
    requeued = []
    for pk in WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, attempts=0, last_response__startswith=NOT_SENT
    ).values_list("pk", flat=True):
        claimed = WebhookDelivery.objects.filter(pk=pk, last_response__startswith=NOT_SENT).update(
            last_response="Queued again after the job queue came back."
        )
        if claimed and _send(pk):
            requeued.append(pk)
    return requeued


def delivery_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True).encode()


def delivery_attempt(*, delivery_id: int) -> bool | None:
    """POST the delivery once and record the attempt.

    Returns True when delivered (or already delivered), False when the caller should retry later, None when
    the attempts are used up (the delivery is then marked failed)."""
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status == WebhookDelivery.Status.DELIVERED
    body = delivery_body(delivery)
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Equitext-Webhooks/1",
            "X-Equitext-Event": delivery.event,
            "X-Equitext-Delivery": str(delivery.pk),
            "X-Equitext-Signature": webhook_sign(delivery.webhook.secret, body),
        },
    )
    code, text, error = None, "", ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)
            code, text = response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        code, text = exc.code, exc.read(2000).decode(errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    delivered = code is not None and 200 <= code < 300
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_response = (text or error)[:2000]
    delivery.log = [*delivery.log, {"at": timezone.now().isoformat(), "status_code": code, "error": error}]
    if delivered:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    if delivered:
        return True
    return None if delivery.status == WebhookDelivery.Status.FAILED else False
