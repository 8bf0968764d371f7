from django.conf import settings
from django.db import models

from apps.core.models import Job, TimeStamped


class ModelRunQuerySet(models.QuerySet):
    def with_status(self, status: str) -> "ModelRunQuerySet":
        """Runs whose status (their job's, see ModelRun.status) is `status`."""
        if status == ModelRun.Status.QUEUED:
            return self.filter(models.Q(job__status=status) | models.Q(job__isnull=True))
        return self.filter(job__status=status)


class ModelRun(TimeStamped):
    """One request to a model: generate candidates for segments (or score, or train).

    `model_name`/`model_revision` are filled in by the worker with what it actually loaded (a content
    fingerprint of the weights), so a run always says which weights produced its candidates.

    A run's status is its Job's: the job lifecycle (apps/core/jobs.py) is the one place a run starts,
    succeeds or fails, including when its worker or pool process dies.
    """

    class Kind(models.TextChoices):
        GENERATE = "generate", "Generate candidates"
        SCORE = "score", "Score"
        TRAIN = "train", "Train"

    Status = Job.Status

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERATE)
    model_name = models.CharField(
        max_length=200, help_text="The generator's name, e.g. SmolLM2-135M-Instruct"
    )
    model_path = models.CharField(
        max_length=500, blank=True, help_text="A local model directory on the worker; blank: its default"
    )
    model_revision = models.CharField(max_length=120, blank=True, help_text="Fingerprint of the weights used")
    parameters = models.JSONField(default=dict, blank=True)
    prompt_template = models.CharField(max_length=64, blank=True)
    prompt_version = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(default=0)
    segments = models.ManyToManyField("corpus.Segment", blank=True, related_name="model_runs")
    selection = models.JSONField(default=dict, blank=True, help_text="How the segments were chosen")
    summary = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ModelRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"run #{self.pk} {self.model_name} ({self.status})"

    @property
    def status(self) -> str:
        """The job's status; queued while the run has no job (a run is given its job when created)."""
        return self.job.status if self.job_id else self.Status.QUEUED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def in_progress(self) -> bool:
        """Queued or running: pages keep polling it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Candidate(TimeStamped):
    """One model output for one segment in one run, with its scores and faithfulness flags."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="candidates")
    segment = models.ForeignKey("corpus.Segment", on_delete=models.CASCADE, related_name="candidates")
    index = models.PositiveSmallIntegerField(help_text="Sample number within the segment (0-based)")
    text = models.TextField(blank=True)
    new_tokens = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=True, help_text="False: stopped at the token limit")
    rank = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 = best of n by reward")
    reward = models.FloatField(
        null=True,
        blank=True,
        help_text="Combined reward (apps/scoring/reward.py); empty without reward model",
    )
    reward_model = models.ForeignKey(
        "scoring.RewardModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reward_parts = models.JSONField(
        default=dict, blank=True, help_text="p_simplified, similarity and penalties behind the reward"
    )
    readability = models.JSONField(default=dict, blank=True)
    grade = models.FloatField(null=True, blank=True, help_text="Flesch–Kincaid grade")
    sari = models.FloatField(null=True, blank=True)
    sari_parts = models.JSONField(default=dict, blank=True, help_text="add / keep / delete, 0–100")
    bleu = models.FloatField(null=True, blank=True)
    compression = models.FloatField(null=True, blank=True)
    similarity = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    reference_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Segment version whose simplified text was the SARI/BLEU reference"
    )
    scored_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision = models.CharField(
        max_length=16, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "segment_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "segment", "index"], name="candidate_unique_sample")
        ]

    def __str__(self):
        return f"candidate {self.index} of {self.segment_id} in run {self.run_id}"

    @property
    def high_flags(self) -> int:
        return sum(1 for flag in self.flags if flag.get("severity") == "high")


class RewardModel(TimeStamped):
    """A trained reward classifier: P(simplified) of a text (apps/scoring/README.md, "The reward").

    The artefact (a joblib file under MEDIA_ROOT written by the worker) holds the classification head and
    the encoder's identity; `artifact_sha256` is checked on every load. `training_snapshot` lists the
    (segment id, version) pairs it was trained on and their split, `snapshot_hash` their SHA-256, so a
    retrain on the same data is recognisable and "new pairs since the last version" countable.
    """

    version = models.PositiveIntegerField(unique=True)
    encoder = models.CharField(max_length=200, blank=True)
    training_snapshot = models.JSONField(default=dict, blank=True, help_text="Segment ids and their hash")
    snapshot_hash = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    artifact_path = models.CharField(max_length=500, blank=True, help_text="Relative to MEDIA_ROOT")
    artifact_sha256 = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who started the training (empty: the weekly schedule)",
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="reward_model_one_active"
            )
        ]

    def __str__(self):
        return f"reward model v{self.version}{' (active)' if self.is_active else ''}"

    @property
    def beats_baseline(self) -> bool | None:
        return (self.metrics or {}).get("beats_baseline")
