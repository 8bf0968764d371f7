from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_lexicon(sender, using="default", **kwargs):
    from apps.equity.lexicon import lexicon_seed

    lexicon_seed(using=using)


class EquityConfig(AppConfig):
    name = "apps.equity"
    label = "equity"
    verbose_name = "Equity question sets"

    def ready(self):
        # After every `migrate` (and every test-database flush), so the lexicon exists wherever the
        # tables do; it seeds only an empty lexicon and never undoes a curator's edits.
        post_migrate.connect(_seed_lexicon, sender=self, dispatch_uid="equitext-equity-lexicon")
