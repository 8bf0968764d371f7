"""The SimpleDC parallel corpus: Source → Document → Segment (an aligned original ↔ simplified pair),
every saved version of a segment as a SegmentRevision, and a record of each import."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils import timezone

from apps.core.models import TimeStamped

SEARCH_CONFIG = "english"


class Split(models.TextChoices):
    TRAIN = "train", "Train"
    DEV = "dev", "Dev"
    TEST = "test", "Test"
    UNLABELLED = "unlabelled", "Unlabelled"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class Source(TimeStamped):
    """A publisher of original material (e.g. the National Cancer Institute)."""

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Document(TimeStamped):
    """One original web page or leaflet, split into aligned segments."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    topic = models.CharField(max_length=100, blank=True, db_index=True, help_text="e.g. colorectal, liver")

    class Meta:
        ordering = ["source__name", "title"]
        constraints = [models.UniqueConstraint(fields=["source", "title"], name="document_unique_title")]

    def __str__(self):
        return self.title


class Segment(TimeStamped):
    """An aligned pair: an original passage and its plain-language version.

    `version` grows by one on every save; a write names the version it started from and is refused when
    that is no longer the current one (optimistic locking, see services.segment_update).
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField(help_text="Order within the document, from 1")
    original = models.TextField()
    simplified = models.TextField(blank=True)
    split = models.CharField(max_length=16, choices=Split.choices, default=Split.UNLABELLED, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=1)
    notes = models.TextField(blank=True)
    annotation = models.JSONField(
        default=dict, blank=True, help_text="Structured edit annotation from the import (e.g. Med-EASi)"
    )
    # Flesch–Kincaid grades of both sides, kept with each save so lists can filter by grade range.
    original_grade = models.FloatField(null=True, blank=True, db_index=True)
    simplified_grade = models.FloatField(null=True, blank=True, db_index=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search = models.GeneratedField(
        expression=SearchVector("original", "simplified", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="segment_unique_position"),
        ]
        indexes = [GinIndex(fields=["search"], name="segment_search_gin")]

    def __str__(self):
        return f"{self.document} §{self.position}"


class SegmentRevision(models.Model):
    """One saved version of a segment (what it held after that save, who saved it, from where)."""

    class Origin(models.TextChoices):
        IMPORT = "import", "Import"
        EDIT = "edit", "Edit"
        REVERT = "revert", "Revert"
        MODEL = "model", "Model candidate"
        BULK = "bulk", "Bulk action"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    original = models.TextField()
    simplified = models.TextField(blank=True)
    split = models.CharField(max_length=16, choices=Split.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.EDIT)
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version the author started from (the diff base)"
    )
    reverted_to = models.PositiveIntegerField(
        null=True, blank=True, help_text="For reverts: the version restored"
    )
    # The scoring ModelRun a candidate came from; a plain integer until scoring links the model.
    model_run_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["segment_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["segment", "version"], name="revision_unique_version")]

    def __str__(self):
        return f"{self.segment} v{self.version}"


class ImportBatch(TimeStamped):
    """One import of a file: what was asked, what was written, and which rows were skipped and why."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        TSV = "tsv", "TSV"
        JSONL = "jsonl", "JSON Lines"

    class State(models.TextChoices):
        PREVIEW = "preview", "Awaiting confirmation"
        PENDING = "pending", "Pending"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Rejected (nothing written)"
        CANCELLED = "cancelled", "Cancelled (nothing written)"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="corpus/imports/", blank=True)
    format = models.CharField(max_length=8, choices=Format.choices)
    preset = models.CharField(max_length=32)
    options = models.JSONField(default=dict, blank=True, help_text="Column mapping, defaults, source")
    skip_invalid = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    documents_created = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True, help_text="Problems found, by row")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"
