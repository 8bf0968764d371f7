"""Rater flags (`RaterFlag`), per rater and study, computed from the rater's submissions on regular and
gold items (never practice):

- gold accuracy below `study.gold_min_accuracy` once they have answered `study.gold_min_answers` gold
  items;
- at least `study.fast_flag_count` submissions faster than the rubric's `min_seconds`;
- a run of `study.identical_run_length` identical responses in a row (free-text answers ignored).

A curator resolves a flag; a flag whose evidence no longer holds resolves itself, with a note. After a
resolution only newer submissions can raise the same kind of flag again. Flags never remove a rater:
results are read with or without raters holding open flags (exclusion.py).
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from apps.core.services import audit_record
from apps.reviews.models import GoldStandard, RaterFlag, Rating, Study, StudyItem
from apps.reviews.quality.gold import gold_checks
from apps.reviews.quality.settings import QUALITY_FIELDS


def flag_reason(flag: RaterFlag) -> str:
    """One line a curator can read: what was found, with its numbers."""
    d = flag.details
    if flag.kind == RaterFlag.Kind.GOLD_ACCURACY:
        return (
            f"gold accuracy {d.get('accuracy', 0):.0%} on {d.get('gold_items')} gold items "
            f"(threshold {d.get('threshold', 0):.0%})"
        )
    if flag.kind == RaterFlag.Kind.TOO_FAST:
        return (
            f"{d.get('fast')} of {d.get('submitted')} submissions faster than {d.get('min_seconds')} s "
            f"(fastest {d.get('fastest_seconds')} s)"
        )
    return f"{d.get('length')} identical responses in a row ({d.get('response')})"


@dataclass
class _Submission:
    rater_id: int
    item_role: str
    item_id: int
    time_spent_ms: int
    submitted_at: object
    response: dict
    expected: dict | None


def _submissions(study: Study) -> dict[int, list[_Submission]]:
    rows = (
        Rating.objects.filter(assignment__study=study, is_current=True)
        .exclude(assignment__item__role=StudyItem.Role.PRACTICE)
        .values_list(
            "assignment__rater_id",
            "assignment__item__role",
            "assignment__item_id",
            "assignment__time_spent_ms",
            "assignment__submitted_at",
            "response",
            "assignment__item__gold__expected",
        )
        .order_by("assignment__submitted_at", "assignment_id")
    )
    by_rater = defaultdict(list)
    for row in rows:
        by_rater[row[0]].append(_Submission(*row))
    return by_rater


def _evidence(study: Study, kind: str, subs: list[_Submission]) -> dict | None:
    """The flag's details when `subs` (the rater's submissions, oldest first) warrant it, else None."""
    if kind == RaterFlag.Kind.GOLD_ACCURACY:
        gold = [s for s in subs if s.item_role == StudyItem.Role.GOLD and s.expected]
        if not gold or len(gold) < study.gold_min_answers:
            return None
        matched = checked = 0
        for s in gold:
            m, c = gold_checks(study.rubric, s.expected, s.response)
            matched, checked = matched + m, checked + c
        accuracy = matched / checked if checked else 1.0
        if accuracy >= study.gold_min_accuracy:
            return None
        return {
            "accuracy": round(accuracy, 3),
            "matched": matched,
            "checked": checked,
            "gold_items": len(gold),
            "threshold": study.gold_min_accuracy,
        }
    if kind == RaterFlag.Kind.TOO_FAST:
        limit = study.rubric.min_seconds * 1000
        if not limit or not study.fast_flag_count:
            return None
        fast = [s for s in subs if s.time_spent_ms < limit]
        if len(fast) < study.fast_flag_count:
            return None
        return {
            "fast": len(fast),
            "submitted": len(subs),
            "min_seconds": study.rubric.min_seconds,
            "fastest_seconds": round(min(s.time_spent_ms for s in fast) / 1000, 1),
            "items": [s.item_id for s in fast[:50]],
        }
    if not study.identical_run_length:
        return None
    text_keys = {q["key"] for q in study.rubric.questions if q["type"] == "text"}
    best, run, last, best_response, best_items, items = 0, 0, None, None, [], []
    for s in subs:
        comparable = {k: v for k, v in s.response.items() if k not in text_keys}
        if comparable == last:
            run += 1
            items.append(s.item_id)
        else:
            run, last, items = 1, comparable, [s.item_id]
        if run > best:
            best, best_response, best_items = run, comparable, list(items)
    if best < study.identical_run_length:
        return None
    return {"length": best, "response": best_response, "items": best_items[:50]}


def _state_key(study: Study) -> str:
    ratings = Rating.objects.filter(assignment__study=study).aggregate(n=Count("id"), last=Max("id"))
    gold = GoldStandard.objects.filter(item__study=study).aggregate(n=Count("id"), last=Max("updated_at"))
    resolved = RaterFlag.objects.filter(study=study, resolved_at__isnull=False).aggregate(n=Count("id"))
    settings = [getattr(study, name) for name in QUALITY_FIELDS] + [study.rubric.min_seconds]
    raw = f"{ratings}|{gold}|{resolved}|{settings}"
    return f"reviews:flags:{study.pk}:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def flags_refresh(*, study: Study, force: bool = False) -> dict:
    """Raise the flags the study's submissions warrant, refresh the evidence of open ones and resolve
    (with a note) open ones whose evidence no longer holds. Idempotent; skipped when nothing it reads
    changed since the last run. Returns {"created": n, "resolved": n}."""
    study = Study.objects.select_related("rubric").get(pk=study.pk)
    key = _state_key(study)
    if not force and cache.get(key):
        return {"created": 0, "resolved": 0}
    outcome = _flags_refresh(study)
    cache.set(key, True, timeout=3600)
    return outcome


def flags_refresh_all(*, study: Study | None = None) -> None:
    """Refresh the flags of one study, or of every launched study (each skipped when unchanged)."""
    studies = [study] if study is not None else Study.objects.exclude(status=Study.Status.DRAFT)
    for each in studies:
        flags_refresh(study=each)


@transaction.atomic
def _flags_refresh(study: Study) -> dict:
    Study.objects.select_for_update().filter(pk=study.pk).first()  # one refresh per study at a time
    now = timezone.now()
    by_rater = _submissions(study)
    open_flags = {(f.rater_id, f.kind): f for f in RaterFlag.objects.filter(study=study, resolved_at=None)}
    last_resolved = {
        (row["rater_id"], row["kind"]): row["last"]
        for row in RaterFlag.objects.filter(study=study, resolved_at__isnull=False)
        .values("rater_id", "kind")
        .annotate(last=Max("resolved_at"))
    }
    created = resolved = 0
    for rater_id in set(by_rater) | {rater for rater, _ in open_flags}:
        for kind in RaterFlag.Kind.values:
            since = last_resolved.get((rater_id, kind))
            subs = [s for s in by_rater.get(rater_id, []) if since is None or s.submitted_at > since]
            evidence = _evidence(study, kind, subs)
            flag = open_flags.get((rater_id, kind))
            if evidence is not None and flag is None:
                RaterFlag.objects.create(rater_id=rater_id, study=study, kind=kind, details=evidence)
                created += 1
            elif evidence is not None and flag.details != evidence:
                RaterFlag.objects.filter(pk=flag.pk).update(details=evidence)
            elif evidence is None and flag is not None:
                RaterFlag.objects.filter(pk=flag.pk).update(
                    resolved_at=now,
                    resolution="Resolved automatically: the evidence no longer holds "
                    "(a gold answer, setting or rating changed).",
                )
                resolved += 1
    return {"created": created, "resolved": resolved}


@transaction.atomic
def flag_resolve(*, flag: RaterFlag, actor, note: str) -> RaterFlag:
    """A curator has looked at the flag and decided; the rater counts again in results."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say what you found and decided."]})
    flag = RaterFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.resolved_at is not None:
        raise ValidationError({"flag": ["This flag is already resolved."]})
    flag.resolved_at, flag.resolved_by, flag.resolution = timezone.now(), actor, note[:500]
    flag.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit_record(
        actor=actor,
        action="flag.resolve",
        obj=flag,
        details={"rater": flag.rater_id, "study": flag.study_id, "kind": flag.kind, "note": flag.resolution},
    )
    return flag


def flags_for_study(study: Study, *, open_only: bool = True):
    flags = RaterFlag.objects.filter(study=study).select_related("rater__rater_profile__group", "resolved_by")
    return flags.filter(resolved_at__isnull=True) if open_only else flags
