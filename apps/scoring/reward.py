"""The reward of a candidate: one documented number from three parts (pure Python; no torch, no database).

    reward = w_simplified · P(simplified)
           + w_meaning    · clip(similarity to the source, 0, 1)
           − Σ over the distinct guard flag codes of penalty[severity]
           − penalty_length   when compression (candidate chars / source chars) is outside
                              [length_min, length_max]

- P(simplified) comes from the active reward classifier (RewardModel): the SimpleDC paper's reference-free
  reward. Alone it is easy to game — an empty, truncated or off-topic text can look "simple" — so it is
  combined with meaning preservation (all-MiniLM-L6-v2 cosine similarity to the source) and the
  faithfulness guard's flags (a changed dose, a dropped "not", a loop, an echoed prompt...).
- Each flag code is penalised once, whatever the number of spans it has: the guard's severity says how
  bad the kind of error is; the count mostly says how long the text is.
- An empty candidate has P(simplified) 0 and similarity 0 (the classifier is not asked about nothing).

The weights a run used are stored on the run (`ModelRun.parameters["reward_weights"]`), so every reward
can be recomputed from the candidate's stored parts (`Candidate.reward_parts`).
"""

import math
from collections.abc import Iterable

from apps.core.errors import ServiceError

DEFAULT_WEIGHTS: dict[str, float] = {
    "simplified": 0.6,
    "meaning": 0.4,
    "penalty_high": 0.5,
    "penalty_medium": 0.25,
    "penalty_low": 0.05,
    "penalty_length": 0.25,
    "length_min": 0.2,
    "length_max": 2.0,
}
WEIGHT_BOUNDS = {name: (0.0, 10.0) for name in DEFAULT_WEIGHTS}


class WeightsInvalid(ServiceError):
    """Reward weights that are unknown or out of range (400); `errors` names each weight."""


def weights_clean(weights: dict | None) -> dict[str, float]:
    """The defaults overridden by `weights`; WeightsInvalid names each unknown or out-of-range weight."""
    cleaned = dict(DEFAULT_WEIGHTS)
    errors: dict[str, str] = {}
    for name, raw in (weights or {}).items():
        if name not in DEFAULT_WEIGHTS:
            errors[name] = f"Unknown reward weight; use {', '.join(DEFAULT_WEIGHTS)}."
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[name] = f"{raw!r} is not a number."
            continue
        low, high = WEIGHT_BOUNDS[name]
        if not (low <= value <= high) or math.isnan(value):
            errors[name] = f"{value} is out of range; use {low} to {high}."
            continue
        cleaned[name] = value
    if not errors and cleaned["length_min"] >= cleaned["length_max"]:
        errors["length_min"] = "length_min must be below length_max."
    if errors:
        raise WeightsInvalid(errors=errors)
    return cleaned


def combined_reward(
    *,
    p_simplified: float | None,
    similarity: float | None,
    flags: Iterable[dict],
    compression: float | None,
    weights: dict | None = None,
    empty: bool = False,
) -> tuple[float, dict]:
    """(reward, parts). `parts` holds every input and penalty so the page can explain the number."""
    w = weights_clean(weights) if weights is not None else DEFAULT_WEIGHTS
    p = 0.0 if empty or p_simplified is None else float(p_simplified)
    sim = 0.0 if empty or similarity is None else min(max(float(similarity), 0.0), 1.0)
    severities: dict[str, str] = {}
    for flag in flags:
        severities.setdefault(flag.get("code", "?"), flag.get("severity", "low"))
    penalties = {code: w.get(f"penalty_{severity}", 0.0) for code, severity in sorted(severities.items())}
    length_penalty = 0.0
    if compression is not None and not (w["length_min"] <= compression <= w["length_max"]):
        length_penalty = w["penalty_length"]
    reward = w["simplified"] * p + w["meaning"] * sim - sum(penalties.values()) - length_penalty
    parts = {
        "p_simplified": round(p, 6),
        "similarity": round(sim, 6),
        "flag_penalties": {code: round(value, 6) for code, value in penalties.items()},
        "length_penalty": length_penalty,
    }
    return round(reward, 6), parts


def ranks_by_reward(candidates: Iterable[tuple[int, int, float | None]]) -> dict[int, int | None]:
    """Best-of-n ranks for one segment's candidates given as (id, sample index, reward).

    Rank 1 is the highest reward; ties keep sample order; a candidate without a reward has no rank."""
    candidates = list(candidates)
    ranks: dict[int, int | None] = {pk: None for pk, _, _ in candidates}
    rewarded = sorted(
        ((pk, index, reward) for pk, index, reward in candidates if reward is not None),
        key=lambda row: (-row[2], row[1]),
    )
    for position, (pk, _, _) in enumerate(rewarded, start=1):
        ranks[pk] = position
    return ranks
