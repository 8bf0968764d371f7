"""Reads of the reviews app, already filtered to what the user may see.

Rater-facing reads (`rater_studies`, `assignment_own`, `item_for_rater`) never carry producer labels:
answers go through `apps.equity.selectors.answer_for_rater`.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from apps.equity.counterfactual import word_diff
from apps.equity.selectors import answer_for_rater
from apps.reviews.assignment import rater_group
from apps.reviews.models import Assignment, ItemSlot, Rating, Rubric, Study, StudyItem


def rubrics_latest() -> QuerySet[Rubric]:
    """The latest version of every rubric (the ones new studies can use)."""
    return Rubric.objects.filter(next_version__isnull=True).order_by("name")


def studies_all() -> QuerySet[Study]:
    """Every study (curators), with `item_count`."""
    return Study.objects.select_related("rubric").annotate(item_count=Count("items", distinct=True))


def studies_for_rater(user) -> QuerySet[Study]:
    """Studies the rater takes part in: live or paused ones that need their group, and any in which
    they hold assignments."""
    group = rater_group(user)
    visible = Q(assignments__rater=user)
    if group is not None:
        visible |= Q(quotas__group=group, status__in=[Study.Status.LIVE, Study.Status.PAUSED])
    return (
        Study.objects.filter(visible).exclude(status=Study.Status.DRAFT).distinct().select_related("rubric")
    )


@dataclass
class QueueEntry:
    study: Study
    mine_submitted: int
    mine_open: int  # leased or pre-assigned, not yet submitted
    group_submitted: int
    group_needed: int
    overall_submitted: int
    overall_needed: int

    @property
    def group_percent(self) -> int:
        return round(100 * self.group_submitted / self.group_needed) if self.group_needed else 100

    @property
    def overall_percent(self) -> int:
        return round(100 * self.overall_submitted / self.overall_needed) if self.overall_needed else 100

    @property
    def can_rate(self) -> bool:
        return self.study.status == Study.Status.LIVE and (
            self.mine_open > 0 or self.group_submitted < self.group_needed
        )


def rater_queue(user) -> list[QueueEntry]:
    """The rater's studies with their own progress, their group's and the study's overall."""
    group = rater_group(user)
    entries = []
    for study in studies_for_rater(user).order_by("-launched_at", "-id"):
        mine = (
            Assignment.objects.filter(study=study, rater=user)
            .exclude(item__role=StudyItem.Role.PRACTICE)
            .aggregate(
                submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
                open=Count("id", filter=Q(status=Assignment.Status.LEASED)),
            )
        )
        totals = ItemSlot.objects.filter(study=study).aggregate(
            all_submitted=Sum("submitted"),
            all_needed=Sum("quota"),
            group_submitted=Sum("submitted", filter=Q(group=group)),
            group_needed=Sum("quota", filter=Q(group=group)),
        )
        entries.append(
            QueueEntry(
                study=study,
                mine_submitted=mine["submitted"],
                mine_open=mine["open"],
                group_submitted=totals["group_submitted"] or 0,
                group_needed=totals["group_needed"] or 0,
                overall_submitted=totals["all_submitted"] or 0,
                overall_needed=totals["all_needed"] or 0,
            )
        )
    return entries


def assignments_own(user) -> QuerySet[Assignment]:
    """The user's own assignments, and nobody else's."""
    return Assignment.objects.filter(rater=user).select_related("study", "study__rubric", "item")


def assignment_own(user, pk: int) -> Assignment | None:
    return assignments_own(user).filter(pk=pk).first()


def item_for_rater(item: StudyItem) -> dict:
    """What a rater is shown for an item: texts only, never who produced them."""
    load = StudyItem.objects.select_related(
        "answer_a__question", "answer_b__question", "pair__question_a", "pair__question_b"
    ).get(pk=item.pk)
    # `practice` is shown to the rater; gold items look exactly like regular ones (no field tells them apart).
    view: dict = {
        "kind": load.kind,
        "position": load.position,
        "practice": load.role == StudyItem.Role.PRACTICE,
    }
    if load.kind == Rubric.Kind.INDEPENDENT:
        answer = answer_for_rater(load.answer_a)
        view.update(question=answer["question"], responses=[{"label": "Answer", "text": answer["text"]}])
    elif load.kind == Rubric.Kind.PAIRWISE:
        a, b = answer_for_rater(load.answer_a), answer_for_rater(load.answer_b)
        view.update(
            question=a["question"],
            responses=[
                {"label": "Response A", "text": a["text"]},
                {"label": "Response B", "text": b["text"]},
            ],
        )
    elif load.kind == Rubric.Kind.COUNTERFACTUAL:
        diff = word_diff(load.pair.question_a.text, load.pair.question_b.text)
        view.update(
            sides=[
                {
                    "label": label,
                    "answer_label": label.replace("Question", "Answer"),
                    "question": text,
                    "pieces": [{"text": piece.text, "changed": piece.changed} for piece in pieces],
                    "answer": answer_for_rater(answer)["text"],
                }
                for label, text, pieces, answer in (
                    ("Question A", load.pair.question_a.text, diff.a, load.answer_a),
                    ("Question B", load.pair.question_b.text, diff.b, load.answer_b),
                )
            ]
        )
    else:
        view.update(original=load.original_text, candidate=load.candidate_text)
    return view


def study_completion(study: Study) -> dict:
    """Completion by rater group (submitted of needed) and by rater (submitted, open, skipped, expired,
    median seconds per item)."""
    groups = list(
        ItemSlot.objects.filter(study=study)
        .values("group__slug", "group__name")
        .annotate(needed=Sum("quota"), submitted=Sum("submitted"), taken=Sum("taken"))
        .order_by("group__name")
    )
    for row in groups:
        row["leased"] = row["taken"] - row["submitted"]
        row["percent"] = round(100 * row["submitted"] / row["needed"]) if row["needed"] else 0
    raters = list(
        Assignment.objects.filter(study=study, item__role=StudyItem.Role.REGULAR)
        .values("rater__username", "group__name")
        .annotate(
            submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
            open=Count("id", filter=Q(status=Assignment.Status.LEASED)),
            skipped=Count("id", filter=Q(status=Assignment.Status.SKIPPED)),
            expired=Count("id", filter=Q(status=Assignment.Status.EXPIRED)),
            seconds=Sum("time_spent_ms", filter=Q(status=Assignment.Status.SUBMITTED)),
        )
        .order_by("group__name", "rater__username")
    )
    for row in raters:
        row["mean_seconds"] = round(row["seconds"] / 1000 / row["submitted"], 1) if row["submitted"] else None
    return {"groups": groups, "raters": raters}


def current_ratings(study: Study, *, counted_only: bool = False) -> QuerySet[Rating]:
    """The current version of every submitted rating of the study, with what results need.

    `counted_only` keeps the ratings that count in results: regular items (not gold, not practice)."""
    ratings = Rating.objects.filter(assignment__study=study, is_current=True)
    if counted_only:
        ratings = ratings.filter(assignment__item__role=StudyItem.Role.REGULAR)
    return ratings.select_related("assignment__group", "assignment__item").order_by(
        "assignment__item__position", "assignment_id"
    )
