from django.db.models import QuerySet

from apps.core.models import Job
from apps.core.roles import is_curator


def jobs_visible_to(user) -> QuerySet[Job]:
    """Curators see every job; anyone else only the jobs they requested."""
    jobs = Job.objects.select_related("requested_by")
    if is_curator(user):
        return jobs
    return jobs.filter(requested_by=user)


def job_last_success_started(kind: str):
    """When the latest successful job of `kind` started (None: never), e.g. "changed since the last run"."""
    job = Job.objects.filter(kind=kind, status=Job.Status.SUCCEEDED).order_by("-started_at").first()
    return job.started_at if job else None


def dashboard_summary() -> list[dict]:
    """Counts for the curator's overview, one card per area, each row linking to its filtered list.

    Feature models are looked up by name (core never imports feature apps at import time)."""
    from django.apps import apps
    from django.db.models import Count

    def by(model_label: str, field: str) -> dict[str, int]:
        model = apps.get_model(model_label)
        return {
            row[field]: row["n"] for row in model.objects.values(field).annotate(n=Count("id")).order_by()
        }

    segments = by("corpus.Segment", "status")
    studies = by("reviews.Study", "status")
    runs = by("scoring.ModelRun", "job__status")  # a run's status is its job's (None: no job yet, queued)
    assessments = by("elevate.Assessment", "status")
    return [
        {
            "title": "Corpus segments",
            "url": "corpus:segment_list",
            "rows": [
                ("Draft", segments.get("draft", 0), "?status=draft"),
                ("In review", segments.get("in_review", 0), "?status=in_review"),
                ("Approved", segments.get("approved", 0), "?status=approved"),
            ],
        },
        {
            "title": "Question sets",
            "url": "equity:set_list",
            "rows": [
                ("Sets", apps.get_model("equity.QuestionSet").objects.count(), ""),
                ("Questions", apps.get_model("equity.Question").objects.count(), ""),
                ("Answers", apps.get_model("equity.Answer").objects.count(), ""),
            ],
        },
        {
            "title": "Studies",
            "url": "reviews:study_list",
            "rows": [
                ("Live", studies.get("live", 0), ""),
                ("Draft or paused", studies.get("draft", 0) + studies.get("paused", 0), ""),
                ("Closed", studies.get("closed", 0), ""),
            ],
        },
        {
            "title": "Model runs",
            "url": "scoring:run_list",
            "rows": [
                ("Queued or running", runs.get("queued", 0) + runs.get(None, 0) + runs.get("running", 0), ""),
                ("Succeeded", runs.get("succeeded", 0), ""),
                ("Failed", runs.get("failed", 0), ""),
            ],
        },
        {
            "title": "ELEVATE assessments",
            "url": "elevate:assessment_list",
            "rows": [
                ("Draft", assessments.get("draft", 0), ""),
                ("Submitted", assessments.get("submitted", 0), ""),
            ],
        },
    ]


def audit_object_types() -> list[str]:
    from apps.core.models import AuditLog

    return list(
        AuditLog.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


def audit_entries(*, actor=None, action=None, object_type=None, object_id=None, since=None, until=None):
    """Audit entries, newest first, narrowed by the given filters.

    `action` matches a whole action or a dotted prefix ("rating" finds rating.submit and rating.correct);
    `since`/`until` are dates, both inclusive, in the site's time zone."""
    from datetime import datetime, time, timedelta

    from django.db.models import Q
    from django.utils import timezone

    from apps.core.models import AuditLog

    entries = AuditLog.objects.select_related("actor")
    if actor:
        entries = entries.filter(actor__username__iexact=actor)
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action.rstrip('.')}."))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        entries = entries.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    return entries
