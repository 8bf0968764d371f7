"""Writes for scoring, one module per concept; the public names are re-exported here, so callers write
`from apps.scoring import services` and `services.run_create(...)`.

| module | what |
|---|---|
| `runs.py` | run parameters, segment selection, `run_create`, prompts, `run_record` |
| `candidates.py` | scores of a candidate, cleaning and storing a batch, the reference's score, ranks |
| `decisions.py` | `candidate_accept` (`replace`) / `candidate_reject`; their 409s |
| `schedules.py` | the default beat schedules, the readability refresh |

Reads are `apps/scoring/selectors.py`; the reward-model registry, generator fine-tuning and equity answer
runs have their own modules (`reward_registry.py`, `training.py`, `answer_runs.py`).
"""

from apps.scoring.services.candidates import (
    candidate_rewards_store,
    candidate_score_store,
    candidate_scores,
    candidates_rank,
    candidates_record,
    reference_rewards_store,
)
from apps.scoring.services.decisions import (
    DecisionRefused,
    ReplaceNeedsConfirmation,
    candidate_accept,
    candidate_reject,
)
from apps.scoring.services.runs import (
    GENERATE_TASK,
    PARAMETER_BOUNDS,
    RUN_LIMIT_SEGMENTS,
    few_shot_check,
    run_create,
    run_parameters_clean,
    run_prompt_examples_store,
    run_prompts,
    run_record,
    run_segments_preview,
    run_segments_select,
    seed_clean,
    selection_describe,
)
from apps.scoring.services.schedules import SCHEDULES, readability_refresh, schedules_ensure

__all__ = [
    "GENERATE_TASK",
    "PARAMETER_BOUNDS",
    "RUN_LIMIT_SEGMENTS",
    "SCHEDULES",
    "DecisionRefused",
    "ReplaceNeedsConfirmation",
    "candidate_accept",
    "candidate_reject",
    "candidate_rewards_store",
    "candidate_score_store",
    "candidate_scores",
    "candidates_rank",
    "candidates_record",
    "readability_refresh",
    "reference_rewards_store",
    "run_create",
    "run_parameters_clean",
    "few_shot_check",
    "run_prompt_examples_store",
    "run_prompts",
    "run_record",
    "run_segments_preview",
    "run_segments_select",
    "selection_describe",
    "schedules_ensure",
    "seed_clean",
]
