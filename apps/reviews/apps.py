from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_rubrics(sender, **kwargs):
    from apps.reviews.models import Rubric
    from apps.reviews.seed import rubrics_seed

    rubrics_seed(Rubric)


class ReviewsConfig(AppConfig):
    name = "apps.reviews"
    label = "reviews"

    def ready(self):
        from apps.reviews.preferences import SOURCE, pairwise_preferences
        from apps.scoring.preferences import preference_source_register

        # The shipped rubrics exist after every `migrate` and after a test flush (by name; never replaced).
        post_migrate.connect(_seed_rubrics, sender=self, dispatch_uid="equitext-reviews-rubrics")
        # Pairwise ratings are one more source of the preference export (scoring never imports reviews).
        preference_source_register(name=SOURCE, records=pairwise_preferences)
        _register_comprehension()


def _register_comprehension():
    """Comprehension studies' rules for the assignment engine (apps/reviews/kinds.py)."""
    from apps.reviews.comprehension import design, reading, views
    from apps.reviews.kinds import StudyKind, study_kind_register
    from apps.reviews.models import Rubric

    study_kind_register(
        Rubric.Kind.COMPREHENSION,
        StudyKind(
            open_slots=design.open_slots,
            leased=design.leased,
            response_clean=reading.response_clean,
            preassign_refusal=design.preassign_refusal,
            rater_url=views.rater_url,
            rater_view=reading.rater_view,
        ),
    )
