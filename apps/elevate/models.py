"""ELEVATE checklist templates (versioned) and assessments of studies, model runs and publications.

A template is frozen from the moment an assessment uses it: changing its wording afterwards would
silently change what earlier assessors answered. Edits to a frozen template go to a new version
(`services.template_new_version`); assessments keep pointing at the version they were made with.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStamped


class ChecklistTemplate(TimeStamped):
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        help_text="The version this one was copied from.",
    )
    frozen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the first assessment uses this version; edits then need a new version.",
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="elevate_template_name_version_unique")
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class ChecklistDomain(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="domains")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="elevate_domain_order_unique")
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class ChecklistItem(models.Model):
    domain = models.ForeignKey(ChecklistDomain, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    code = models.CharField(
        max_length=20, help_text='Stable reference such as "1.3", used by pre-fill and exports.'
    )
    wording = models.TextField()
    guidance = models.TextField(blank=True)

    class Meta:
        ordering = ["domain__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "order"], name="elevate_item_order_unique"),
            models.UniqueConstraint(fields=["domain", "code"], name="elevate_item_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.wording[:60]}"


class SubjectKind(models.TextChoices):
    STUDY = "study", "Study in Equitext"
    MODEL_RUN = "model_run", "Model run in Equitext"
    PUBLICATION = "publication", "External publication"


# Subject kinds that point at a row of another Equitext app: kind → "app_label.ModelName".
IN_PRODUCT_SUBJECTS = {SubjectKind.STUDY: "reviews.Study", SubjectKind.MODEL_RUN: "scoring.ModelRun"}


class Assessment(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elevate_assessments"
    )
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    # In-product subjects are referenced by id only: their apps may be installed later or not at all,
    # so they are resolved lazily (`Assessment.subject`).
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(
        max_length=500, blank=True, help_text="Publication title (or the subject's name)."
    )
    doi = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    subject_key = models.CharField(
        max_length=600, db_index=True, editable=False, help_text="Groups assessments of the same subject."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_kind="publication") & ~Q(title=""))
                | (Q(subject_kind__in=["study", "model_run"]) & Q(subject_id__isnull=False)),
                name="elevate_assessment_subject_given",
            ),
            models.CheckConstraint(
                condition=(Q(status="submitted") & Q(submitted_at__isnull=False))
                | (Q(status="draft") & Q(submitted_at__isnull=True)),
                name="elevate_assessment_submitted_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"Assessment #{self.pk}: {self.subject_label}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def subject(self):
        """The study or model run assessed, or None (publication, app not installed, row deleted)."""
        from apps.elevate.subjects import subject_object

        return subject_object(self.subject_kind, self.subject_id)

    @property
    def subject_label(self) -> str:
        if self.subject_kind == SubjectKind.PUBLICATION:
            return self.title
        kind = {SubjectKind.STUDY: "Study", SubjectKind.MODEL_RUN: "Model run"}[self.subject_kind]
        return f"{kind} #{self.subject_id}" + (f": {self.title}" if self.title else "")


class ItemResponse(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        PARTIAL = "partial", "Partially reported"
        NOT_REPORTED = "not_reported", "Not reported"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    # Answers that must explain themselves.
    NEEDS_COMMENT = (Status.PARTIAL, Status.NOT_REPORTED)

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="responses")
    # Blank: not answered yet (a location or comment may be saved before the status is chosen).
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    location = models.CharField(
        max_length=500, blank=True, help_text="Where it is reported: page, section, table or link."
    )
    comment = models.TextField(blank=True)
    prefilled = models.BooleanField(
        default=False, help_text="The answer is still the one filled in from data stored in Equitext."
    )
    prefill_source = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__domain__order", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="elevate_one_response_per_item"),
            models.CheckConstraint(
                condition=~Q(status__in=["partial", "not_reported"]) | ~Q(comment=""),
                name="elevate_response_comment_when_gap",
            ),
        ]

    def __str__(self):
        return f"{self.item.code}: {self.status or 'unanswered'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.status)
