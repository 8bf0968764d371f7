"""Adjudication: items whose ratings disagree go to a queue; an adjudicator (a curator) reads every
rating side by side under pseudonymous rater ids and records the final label with a reason.

The rule is per study: `adjudication_question` (a choice or scale question of the rubric; empty turns
adjudication off) and `adjudication_rule` — `any`: the item's current ratings do not all give the same
answer; `no_majority`: no answer was given by more than half of them. Only regular items count (never
gold or practice), with at least two ratings that answered the question. An adjudicated item leaves the
queue; it comes back when its ratings change afterwards (a new rating or a correction), and a new
decision is stored as the next version — the earlier ones stay, with the ratings they were based on.

`adjudications_by_item(study)` is the selector exports join: item id → the current label with its
provenance (adjudicator, time, reason, rule, the rating ids and versions it was decided on).
"""

import hashlib
import hmac
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.services import audit_record
from apps.reviews.models import Adjudication, RaterFlag, Rating, Study, StudyItem
from apps.reviews.rubric import RubricError, answers_validate


def pseudonym(study: Study, rater_id: int) -> str:
    """A stable id for a rater within one study that does not reveal who they are ("R-3f9a2c")."""
    key = f"{settings.SECRET_KEY}:adjudication:{study.pk}:{study.seed}".encode()
    return "R-" + hmac.new(key, str(rater_id).encode(), hashlib.sha256).hexdigest()[:6]


def rule_of(study: Study) -> dict | None:
    """The study's adjudication rule, or None when adjudication is off."""
    if not study.adjudication_question:
        return None
    return {"question": study.adjudication_question, "rule": study.adjudication_rule}


def _comparable(value):
    return tuple(value) if isinstance(value, list) else value


def disagrees(values: list, rule: str) -> bool:
    """Whether these answers (one per rating, two or more) send the item to adjudication."""
    if len(values) < 2:
        return False
    values = [_comparable(v) for v in values]
    if rule == "no_majority":
        return Counter(values).most_common(1)[0][1] * 2 <= len(values)
    return len(set(values)) > 1


@dataclass
class RatingView:
    rating_id: int
    version: int
    pseudonym: str
    group: str
    response: dict
    flagged: bool
    submitted_at: object


@dataclass
class QueueItem:
    item: StudyItem
    ratings: list[RatingView] = field(default_factory=list)
    current: Adjudication | None = None
    reopened: bool = False  # adjudicated before, but its ratings changed since
    question: str = ""

    @property
    def rule_answers(self) -> list[tuple[str, str]]:
        """(pseudonym, answer to the rule's question) per rating, for display."""
        return [(r.pseudonym, display(r.response.get(self.question))) for r in self.ratings]

    def grid(self, questions: list[dict]) -> list[dict]:
        """One row per question: {"question", "cells": [answer per rating]}, for display."""
        return [
            {"question": q, "cells": [display(r.response.get(q["key"])) for r in self.ratings]}
            for q in questions
        ]


def display(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _ratings_by_item(study: Study, item_ids=None) -> dict[int, list[RatingView]]:
    flagged = set(
        RaterFlag.objects.filter(study=study, resolved_at__isnull=True).values_list("rater_id", flat=True)
    )
    ratings = Rating.objects.filter(
        assignment__study=study, is_current=True, assignment__item__role=StudyItem.Role.REGULAR
    )
    if item_ids is not None:
        ratings = ratings.filter(assignment__item_id__in=item_ids)
    by_item = defaultdict(list)
    for rating_id, version, item_id, rater_id, group, response, submitted_at in ratings.values_list(
        "id",
        "version",
        "assignment__item_id",
        "assignment__rater_id",
        "assignment__group__name",
        "response",
        "submitted_at",
    ).order_by("assignment__item_id", "assignment_id"):
        by_item[item_id].append(
            RatingView(
                rating_id,
                version,
                pseudonym(study, rater_id),
                group,
                response,
                rater_id in flagged,
                submitted_at,
            )
        )
    return by_item


def _snapshot_ids(adjudication: Adjudication) -> set[int]:
    return {entry["rating"] for entry in adjudication.ratings}


def adjudication_queue(study: Study, *, include_done: bool = False) -> list[QueueItem]:
    """Items the rule sends to adjudication that have no current decision (or whose ratings changed since
    it), in study order; with `include_done`, adjudicated ones too."""
    rule = rule_of(study)
    if rule is None:
        return []
    key = rule["question"]
    by_item = _ratings_by_item(study)
    current = {a.item_id: a for a in Adjudication.objects.filter(study=study, is_current=True)}
    disputed = []
    for item_id, ratings in by_item.items():
        answered = [r for r in ratings if key in r.response]
        if not disagrees([r.response[key] for r in answered], rule["rule"]):
            continue
        decision = current.get(item_id)
        reopened = decision is not None and _snapshot_ids(decision) != {r.rating_id for r in ratings}
        if decision is not None and not reopened and not include_done:
            continue
        disputed.append((item_id, ratings, decision, reopened))
    items = StudyItem.objects.in_bulk([item_id for item_id, *_ in disputed])
    queue = [
        QueueItem(item=items[item_id], ratings=ratings, current=decision, reopened=reopened, question=key)
        for item_id, ratings, decision, reopened in disputed
    ]
    return sorted(queue, key=lambda entry: entry.item.position)


def queue_item(study: Study, item: StudyItem) -> QueueItem:
    """One item with all its current ratings side by side (whether or not the rule holds now)."""
    ratings = _ratings_by_item(study, [item.pk]).get(item.pk, [])
    current = Adjudication.objects.filter(item=item, is_current=True).first()
    reopened = current is not None and _snapshot_ids(current) != {r.rating_id for r in ratings}
    rule = rule_of(study)
    return QueueItem(
        item=item,
        ratings=ratings,
        current=current,
        reopened=reopened,
        question=rule["question"] if rule else "",
    )


@transaction.atomic
def adjudication_record(*, study: Study, item: StudyItem, label, reason: str, actor) -> Adjudication:
    """Record the final label of a disputed item; returns it (the next version if decided before).

    The label must answer the rule's question (other rubric questions are optional) with valid answers;
    the item must belong to the study and have ratings. Stores the ratings it was decided on.
    """
    study = Study.objects.select_for_update().select_related("rubric").get(pk=study.pk)
    errors: dict[str, list[str]] = {}
    if item.study_id != study.pk or item.role != StudyItem.Role.REGULAR:
        raise ValidationError({"item": ["No such item among this study's rated items."]})
    rule = rule_of(study)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why this is the final label."]
    cleaned = {}
    try:
        cleaned = answers_validate(study.rubric.definition, label)
    except RubricError as exc:
        errors["label"] = [f"{key}: {msg}" for key, msgs in exc.errors.items() for msg in msgs]
    if rule and "label" not in errors and rule["question"] not in cleaned:
        errors["label"] = [
            f'The label must answer "{rule["question"]}", the question this study adjudicates.'
        ]
    ratings = _ratings_by_item(study, [item.pk]).get(item.pk, [])
    if not ratings:
        errors["item"] = ["This item has no ratings to adjudicate."]
    if errors:
        raise ValidationError(errors)
    previous = Adjudication.objects.select_for_update().filter(item=item, is_current=True).first()
    if previous is not None:
        Adjudication.objects.filter(pk=previous.pk).update(is_current=False)
    adjudication = Adjudication.objects.create(
        study=study,
        item=item,
        version=previous.version + 1 if previous else 1,
        label=cleaned,
        reason=reason[:5000],
        rule=rule or {},
        ratings=[
            {
                "rating": r.rating_id,
                "version": r.version,
                "rater": r.pseudonym,
                "group": r.group,
                "response": r.response,
            }
            for r in ratings
        ],
        adjudicator=actor,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="adjudication.record",
        obj=adjudication,
        details={
            "study": study.pk,
            "item": item.pk,
            "label": cleaned,
            "reason": adjudication.reason,
            "previous": previous.label if previous else None,
        },
    )
    return adjudication


def adjudications_by_item(study: Study) -> dict[int, dict]:
    """Item id → the current adjudicated label with its provenance, for exports to join with the raw
    ratings: {"label", "reason", "adjudicator", "adjudicated_at", "version", "rule", "ratings":
    [{"rating", "version", "rater" (pseudonym), "group", "response"}]}."""
    return {
        a.item_id: {
            "label": a.label,
            "reason": a.reason,
            "adjudicator": a.adjudicator.username,
            "adjudicated_at": a.created_at.isoformat(),
            "version": a.version,
            "rule": a.rule,
            "ratings": a.ratings,
        }
        for a in Adjudication.objects.filter(study=study, is_current=True).select_related("adjudicator")
    }
