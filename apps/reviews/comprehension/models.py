"""The tables of comprehension studies.

A **passage** is the text questions are about: a corpus document, or a group of its segments; its two
versions are the segments' original and simplified texts joined in position order. A passage has 1–5
multiple-choice **questions** (options, the correct one, optionally "I don't know").

A comprehension study has two `StudyItem`s per passage (one per version), each a **comprehension item**
with the version's text and the questions copied when the study was made (later edits never change what
raters saw). A rater's **arm** (0 or 1, alternating per rater group in the order raters first ask for an
item) and the passage's **block** decide which version the rater reads (design.py). An **exposure**
records that a rater was given a version of a passage: unique per (study, rater, passage), so the
database itself refuses a second version — whatever path creates the assignment, under any concurrency.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TimeStamped


class Version(models.TextChoices):
    ORIGINAL = "original", "Original"
    SIMPLIFIED = "simplified", "Simplified"


DONT_KNOW = "dont_know"  # the stored answer "I don't know"
MAX_QUESTIONS = 5


class ComprehensionPassage(TimeStamped):
    document = models.ForeignKey("corpus.Document", on_delete=models.PROTECT, related_name="+")
    segment_ids = models.JSONField(
        default=list,
        blank=True,
        help_text="The segments (ids) the passage is made of; empty: the whole document.",
    )
    title = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title or f"{self.document} ({'whole document' if not self.segment_ids else 'segments'})"


class ComprehensionQuestion(TimeStamped):
    passage = models.ForeignKey(ComprehensionPassage, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    options = models.JSONField(help_text='[{"value": "a", "label": "…"}, …]: 2 to 6 options.')
    correct = models.CharField(max_length=8, help_text="The value of the correct option.")
    dont_know = models.BooleanField(default=True, help_text='Offer "I don\'t know" (counted as not correct).')

    class Meta:
        ordering = ["passage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["passage", "position"], name="comprehension_question_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_QUESTIONS), name="comprehension_at_most_5"
            ),
        ]

    def __str__(self):
        return f"Q{self.position}. {self.text[:60]}"

    @property
    def key(self) -> str:
        """The key of this question's answer in a rating's response."""
        return f"q{self.pk}"


class ComprehensionItem(models.Model):
    """One version of one passage in a study (the engine's item), with what raters are shown."""

    item = models.OneToOneField("reviews.StudyItem", on_delete=models.CASCADE, related_name="comprehension")
    passage = models.ForeignKey(ComprehensionPassage, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(max_length=12, choices=Version.choices)
    block = models.PositiveSmallIntegerField(help_text="0 or 1: the passage's half of the design (seeded).")
    text = models.TextField(help_text="The version's text as shown (copied at study creation).")
    questions = models.JSONField(help_text="The questions as asked (copied): key, text, options, correct.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(block__in=[0, 1]), name="comprehension_item_block"),
        ]

    def __str__(self):
        return f"{self.passage} · {self.version}"


class ComprehensionArm(models.Model):
    """Which half of the design a rater is in (0 or 1); `index` is the rater's place among their group's
    raters in this study (unique, so two raters joining at once cannot take the same place)."""

    study = models.ForeignKey("reviews.Study", on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("accounts.RaterGroup", on_delete=models.PROTECT, related_name="+")
    index = models.PositiveIntegerField()
    arm = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "rater"], name="comprehension_one_arm_per_rater"),
            models.UniqueConstraint(fields=["study", "group", "index"], name="comprehension_arm_index"),
            models.CheckConstraint(condition=Q(arm__in=[0, 1]), name="comprehension_arm_value"),
        ]

    def __str__(self):
        return f"{self.rater} in arm {self.arm}"


class ComprehensionExposure(models.Model):
    """A rater was given one version of a passage (at lease time). Never both: unique per (study, rater,
    passage). Holds the reading: when the rater left the text for the questions and the visible time."""

    study = models.ForeignKey("reviews.Study", on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    passage = models.ForeignKey(ComprehensionPassage, on_delete=models.PROTECT, related_name="+")
    assignment = models.OneToOneField(
        "reviews.Assignment", on_delete=models.CASCADE, related_name="comprehension_exposure"
    )
    version = models.CharField(max_length=12, choices=Version.choices)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the rater went on to the questions."
    )
    reading_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time the text page was visible, capped by the lease clock."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["study", "rater", "passage"], name="comprehension_never_both_versions"
            ),
        ]

    def __str__(self):
        return f"{self.rater} read {self.version} of {self.passage}"
