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
        _register_instrument_studies()


def _register_instrument_studies():
    """Raters fill instruments through reviews studies of kind "instrument": the assignment engine's hooks
    (apps/reviews/kinds.py; reviews never imports instruments, so instruments registers them here)."""
    from apps.instruments import studies
    from apps.reviews.kinds import StudyKind, study_kind_register
    from apps.reviews.models import Rubric

    study_kind_register(
        Rubric.Kind.INSTRUMENT,
        StudyKind(
            response_clean=studies.response_clean, rater_url=studies.rater_url, rater_view=studies.rater_view
        ),
    )
