from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_instruments(sender, **kwargs):
    from apps.instruments.seed import instruments_seed

    instruments_seed()


class InstrumentsConfig(AppConfig):
    name = "apps.instruments"
    label = "instruments"
    verbose_name = "Health-literacy instruments"

    def ready(self):
        # The shipped instruments are product data: they exist after every `migrate` and after a test
        # flush (by key; an instrument that exists in any version is never touched).
        post_migrate.connect(_seed_instruments, sender=self, dispatch_uid="equitext-instruments-seed")
