"""Quality control of raters: study settings, gold and practice items, per-rater figures (the raters
page), flags, and the raters that results leave out when asked to.

Rules (README "Quality control" says the same in prose):

- Gold items are study items with known expected answers for chosen rubric questions. They have no
  quota slots; the engine mixes them into each rater's queue at `study.gold_rate` (assignment.py). A
  rater's gold accuracy is the share of expected answers they matched (one check per expected question
  of each gold item answered).
- Flags (`RaterFlag`), per rater and study, computed from the rater's submissions on regular and gold
  items (never practice): gold accuracy below `study.gold_min_accuracy` once they have answered
  `study.gold_min_answers` gold items; at least `study.fast_flag_count` submissions faster than the
  rubric's `min_seconds`; a run of `study.identical_run_length` identical responses in a row (free-text
  answers ignored). A curator resolves a flag; a flag whose evidence no longer holds resolves itself,
  with a note. After a resolution only newer submissions can raise the same kind of flag again.
- Flags never remove a rater: results and agreement are read with or without raters holding open
  flags (`exclusion_for`), and every page says who was left out and why.
"""

import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Aggregate, Count, FloatField, Max, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from apps.core.services import audit_record
from apps.reviews.models import (
    Assignment,
    GoldStandard,
    ItemSlot,
    RaterFlag,
    Rating,
    Rubric,
    Study,
    StudyItem,
)
from apps.reviews.rubric import RubricError, answers_validate

# --- study settings ---

QUALITY_FIELDS = (
    "gold_rate",
    "gold_min_accuracy",
    "gold_min_answers",
    "fast_flag_count",
    "identical_run_length",
    "adjudication_question",
    "adjudication_rule",
)
ADJUDICATION_RULES = ("any", "no_majority")


def _number(value, cast, low, high, message, errors, name):
    try:
        number = cast(value)
    except (TypeError, ValueError):
        errors[name] = [message]
        return None
    if isinstance(value, bool) or not low <= number <= high or (cast is int and number != float(value)):
        errors[name] = [message]
        return None
    return number


@transaction.atomic
def study_quality_set(*, study: Study, actor, **settings) -> Study:
    """Change the study's quality-control settings (any of QUALITY_FIELDS); validates all first."""
    study = Study.objects.select_for_update().select_related("rubric").get(pk=study.pk)
    unknown = set(settings) - set(QUALITY_FIELDS)
    if unknown:
        raise ValidationError({key: ["Not a quality-control setting."] for key in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned = {}
    checks = {
        "gold_rate": (
            float,
            0,
            0.5,
            "The gold rate is a share from 0 to 0.5 (e.g. 0.1 for one item in ten).",
        ),
        "gold_min_accuracy": (float, 0, 1, "The gold accuracy threshold is a share from 0 to 1 (e.g. 0.7)."),
        "gold_min_answers": (int, 1, 1000, "Gold answers before flagging: a whole number from 1 to 1000."),
        "fast_flag_count": (int, 0, 1000, "Fast submissions before flagging: a whole number, 0 to turn off."),
        "identical_run_length": (
            int,
            0,
            1000,
            "Identical answers in a row before flagging: a whole number from 2, or 0 to turn off.",
        ),
    }
    for name, (cast, low, high, message) in checks.items():
        if name in settings:
            number = _number(settings[name], cast, low, high, message, errors, name)
            if name == "identical_run_length" and number == 1:
                errors[name] = [message]
            elif number is not None:
                cleaned[name] = number
    if "adjudication_question" in settings:
        key = (settings["adjudication_question"] or "").strip()
        questions = {q["key"]: q for q in study.rubric.questions}
        if key and key not in questions:
            errors["adjudication_question"] = [
                f'The rubric has no question "{key}"; choose one of {", ".join(questions)} (or none).'
            ]
        elif key and questions[key]["type"] == "text":
            errors["adjudication_question"] = [f'"{key}" is free text; choose a choice or scale question.']
        else:
            cleaned["adjudication_question"] = key
    if "adjudication_rule" in settings:
        if settings["adjudication_rule"] not in ADJUDICATION_RULES:
            errors["adjudication_rule"] = [f"The rule is one of {', '.join(ADJUDICATION_RULES)}."]
        else:
            cleaned["adjudication_rule"] = settings["adjudication_rule"]
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(study, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(study, name, value)
        study.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="study.quality", obj=study, details=changed)
    return study


@transaction.atomic
def rubric_min_seconds_set(*, rubric: Rubric, min_seconds, actor) -> Rubric:
    """Set the rubric's minimum seconds per item (a quality setting: no new version)."""
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, int) or not 0 <= min_seconds <= 3600:
        raise ValidationError({"min_seconds": ["Minimum seconds per item: a whole number from 0 to 3600."]})
    if rubric.min_seconds != min_seconds:
        previous = rubric.min_seconds
        Rubric.objects.filter(pk=rubric.pk).update(min_seconds=min_seconds)
        rubric.min_seconds = min_seconds
        audit_record(
            actor=actor,
            action="rubric.min_seconds",
            obj=rubric,
            details={"previous": previous, "min_seconds": min_seconds},
        )
    return rubric


# --- gold and practice items ---


def gold_expected_validate(rubric: Rubric, expected) -> dict:
    """Expected answers normalised to {key: [acceptable values]} (single, scale) or {key: [options]}
    (multiple choice: the exact set to tick). Raises ValidationError keyed "expected"."""
    questions = {q["key"]: q for q in rubric.questions}
    if not isinstance(expected, dict) or not expected:
        raise ValidationError(
            {"expected": ['Give the expected answer for at least one question, e.g. {"bias": "none"}.']}
        )
    problems, cleaned = [], {}
    for key, value in expected.items():
        question = questions.get(key)
        if question is None:
            problems.append(f"{key}: the rubric has no such question; choose from {', '.join(questions)}.")
            continue
        if question["type"] == "text":
            problems.append(f"{key}: free-text answers cannot be checked; choose a choice or scale question.")
            continue
        try:
            if question["type"] == "multi":
                cleaned[key] = answers_validate(rubric.definition, {key: value})[key]
            else:
                values = value if isinstance(value, list) else [value]
                accepted = [answers_validate(rubric.definition, {key: v})[key] for v in values]
                if not accepted:
                    raise RubricError({key: ["Give at least one acceptable answer."]})
                cleaned[key] = list(dict.fromkeys(accepted))
        except RubricError as exc:
            problems.extend(f"{k}: {m}" for k, msgs in exc.errors.items() for m in msgs)
    if problems:
        raise ValidationError({"expected": problems})
    return cleaned


def gold_checks(rubric: Rubric, expected: dict, response: dict) -> tuple[int, int]:
    """(matched, checked) expected answers of one gold item in one response."""
    questions = {q["key"]: q for q in rubric.questions}
    matched = 0
    for key, wanted in expected.items():
        answer = response.get(key)
        if questions.get(key, {}).get("type") == "multi":
            matched += sorted(answer or []) == sorted(wanted)
        else:
            matched += answer in wanted
    return matched, len(expected)


def _slots_add(study: Study, item: StudyItem) -> None:
    """Quota slots for an item that becomes regular in a launched study."""
    rng = random.Random(f"{study.seed}:slots:{item.pk}")
    ItemSlot.objects.bulk_create(
        ItemSlot(study=study, item=item, group_id=q.group_id, quota=q.quota, rank=rng.getrandbits(62))
        for q in study.quotas.all()
    )


@transaction.atomic
def item_role_set(*, item: StudyItem, role: str, actor, expected=None) -> StudyItem:
    """Make an item regular, gold (with `expected` answers) or practice; returns it.

    An item's role changes only while nobody has been given it (no assignment in any status) and the
    study is open: its quota slots are removed (gold, practice) or created (regular, once launched).
    The expected answers of a gold item can be edited at any time; every change is audited.
    """
    item = StudyItem.objects.select_for_update().select_related("study__rubric").get(pk=item.pk)
    study = item.study
    if role not in StudyItem.Role.values:
        raise ValidationError({"role": [f"The role is one of {', '.join(StudyItem.Role.values)}."]})
    cleaned = gold_expected_validate(study.rubric, expected) if role == StudyItem.Role.GOLD else None
    previous_gold = GoldStandard.objects.filter(item=item).first()
    if role != item.role:
        if study.status == Study.Status.CLOSED:
            raise ValidationError({"role": [f'The study "{study.name}" is closed.']})
        if Assignment.objects.filter(item=item).exists():
            raise ValidationError(
                {
                    "role": [
                        f"Item {item.position} has already been given to raters; only items nobody has "
                        "seen can become gold, practice or regular."
                    ]
                }
            )
        if item.role == StudyItem.Role.REGULAR:
            ItemSlot.objects.filter(item=item).delete()  # no assignment, so nothing was taken
        elif role == StudyItem.Role.REGULAR and study.slots.exists():
            _slots_add(study, item)
        item.role = role
        item.save(update_fields=["role"])
    if role == StudyItem.Role.GOLD:
        if previous_gold is None or previous_gold.expected != cleaned:
            GoldStandard.objects.update_or_create(
                item=item, defaults={"expected": cleaned, "updated_by": actor}
            )
            audit_record(
                actor=actor,
                action="gold.set",
                obj=item,
                details={
                    "study": study.pk,
                    "item": item.pk,
                    "expected": cleaned,
                    "previous": previous_gold.expected if previous_gold else None,
                },
            )
    elif previous_gold is not None:
        previous_gold.delete()
        audit_record(
            actor=actor,
            action="gold.unset",
            obj=item,
            details={"study": study.pk, "item": item.pk, "previous": previous_gold.expected, "role": role},
        )
    elif role == StudyItem.Role.PRACTICE:
        audit_record(actor=actor, action="item.practice", obj=item, details={"study": study.pk})
    return item


def gold_items(study: Study):
    """The study's gold items with their expected answers, in study order."""
    return (
        StudyItem.objects.filter(study=study, role=StudyItem.Role.GOLD)
        .select_related("gold")
        .order_by("position")
    )


def _gold_answers(study_filter: Q) -> list[tuple[int, int, Rubric, dict, dict, object]]:
    """(study id, rater id, rubric, expected, response, submitted_at) of current ratings of gold items."""
    rows = (
        Rating.objects.filter(study_filter, is_current=True, assignment__item__role=StudyItem.Role.GOLD)
        .filter(assignment__item__gold__isnull=False)
        .values_list(
            "assignment__study_id",
            "assignment__rater_id",
            "assignment__study__rubric_id",
            "assignment__item__gold__expected",
            "response",
            "assignment__submitted_at",
        )
    )
    rubrics = {}
    out = []
    for study_id, rater_id, rubric_id, expected, response, submitted_at in rows:
        if rubric_id not in rubrics:
            rubrics[rubric_id] = Rubric.objects.get(pk=rubric_id)
        out.append((study_id, rater_id, rubrics[rubric_id], expected, response, submitted_at))
    return out


# --- per-rater figures (the raters page) ---


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class RaterFigures:
    submitted: int = 0
    median_seconds: float | None = None
    studies: list[str] = field(default_factory=list)
    gold_matched: int = 0
    gold_checked: int = 0
    gold_items: int = 0
    agree: int = 0
    agree_n: int = 0
    open_flags: list[str] = field(default_factory=list)

    @property
    def gold_accuracy(self) -> float | None:
        return round(self.gold_matched / self.gold_checked, 3) if self.gold_checked else None

    @property
    def group_agreement(self) -> float | None:
        return round(self.agree / self.agree_n, 3) if self.agree_n else None


def primary_question(study: Study) -> dict | None:
    """The question that rater-vs-group agreement is read on: the adjudication question if set, else the
    rubric's first single-choice or scale question."""
    questions = study.rubric.questions
    if study.adjudication_question:
        for question in questions:
            if question["key"] == study.adjudication_question:
                return question
    return next((q for q in questions if q["type"] in ("single", "scale")), None)


def _majority(values: list) -> object | None:
    """The value most of `values` share, or None on a tie."""
    counts = Counter(values).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def _agreement_with_group(study: Study, figures: dict[int, RaterFigures]) -> None:
    """Per rater: items where their answer to the primary question equals the majority answer of the
    other raters of their group on that item (ties among the others leave the item out)."""
    question = primary_question(study)
    if question is None:
        return
    rows = (
        Rating.objects.filter(
            assignment__study=study, is_current=True, assignment__item__role=StudyItem.Role.REGULAR
        )
        .annotate(answer=KT(f"response__{question['key']}"))
        .filter(answer__isnull=False)
        .values_list("assignment__item_id", "assignment__group_id", "assignment__rater_id", "answer")
    )
    buckets = defaultdict(list)
    for item_id, group_id, rater_id, answer in rows:
        buckets[(item_id, group_id)].append((rater_id, answer))
    for entries in buckets.values():
        if len(entries) < 2:
            continue
        for index, (rater_id, answer) in enumerate(entries):
            if rater_id not in figures:
                continue
            majority = _majority([a for i, (_, a) in enumerate(entries) if i != index])
            if majority is None:
                continue
            figures[rater_id].agree_n += 1
            figures[rater_id].agree += answer == majority


def rater_figures(*, user_ids: list[int], study: Study | None = None) -> dict[int, RaterFigures]:
    """Submitted ratings, median seconds per item, studies, gold accuracy, agreement with their group and
    open flags of each rater (user id), over every study or one."""
    figures = {pk: RaterFigures() for pk in user_ids}
    scope = Q(rater_id__in=user_ids) & ~Q(item__role=StudyItem.Role.PRACTICE)
    if study is not None:
        scope &= Q(study=study)
    submitted = Assignment.objects.filter(scope, status=Assignment.Status.SUBMITTED)
    for row in submitted.values("rater_id").annotate(
        n=Count("id", filter=Q(item__role=StudyItem.Role.REGULAR)), median=Median("time_spent_ms")
    ):
        figures[row["rater_id"]].submitted = row["n"]
        if row["median"] is not None:
            figures[row["rater_id"]].median_seconds = round(row["median"] / 1000, 1)
    for rater_id, name in (
        Assignment.objects.filter(scope)
        .values_list("rater_id", "study__name")
        .distinct()
        .order_by("study__name")
    ):
        figures[rater_id].studies.append(name)
    gold_scope = Q(assignment__rater_id__in=user_ids)
    if study is not None:
        gold_scope &= Q(assignment__study=study)
    for _, rater_id, rubric, expected, response, _ in _gold_answers(gold_scope):
        matched, checked = gold_checks(rubric, expected, response)
        figures[rater_id].gold_matched += matched
        figures[rater_id].gold_checked += checked
        figures[rater_id].gold_items += 1
    studies = (
        [study]
        if study is not None
        else Study.objects.filter(assignments__rater_id__in=user_ids).distinct().select_related("rubric")
    )
    for each in studies:
        _agreement_with_group(each, figures)
    flags = RaterFlag.objects.filter(rater_id__in=user_ids, resolved_at__isnull=True)
    if study is not None:
        flags = flags.filter(study=study)
    for flag in flags.select_related("study").order_by("study__name", "kind"):
        figures[flag.rater_id].open_flags.append(f"{flag.study.name}: {flag_reason(flag)}")
    return figures


# --- flags ---


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


# --- results with and without flagged raters ---


@dataclass
class Exclusion:
    """Who results leave out (`ids`, empty unless `active`) and, either way, who is flagged and why."""

    active: bool
    flagged: list[dict]  # {"rater_id", "rater", "group", "reasons": [...]}

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(r["rater_id"] for r in self.flagged) if self.active else frozenset()

    @property
    def excluded(self) -> list[dict]:
        return self.flagged if self.active else []

    def as_dict(self) -> dict:
        flagged = [{k: v for k, v in r.items() if k != "rater_id"} for r in self.flagged]
        return {
            "exclude_flagged": self.active,
            "excluded_raters": flagged if self.active else [],
            "flagged_raters": flagged,
        }


def exclusion_for(study: Study, *, exclude_flagged: bool) -> Exclusion:
    """Refresh the study's flags and say which raters hold open flags (and why); with
    `exclude_flagged` they are the raters results leave out."""
    flags_refresh(study=study)
    by_rater: dict[int, dict] = {}
    for flag in flags_for_study(study).order_by("rater__username", "kind"):
        profile = getattr(flag.rater, "rater_profile", None)
        entry = by_rater.setdefault(
            flag.rater_id,
            {
                "rater_id": flag.rater_id,
                "rater": flag.rater.username,
                "group": profile.group.name if profile else "",
                "reasons": [],
            },
        )
        entry["reasons"].append(flag_reason(flag))
    return Exclusion(active=exclude_flagged, flagged=list(by_rater.values()))


def truthy(value) -> bool:
    """A query parameter's yes: 1, true, yes, on."""
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


__all__ = [
    "Exclusion",
    "exclusion_for",
    "flag_resolve",
    "flags_refresh",
    "item_role_set",
    "rater_figures",
    "study_quality_set",
]
