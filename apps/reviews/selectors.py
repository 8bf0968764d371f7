"""Reads of the reviews app, already filtered to what the user may see. None of them writes.

Rater-facing reads (`rater_studies`, `assignment_own`, `item_for_rater`) never carry producer labels:
answers go through `apps.equity.selectors.answer_for_rater`. The raters page (curators) reads rater
profiles with their quality figures (`raters_filtered`, `raters_with_figures`, `rater_csv_rows`).
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from apps.accounts.models import RaterProfile
from apps.core.exports import csv_cell  # neutralises spreadsheet formulas (= + - @ tab CR)
from apps.equity.counterfactual import word_diff
from apps.equity.selectors import answer_for_rater
from apps.reviews.assignment import rater_group
from apps.reviews.models import Assignment, ItemSlot, RaterFlag, Rating, Rubric, Study, StudyItem
from apps.reviews.quality.figures import RaterFigures, rater_figures


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


# --- raters (curators) ---

RATER_CSV_COLUMNS = [
    "username",
    "name",
    "email",
    "group",
    "active",
    "studies",
    "submitted ratings",
    "median seconds per item",
    "gold accuracy",
    "gold items answered",
    "agreement with group",
    "agreement n items",
    "open flags",
]


def raters_filtered(
    *, group: str = "", active: str = "", study=None, flagged: str = "", search: str = ""
) -> QuerySet[RaterProfile]:
    """Rater profiles, filtered by group slug, active ("true"/"false"), study (a Study: raters with work
    in it), open flags ("true"/"false", in that study when one is given) and a username/name search.
    Reads the flags as stored: callers bring them up to date first (`quality.flags_refresh_all`)."""
    profiles = RaterProfile.objects.select_related("user", "group").order_by("user__username")
    if group:
        profiles = profiles.filter(group__slug=group)
    if active in ("true", "false"):
        profiles = profiles.filter(active=active == "true")
    if study:
        profiles = profiles.filter(Exists(Assignment.objects.filter(rater=OuterRef("user"), study=study)))
    if flagged in ("true", "false"):
        flags = RaterFlag.objects.filter(rater=OuterRef("user"), resolved_at__isnull=True)
        if study:
            flags = flags.filter(study=study)
        profiles = profiles.filter(Exists(flags)) if flagged == "true" else profiles.exclude(Exists(flags))
    if search:
        by_name = Q(user__username__icontains=search) | Q(user__first_name__icontains=search)
        profiles = profiles.filter(by_name)
    return profiles


def raters_with_figures(profiles, *, study=None) -> list[tuple[RaterProfile, RaterFigures]]:
    """(profile, RaterFigures) for each profile, computed together."""
    profiles = list(profiles)
    figures = rater_figures(user_ids=[p.user_id for p in profiles], study=study)
    return [(profile, figures[profile.user_id]) for profile in profiles]


def rater_csv_rows(pairs) -> list[list]:
    """The raters page as CSV rows (RATER_CSV_COLUMNS), every cell safe for spreadsheets."""
    rows = []
    for profile, f in pairs:
        rows.append(
            [
                csv_cell(cell)
                for cell in (
                    profile.user.username,
                    profile.user.first_name,
                    profile.user.email,
                    profile.group.name,
                    "yes" if profile.active else "no",
                    "; ".join(f.studies),
                    f.submitted,
                    "" if f.median_seconds is None else f.median_seconds,
                    "" if f.gold_accuracy is None else f.gold_accuracy,
                    f.gold_items,
                    "" if f.group_agreement is None else f.group_agreement,
                    f.agree_n,
                    "; ".join(f.open_flags),
                )
            ]
        )
    return rows
