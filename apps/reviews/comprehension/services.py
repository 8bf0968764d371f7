"""Curators' writes for comprehension: passages and their questions, and comprehension studies.

Every function validates the whole input first and writes nothing on a problem: it raises
`django.core.exceptions.ValidationError` keyed by the field to fix (400 through the API handler).
"""

import random
import string

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.services import audit_record
from apps.corpus.models import Document
from apps.reviews.comprehension.models import (
    MAX_QUESTIONS,
    ComprehensionItem,
    ComprehensionPassage,
    ComprehensionQuestion,
    Version,
)
from apps.reviews.comprehension.texts import passage_segments, passage_texts
from apps.reviews.models import Rubric, Study, StudyItem, StudyQuota
from apps.reviews.seed import COMPREHENSION_RUBRIC
from apps.reviews.studies import quotas_validate, study_basics_clean

MAX_OPTIONS = 6
MAX_QUESTION_CHARS = 1000
OPTION_VALUES = string.ascii_lowercase[:MAX_OPTIONS]  # stored option values: a, b, c, …


def _questions_clean(questions, errors: dict) -> list[dict]:
    """[{"text", "options": [labels], "correct": option number from 1, "dont_know": bool}] → rows to store."""
    if not isinstance(questions, list) or not 1 <= len(questions) <= MAX_QUESTIONS:
        errors["questions"] = [f"Give 1 to {MAX_QUESTIONS} questions."]
        return []
    cleaned, problems = [], []
    for number, raw in enumerate(questions, start=1):
        where = f"question {number}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected an object with text, options and correct.")
            continue
        text = str(raw.get("text") or "").strip()
        options = raw.get("options")
        labels = [str(o).strip() for o in options] if isinstance(options, list) else []
        correct = raw.get("correct")
        if not text:
            problems.append(f"{where}: the question needs its text.")
        elif len(text) > MAX_QUESTION_CHARS:
            problems.append(f"{where}: {len(text):,} characters; at most {MAX_QUESTION_CHARS:,}.")
        if not 2 <= len(labels) <= MAX_OPTIONS or not all(labels):
            problems.append(f"{where}: give 2 to {MAX_OPTIONS} options, none of them empty.")
        elif len({label.lower() for label in labels}) != len(labels):
            problems.append(f"{where}: two options have the same text.")
        elif any(label.lower() in ("i don't know", "i dont know", "don't know") for label in labels):
            problems.append(f'{where}: leave "I don\'t know" out of the options; tick "offer I don\'t know".')
        if isinstance(correct, str) and correct.strip().isdigit():
            correct = int(correct)
        if (
            not isinstance(correct, int)
            or isinstance(correct, bool)
            or not 1 <= correct <= max(len(labels), 1)
        ):
            problems.append(
                f"{where}: correct must be the number of the correct option (1 to {len(labels)})."
            )
        dont_know = raw.get("dont_know", True)
        if not isinstance(dont_know, bool):
            problems.append(f"{where}: dont_know must be true or false.")
        cleaned.append(
            {
                "position": number,
                "text": text,
                "options": [{"value": OPTION_VALUES[i], "label": label} for i, label in enumerate(labels)],
                "correct": OPTION_VALUES[correct - 1] if isinstance(correct, int) and correct >= 1 else "",
                "dont_know": bool(dont_know),
            }
        )
    if problems:
        errors["questions"] = problems
    return cleaned


def _segments_clean(document: Document, segment_ids, errors: dict) -> list[int]:
    if segment_ids in (None, ""):
        return []
    if not isinstance(segment_ids, list) or not all(str(v).isdigit() for v in segment_ids):
        errors["segments"] = ["Give a list of segment ids (or none for the whole document)."]
        return []
    ids = sorted(dict.fromkeys(int(v) for v in segment_ids))
    found = set(passage_segments(document.pk, ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        errors["segments"] = [f"Not segments of “{document}”: {', '.join(map(str, missing))}."]
    return ids


@transaction.atomic
def passage_create(
    *, document: Document, questions, actor, segment_ids=None, title: str = ""
) -> ComprehensionPassage:
    """A passage (the document, or some of its segments) with its 1–5 questions."""
    errors: dict = {}
    ids = _segments_clean(document, segment_ids, errors)
    rows = _questions_clean(questions, errors)
    if not errors and not passage_segments(document.pk, ids).exists():
        errors["document"] = [f"“{document}” has no segments to ask about."]
    if errors:
        raise ValidationError(errors)
    passage = ComprehensionPassage.objects.create(
        document=document, segment_ids=ids, title=(title or "").strip()[:200], created_by=actor
    )
    ComprehensionQuestion.objects.bulk_create(ComprehensionQuestion(passage=passage, **row) for row in rows)
    audit_record(
        actor=actor, action="comprehension.passage.create", obj=passage, details={"questions": len(rows)}
    )
    return passage


@transaction.atomic
def passage_questions_set(*, passage: ComprehensionPassage, questions, actor) -> ComprehensionPassage:
    """Replace the passage's questions. Studies already made keep the questions they were made with."""
    errors: dict = {}
    rows = _questions_clean(questions, errors)
    if errors:
        raise ValidationError(errors)
    passage = ComprehensionPassage.objects.select_for_update().get(pk=passage.pk)
    passage.questions.all().delete()
    ComprehensionQuestion.objects.bulk_create(ComprehensionQuestion(passage=passage, **row) for row in rows)
    passage.save(update_fields=["updated_at"])
    audit_record(
        actor=actor, action="comprehension.passage.questions", obj=passage, details={"questions": len(rows)}
    )
    return passage


@transaction.atomic
def passage_delete(*, passage: ComprehensionPassage, actor) -> None:
    """Delete a passage no study uses (a study's passages stay, so its results can be read)."""
    used = (
        ComprehensionItem.objects.filter(passage=passage).values_list("item__study__name", flat=True).first()
    )
    if used is not None:
        raise ValidationError({"passage": [f"The study “{used}” uses this passage; it cannot be deleted."]})
    audit_record(actor=actor, action="comprehension.passage.delete", obj=passage)
    passage.delete()


def _question_snapshot(question: ComprehensionQuestion) -> dict:
    return {
        "key": question.key,
        "position": question.position,
        "text": question.text,
        "options": question.options,
        "correct": question.correct,
        "dont_know": question.dont_know,
    }


@transaction.atomic
def comprehension_study_create(
    *,
    name: str,
    passage_ids,
    quotas: dict,
    actor,
    seed: int | None = None,
    lease_minutes: int = 30,
    description: str = "",
) -> Study:
    """A draft comprehension study: two items per passage (original, simplified), each with `quotas[group]`
    slots, so every text is read in each version by the same number of raters of each group. The seed
    fixes the item order and the passages' blocks (design.py); texts and questions are copied."""
    errors: dict = {}
    name, seed = study_basics_clean(name=name, seed=seed, lease_minutes=lease_minutes, errors=errors)
    quota_rows = quotas_validate(quotas, errors)
    ids = list(dict.fromkeys(int(v) for v in passage_ids or [] if str(v).isdigit()))
    passages = ComprehensionPassage.objects.in_bulk(ids)
    problems = []
    if not ids or len(ids) != len(passage_ids or []):
        problems.append("Choose at least one passage (by id), each once.")
    prepared = []
    for pk in ids:
        passage = passages.get(pk)
        if passage is None:
            problems.append(f"No passage {pk}.")
            continue
        texts = passage_texts(passage)
        questions = [_question_snapshot(q) for q in passage.questions.order_by("position")]
        if not texts.complete:
            where = ", ".join(f"§{p}" for p in texts.unsimplified[:10])
            problems.append(
                f"Passage {pk} (“{passage}”): simplify every segment first ({where or 'no text'})."
            )
        elif not questions:
            problems.append(f"Passage {pk} (“{passage}”) has no questions.")
        else:
            prepared.append((passage, texts, questions))
    if problems:
        errors["passages"] = problems
    rubric = Rubric.objects.filter(name=COMPREHENSION_RUBRIC, next_version__isnull=True).first()
    if rubric is None:
        errors["rubric"] = [f"The rubric “{COMPREHENSION_RUBRIC}” is missing; run migrate (it seeds it)."]
    if errors:
        raise ValidationError(errors)
    rng = random.Random(f"{seed}:comprehension")
    order = list(range(len(prepared)))
    rng.shuffle(order)
    blocks = {prepared[index][0].pk: place % 2 for place, index in enumerate(order)}
    study = Study.objects.create(
        name=name,
        description=description,
        rubric=rubric,
        seed=seed,
        lease_minutes=lease_minutes,
        source={"passages": ids, "items": 2 * len(prepared)},
        created_by=actor,
    )
    units = [
        (passage, texts, questions, version) for passage, texts, questions in prepared for version in Version
    ]
    rng.shuffle(units)
    items = StudyItem.objects.bulk_create(
        StudyItem(study=study, position=position, kind=Rubric.Kind.COMPREHENSION)
        for position in range(1, len(units) + 1)
    )
    ComprehensionItem.objects.bulk_create(
        ComprehensionItem(
            item=item,
            passage=passage,
            version=version,
            block=blocks[passage.pk],
            text=texts.original if version == Version.ORIGINAL else texts.simplified,
            questions=questions,
        )
        for item, (passage, texts, questions, version) in zip(items, units, strict=True)
    )
    StudyQuota.objects.bulk_create(
        StudyQuota(study=study, group=group, quota=quota) for group, quota in quota_rows
    )
    audit_record(
        actor=actor,
        action="study.create",
        obj=study,
        details={"items": len(items), "seed": seed, "kind": "comprehension"},
    )
    return study
