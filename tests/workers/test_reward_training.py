"""Reward classifier training with the embedded MiniLM encoder on the demo corpus (in-process task)."""

import pytest

from apps.core.models import AuditLog, Job
from apps.corpus import demo as corpus_demo
from apps.corpus.models import Segment
from apps.scoring import reward_eval, reward_registry
from apps.scoring.models import ModelRun, RewardModel

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ALL_STATUSES = {"statuses": ["approved", "in_review", "draft"]}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_corpus(db):
    corpus_demo.load()


def _train(user, parameters=None) -> RewardModel:
    from workers.tasks.scoring import train_reward

    run = reward_registry.reward_train_start(user=user, parameters=parameters or {})
    train_reward.apply(args=[run.job_id])
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "succeeded", job.error
    assert run.status == ModelRun.Status.SUCCEEDED
    return RewardModel.objects.get(pk=run.summary["reward_model"])


def _scorer(model):
    from workers.ml import reward

    return reward.artifact_load(
        reward_registry.artifact_file(model), sha256=model.artifact_sha256, cache=False
    )


def test_training_on_the_demo_corpus_records_its_held_out_metrics_honestly(media, demo_corpus, curator):
    model = _train(curator)
    assert model.version == 1 and not model.is_active and model.created_by == curator
    snapshot = model.training_snapshot
    approved = set(Segment.objects.filter(status="approved").values_list("pk", flat=True))
    assert {pk for pk, _, _ in snapshot["pairs"]} == approved  # default: approved pairs only

    # Split by document: no document has texts on both sides.
    sides = {}
    for pk, _, side in snapshot["pairs"]:
        sides.setdefault(Segment.objects.get(pk=pk).document_id, set()).add(side)
    assert all(len(s) == 1 for s in sides.values()) and {"train", "test"} <= set().union(*sides.values())
    assert model.snapshot_hash == reward_registry.snapshot_hash(snapshot)

    # The recorded figures are what the saved model does on the held-out pairs, recomputed here.
    scorer = _scorer(model)
    test_pairs = [Segment.objects.get(pk=pk) for pk, _, side in snapshot["pairs"] if side == "test"]
    p = scorer.score([t for s in test_pairs for t in (s.original, s.simplified)])
    pairs = [(p[2 * i], p[2 * i + 1]) for i in range(len(test_pairs))]
    metrics = model.metrics
    assert metrics["test_pairs"] == len(test_pairs) and metrics["test_texts"] == 2 * len(test_pairs)
    assert metrics["reward"]["pair_accuracy"] == round(reward_eval.pair_ranking_accuracy(pairs), 4)
    labels = [0, 1] * len(test_pairs)
    assert metrics["reward"]["roc_auc"] == round(reward_eval.roc_auc(labels, p), 4)
    assert metrics["reward"]["accuracy"] == round(reward_eval.accuracy(labels, [int(x >= 0.5) for x in p]), 4)
    for figures in (metrics["reward"], metrics["baseline_fk"]):
        assert all(0 <= figures[k] <= 1 for k in ("accuracy", "roc_auc", "pair_accuracy"))
    beats = all(metrics["reward"][k] > metrics["baseline_fk"][k] for k in ("roc_auc", "pair_accuracy"))
    assert metrics["beats_baseline"] == beats
    print("demo metrics", metrics)


def test_a_plainly_simplified_text_scores_above_its_original(media, demo_corpus, curator):
    model = _train(curator, ALL_STATUSES)
    original = (
        "Adjuvant chemotherapy is administered following surgical resection to eradicate residual "
        "micrometastatic disease and reduce the probability of recurrence."
    )
    simplified = "After surgery, you may get chemo. It kills cancer cells that are too small to see."
    p_original, p_simplified = _scorer(model).score([original, simplified])
    assert p_simplified > p_original


def test_reloading_the_artefact_gives_identical_scores_and_a_changed_file_is_refused(
    media, demo_corpus, curator
):
    model = _train(curator)
    texts = [s.original for s in Segment.objects.all()[:6]] + [
        s.simplified for s in Segment.objects.all()[:6]
    ]
    first = _scorer(model).score(texts)
    again = _scorer(model).score(texts)
    assert first == again
    path = reward_registry.artifact_file(model)
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(RuntimeError, match="does not match its registered SHA-256"):
        _scorer(model)


def test_activation_keeps_one_active_model_and_is_audited(media, demo_corpus, curator):
    first = _train(curator)
    second = _train(curator, {"seed": 3})
    assert second.version == 2
    reward_registry.reward_model_activate(reward_model_id=first.pk, user=curator)
    reward_registry.reward_model_activate(reward_model_id=second.pk, user=curator)
    assert list(RewardModel.objects.filter(is_active=True)) == [second]
    log = AuditLog.objects.filter(action="reward_model.activate").order_by("at")
    assert [entry.details["version"] for entry in log] == [1, 2]
    assert log.last().details["previous"] == [1] and log.last().actor == curator


def test_a_fine_tuned_encoder_is_saved_with_the_artefact_and_reloads_identically(media, demo_corpus, curator):
    model = _train(curator, {"encoder_mode": "finetune", "epochs": 1, "batch_size": 16})
    assert model.parameters["encoder_mode"] == "finetune"
    assert (reward_registry.artifact_file(model).parent / "encoder" / "config.json").exists()
    texts = ["Take one tablet a day.", "Administer one tablet daily subsequent to meals."]
    assert _scorer(model).score(texts) == _scorer(model).score(texts)
    assert model.metrics["reward"]["roc_auc"] is not None


def test_the_weekly_schedule_retrains_when_enough_new_pairs_exist(media, demo_corpus):
    from workers.tasks.scoring import train_reward

    train_reward.apply(kwargs={"min_new_pairs": 5})
    job = Job.objects.get(kind="reward_train")
    train_reward.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    model = RewardModel.objects.get()
    approved = Segment.objects.filter(status="approved").count()
    assert job.result["version"] == model.version == 1 and job.result["new_pairs"] == approved
    assert model.created_by is None and model.job == job and not model.is_active
