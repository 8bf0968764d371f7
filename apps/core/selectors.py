from django.db.models import QuerySet

from apps.core.models import Job
from apps.core.roles import is_curator


def jobs_visible_to(user) -> QuerySet[Job]:
    """Curators see every job; anyone else only the jobs they requested."""
    jobs = Job.objects.select_related("requested_by")
    if is_curator(user):
        return jobs
    return jobs.filter(requested_by=user)
