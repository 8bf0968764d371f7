"""Per-rater figures of the raters page: submitted ratings, median seconds per item, studies, gold
accuracy, agreement with the rest of their group, open flags."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, FloatField, Q
from django.db.models.fields.json import KT

from apps.reviews.models import Assignment, RaterFlag, Rating, Study, StudyItem
from apps.reviews.quality.flags import flag_reason
from apps.reviews.quality.gold import gold_answers, gold_checks


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
    for _, rater_id, rubric, expected, response, _ in gold_answers(gold_scope):
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
