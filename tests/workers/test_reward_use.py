"""Rewards in use: a generation run ranks its n candidates by reward (best-of-n), and the scheduled
scoring gives rewards to candidates that lack one once a reward model is active."""

import pytest
from django.utils import timezone

from apps.core.models import Job
from apps.corpus import demo as corpus_demo
from apps.scoring import reward, reward_registry, services
from apps.scoring.models import Candidate
from tests.scoring.factories import CandidateFactory, ModelRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def active_reward_model(settings, tmp_path, curator):
    from workers.tasks.scoring import train_reward

    settings.MEDIA_ROOT = tmp_path / "media"
    corpus_demo.load()
    run = reward_registry.reward_train_start(user=curator, parameters={"statuses": ["approved", "in_review"]})
    train_reward.apply(args=[run.job_id])
    run.refresh_from_db()
    return reward_registry.reward_model_activate(reward_model_id=run.summary["reward_model"], user=curator)


def _assert_ranked_by_reward(candidates):
    by_segment = {}
    for candidate in candidates:
        by_segment.setdefault(candidate.segment_id, []).append(candidate)
    for group in by_segment.values():
        ordered = sorted(group, key=lambda c: c.rank)
        assert [c.rank for c in ordered] == list(range(1, len(group) + 1))
        assert [c.reward for c in ordered] == sorted((c.reward for c in group), reverse=True)


def test_a_run_ranks_each_segments_candidates_by_the_documented_reward(
    active_reward_model, curator, segments
):
    from workers.tasks.scoring import generate

    run = services.run_create(
        user=curator,
        document_id=segments[0].document_id,
        seed=3,
        parameters={
            "num_candidates": 3,
            "temperature": 0.9,
            "max_new_tokens": 12,
            "reward_weights": {"meaning": 0.5},
        },
    )
    assert run.parameters["reward_model_version"] == active_reward_model.version
    generate.apply(args=[run.job_id])
    assert Job.objects.get(pk=run.job_id).status == "succeeded"
    candidates = list(run.candidates.all())
    assert len(candidates) == 6 and all(c.reward is not None for c in candidates)
    assert all(c.reward_model_id == active_reward_model.pk for c in candidates)
    _assert_ranked_by_reward(candidates)
    for c in candidates:  # every reward is the documented formula of its stored parts and the run's weights
        expected, _ = reward.combined_reward(
            p_simplified=c.reward_parts["p_simplified"],
            similarity=c.similarity,
            flags=c.flags,
            compression=c.compression,
            weights=run.parameters["reward_weights"],
            empty=not c.text.strip(),
        )
        assert c.reward == pytest.approx(expected, abs=1e-5)
    run.refresh_from_db()
    assert run.summary["reward_model_version"] == active_reward_model.version


def test_scheduled_scoring_fills_missing_rewards_and_ranks(active_reward_model, segments):
    from workers.tasks.scoring import score_pending

    run = ModelRunFactory()
    texts = ["Never take more than 4 grams in one day.", segments[0].original, ""]
    for index, text in enumerate(texts):
        CandidateFactory(
            run=run,
            segment=segments[0],
            index=index,
            text=text,
            similarity=0.8,
            compression=1.0,
            scored_at=timezone.now(),
        )
    job = Job.objects.create(kind="score_pending")
    score_pending.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["rewarded"] == 3
    candidates = list(Candidate.objects.filter(run=run))
    assert all(c.reward is not None and c.reward_model_id == active_reward_model.pk for c in candidates)
    _assert_ranked_by_reward(candidates)
    empty = next(c for c in candidates if not c.text)
    assert empty.rank == 3 and empty.reward_parts["p_simplified"] == 0
