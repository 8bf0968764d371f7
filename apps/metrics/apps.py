from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """Pure text metrics (readability, SARI, BLEU, compression) and the text-score cache: below every
    feature app, importing none of them (apps/metrics/README.md says why)."""

    name = "apps.metrics"
    label = "metrics"
    verbose_name = "Text metrics"
