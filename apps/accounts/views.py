from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from apps.core.roles import RATE


@login_required
@permission_required(RATE, raise_exception=True)
def queue(request):
    """The rater's work queue: the studies they take part in, with their progress."""
    from apps.reviews.selectors import rater_queue

    return render(
        request,
        "accounts/queue.html",
        {"profile": getattr(request.user, "rater_profile", None), "queue": rater_queue(request.user)},
    )
