"""The product's reward of texts against their sources, as the RL trainer and the evaluation need it.

The same combined reward every candidate gets (apps/scoring/reward.py): P(simplified) from a reward
model version, MiniLM similarity to the source, the faithfulness guard's penalties and the length
penalty, with the weights given. One object loads the reward model once and scores batches.
"""

from dataclasses import dataclass, field


@dataclass
class ScoredText:
    similarity: float
    compression: float | None
    flags: list[dict]
    p_simplified: float | None = None
    reward: float | None = None
    reward_parts: dict = field(default_factory=dict)


def reward_scorer_load(version: int | None):
    """(RewardModel, scorer) of reward model `version`; (None, None) for no version. Raises RuntimeError
    naming the version when it is gone or its file does not match the registry."""
    if not version:
        return None, None
    from apps.scoring import reward_registry
    from apps.scoring.models import RewardModel
    from workers.ml import reward

    model = RewardModel.objects.filter(version=version).first()
    if model is None:
        raise RuntimeError(f"Reward model v{version} no longer exists.")
    try:
        return model, reward.artifact_load(reward_registry.artifact_file(model), sha256=model.artifact_sha256)
    except (RuntimeError, OSError) as exc:
        raise RuntimeError(f"Reward model v{version} could not be loaded: {exc}") from exc


class ProductReward:
    """Scores (source, text) pairs: guard flags, similarity, compression and, with a scorer, the reward."""

    def __init__(self, *, scorer, weights: dict | None, prompts: list[str], similarity_threshold: float):
        self.scorer = scorer
        self.weights = weights
        self.prompts = prompts
        self.similarity_threshold = similarity_threshold

    def score(
        self, sources: list[str], texts: list[str], finished: list[bool] | None = None
    ) -> list[ScoredText]:
        from apps.metrics.sari import compression_ratio
        from apps.scoring.guard import guard_check
        from apps.scoring.reward import combined_reward
        from workers.ml import embeddings

        finished = finished if finished is not None else [True] * len(texts)
        similarities = embeddings.similarities(list(zip(sources, texts, strict=True)))
        p_values = self.scorer.score(texts) if self.scorer is not None else [None] * len(texts)
        scored = []
        for source, text, done, similarity, p in zip(
            sources, texts, finished, similarities, p_values, strict=True
        ):
            flags = [
                flag.to_dict()
                for flag in guard_check(
                    source=source,
                    candidate=text,
                    prompts=self.prompts,
                    similarity=similarity,
                    similarity_threshold=self.similarity_threshold,
                    finished=done,
                )
            ]
            item = ScoredText(similarity=similarity, compression=compression_ratio(source, text), flags=flags)
            if p is not None:
                item.p_simplified = p
                item.reward, item.reward_parts = combined_reward(
                    p_simplified=p,
                    similarity=similarity,
                    flags=flags,
                    compression=item.compression,
                    weights=self.weights,
                    empty=not text.strip(),
                )
            scored.append(item)
        return scored

    def rewards(self, sources: list[str], texts: list[str]) -> list[float]:
        """The combined reward of each text (what the RL trainer maximises)."""
        return [item.reward if item.reward is not None else 0.0 for item in self.score(sources, texts)]
