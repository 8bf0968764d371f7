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
        EVALUATE = "evaluate", "Evaluate generators"

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
    environment = models.JSONField(
        default=dict,
        blank=True,
        help_text="Device, dtype, torch and transformers versions the worker generated with (at its start)",
    )
    prompt_examples = models.JSONField(
        default=dict,
        blank=True,
        help_text="Few-shot prompts: per segment id, the corpus pairs its prompt showed (segment, version, "
        "texts, similarity), chosen once when the run starts",
    )
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
    text = models.TextField(blank=True, help_text="The cleaned output: what is scored and accepted")
    raw_text = models.TextField(
        blank=True, help_text="The model's output before cleaning (apps/scoring/cleaning.py), for audit"
    )
    source_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Segment version whose original text the model rewrote"
    )
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
    sari = models.FloatField(
        null=True,
        blank=True,
        help_text="SARI of this candidate against its reference: HF evaluate's sentence SARI "
        "(apps/metrics/sari.py `sari`; lower-cased sacrebleu 13a tokens), 0–100",
    )
    sari_parts = models.JSONField(
        default=dict, blank=True, help_text="add / keep / delete of the candidate's `sari`, 0–100"
    )
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
    label = models.CharField(
        max_length=120, blank=True, help_text='How it came to be, e.g. "demo-trained" (set up by demo_load)'
    )
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


class ReferenceScore(TimeStamped):
    """The segment's human simplification scored like a candidate of the run (same reward model, weights,
    readability and guard), and the rank it would take among the run's candidates of that segment.

    `would_rank` = 1 + the number of candidates with a strictly higher reward (None without a reward);
    `candidates_ranked` is how many candidates of the segment have a reward."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="reference_scores")
    segment = models.ForeignKey("corpus.Segment", on_delete=models.CASCADE, related_name="+")
    segment_version = models.PositiveIntegerField(help_text="Segment version whose simplified text this is")
    text = models.TextField()
    reward = models.FloatField(null=True, blank=True)
    reward_parts = models.JSONField(default=dict, blank=True)
    reward_model = models.ForeignKey(
        "scoring.RewardModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    readability = models.JSONField(default=dict, blank=True)
    grade = models.FloatField(null=True, blank=True, help_text="Flesch–Kincaid grade")
    compression = models.FloatField(null=True, blank=True)
    similarity = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    would_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    candidates_ranked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "segment_id"]
        constraints = [models.UniqueConstraint(fields=["run", "segment"], name="reference_score_unique")]

    def __str__(self):
        return f"reference of {self.segment_id} in run {self.run_id}"


class GeneratorVersion(TimeStamped):
    """A trained generator: a LoRA adapter on a base model, and everything needed to trust and rebuild it.

    One registry for every training target (SFT, RL, DPO): a generation or evaluation run names a version
    by its training run (`train_run: <run id>`). The adapter folder (under MEDIA_ROOT) was written to a
    temporary folder and renamed into place by the worker; `adapter_sha256` is checked before use.
    `data_snapshot` lists the training data by id and version; `history` the loss (and reward) per step.
    """

    class Method(models.TextChoices):
        SFT = "sft", "Supervised fine-tuning (LoRA)"
        RL = "rl", "Reinforcement learning with the reward (GRPO, LoRA)"
        DPO = "generator", "DPO on preference pairs (LoRA)"

    run = models.OneToOneField(ModelRun, on_delete=models.CASCADE, related_name="generator_version")
    method = models.CharField(max_length=16, choices=Method.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The version this one started from (e.g. RL or DPO on top of SFT)",
    )
    base_model = models.CharField(max_length=200)
    base_revision = models.CharField(max_length=200, help_text="Fingerprint of the base weights")
    model_name = models.CharField(max_length=300)
    model_revision = models.CharField(max_length=300, help_text="Base revision + adapter fingerprints")
    adapter_path = models.CharField(max_length=500, help_text="Adapter folder, relative to MEDIA_ROOT")
    adapter_sha256 = models.CharField(max_length=64)
    data_snapshot = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField(default=0)
    environment = models.JSONField(
        default=dict, blank=True, help_text="Device, dtype and library versions it was trained with"
    )
    history = models.JSONField(default=list, blank=True, help_text="Per optimiser step: loss, reward, …")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_method_display()} · run #{self.run_id}"

    @property
    def label(self) -> str:
        return f"{METHOD_SHORT_LABELS[self.method]} (run #{self.run_id})"


METHOD_SHORT_LABELS = {"sft": "SFT", "rl": "RL", "generator": "DPO"}


class EvaluationOutput(models.Model):
    """One generator version's output for one segment in an evaluation run, with its scores.

    Kept apart from candidates on purpose: held-out outputs are never accepted into the corpus and never
    become preference data (which would leak the test split into training)."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="evaluation_outputs")
    version = models.PositiveSmallIntegerField(
        help_text="Position of the generator in the run's list (0 first)"
    )
    segment = models.ForeignKey("corpus.Segment", on_delete=models.CASCADE, related_name="+")
    segment_version = models.PositiveIntegerField(help_text="Segment version whose texts were used")
    text = models.TextField(blank=True)
    raw_text = models.TextField(blank=True, help_text="The model's output before cleaning")
    new_tokens = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=True)
    examples = models.JSONField(default=list, blank=True, help_text="Few-shot pairs the prompt showed")
    sari = models.FloatField(null=True, blank=True, help_text="HF evaluate's sentence SARI, 0–100")
    sari_parts = models.JSONField(default=dict, blank=True)
    bleu = models.FloatField(null=True, blank=True, help_text="Sentence BLEU (sacrebleu), 0–100")
    grade = models.FloatField(null=True, blank=True, help_text="Flesch–Kincaid grade")
    compression = models.FloatField(null=True, blank=True)
    similarity = models.FloatField(null=True, blank=True)
    p_simplified = models.FloatField(null=True, blank=True)
    reward = models.FloatField(null=True, blank=True)
    reward_parts = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "segment_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["run", "version", "segment"], name="evaluation_output_unique")
        ]

    def __str__(self):
        return f"output of generator {self.version} for segment {self.segment_id} in run {self.run_id}"
