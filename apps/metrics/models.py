from django.db import models
from django.utils import timezone


class TextScore(models.Model):
    """Readability metrics of one exact text, cached by the SHA-256 of its UTF-8 bytes.

    Rows are immutable: a text's metrics never change for a given ``engine`` (the textstat version and the
    readability module's own revision), so re-scoring unchanged text is a single indexed lookup. The table
    keeps the name it had when the cache lived in the scoring app (migration metrics 0001).
    """

    sha256 = models.CharField(max_length=64, unique=True)
    engine = models.CharField(max_length=40, help_text="textstat version + readability module revision")
    metrics = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "scoring_textscore"
        verbose_name = "text score"

    def __str__(self):
        return f"{self.sha256[:12]} ({self.engine})"
