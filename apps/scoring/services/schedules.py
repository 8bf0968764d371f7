"""Scheduled work: the default beat schedules and the readability refresh of changed segments. (The
scheduled executions' Jobs are made by `apps.core.jobs.job_create_scheduled`.)"""

import json

from django.conf import settings

from apps.corpus.models import Segment
from apps.metrics.text_scores import text_scores_get_or_compute


def readability_refresh(*, since, progress) -> dict:
    """Fill the readability cache for every segment text changed since `since` (None: all segments)."""
    segments = Segment.objects.order_by("pk")
    if since is not None:
        segments = segments.filter(updated_at__gt=since)
    total = segments.count()
    texts_scored = 0
    done = 0
    chunk = 500
    last_pk = 0
    while True:
        rows = list(segments.filter(pk__gt=last_pk).values_list("pk", "original", "simplified")[:chunk])
        if not rows:
            break
        texts = [text for _, original, simplified in rows for text in (original, simplified) if text.strip()]
        text_scores_get_or_compute(texts)
        texts_scored += len(texts)
        done += len(rows)
        last_pk = rows[-1][0]
        progress(done, total, f"Scored the texts of {done} of {total} changed segments")
    return {"segments": total, "texts": texts_scored, "since": since.isoformat() if since else None}


SCHEDULES = [
    # name, task, crontab (minute, hour) or interval seconds, description
    (
        "Score texts changed since the last run",
        "equitext.scoring.readability_refresh",
        {"crontab": ("15", "2")},
        "Nightly: fills the readability cache for segments edited since the last successful run.",
    ),
    (
        "Score candidates that lack scores",
        "equitext.ml.score_pending",
        {"crontab": ("45", "2")},
        "Nightly: scores model candidates stored without scores (e.g. after a scoring change).",
    ),
    (
        "Retrain the reward model when enough new pairs exist",
        "equitext.ml.train_reward",
        {"crontab": ("30", "3", "1"), "kwargs": {"min_new_pairs": 50}},
        "Weekly (Monday 03:30): trains a new reward-model version when at least `min_new_pairs` approved "
        "pairs (edit it in Keyword arguments) are new or changed since the latest version; otherwise the "
        "job records that it skipped and why. A new version is not activated automatically.",
    ),
    (
        "Fail jobs whose worker died",
        "equitext.scoring.jobs_sweep",
        {"every": 60},
        "Every minute: marks running jobs failed when their worker has no heartbeat and made no progress, "
        "and queues again the webhook deliveries that could not be queued while Redis was down.",
    ),
]


def schedules_ensure(using: str = "default") -> int:
    """Create the default beat schedules that do not exist yet (by name). Returns how many were created.

    Existing ones are left exactly as an admin edited them (times, enabled flag)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for name, task, when, description in SCHEDULES:
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        kwargs = {}
        if "kwargs" in when:
            kwargs["kwargs"] = json.dumps(when["kwargs"])
        if "crontab" in when:
            minute, hour, day_of_week = (*when["crontab"], "*")[:3]
            kwargs["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                minute=minute,
                hour=hour,
                day_of_week=day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
        else:
            kwargs["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(
                every=when["every"], period=IntervalSchedule.SECONDS
            )
        PeriodicTask.objects.using(using).create(name=name, task=task, description=description, **kwargs)
        created += 1
    return created
