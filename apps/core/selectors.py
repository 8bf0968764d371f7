from django.db.models import QuerySet

from apps.core.models import Job
from apps.core.roles import is_curator


def jobs_visible_to(user) -> QuerySet[Job]:
    """Curators see every job; anyone else only the jobs they requested."""
    jobs = Job.objects.select_related("requested_by")
    if is_curator(user):
        return jobs
    return jobs.filter(requested_by=user)


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
    runs = by("scoring.ModelRun", "status")
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
                ("Queued or running", runs.get("queued", 0) + runs.get("running", 0), ""),
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
