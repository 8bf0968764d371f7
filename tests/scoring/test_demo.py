"""The demo loader's scoring part: reward model v1 is queued once as a training job, labelled
demo-trained and activated when trained (unless a curator activated another one meanwhile)."""

import pytest

from apps.accounts import demo as accounts_demo
from apps.core.models import Job
from apps.corpus.models import Segment
from apps.scoring import demo, reward_registry
from apps.scoring.models import ModelRun, RewardModel

pytestmark = pytest.mark.django_db


def test_the_demo_queues_one_reward_training_on_the_train_and_dev_pairs(django_capture_on_commit_callbacks):
    accounts_demo.load()
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert demo.load() == 1
    run = ModelRun.objects.get(parameters__demo=True)
    assert run.kind == "train" and run.parameters["target"] == "reward"
    assert run.parameters["splits"] == ["dev", "train"] and run.requested_by.username == "curator"
    assert Job.objects.get(pk=run.job_id).status == "queued" and len(sent) == 1  # the worker trains it
    data = reward_registry.training_set_build(run.parameters)
    used = Segment.objects.filter(pk__in=[pk for pk, _, _ in data.snapshot["pairs"]])
    assert used.count() == 17 and not used.filter(split="test").exists()  # never the held-out split

    assert demo.load() == 0  # a second load queues nothing
    assert ModelRun.objects.filter(kind="train").count() == 1


def _registered(parameters, user) -> RewardModel:
    return reward_registry.reward_model_create(
        job=None,
        created_by=user,
        parameters=parameters,
        training=reward_registry.TrainingSet(),
        metrics={"beats_baseline": False},
        encoder="all-MiniLM-L6-v2",
        artifact_path="reward_models/x",
        artifact_sha256="0" * 64,
    )


def test_a_demo_trained_version_is_labelled_and_activated_but_never_replaces_an_active_one(curator):
    first = _registered({"demo": True}, curator)
    assert first.label == "demo-trained" and first.is_active
    chosen = _registered({}, curator)
    assert not chosen.is_active and chosen.label == ""  # an ordinary version is never activated by itself
    reward_registry.reward_model_activate(reward_model_id=chosen.pk, user=curator)
    late_demo = _registered({"demo": True}, curator)
    assert late_demo.label == "demo-trained" and not late_demo.is_active
    assert RewardModel.objects.get(is_active=True) == chosen


def test_the_reward_pages_name_a_demo_trained_version_and_say_it_does_not_beat_grade_level(client, curator):
    model = _registered({"demo": True}, curator)
    client.force_login(curator)
    listed = client.get("/scoring/reward-models/").content.decode()
    assert "(demo-trained)" in listed
    page = client.get(f"/scoring/reward-models/{model.pk}/").content.decode()
    assert 'data-role="demo-note"' in page and "This reward does not beat grade level" in page
