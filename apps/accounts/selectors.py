"""Reads of the accounts app: invitations (curators).

The raters page (rater profiles with their quality figures) reads in `apps.reviews.selectors`."""

from django.db.models import QuerySet

from apps.accounts.models import Invitation


def invitations_all() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("group", "created_by", "user").order_by("-created_at", "-id")
