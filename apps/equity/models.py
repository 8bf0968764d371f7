"""EquityMedQA: adversarial question sets, counterfactual pairs, the answers of audited models, and the
identity-axis lexicon used to suggest tags.

Duplicates are impossible by construction: a question is unique per set by the hash of its normalised
text, a pair is unique per set by its two questions, a producer by (name, revision, parameters), and an
answer by (question, producer, text hash). Producer labels are curator-only data; rater-facing code
goes through `selectors.answer_for_rater`, which never carries them.
"""

import hashlib
import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import Job, TimeStamped

SEARCH_CONFIG = "english"
_SPACES = re.compile(r"\s+")


def text_normalise(text: str) -> str:
    """Whitespace collapsed and trimmed: the form that is stored and compared."""
    return _SPACES.sub(" ", text or "").strip()


def text_hash(text: str) -> str:
    """SHA-256 of the normalised, case-folded text: two questions that differ only in spacing or case
    are the same question."""
    return hashlib.sha256(text_normalise(text).casefold().encode("utf-8")).hexdigest()


class IdentityAxis(models.Model):
    """An axis of identity (race/ethnicity, gender, …); its terms suggest tags on import. Data, not code."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "identity axes"

    def __str__(self):
        return self.name


class IdentityTerm(models.Model):
    """A word or phrase that signals an axis ("black", "transgender", "low-income"); matched as whole
    words, case-insensitively, with an optional plural "s"."""

    axis = models.ForeignKey(IdentityAxis, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=80)

    class Meta:
        ordering = ["axis__position", "term"]
        constraints = [models.UniqueConstraint(Lower("term"), name="equity_identityterm_unique_term")]

    def __str__(self):
        return f"{self.term} ({self.axis.slug})"


class QuestionSet(TimeStamped):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single questions"
        COUNTERFACTUAL = "counterfactual", "Counterfactual pairs"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    provenance = models.TextField(
        blank=True, help_text="Where the questions come from and how they were built."
    )
    licence = models.CharField(max_length=80, blank=True)
    source_file_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Question(TimeStamped):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    text_hash = models.CharField(max_length=64, editable=False)
    position = models.PositiveIntegerField(default=0, help_text="Order in the set (the file's row order).")
    topics = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    identity_axes = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, help_text="Identity-axis slugs."
    )

    class Meta:
        ordering = ["question_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "text_hash"], name="equity_question_unique_text"),
            models.CheckConstraint(condition=~models.Q(text=""), name="equity_question_text_not_empty"),
        ]
        indexes = [
            GinIndex(SearchVector("text", config=SEARCH_CONFIG), name="equity_question_search"),
            GinIndex(fields=["identity_axes"], name="equity_question_axes"),
            GinIndex(fields=["topics"], name="equity_question_topics"),
        ]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        # Keeps the hash true to the text whichever path saves it (admin edits included).
        self.text = text_normalise(self.text)
        self.text_hash = text_hash(self.text)
        super().save(*args, **kwargs)


class CounterfactualPair(TimeStamped):
    """Two questions that differ in an identity attribute. The difference is found by a word diff on
    import (`changed_from` → `changed_to`, and the axes whose terms appear there); `changed_attribute`
    is the editable label a curator sees."""

    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="pairs")
    question_a = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="pairs_as_a")
    question_b = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="pairs_as_b")
    position = models.PositiveIntegerField(default=0)
    changed_from = models.CharField(max_length=300, blank=True, help_text="Words only in question A.")
    changed_to = models.CharField(max_length=300, blank=True, help_text="Words only in question B.")
    changed_axes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    changed_attribute = models.CharField(max_length=200, blank=True)
    attribute_edited = models.BooleanField(
        default=False, help_text="Set when a curator edited the attribute; re-detection leaves it alone."
    )

    class Meta:
        ordering = ["question_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "question_a", "question_b"], name="equity_pair_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(question_a=models.F("question_b")), name="equity_pair_two_questions"
            ),
        ]

    def __str__(self):
        return f"{self.question_set} pair #{self.position}: {self.changed_attribute or '?'}"


class Producer(TimeStamped):
    """Who wrote an answer: a model name, its revision and the generation parameters. Curator-only."""

    name = models.CharField(max_length=200)
    revision = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "revision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "revision", "parameters"], name="equity_producer_unique")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name} ({self.revision})" if self.revision else self.name


class Answer(models.Model):
    class Origin(models.TextChoices):
        IMPORT = "import", "Imported"
        MODEL_RUN = "model_run", "Model run"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField()
    text_hash = models.CharField(max_length=64, editable=False)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.IMPORT)
    parameters = models.JSONField(default=dict, blank=True, help_text="How this answer was produced.")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["question", "producer", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "producer", "text_hash"], name="equity_answer_unique_text"
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="equity_answer_text_not_empty"),
        ]

    def __str__(self):
        return f"Answer #{self.pk} to question #{self.question_id}"

    def save(self, *args, **kwargs):
        self.text = (self.text or "").strip()
        self.text_hash = text_hash(self.text)
        super().save(*args, **kwargs)
