"""Reads of the reviews app, already filtered to what the user may see. None of them writes.

Rater-facing reads (`rater_studies`, `assignment_own`, `item_for_rater`) never carry producer labels:
answers go through `apps.equity.selectors.answer_for_rater`, or (an item read by id) a statement that
selects the same four fields and nothing else. The raters page (curators) reads rater
profiles with their quality figures (`raters_filtered`, `raters_with_figures`, `rater_csv_rows`).
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from apps.accounts.models import RaterProfile
from apps.core.exports import csv_cell  # neutralises spreadsheet formulas (= + - @ tab CR)
from apps.equity.counterfactual import word_diff
from apps.equity.selectors import answer_for_rater
from apps.reviews.kinds import kind_rater_view
from apps.reviews.models import (
    Assignment,
    ItemFlag,
    ItemSlot,
    RaterFlag,
    Rating,
    Rubric,
    Study,
    StudyItem,
    StudyProgress,
    StudyQuota,
)
from apps.reviews.quality.figures import RaterFigures, rater_figures
from apps.reviews.rater_context import own_assignments, prepared_cursor, study_with_rater_context


def rubrics_latest() -> QuerySet[Rubric]:
    """The latest version of every rubric (the ones new studies can use)."""
    return Rubric.objects.filter(next_version__isnull=True).order_by("name")


def studies_all() -> QuerySet[Study]:
    """Every study (curators), with `item_count`."""
    return Study.objects.select_related("rubric").annotate(item_count=Count("items", distinct=True))


def _rater_visible(user) -> Q:
    """Which studies a rater may use: live or paused ones whose quotas include their (active) group, and
    any non-draft one in which they hold assignments. EXISTS sub-queries on (study, group) and (study,
    rater, status) indexes: bounded per study, never a join over the study's assignments."""
    group_id = Subquery(RaterProfile.objects.filter(user=user, active=True).values("group_id")[:1])
    in_quota = Exists(StudyQuota.objects.filter(study=OuterRef("pk"), group_id=group_id))
    has_work = Exists(Assignment.objects.filter(study=OuterRef("pk"), rater=user))
    return (Q(in_quota) & Q(status__in=[Study.Status.LIVE, Study.Status.PAUSED])) | Q(has_work)


def studies_for_rater(user) -> QuerySet[Study]:
    """Studies the rater takes part in: live or paused ones that need their group, and any in which
    they hold assignments."""
    return (
        Study.objects.filter(_rater_visible(user)).exclude(status=Study.Status.DRAFT).select_related("rubric")
    )


def study_for_rater(user, pk) -> Study | None:
    """One study the rater may use (None otherwise, or for a malformed id), read with the engine's rater
    context (`rater_context.study_with_rater_context`) in one query; the same rule as
    `studies_for_rater`."""
    if not str(pk).isdigit():
        return None
    study = study_with_rater_context(int(pk), user, timezone.now())
    if study is None or study.status == Study.Status.DRAFT:
        return None
    in_quota = study.rater_in_quota and study.status in (Study.Status.LIVE, Study.Status.PAUSED)
    return study if in_quota or study.rater_has_work else None


@dataclass
class QueueEntry:
    study: Study
    mine_submitted: int
    mine_open: int  # leased or pre-assigned, not yet submitted
    group_submitted: int
    group_needed: int
    overall_submitted: int
    overall_needed: int
    mine_total: int = 0  # the items the rater can be given at most (`rater_context.rater_progress`)

    @property
    def mine_percent(self) -> int:
        return round(100 * self.mine_submitted / self.mine_total) if self.mine_total else 100

    @property
    def group_percent(self) -> int:
        return round(100 * self.group_submitted / self.group_needed) if self.group_needed else 100

    @property
    def overall_percent(self) -> int:
        return round(100 * self.overall_submitted / self.overall_needed) if self.overall_needed else 100

    @property
    def can_rate(self) -> bool:
        """Whether "Start/Continue rating" would give the rater an item: they hold one, or a slot of their
        group has room on an item they have not had (`has_open_item`, what leasing looks for)."""
        return self.study.status == Study.Status.LIVE and (self.mine_open > 0 or self.study.has_open_item)


def rater_queue(user) -> list[QueueEntry]:
    """The rater's studies with their own progress, their group's and the study's overall.

    `mine_total` is the rater's N in "n of N" (their group's regular items plus the gold items, as on the
    item page). Three queries whatever the number of studies and ratings: the studies (with the group's
    quota and the gold count), the rater's own counts per
    study (their assignments, by the rater index), and the studies' trigger-kept progress counters
    (`StudyProgress`, a few rows per study)."""
    profile = getattr(user, "rater_profile", None)
    group_id = profile.group_id if profile is not None and profile.active else None
    studies = list(
        studies_for_rater(user)
        .annotate(
            group_quota=Subquery(
                StudyQuota.objects.filter(study=OuterRef("pk"), group_id=group_id).values("quota")[:1]
            ),
            # what leasing looks for: an open slot of the group on an item the rater has not had; the
            # partial open-slot index, read past at most the rater's own items
            has_open_item=Exists(
                ItemSlot.objects.filter(
                    study=OuterRef("pk"), group_id=group_id, taken__lt=F("quota")
                ).exclude(Exists(Assignment.objects.filter(item_id=OuterRef("item_id"), rater=user)))
            ),
            gold_items=Subquery(
                StudyItem.objects.filter(study=OuterRef("pk"), role=StudyItem.Role.GOLD)
                .values("study")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
        )
        .order_by("-launched_at", "-id")
    )
    ids = [study.pk for study in studies]
    mine = {
        row["study_id"]: row
        # NOT IN a hashed sub-plan over the (few) practice items, so only the rater's own assignments are
        # read (the rater index), never the study's items
        for row in Assignment.objects.filter(rater=user, study_id__in=ids)
        .exclude(
            item_id__in=StudyItem.objects.filter(study_id__in=ids, role=StudyItem.Role.PRACTICE).values("id")
        )
        .values("study_id")
        .annotate(
            submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
            open=Count("id", filter=Q(status=Assignment.Status.LEASED)),
        )
    }
    totals: dict[int, dict] = {pk: {"all": [0, 0], "group": [0, 0]} for pk in ids}
    for row in (
        StudyProgress.objects.filter(study_id__in=ids)
        .values("study_id", "group_id")
        .annotate(submitted=Sum("submitted"), needed=Sum("needed"))
    ):
        keys = ("all", "group") if row["group_id"] == group_id else ("all",)
        for key in keys:
            totals[row["study_id"]][key][0] += row["submitted"]
            totals[row["study_id"]][key][1] += row["needed"]
    return [
        QueueEntry(
            study=study,
            mine_submitted=mine.get(study.pk, {}).get("submitted", 0),
            mine_open=mine.get(study.pk, {}).get("open", 0),
            group_submitted=totals[study.pk]["group"][0],
            group_needed=totals[study.pk]["group"][1],
            overall_submitted=totals[study.pk]["all"][0],
            overall_needed=totals[study.pk]["all"][1],
            mine_total=(totals[study.pk]["group"][1] // study.group_quota if study.group_quota else 0)
            + (study.gold_items or 0),
        )
        for study in studies
    ]


ITEM_VIEW_RELATIONS = (
    "item__answer_a__question",
    "item__answer_b__question",
    "item__pair__question_a",
    "item__pair__question_b",
)


def assignments_own(user) -> QuerySet[Assignment]:
    """The user's own assignments, and nobody else's, with what the rater's view of each needs (study,
    rubric, the item's texts; `item_role`, `rater_deactivated` and `study_hooks` for submitting) in one
    query."""
    return own_assignments(user).select_related(*ITEM_VIEW_RELATIONS)


def ratings_own(user, study: Study) -> QuerySet[Rating]:
    """The user's own current ratings in the study (practice items too, labelled by `item__role`), the
    latest submitted first; by the (study, rater, status) index of their assignments."""
    return (
        Rating.objects.filter(
            assignment__study=study,
            assignment__rater=user,
            assignment__status=Assignment.Status.SUBMITTED,
            is_current=True,
        )
        .select_related("assignment__item")
        .order_by("-assignment__submitted_at", "-id")
    )


def item_flags(study: Study) -> QuerySet[ItemFlag]:
    """The study's item flags (curators), newest first, with the item and the rater."""
    return ItemFlag.objects.filter(study=study).select_related("item", "rater").order_by("-created_at", "-id")


def skip_reasons(study: Study) -> list[dict]:
    """Skipped items of the study by reason: [{"reason", "label", "count"}], the most frequent first."""
    labels = dict(Assignment.SkipReason.choices)
    rows = (
        Assignment.objects.filter(study=study, status=Assignment.Status.SKIPPED)
        .values("skip_reason")
        .annotate(count=Count("id"))
        .order_by("-count", "skip_reason")
    )
    return [
        {
            "reason": row["skip_reason"],
            "label": labels.get(row["skip_reason"], "No reason given"),
            "count": row["count"],
        }
        for row in rows
    ]


ITEM_FLAG_CSV_COLUMNS = ["kind", "item", "item_position", "rater", "note", "created_at"]


def item_flag_csv_rows(study: Study) -> list[list]:
    """One CSV row per item flag (`ITEM_FLAG_CSV_COLUMNS`), then one per skip with a reason (kind
    `skip:<reason>`), text cells neutralised for spreadsheets."""
    rows = [
        [
            flag.kind,
            flag.item_id,
            flag.item.position,
            flag.rater.username,
            flag.note,
            flag.created_at.isoformat(),
        ]
        for flag in item_flags(study)
    ]
    skips = (
        Assignment.objects.filter(study=study, status=Assignment.Status.SKIPPED)
        .exclude(skip_reason="")
        .select_related("item", "rater")
        .order_by("item__position", "id")
    )
    rows += [
        [f"skip:{a.skip_reason}", a.item_id, a.item.position, a.rater.username, "", a.leased_at.isoformat()]
        for a in skips
    ]
    return [[csv_cell(cell) for cell in row] for row in rows]


def assignment_own(user, pk: int) -> Assignment | None:
    return assignments_own(user).filter(pk=pk).first()


_ITEM_RELATIONS = ("answer_a", "answer_b", "pair")


def _texts_loaded(item: StudyItem) -> bool:
    """Whether the item came with its answers, questions and pair (`ITEM_VIEW_RELATIONS`)."""
    return all(getattr(StudyItem, name).is_cached(item) for name in _ITEM_RELATIONS)


@dataclass
class _ItemTexts:
    """What the rater's view of an item is made of. Answers are `answer_for_rater` dicts (id,
    question_id, question, text): never the producer."""

    kind: str
    position: int
    role: str
    original_text: str
    candidate_text: str
    answer_a: dict | None
    answer_b: dict | None
    pair_question_a: str | None
    pair_question_b: str | None


def _texts_of(item: StudyItem) -> _ItemTexts:
    pair = item.pair
    return _ItemTexts(
        kind=item.kind,
        position=item.position,
        role=item.role,
        original_text=item.original_text,
        candidate_text=item.candidate_text,
        answer_a=answer_for_rater(item.answer_a) if item.answer_a else None,
        answer_b=answer_for_rater(item.answer_b) if item.answer_b else None,
        pair_question_a=pair.question_a.text if pair else None,
        pair_question_b=pair.question_b.text if pair else None,
    )


# The same texts in one statement, for an item known by id (the answer to `next/`): only the columns a
# rater may see, by primary keys.
_ITEM_TEXTS_SQL = """
SELECT item.kind, item.position, item.role, item.original_text, item.candidate_text,
       a.id, a.question_id, qa.text, a.text, b.id, b.question_id, qb.text, b.text, pqa.text, pqb.text
FROM reviews_studyitem AS item
LEFT JOIN equity_answer AS a ON a.id = item.answer_a_id
LEFT JOIN equity_question AS qa ON qa.id = a.question_id
LEFT JOIN equity_answer AS b ON b.id = item.answer_b_id
LEFT JOIN equity_question AS qb ON qb.id = b.question_id
LEFT JOIN equity_counterfactualpair AS pair ON pair.id = item.pair_id
LEFT JOIN equity_question AS pqa ON pqa.id = pair.question_a_id
LEFT JOIN equity_question AS pqb ON pqb.id = pair.question_b_id
WHERE item.id = %s
"""


def _texts_by_id(item_id: int) -> _ItemTexts:
    with prepared_cursor() as cursor:
        cursor.execute(_ITEM_TEXTS_SQL, [item_id])
        row = cursor.fetchone()
    if row is None:
        raise StudyItem.DoesNotExist(f"No study item {item_id}.")

    def answer(values):
        keys = ("id", "question_id", "question", "text")
        return dict(zip(keys, values, strict=True)) if values[0] is not None else None

    return _ItemTexts(*row[:5], answer(row[5:9]), answer(row[9:13]), row[13], row[14])


def item_for_rater(item: StudyItem | int) -> dict:
    """What a rater is shown for an item (an item loaded through `ITEM_VIEW_RELATIONS`, or its id):
    texts only, never who produced them."""
    if isinstance(item, StudyItem) and _texts_loaded(item):
        load = _texts_of(item)
    else:
        load = _texts_by_id(getattr(item, "pk", item))
    # `practice` is shown to the rater; gold items look exactly like regular ones (no field tells them apart).
    view: dict = {
        "kind": load.kind,
        "position": load.position,
        "practice": load.role == StudyItem.Role.PRACTICE,
    }
    # A study kind that shows its own content (kinds.py).
    if (custom := kind_rater_view(getattr(item, "pk", item), load.kind)) is not None:
        return view | custom
    if load.kind == Rubric.Kind.INDEPENDENT:
        answer = load.answer_a
        view.update(question=answer["question"], responses=[{"label": "Answer", "text": answer["text"]}])
    elif load.kind == Rubric.Kind.PAIRWISE:
        a, b = load.answer_a, load.answer_b
        view.update(
            question=a["question"],
            responses=[
                {"label": "Response A", "text": a["text"]},
                {"label": "Response B", "text": b["text"]},
            ],
        )
    elif load.kind == Rubric.Kind.COUNTERFACTUAL:
        diff = word_diff(load.pair_question_a, load.pair_question_b)
        view.update(
            sides=[
                {
                    "label": label,
                    "answer_label": label.replace("Question", "Answer"),
                    "question": text,
                    "pieces": [{"text": piece.text, "changed": piece.changed} for piece in pieces],
                    "answer": answer["text"],
                }
                for label, text, pieces, answer in (
                    ("Question A", load.pair_question_a, diff.a, load.answer_a),
                    ("Question B", load.pair_question_b, diff.b, load.answer_b),
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
