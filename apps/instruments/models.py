"""Health-literacy instruments (PEMAT-P, PEMAT-A/V, the CDC Clear Communication Index and its modified
form) as versioned data, and assessments of corpus documents filled with them.

An instrument is frozen from the moment an assessment uses it: its wording and scoring rules are what
the assessors answered, so a change makes a new version (`services.instrument_new_version`) and older
assessments keep theirs. The subject of an assessment is one side of a corpus document (its original
text or its simplified text, joined from its segments); the assessment stores the segment versions and
the SHA-256 of the text it was filled against, so a later edit of the corpus shows as "text changed".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStamped


class Instrument(TimeStamped):
    """One version of one instrument (e.g. PEMAT-P v1). `key` names the instrument across versions."""

    key = models.SlugField(max_length=40, help_text='Stable name across versions, e.g. "pemat-p".')
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=40, help_text='"PEMAT" or "CDC Clear Communication Index".')
    variant = models.CharField(max_length=80, help_text='e.g. "Print (P)", "Audiovisual (A/V)", "Modified".')
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    source_title = models.CharField(max_length=500)
    source_publisher = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500)
    source_date = models.CharField(max_length=300, help_text="As the document gives it.")
    source_version = models.CharField(max_length=50, blank=True, help_text="The document's own version.")
    licence_note = models.CharField(max_length=300)
    score_rule = models.TextField(help_text="How the score is computed, as shown beside every score.")
    verification_note = models.TextField(
        blank=True, help_text="What could not be checked against the published document."
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions"
    )
    frozen_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the first assessment uses this version."
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="instrument_key_version_unique")
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class InstrumentGroup(models.Model):
    """A scale that gets its own score (PEMAT understandability, actionability; the CCI score), a topic or
    area inside a scale, or the unscored introductory questions."""

    class Kind(models.TextChoices):
        SCALE = "scale", "Scored scale"
        TOPIC = "topic", "Topic or area"
        INTRO = "intro", "Introductory questions (not scored)"

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="groups")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveIntegerField()
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    description = models.TextField(blank=True)
    reading_aid_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Scales: the score usually read as good enough (shown, never applied).",
    )
    reading_aid = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="instrument_group_code_unique"),
            models.UniqueConstraint(fields=["instrument", "order"], name="instrument_group_order_unique"),
        ]

    def __str__(self):
        return self.name


class InstrumentItem(models.Model):
    """One item: its published text, its answer options (value, label, points), whether N/A is allowed,
    and the mechanical rule (if any) that may pre-fill it."""

    class AnswerKind(models.TextChoices):
        CHOICE = "choice", "Choice (scored)"
        TEXT = "text", "Free text (not scored)"

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    group = models.ForeignKey(InstrumentGroup, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    code = models.CharField(max_length=10, help_text="The published item number.")
    text = models.TextField()
    guidance = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=8, choices=AnswerKind.choices, default=AnswerKind.CHOICE)
    options = models.JSONField(default=list, blank=True, help_text='[{"value", "label", "points"}, …]')
    na_allowed = models.BooleanField(default=False)
    na_label = models.CharField(max_length=200, blank=True, help_text='When N/A applies, e.g. "No numbers".')
    required = models.BooleanField(default=True)
    constraints_rule = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"when": {"item": "1", "value": "no"}, "then": "no"}]: answers the instrument forces.',
    )
    auto_rule = models.CharField(max_length=40, blank=True, help_text="Key of a rule in rules.py.")
    verified = models.BooleanField(
        default=True, help_text="False: the text or its N/A option could not be checked against the source."
    )
    source_note = models.TextField(blank=True, help_text="Where the wording was checked, or why it was not.")

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="instrument_item_code_unique"),
            models.UniqueConstraint(fields=["instrument", "order"], name="instrument_item_order_unique"),
        ]

    def __str__(self):
        return f"{self.code}. {self.text[:60]}"

    @property
    def is_scored(self) -> bool:
        return self.answer_kind == self.AnswerKind.CHOICE

    def option(self, value: str) -> dict | None:
        return next((o for o in self.options if o["value"] == value), None)


class Side(models.TextChoices):
    """Which text of a corpus document is assessed."""

    ORIGINAL = "original", "Original text"
    SIMPLIFIED = "simplified", "Simplified text"


NA = "na"  # the stored value of a "not applicable" answer


class InstrumentAssessment(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Origin(models.TextChoices):
        CURATOR = "curator", "Curator"
        STUDY = "study", "Rater in a study"

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="instrument_assessments"
    )
    document = models.ForeignKey("corpus.Document", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=12, choices=Side.choices)
    text_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the text as it was assessed.")
    segment_versions = models.JSONField(default=dict, help_text="{segment id: version} when assessed.")
    text_chars = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Curators fill instruments directly; in a reviews study of kind "instrument" its raters do (origin
    # "study", the reviews assignment by id; studies.py), blinded to the side.
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.CURATOR)
    assignment_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "document", "side", "text_sha256", "assessor"],
                condition=Q(origin="curator"),
                name="instrument_assessment_one_per_assessor_and_text",
            ),
            # A rater in a study fills one assessment per assignment (the same text in another study is
            # another assessment).
            models.UniqueConstraint(
                fields=["assignment_id"],
                condition=Q(origin="study"),
                name="instrument_assessment_one_per_assignment",
            ),
            models.CheckConstraint(
                condition=Q(origin="curator", assignment_id__isnull=True)
                | Q(origin="study", assignment_id__isnull=False),
                name="instrument_assessment_study_has_assignment",
            ),
            models.CheckConstraint(
                condition=(Q(status="submitted") & Q(submitted_at__isnull=False))
                | (Q(status="draft") & Q(submitted_at__isnull=True)),
                name="instrument_assessment_submitted_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.instrument.name} of {self.document} ({self.get_side_display().lower()})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ItemAnswer(models.Model):
    """The answer to one item. A rule's answer (`source` rule) counts only once a person confirms it."""

    class Source(models.TextChoices):
        PERSON = "person", "Person"
        RULE = "rule", "Automatic rule"

    assessment = models.ForeignKey(InstrumentAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(InstrumentItem, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=20, blank=True, help_text='An option value or "na"; blank for text.')
    text = models.TextField(blank=True, help_text="Free-text answers (introductory questions).")
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PERSON)
    confirmed = models.BooleanField(default=True)
    rule = models.CharField(max_length=40, blank=True)
    rule_note = models.TextField(blank=True, help_text="What the rule found, in words.")
    rule_inputs = models.JSONField(default=dict, blank=True)
    rule_value = models.CharField(max_length=20, blank=True, help_text="What the rule proposed.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="instrument_one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(source="rule") | Q(confirmed=True), name="instrument_person_answers_confirmed"
            ),
        ]

    def __str__(self):
        return f"{self.item.code}: {self.value or self.text[:20] or 'unanswered'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.value or self.text.strip())


class InstrumentStudyItem(models.Model):
    """One side of one document in a reviews study of kind "instrument" (the engine's item), with the text
    as it was when the study was made. `version_number` (1 or 2, seeded per document) is all raters are
    told about the side: "Version 1" / "Version 2", never which is simplified."""

    item = models.OneToOneField("reviews.StudyItem", on_delete=models.CASCADE, related_name="instrument_item")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("corpus.Document", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=12, choices=Side.choices)
    version_number = models.PositiveSmallIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    segment_versions = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(version_number__in=[1, 2]), name="instrument_study_item_version"
            )
        ]

    def __str__(self):
        return f"{self.document} · Version {self.version_number}"

    @property
    def version_label(self) -> str:
        return f"Version {self.version_number}"
