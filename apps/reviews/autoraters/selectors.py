"""Reads of model raters: a study's runs with their counts, a run's ratings, the items left to rate."""

from django.db.models import Count, Q

from apps.reviews.autoraters.models import Autorater, AutoraterRating
from apps.reviews.models import Study, StudyItem


def autoraters_of(study: Study):
    """The study's model raters, oldest first, with `n_ratings` and `n_parsed`, and their job."""
    return (
        Autorater.objects.filter(study=study)
        .select_related("job")
        .annotate(
            n_ratings=Count("ratings"),
            n_parsed=Count("ratings", filter=Q(ratings__response__isnull=False)),
        )
        .order_by("id")
    )


def items_to_rate(autorater: Autorater) -> list[int]:
    """Regular items of the study this run has not rated yet, in study order."""
    done = AutoraterRating.objects.filter(autorater=autorater).values("item_id")
    return list(
        StudyItem.objects.filter(study_id=autorater.study_id, role=StudyItem.Role.REGULAR)
        .exclude(pk__in=done)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def autorater_ratings(autorater: Autorater):
    return (
        AutoraterRating.objects.filter(autorater=autorater).select_related("item").order_by("item__position")
    )
