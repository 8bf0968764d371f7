"""Writes that build and run a study: creation from a source (items in seeded order, quotas per rater
group), quotas of a draft, and the lifecycle (launch or resume, pause, close).

Every function validates before it writes and raises `django.core.exceptions.ValidationError` keyed by
the field to fix; nothing is written then. Callers reach these through `services` (re-exported there).
"""

import random
import secrets
from itertools import combinations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import RaterGroup
from apps.core.limits import text_problem
from apps.core.services import audit_record
from apps.equity.models import Answer, CounterfactualPair, Producer, QuestionSet
from apps.reviews.assignment import leases_expire
from apps.reviews.models import ItemSlot, Rubric, Study, StudyItem, StudyQuota

MAX_ITEMS = 200_000
MAX_PAIRWISE_PRODUCERS = 12  # 66 pairs: beyond that few items show each pair


def study_basics_clean(*, name, seed, lease_minutes, errors: dict) -> tuple[str, int | None]:
    """What every kind of study checks alike: a name, a seed (drawn when none is given) and the lease
    time. Problems go into `errors` by field; returns the stripped name and the seed."""
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the study a name."]
    if not isinstance(lease_minutes, int) or not 1 <= lease_minutes <= 24 * 60:
        errors["lease_minutes"] = ["The lease time is a whole number of minutes from 1 to 1440."]
    if seed is None:
        seed = secrets.randbelow(2**31)
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        # The seed is stored and used whole (results seed NumPy from the full integer), so refuse what
        # the database cannot hold rather than reduce it.
        errors["seed"] = [f"The seed is a whole number from 0 to {2**63 - 1:,} (2^63 − 1); got {seed!r}."]
    return name, seed


def quotas_validate(quotas, errors: dict) -> list[tuple[RaterGroup, int]]:
    """Rater group slug → quota, checked: the (group, quota) rows above 0; problems go into `errors`."""
    if not isinstance(quotas, dict) or not quotas:
        errors["quotas"] = ['Give at least one rater group with a quota, e.g. {"physician": 3}.']
        return []
    groups = {group.slug: group for group in RaterGroup.objects.filter(slug__in=list(quotas))}
    cleaned, problems = [], []
    for slug, quota in quotas.items():
        if slug not in groups:
            problems.append(f'No rater group "{slug}".')
            continue
        if isinstance(quota, str) and quota.strip().isdigit():
            quota = int(quota)
        if not isinstance(quota, int) or isinstance(quota, bool) or not 0 <= quota <= 50:
            problems.append(f"{slug}: the quota must be a whole number from 0 to 50.")
            continue
        if quota:
            cleaned.append((groups[slug], quota))
    if problems:
        errors["quotas"] = problems
    elif not cleaned:
        errors["quotas"] = ["At least one rater group needs a quota above 0."]
    return cleaned


def _first_answers(question_ids, producer) -> dict[int, Answer]:
    """The producer's earliest answer to each question."""
    answers = {}
    for answer in Answer.objects.filter(question_id__in=question_ids, producer=producer).order_by(
        "created_at", "id"
    ):
        answers.setdefault(answer.question_id, answer)
    return answers


def _producer(pk, field: str, errors: dict) -> Producer | None:
    producer = Producer.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if producer is None:
        errors.setdefault(field, []).append(f"No producer with id {pk!r}.")
    return producer


def _items_build(kind: str, source: dict, rng: random.Random, errors: dict) -> list[StudyItem]:
    """Unsaved items for the study's kind from `source`; records problems in `errors`."""
    if kind in (Rubric.Kind.COMPREHENSION, Rubric.Kind.INSTRUMENT):  # kinds with their own builder
        where = (
            "/reviews/comprehension/studies/new/"
            if kind == Rubric.Kind.COMPREHENSION
            else "/instruments/studies/new/"
        )
        errors["rubric"] = [f"{Rubric.Kind(kind).label} studies are created on their own page: {where}."]
        return []
    if kind == Rubric.Kind.SIMPLIFICATION:
        return _simplification_items(source, errors)
    question_set = QuestionSet.objects.filter(pk=source.get("question_set")).first()
    if question_set is None:
        errors["question_set"] = ["Choose a question set."]
        return []
    producer_ids = source.get("producers") or []
    if kind == Rubric.Kind.PAIRWISE:
        if len(producer_ids) < 2 or len(set(map(str, producer_ids))) != len(producer_ids):
            errors["producers"] = ["A pairwise study compares two or more different producers."]
            return []
        if len(producer_ids) > MAX_PAIRWISE_PRODUCERS:
            errors["producers"] = [f"A pairwise study compares at most {MAX_PAIRWISE_PRODUCERS} producers."]
            return []
    elif len(producer_ids) != 1:
        errors["producers"] = ["Choose exactly one producer (whose answers are rated)."]
        return []
    producers = [_producer(pk, "producers", errors) for pk in producer_ids]
    if "producers" in errors:
        return []
    items = []
    if kind == Rubric.Kind.COUNTERFACTUAL:
        pairs = list(CounterfactualPair.objects.filter(question_set=question_set).order_by("position", "id"))
        if not pairs:
            errors["question_set"] = [f'"{question_set}" has no counterfactual pairs.']
            return []
        question_ids = {q for pair in pairs for q in (pair.question_a_id, pair.question_b_id)}
        answers = _first_answers(question_ids, producers[0])
        for pair in pairs:
            if pair.question_a_id in answers and pair.question_b_id in answers:
                items.append(
                    StudyItem(
                        kind=kind,
                        pair=pair,
                        answer_a=answers[pair.question_a_id],
                        answer_b=answers[pair.question_b_id],
                    )
                )
        missing_what = "pairs with answers to both questions"
    elif kind == Rubric.Kind.PAIRWISE and len(producers) > 2:
        question_ids = list(question_set.questions.order_by("position", "id").values_list("id", flat=True))
        answer_sets = [_first_answers(question_ids, producer) for producer in producers]
        items = balanced_pairs(question_ids, answer_sets, rng)
        missing_what = "questions answered by at least two of the producers"
    else:
        question_ids = list(question_set.questions.order_by("position", "id").values_list("id", flat=True))
        answer_sets = [_first_answers(question_ids, producer) for producer in producers]
        for question_id in question_ids:
            if not all(question_id in answers for answers in answer_sets):
                continue
            if kind == Rubric.Kind.INDEPENDENT:
                items.append(StudyItem(kind=kind, answer_a=answer_sets[0][question_id]))
            else:
                first, second = answer_sets[0][question_id], answer_sets[1][question_id]
                swapped = rng.random() < 0.5
                items.append(
                    StudyItem(
                        kind=kind,
                        answer_a=second if swapped else first,
                        answer_b=first if swapped else second,
                        swapped=swapped,
                    )
                )
        missing_what = "questions answered by " + " and ".join(p.label for p in producers)
    if not items:
        errors["producers"] = [f'"{question_set}" has no {missing_what}.']
    return items


def balanced_pairs(question_ids: list[int], answer_sets: list[dict], rng: random.Random) -> list[StudyItem]:
    """Pairwise items over more than two producers: each question (in order) shows one pair of producers
    that both answered it — of those pairs, one shown least often so far (ties drawn with the study's
    seeded `rng`) — so every pair appears about equally often (counts differ by at most one when every
    producer answered every question). Sides are drawn as for two producers: `swapped` means the pair's
    producer listed first in the study is shown as Response B."""
    pairs = list(combinations(range(len(answer_sets)), 2))
    shown = dict.fromkeys(pairs, 0)
    items = []
    for question_id in question_ids:
        open_pairs = [
            p for p in pairs if question_id in answer_sets[p[0]] and question_id in answer_sets[p[1]]
        ]
        if not open_pairs:
            continue
        fewest = min(shown[p] for p in open_pairs)
        first_index, second_index = rng.choice([p for p in open_pairs if shown[p] == fewest])
        shown[(first_index, second_index)] += 1
        first, second = answer_sets[first_index][question_id], answer_sets[second_index][question_id]
        swapped = rng.random() < 0.5
        items.append(
            StudyItem(
                kind=Rubric.Kind.PAIRWISE,
                answer_a=second if swapped else first,
                answer_b=first if swapped else second,
                swapped=swapped,
            )
        )
    return items


def _simplification_items(source: dict, errors: dict) -> list[StudyItem]:
    """Items from model candidates ({"candidates": [ids]}: the candidate against its segment's original),
    corpus segments ({"segments": [ids]}: the human simplification against the original), or explicit
    texts ({"texts": [{"original", "candidate"}, …]})."""
    from apps.corpus.models import Segment
    from apps.scoring.models import Candidate

    kind = Rubric.Kind.SIMPLIFICATION
    items, problems = [], []
    if source.get("candidates"):
        ids = _ids(source["candidates"], "candidates", errors)
        found = {c.pk: c for c in Candidate.objects.select_related("segment").filter(pk__in=ids)}
        for pk in ids:
            candidate = found.get(pk)
            if candidate is None or not candidate.text.strip():
                problems.append(f"Candidate {pk}: not found, or it has no text.")
                continue
            items.append(
                StudyItem(
                    kind=kind,
                    segment=candidate.segment,
                    candidate=candidate,
                    original_text=candidate.segment.original,
                    candidate_text=candidate.text.strip(),
                )
            )
        if problems:
            errors["candidates"] = problems
        return items
    if source.get("segments"):
        ids = _ids(source["segments"], "segments", errors)
        found = Segment.objects.in_bulk(ids)
        for pk in ids:
            segment = found.get(pk)
            if segment is None or not segment.simplified.strip():
                problems.append(f"Segment {pk}: not found, or it has no simplified text.")
                continue
            items.append(
                StudyItem(
                    kind=kind,
                    segment=segment,
                    original_text=segment.original,
                    candidate_text=segment.simplified,
                )
            )
        if problems:
            errors["segments"] = problems
        return items
    texts = source.get("texts")
    if not isinstance(texts, list) or not texts:
        errors["texts"] = [
            'Give what to rate: "candidates" or "segments" (ids), or "texts" '
            '[{"original": …, "candidate": …}].'
        ]
        return []
    for row, entry in enumerate(texts, start=1):
        if not isinstance(entry, dict):
            problems.append(f"Item {row}: expected an object.")
            continue
        original = str(entry.get("original") or "").strip()
        candidate = str(entry.get("candidate") or "").strip()
        if not original or not candidate:
            problems.append(f"Item {row}: both original and candidate text are needed.")
            continue
        items.append(StudyItem(kind=kind, original_text=original, candidate_text=candidate))
    if problems:
        errors["texts"] = problems
    return items


def _ids(values, field: str, errors: dict) -> list[int]:
    if not isinstance(values, list) or not all(str(v).isdigit() for v in values):
        errors[field] = ["Give a list of ids."]
        return []
    return list(dict.fromkeys(int(v) for v in values))


@transaction.atomic
def _texts_validate(texts: dict, errors: dict) -> dict:
    """The study's free texts stripped, with a message per field that is too long (`apps.core.limits`).
    `texts` holds any of description, rater_title, rater_instructions."""
    limits = {
        "description": ("EQUITEXT_MAX_DESCRIPTION_CHARS", "The description"),
        "rater_instructions": ("EQUITEXT_MAX_INSTRUCTIONS_CHARS", "The instructions for raters"),
    }
    cleaned = {}
    for field, value in texts.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if not isinstance(value, str):
            errors[field] = ["Give text."]
            continue
        if field == "rater_title":
            problem = text_problem(len(value), limit=200, setting="a fixed limit", what="The rater title")
        else:
            setting, what = limits[field]
            problem = text_problem(len(value), limit=getattr(settings, setting), setting=setting, what=what)
        if problem:
            errors[field] = [problem]
        cleaned[field] = value
    return cleaned


@transaction.atomic
def study_create(
    *,
    name: str,
    rubric: Rubric,
    source: dict,
    quotas: dict,
    actor,
    blinding: str = Study.Blinding.RATERS,
    seed: int | None = None,
    lease_minutes: int = 30,
    description: str = "",
    rater_title: str = "",
    rater_instructions: str = "",
    limit: int | None = None,
) -> Study:
    """A draft study with its items in seeded random order and its quotas per rater group.

    `source` says where items come from: {"question_set": id, "producers": [id] (independent,
    counterfactual) or [id, id, …] (pairwise: two, or more in a balanced design)} for the EquityMedQA
    rubrics, {"texts": [...]} for simplification. `limit` keeps a seeded sample of items.
    `name` and `description` are internal; raters read `rater_title` (empty: "Study <id>") and
    `rater_instructions`.
    """
    errors: dict[str, list[str]] = {}
    name, seed = study_basics_clean(name=name, seed=seed, lease_minutes=lease_minutes, errors=errors)
    texts = _texts_validate(
        {"description": description, "rater_title": rater_title, "rater_instructions": rater_instructions},
        errors,
    )
    if hasattr(rubric, "next_version"):
        errors["rubric"] = [f"{rubric} has a newer version; use the latest one."]
    if blinding not in Study.Blinding.values:
        errors["blinding"] = [f"blinding must be one of {', '.join(Study.Blinding.values)}."]
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        errors["limit"] = ["The item limit is a positive whole number."]
    quota_rows = quotas_validate(quotas, errors)
    rng = random.Random(seed if isinstance(seed, int) else 0)
    items = _items_build(rubric.kind, source or {}, rng, errors)
    if limit and len(items) > limit:
        items = rng.sample(items, limit)
    if len(items) > MAX_ITEMS:
        errors["source"] = [f"{len(items)} items; a study holds at most {MAX_ITEMS}."]
    if errors:
        raise ValidationError(errors)
    rng.shuffle(items)
    study = Study.objects.create(
        name=name,
        **texts,
        rubric=rubric,
        blinding=blinding,
        seed=seed,
        lease_minutes=lease_minutes,
        source=_source_record(source, len(items), limit),
        created_by=actor,
    )
    if not study.rater_title:
        study.rater_title = f"Study {study.pk}"  # neutral: the internal name may name the models compared
        study.save(update_fields=["rater_title"])
    for position, item in enumerate(items, start=1):
        item.study, item.position = study, position
    StudyItem.objects.bulk_create(items, batch_size=5000)
    StudyQuota.objects.bulk_create(
        StudyQuota(study=study, group=group, quota=quota) for group, quota in quota_rows
    )
    audit_record(actor=actor, action="study.create", obj=study, details={"items": len(items), "seed": seed})
    return study


def _source_record(source: dict, count: int, limit) -> dict:
    record = {
        key: source[key] for key in ("question_set", "producers", "segments", "candidates") if key in source
    }
    record["items"] = count
    if limit:
        record["limit"] = limit
    return record


@transaction.atomic
def study_texts_update(*, study: Study, actor, **texts) -> Study:
    """Change a study's description and what raters read (any of `description`, `rater_title`,
    `rater_instructions`), in any status; an empty title becomes "Study <id>". Audited with the fields
    changed. Raises ValidationError per field (too long, unknown field) and changes nothing then."""
    unknown = set(texts) - {"description", "rater_title", "rater_instructions"}
    if unknown:
        raise ValidationError({field: ["This field cannot be changed here."] for field in sorted(unknown)})
    errors: dict = {}
    cleaned = _texts_validate(texts, errors)
    if errors:
        raise ValidationError(errors)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if "rater_title" in cleaned and not cleaned["rater_title"]:
        cleaned["rater_title"] = f"Study {study.pk}"
    changed = sorted(field for field, value in cleaned.items() if getattr(study, field) != value)
    for field in changed:
        setattr(study, field, cleaned[field])
    if changed:
        study.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="study.texts", obj=study, details={"changed": changed})
    return study


@transaction.atomic
def study_quotas_set(*, study: Study, quotas: dict, actor) -> Study:
    """Replace the quotas of a draft study."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.status != Study.Status.DRAFT:
        raise ValidationError({"quotas": ["Quotas can only change while the study is a draft."]})
    errors: dict = {}
    rows = quotas_validate(quotas, errors)
    if errors:
        raise ValidationError(errors)
    study.quotas.all().delete()
    StudyQuota.objects.bulk_create(StudyQuota(study=study, group=group, quota=quota) for group, quota in rows)
    audit_record(actor=actor, action="study.quotas", obj=study, details={"quotas": quotas})
    return study


def _slots_create(study: Study) -> int:
    rng = random.Random(f"{study.seed}:slots")
    quotas = list(study.quotas.all())
    slots = (
        ItemSlot(
            study=study, item_id=item_id, group_id=quota.group_id, quota=quota.quota, rank=rng.getrandbits(62)
        )
        for item_id in study.items.filter(role=StudyItem.Role.REGULAR)
        .order_by("position")
        .values_list("id", flat=True)
        for quota in quotas
    )
    return len(ItemSlot.objects.bulk_create(slots, batch_size=5000))


_TRANSITIONS = {
    "launch": ({Study.Status.DRAFT, Study.Status.PAUSED}, Study.Status.LIVE),
    "pause": ({Study.Status.LIVE}, Study.Status.PAUSED),
    "close": ({Study.Status.DRAFT, Study.Status.LIVE, Study.Status.PAUSED}, Study.Status.CLOSED),
}


@transaction.atomic
def study_transition(*, study: Study, action: str, actor) -> Study:
    """Launch (or resume), pause or close a study. Launching a draft creates its quota slots; closing
    ends live leases (their items stay unrated)."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    allowed, target = _TRANSITIONS[action]
    if study.status not in allowed:
        raise ValidationError({"status": [f"A {study.get_status_display().lower()} study cannot {action}."]})
    if action == "launch" and study.status == Study.Status.DRAFT:
        if not study.items.exists():
            raise ValidationError({"items": ["The study has no items."]})
        if not study.quotas.exists():
            raise ValidationError({"quotas": ["The study has no quotas."]})
        _slots_create(study)
        study.launched_at = timezone.now()
    if action == "close":
        study.closed_at = timezone.now()
        leases_expire(study_id=study.pk, all_open=True)
    study.status = target
    study.save(update_fields=["status", "launched_at", "closed_at", "updated_at"])
    audit_record(actor=actor, action=f"study.{action}", obj=study)
    return study
