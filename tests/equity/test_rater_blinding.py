"""Raters never see producer labels: not on any page or API response they can open, and not through the
rater-facing answer shape the reviews app uses."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.equity.api import RaterAnswerSerializer
from apps.equity.models import Answer, CounterfactualPair, Producer
from apps.equity.selectors import answer_for_rater

pytestmark = pytest.mark.django_db

SKIP = ("logout",)  # POST-only, ends the session


def _no_argument_urls(resolver=None, prefix=""):
    """Every URL of the project that takes no argument."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            yield from _no_argument_urls(pattern, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            try:
                yield reverse(f"{prefix}{pattern.name}")
            except Exception:  # noqa: BLE001 (a pattern with required kwargs or a format suffix)
                continue


def _labels() -> list[str]:
    # Names and full labels; a bare revision ("v2.1") could match unrelated text on another app's page.
    return sorted({label for p in Producer.objects.all() for label in (p.name, p.label)})


def test_no_page_or_api_response_a_rater_can_open_names_a_producer(client, rater_physician, demo):
    answer = Answer.objects.first()
    pair = CounterfactualPair.objects.first()
    urls = set(_no_argument_urls()) | {
        reverse("equity:question_detail", args=[answer.question_id]),
        reverse("equity:pair_detail", args=[pair.pk]),
        reverse("equity:set_detail", args=[answer.question.question_set.slug]),
        f"/api/v1/answers/{answer.pk}/",
        f"/api/v1/questions/{answer.question_id}/",
        f"/api/v1/counterfactual-pairs/{pair.pk}/",
    }
    urls = {u for u in urls if not any(s in u for s in SKIP) and not u.startswith("/admin/")}
    labels = _labels()
    assert {"demo-model-a", "demo-model-b"} <= set(labels)
    client.force_login(rater_physician)
    client.raise_request_exception = False  # another app's half-built page must not hide a leak here

    checked = 0
    for url in sorted(urls):
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content).decode(errors="replace")
        else:
            body = response.content.decode(errors="replace")
        leaked = [label for label in labels if label in body]
        assert not leaked, f"{url} shows {leaked} to a rater"
        checked += 1
        if url.startswith(("/equity/", "/api/v1/question", "/api/v1/answers", "/api/v1/counterfactual")):
            assert response.status_code == 403, url
    assert checked > 10


def test_the_rater_facing_answer_carries_no_producer(demo):
    answer = Answer.objects.select_related("producer", "question").first()

    shown = answer_for_rater(answer)
    serialized = RaterAnswerSerializer(answer).data

    assert set(shown) == {"id", "question_id", "question", "text"}
    assert dict(serialized) == shown
    assert answer.producer.name not in repr(shown)
