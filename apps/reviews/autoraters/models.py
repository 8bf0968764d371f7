"""A model rater's run record and its ratings (imported by apps/reviews/models.py, app label reviews)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Autorater(models.Model):
    """One run of a model as a rater over a study's regular items: what is needed to reproduce it — the
    generator (default: the embedded model; or a local checkpoint), the prompt template version and its
    text, decoding settings and seed — and, filled by the worker, the model's name and weight fingerprint,
    device, dtype and library versions (`run_record`)."""

    study = models.ForeignKey("reviews.Study", on_delete=models.CASCADE, related_name="autoraters")
    name = models.CharField(max_length=200)
    model_path = models.CharField(
        max_length=500, blank=True, help_text="A local model directory; empty: the embedded generator."
    )
    model_name = models.CharField(max_length=200, blank=True, help_text="Filled when the worker loads it.")
    model_revision = models.CharField(max_length=200, blank=True, help_text="Weight fingerprint.")
    template_version = models.CharField(max_length=60)
    system_prompt = models.TextField(help_text="The system message as sent (built from the rubric).")
    decoding = models.JSONField(default=dict, help_text="temperature, top_p, max_new_tokens, batch_size")
    seed = models.BigIntegerField()
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run_record = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study_id", "id"]

    def __str__(self):
        return f"{self.name} on {self.study}"


class AutoraterRating(models.Model):
    """The model's answer to one item: its raw output always; `response` only when the output parsed and
    passed the rubric's validation, else `parse_error` says why (never a guessed answer)."""

    autorater = models.ForeignKey(Autorater, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey("reviews.StudyItem", on_delete=models.CASCADE, related_name="+")
    raw_text = models.TextField()
    response = models.JSONField(null=True, blank=True)
    parse_error = models.TextField(blank=True)
    new_tokens = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=True, help_text="False: stopped by the token limit.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["autorater_id", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["autorater", "item"], name="reviews_autorater_rating_unique_item"
            ),
            models.CheckConstraint(
                condition=models.Q(response__isnull=True) | models.Q(parse_error=""),
                name="reviews_autorater_rating_parsed_or_error",
            ),
        ]

    def __str__(self):
        return f"{self.autorater} on item {self.item_id}"

    @property
    def parsed(self) -> bool:
        return self.response is not None
