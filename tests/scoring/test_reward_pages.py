"""Reward-model pages and API: the verdict against grade level, activation, starting trainings; only
curators may start runs of any kind."""

import pytest

from apps.core.models import AuditLog, Job
from apps.scoring.models import ModelRun, RewardModel

pytestmark = pytest.mark.django_db


def _model(version: int, beats: bool, **fields) -> RewardModel:
    metrics = {
        "reward": {"accuracy": 0.7, "roc_auc": 0.9 if beats else 0.8, "pair_accuracy": 0.9 if beats else 0.8},
        "baseline_fk": {"accuracy": 0.8, "roc_auc": 0.85, "pair_accuracy": 0.85, "grade_cutoff": 8.5},
        "beats_baseline": beats,
        "test_pairs": 6,
        "test_texts": 12,
        "train_pairs": 20,
        "train_texts": 40,
        "test_documents": 1,
        "train_documents": 4,
    }
    return RewardModel.objects.create(
        version=version,
        encoder="all-MiniLM-L6-v2",
        metrics=metrics,
        artifact_path=f"rm/x{version}/m",
        parameters={"encoder_mode": "frozen", "C": 1.0, "statuses": ["approved"]},
        **fields,
    )


def test_a_reward_that_does_not_beat_grade_level_says_so_plainly(client, curator):
    weak = _model(1, beats=False)
    strong = _model(2, beats=True)
    client.force_login(curator)
    page = client.get(f"/scoring/reward-models/{weak.pk}/").content.decode()
    assert "This reward does not beat grade level." in page
    page = client.get(f"/scoring/reward-models/{strong.pk}/").content.decode()
    assert "beats the Flesch–Kincaid grade level" in page and "does not beat" not in page
    listing = client.get("/scoring/reward-models/").content.decode()
    assert "v1" in listing and "v2" in listing


def test_activating_from_the_page_switches_the_active_model_and_records_it(client, curator):
    first = _model(1, beats=True, is_active=True)
    second = _model(2, beats=False)
    client.force_login(curator)
    response = client.post(f"/scoring/reward-models/{second.pk}/activate/")
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_active and not first.is_active and second.activated_by == curator
    entry = AuditLog.objects.get(action="reward_model.activate")
    assert entry.details["version"] == 2 and entry.details["previous"] == [1]


def test_the_database_refuses_two_active_models():
    from django.db import IntegrityError

    _model(1, beats=True, is_active=True)
    with pytest.raises(IntegrityError):
        _model(2, beats=True, is_active=True)


def test_a_curator_starts_a_reward_training_from_the_page(client, curator):
    client.force_login(curator)
    response = client.post(
        "/scoring/reward-models/",
        {
            "statuses": ["approved", "in_review"],
            "test_fraction": "0.3",
            "seed": "4",
            "C": "2",
            "encoder_mode": "frozen",
            "epochs": "3",
        },
    )
    run = ModelRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scoring/runs/{run.pk}/"
    assert run.kind == "train" and run.parameters["target"] == "reward"
    assert run.parameters["statuses"] == ["approved", "in_review"] and run.parameters["C"] == 2.0
    assert run.job.kind == "reward_train" and run.job.status == Job.Status.QUEUED
    page = client.get(f"/scoring/runs/{run.pk}/").content.decode()
    assert "train a reward model" in page


def test_bad_training_parameters_are_reported_by_field_and_nothing_starts(api_as, curator):
    response = api_as(curator).post(
        "/api/v1/runs/",
        {"kind": "train", "target": "reward", "parameters": {"test_fraction": 0.9, "encoder_mode": "big"}},
        format="json",
    )
    assert response.status_code == 400
    assert {"test_fraction", "encoder_mode"} <= set(response.json()["errors"])
    assert not ModelRun.objects.exists() and not Job.objects.exists()


def test_the_api_starts_a_reward_training_and_activates_a_version(api_as, curator):
    client = api_as(curator)
    response = client.post("/api/v1/runs/", {"kind": "train", "target": "reward"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "train"
    assert client.post("/api/v1/runs/", {"kind": "train"}, format="json").status_code == 400
    model = _model(1, beats=False)
    body = client.post(f"/api/v1/reward-models/{model.pk}/activate/").json()
    assert body["is_active"] is True and body["activated_by"] == "alice" and body["beats_baseline"] is False


def test_fine_tuning_needs_preference_data_first(api_as, curator):
    response = api_as(curator).post(
        "/api/v1/runs/", {"kind": "train", "target": "generator", "parameters": {"steps": 2}}, format="json"
    )
    assert response.status_code == 400
    assert "no preference pairs" in response.json()["errors"]["parameters"][0]
    assert not ModelRun.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "train", "target": "reward"},
        {"kind": "train", "target": "generator"},
        {"kind": "generate", "split": "train"},
    ],
)
def test_raters_and_anonymous_users_cannot_start_runs(api, api_as, rater_physician, body):
    assert api_as(rater_physician).post("/api/v1/runs/", body, format="json").status_code == 403
    assert api.post("/api/v1/runs/", body, format="json").status_code == 401
    assert not ModelRun.objects.exists() and not Job.objects.exists()


def test_raters_cannot_open_reward_pages_or_activate(client, rater_physician):
    model = _model(1, beats=True)
    client.force_login(rater_physician)
    assert client.get("/scoring/reward-models/").status_code == 403
    assert client.post(f"/scoring/reward-models/{model.pk}/activate/").status_code == 403
    assert client.post("/scoring/runs/finetune/", {"steps": 2}).status_code == 403
    model.refresh_from_db()
    assert not model.is_active
