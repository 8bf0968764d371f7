"""Webhook services: emit events, sign bodies, deliver with retries (the retry loop lives in the Celery task).

Signature: `X-Equitext-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, raw request body). A receiver
recomputes it over the bytes it received and compares in constant time.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.core.models import Webhook, WebhookDelivery
from apps.core.services import audit_record

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10


def webhook_sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@transaction.atomic
def webhook_create(*, owner, url: str, events: list[str]) -> Webhook:
    unknown = sorted(set(events) - set(Webhook.Event.values))
    if not events or unknown:
        known = ", ".join(Webhook.Event.values)
        raise ValidationError({"events": f"Choose one or more of {known}; unknown: {', '.join(unknown)}."})
    if not url.startswith(("http://", "https://")):
        raise ValidationError({"url": "The address must start with http:// or https://."})
    hook = Webhook.objects.create(
        owner=owner, url=url, events=sorted(set(events)), secret=secrets.token_hex(32)
    )
    audit_record(actor=owner, action="webhook.create", obj=hook, details={"url": url, "events": hook.events})
    return hook


def webhook_emit(*, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record a delivery for every active webhook subscribed to `event`; each is sent after commit."""
    deliveries = [
        WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        for hook in Webhook.objects.filter(active=True, events__contains=[event])
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _send(pk))
    return deliveries


def _send(delivery_id: int) -> None:
    from workers.celery import app

    app.send_task("equitext.core.deliver_webhook", args=[delivery_id])


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
