"""The weekly reward retraining: scheduled, and skipped (with the reason on its Job) without new pairs."""

import json

import pytest
from django_celery_beat.models import PeriodicTask

from apps.core.models import Job
from apps.scoring.models import RewardModel
from tests.corpus.factories import DocumentFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_the_weekly_retraining_schedule_exists_with_its_threshold():
    task = PeriodicTask.objects.get(task="equitext.ml.train_reward")
    assert task.enabled and task.crontab.day_of_week == "1"
    assert json.loads(task.kwargs) == {"min_new_pairs": 50}


def _scheduled_execution(min_new_pairs: int) -> Job:
    from workers.tasks.scoring import train_reward

    train_reward.apply(kwargs={"min_new_pairs": min_new_pairs})  # what beat sends: no job yet
    job = Job.objects.get(kind="reward_train")
    assert job.requested_by is None and job.parameters == {
        "trigger": "schedule",
        "min_new_pairs": min_new_pairs,
    }
    train_reward.apply(args=[job.pk])  # the re-sent task with its job
    job.refresh_from_db()
    return job


def test_too_few_new_pairs_records_a_job_that_says_it_skipped_and_why():
    document = DocumentFactory()
    for position in (1, 2, 3):
        SegmentFactory(document=document, position=position, status="approved")
    SegmentFactory(document=document, position=4, status="draft")  # not approved: not counted
    job = _scheduled_execution(min_new_pairs=5)
    assert job.status == "succeeded"
    assert job.result["skipped"] is True and job.result["new_pairs"] == 3
    assert "3 approved pair(s) new or changed" in job.message and "needs 5 or more" in job.result["reason"]
    assert not RewardModel.objects.exists()


def test_pairs_already_in_the_latest_version_are_not_new():
    document = DocumentFactory()
    segments = [SegmentFactory(document=document, position=p, status="approved") for p in (1, 2, 3)]
    RewardModel.objects.create(
        version=1, training_snapshot={"pairs": [[s.pk, s.version, "train"] for s in segments[:2]]}
    )
    job = _scheduled_execution(min_new_pairs=2)
    assert job.result["skipped"] is True and job.result["new_pairs"] == 1
    assert "since reward model v1" in job.result["reason"]
