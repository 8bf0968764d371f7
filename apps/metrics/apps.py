from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """Pure text metrics (readability, SARI, BLEU, compression) and the text-score cache: below every
    feature app, importing none of them (apps/metrics/README.md says why)."""

    name = "apps.metrics"
    label = "metrics"
    verbose_name = "Text metrics"

    def ready(self):
        from apps.metrics.grades import target_formula

        target_formula()  # a misspelt EQUITEXT_READABILITY_TARGET_FORMULA stops start-up, naming the choices
