"""Rater studies: rubrics (versioned JSON), studies with per-group quotas, items, the per-group quota
slots that the assignment engine locks, assignments (leases) and ratings (immutable, versioned).

The assignment rules live in `assignment.py` (and README.md); the invariants the database itself
enforces are here: one assignment per (item, rater), one slot per (item, rater group), `taken` never
above the quota, one current rating per assignment.

Over the usual module size on purpose: every table of the rater workflow (and its quality control) is
here so the engine's SQL (`rater_context.py`, `assignment.py`) and these constraints read side by side.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import RaterGroup
from apps.core.models import TimeStamped
from apps.equity.models import Answer, CounterfactualPair


class Rubric(TimeStamped):
    """A rubric version. Once it has ratings (or a launched study uses it) it is frozen: editing it
    creates the next version under the same name (`services.rubric_revise`)."""

    class Kind(models.TextChoices):
        INDEPENDENT = "independent", "Independent (one answer)"
        PAIRWISE = "pairwise", "Pairwise (two answers)"
        COUNTERFACTUAL = "counterfactual", "Counterfactual pair"
        SIMPLIFICATION = "simplification", "Simplification candidate"
        # Kinds with rules of their own (apps/reviews/kinds.py): their items carry no texts here.
        COMPREHENSION = "comprehension", "Comprehension questions (one version of a text per rater)"
        INSTRUMENT = "instrument", "Health-literacy instrument (a document's two texts, blinded)"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    definition = models.JSONField(help_text="Questions; see apps/reviews/rubric.py for the schema.")
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    min_seconds = models.PositiveSmallIntegerField(
        default=5,
        help_text="Submissions faster than this are counted as too fast (quality flags); 0 turns it off. "
        "Not part of the versioned definition: changing it never makes a new version.",
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="reviews_rubric_unique_version")
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def questions(self) -> list[dict]:
        return self.definition.get("questions", [])


class Study(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class Blinding(models.TextChoices):
        RATERS = "raters", "Raters blind to producers"
        DOUBLE = "double", "Raters and results blind to producers until the study closes"

    # `name` and `description` are internal (curators only: they may name the models compared); raters
    # read `rater_title` and `rater_instructions` only.
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rater_title = models.CharField(
        max_length=200, blank=True, help_text='The title raters see (empty: "Study <number>").'
    )
    rater_instructions = models.TextField(blank=True, help_text="What raters read before and while rating.")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="studies")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    blinding = models.CharField(max_length=10, choices=Blinding.choices, default=Blinding.RATERS)
    seed = models.BigIntegerField(help_text="Randomises item order, A/B sides and tie-breaks; recorded.")
    lease_minutes = models.PositiveIntegerField(default=30)
    source = models.JSONField(default=dict, blank=True, help_text="How the items were chosen.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Quality control (apps/reviews/quality.py, README "Quality control").
    gold_rate = models.FloatField(
        default=0.0, help_text="Share of leases that serve a gold item the rater has not seen (0 to 0.5)."
    )
    gold_min_accuracy = models.FloatField(
        default=0.7, help_text="Raters whose gold accuracy falls below this are flagged."
    )
    gold_min_answers = models.PositiveSmallIntegerField(
        default=5, help_text="Gold items a rater must have answered before accuracy can flag them."
    )
    fast_flag_count = models.PositiveSmallIntegerField(
        default=3,
        help_text="Flag a rater after this many submissions faster than the rubric's minimum (0: off).",
    )
    identical_run_length = models.PositiveSmallIntegerField(
        default=10, help_text="Flag a rater who submits this many identical responses in a row (0: off)."
    )
    adjudication_question = models.CharField(
        max_length=40, blank=True, help_text="Rubric question whose disagreement sends items to adjudication."
    )
    adjudication_rule = models.CharField(
        max_length=20,
        choices=[("any", "Any disagreement"), ("no_majority", "No strict majority")],
        default="any",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(condition=Q(lease_minutes__gte=1), name="reviews_study_lease_min"),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0, gold_rate__lte=0.5), name="reviews_study_gold_rate"
            ),
            models.CheckConstraint(
                condition=Q(gold_min_accuracy__gte=0, gold_min_accuracy__lte=1),
                name="reviews_study_gold_accuracy",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def kind(self) -> str:
        return self.rubric.kind

    @property
    def title_for_raters(self) -> str:
        """The rater-facing title: `rater_title`, else the neutral "Study <id>" (never the internal name)."""
        return self.rater_title or f"Study {self.pk}"


class StudyQuota(models.Model):
    """How many ratings each item needs from one rater group."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="quotas")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group__name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "group"], name="reviews_quota_unique_group"),
            models.CheckConstraint(condition=Q(quota__gte=1), name="reviews_quota_positive"),
        ]

    def __str__(self):
        return f"{self.study}: {self.group} × {self.quota}"


class StudyItem(models.Model):
    """What a rater is shown. Independent: `answer_a`. Pairwise: `answer_a` is shown as Response A and
    `answer_b` as Response B; `swapped` records that the seeded draw put the study's first producer on
    side B. Counterfactual: `pair` with `answer_a`/`answer_b` answering its questions A and B.
    Simplification: the original and candidate texts as rated (copied, so later edits of the segment or
    candidate they came from do not change what was rated)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(help_text="Seeded random order.")
    kind = models.CharField(max_length=20, choices=Rubric.Kind.choices)
    answer_a = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answer_b = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    swapped = models.BooleanField(default=False)
    pair = models.ForeignKey(
        CounterfactualPair, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    segment = models.ForeignKey(
        "corpus.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    candidate = models.ForeignKey(
        "scoring.Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_text = models.TextField(blank=True)
    candidate_text = models.TextField(blank=True)

    class Role(models.TextChoices):
        REGULAR = "regular", "Regular"
        GOLD = "gold", "Gold (expected answers known; mixed in, counted only for rater accuracy)"
        PRACTICE = "practice", "Practice (shown first, never counted)"

    # Gold and practice items have no quota slots: the engine serves them by their own rules and results
    # leave them out.
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REGULAR)

    class Meta:
        ordering = ["study", "position"]
        constraints = [
            models.UniqueConstraint(fields=["study", "position"], name="reviews_item_unique_position"),
            models.CheckConstraint(
                condition=(
                    Q(kind="independent", answer_a__isnull=False, answer_b__isnull=True)
                    | Q(kind="pairwise", answer_a__isnull=False, answer_b__isnull=False)
                    | Q(
                        kind="counterfactual",
                        pair__isnull=False,
                        answer_a__isnull=False,
                        answer_b__isnull=False,
                    )
                    | (Q(kind="simplification") & ~Q(candidate_text=""))
                    # what they show lives in their own tables (comprehension items, instrument items)
                    | Q(
                        kind__in=["comprehension", "instrument"], answer_a__isnull=True, answer_b__isnull=True
                    )
                ),
                name="reviews_item_fields_match_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["study", "role", "position"], condition=~Q(role="regular"), name="reviews_item_qc"
            )
        ]

    def __str__(self):
        return f"{self.study} item {self.position}"


class ItemSlot(models.Model):
    """The quota of one item for one rater group: `taken` counts submitted ratings plus live leases
    (never above `quota`); `submitted` counts submitted ratings. The engine locks these rows."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="slots")
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="slots")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)
    submitted = models.PositiveSmallIntegerField(default=0)
    rank = models.BigIntegerField(help_text="Seeded random tie-break among equally rated items.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "group"], name="reviews_slot_unique_group"),
            models.CheckConstraint(condition=Q(taken__lte=F("quota")), name="reviews_slot_within_quota"),
            models.CheckConstraint(
                condition=Q(submitted__lte=F("taken")), name="reviews_slot_submitted_taken"
            ),
        ]
        indexes = [
            models.Index(
                fields=["study", "group", "taken", "rank"],
                condition=Q(taken__lt=F("quota")),
                name="reviews_slot_open",
            )
        ]

    def __str__(self):
        return f"item {self.item_id} / {self.group_id}: {self.taken}/{self.quota}"


class StudyProgress(models.Model):
    """Ratings needed and submitted per (study, rater group): the sums of `ItemSlot.quota` and
    `ItemSlot.submitted`, kept by PostgreSQL triggers on `reviews_itemslot` (migration 0005), so reading
    a study's progress (the rater's queue, study webhooks) reads a few rows whatever the study's size.

    A submitted rating adds 1 to the row of shard `slot id % 8`, so concurrent submits rarely wait on
    the same counter row (its lock is held to the end of the submitting transaction); inserted and
    deleted slots count in shard 0. Read the sums over the shards. Never written by Python: the
    triggers see every slot insert, delete and update of `submitted` or `quota`, from any code path."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(RaterGroup, on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField()
    needed = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "group", "shard"], name="reviews_progress_unique_shard")
        ]

    def __str__(self):
        return f"study {self.study_id} / group {self.group_id} #{self.shard}: {self.submitted}/{self.needed}"


class Assignment(models.Model):
    class Status(models.TextChoices):
        LEASED = "leased", "Leased"
        SUBMITTED = "submitted", "Submitted"
        SKIPPED = "skipped", "Skipped"
        EXPIRED = "expired", "Expired"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    group = models.ForeignKey(RaterGroup, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LEASED)
    preassigned = models.BooleanField(default=False, help_text="Given to this rater by a curator; no expiry.")
    leased_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    time_spent_ms = models.PositiveIntegerField(default=0)
    draft = models.JSONField(default=dict, blank=True)

    class SkipReason(models.TextChoices):
        EXPERTISE = "expertise", "Outside my expertise"
        CANNOT_JUDGE = "cannot_judge", "I cannot judge this item"
        BROKEN = "broken", "The text is broken or unreadable"
        OTHER = "other", "Another reason"

    # db_default: the rater path inserts assignments in its own SQL (assignment.py), naming its columns
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True, db_default="")

    class Meta:
        ordering = ["-leased_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "rater"], name="reviews_assignment_once_per_rater"),
        ]
        indexes = [
            models.Index(fields=["study", "rater", "status"], name="reviews_asg_rater"),
            models.Index(
                fields=["study", "lease_expires_at"],
                condition=Q(status="leased"),
                name="reviews_asg_live_leases",
            ),
        ]

    def __str__(self):
        return f"assignment #{self.pk} ({self.status})"


class ItemFlag(models.Model):
    """A rater's report that an item is broken, offensive or otherwise wrong; curators see it on the
    study page, in the API (`studies/{id}/item-flags/`) and its CSV. Flagging never changes the rating
    workflow: the rater may still answer or skip the item."""

    class Kind(models.TextChoices):
        BROKEN_TEXT = "broken_text", "Broken text (cut off, garbled, wrong language)"
        OFFENSIVE = "offensive", "Offensive or harmful content"
        OTHER = "other", "Something else"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="item_flags")
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="flags")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="item_flags")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["study", "created_at"], name="reviews_itemflag_study")]

    def __str__(self):
        return f"flag {self.kind} on item {self.item_id}"


class Rating(models.Model):
    """A submitted response. Never edited: a correction adds the next version and marks it current."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="ratings")
    version = models.PositiveSmallIntegerField(default=1)
    response = models.JSONField()
    is_current = models.BooleanField(default=True)
    submitted_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True, help_text="Why a correction was made.")

    class Meta:
        ordering = ["assignment", "version"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "version"], name="reviews_rating_unique_version"),
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(is_current=True), name="reviews_rating_one_current"
            ),
        ]

    def __str__(self):
        return f"rating of assignment #{self.assignment_id} v{self.version}"


# --- quality control: gold items, onboarding, flags, adjudication (README "Quality control") ---


class GoldStandard(TimeStamped):
    """The expected answers of a gold item: {question key: [acceptable values]} (single and scale), or
    {question key: [options]} for a multiple-choice question (the exact set to tick)."""

    item = models.OneToOneField(StudyItem, on_delete=models.CASCADE, related_name="gold")
    expected = models.JSONField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"gold for {self.item}"


class ConsentVersion(models.Model):
    """One published version of a study's instructions and consent text. The latest is current; a rater
    must have accepted the current one before they get an item."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_versions")
    version = models.PositiveIntegerField()
    instructions = models.TextField(blank=True)
    consent_text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="reviews_consent_unique_version")
        ]

    def __str__(self):
        return f"{self.study} consent v{self.version}"


class ConsentAcceptance(models.Model):
    """A rater accepted this version of the consent text, at this time."""

    consent = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="acceptances")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(help_text="The consent text version accepted (copied).")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "rater"], name="reviews_consent_accepted_once")
        ]

    def __str__(self):
        return f"{self.rater} accepted {self.consent}"


class RaterFlag(models.Model):
    """A quality concern about one rater in one study. Flags never remove anyone: results can be read
    with or without flagged raters, and a curator resolves a flag (or it resolves itself, recorded, when
    its evidence no longer holds)."""

    class Kind(models.TextChoices):
        GOLD_ACCURACY = "gold_accuracy", "Gold accuracy below the threshold"
        TOO_FAST = "too_fast", "Submissions faster than the rubric's minimum"
        IDENTICAL_RUN = "identical_run", "A long run of identical answers"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rater_flags")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "study", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="reviews_flag_one_open",
            )
        ]

    def __str__(self):
        return f"{self.rater}: {self.get_kind_display()} ({self.study})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Adjudication(models.Model):
    """The final label of an item whose ratings disagreed, with the adjudicator's reason and the
    ratings it was decided on (provenance). A new decision adds the next version."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="adjudications")
    item = models.ForeignKey(StudyItem, on_delete=models.CASCADE, related_name="adjudications")
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    label = models.JSONField(help_text="Question key → final answer.")
    reason = models.TextField()
    rule = models.JSONField(default=dict, help_text="The study's rule when the item was adjudicated.")
    ratings = models.JSONField(
        default=list,
        help_text="The current ratings it was decided on: rating id, pseudonym, group, response.",
    )
    adjudicator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="reviews_adjudication_unique_version"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(is_current=True), name="reviews_adjudication_one_current"
            ),
        ]

    def __str__(self):
        return f"adjudication of {self.item} v{self.version}"


# Tables kept in sub-packages, imported here so Django finds them: model raters (apps/reviews/autoraters/) and
# comprehension studies (apps/reviews/comprehension/).
from apps.reviews.autoraters.models import Autorater, AutoraterRating  # noqa: E402, F401
from apps.reviews.comprehension.models import (  # noqa: E402, F401
    ComprehensionArm,
    ComprehensionExposure,
    ComprehensionItem,
    ComprehensionPassage,
    ComprehensionQuestion,
)
