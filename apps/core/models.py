from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class TimeStamped(models.Model):
    """Base for rows that record when they were created and last changed."""

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Access(models.Model):
    """Holds the role permissions; never stored (roles are Django groups granted these)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("curate", "Can manage datasets, studies and model runs"),
            ("rate", "Can rate the items assigned to them"),
        ]

    def __str__(self):
        return "access"


class Job(TimeStamped):
    """A unit of background work, its progress and its outcome (Celery's result backend is not used)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    kind = models.CharField(max_length=64, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="job_progress_within_total",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    # What a job works on, named as its own page names it (the run's number, not the job's). Plain
    # strings: core imports no feature app, the kinds and parameter keys are those their job_create sends.
    SUBJECTS = {
        "model_run": ("model run", "run"),
        "generator_finetune": ("DPO fine-tuning run", "run"),
        "generator_sft": ("supervised fine-tuning run", "run"),
        "generator_rl": ("RL fine-tuning run", "run"),
        "evaluation": ("evaluation run", "run"),
        "autorate": ("model rater", "autorater"),
        "answer_generation": ("answers for question set", "question_set"),
        "reward_train": ("reward model run", "run"),
        "corpus.import": ("import", "batch_id"),
    }

    @property
    def subject(self) -> str:
        """The job's subject with its own number ("model run #7"); "" when the kind names none."""
        noun, key = self.SUBJECTS.get(self.kind, (None, None))
        number = (self.parameters or {}).get(key) if key else None
        return f"{noun} #{number}" if noun and number is not None else ""

    @property
    def label(self) -> str:
        """The subject ("model run #7"), else the kind and the job's number ("recount #12")."""
        return self.subject or f"{self.kind} #{self.pk}"

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from a worker starting the job to its end (or to now while running); None before."""
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return max(0.0, (end - self.started_at).total_seconds())

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class AuditLog(models.Model):
    """Who did what to which object, and when. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"

    @property
    def detail_pairs(self) -> list:
        """`details` as (key, value) pairs: a template's `details.items` is the value of an "items" key
        when there is one (study.create records one), not the dict's items."""
        return list(self.details.items()) if isinstance(self.details, dict) else []


def default_progress_percents() -> list[int]:
    return [50]


class Webhook(TimeStamped):
    """A curator's subscription: POST a signed JSON body to `url` when one of `events` happens."""

    class Event(models.TextChoices):
        JOB_FINISHED = "job.finished", "A job finished (succeeded or failed)"
        STUDY_COMPLETED = "study.completed", "A study received all its ratings"
        STUDY_PROGRESS = "study.progress", "A study reached a share of its ratings"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500, help_text="http(s) address that receives the POSTs.")
    events = models.JSONField(default=list, help_text="Event names, e.g. ['job.finished'].")
    progress_percents = ArrayField(
        models.PositiveSmallIntegerField(),
        default=default_progress_percents,
        blank=True,
        help_text="study.progress fires once per study as it reaches each of these shares of its ratings.",
    )
    secret = models.CharField(max_length=64, help_text="Key of the X-Equitext-Signature HMAC-SHA256.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.url} ({', '.join(self.events)})"


class WebhookDelivery(models.Model):
    """One event sent to one webhook: every attempt's outcome is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (no more retries)"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(
        blank=True, help_text="Start of the receiver's last answer, or the error."
    )
    log = models.JSONField(default=list, help_text="[{at, status_code, error}] per attempt.")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} → {self.webhook.url} ({self.status})"
