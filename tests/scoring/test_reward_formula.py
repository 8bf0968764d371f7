"""The reward formula, best-of-n ranks, the by-document split and the held-out metrics (pure code)."""

import pytest

from apps.scoring import reward, reward_eval

HIGH = {"code": "number_changed", "severity": "high"}
MEDIUM = {"code": "repetition", "severity": "medium"}


def test_the_reward_adds_simplicity_and_meaning_and_subtracts_each_flag_code_once():
    value, parts = reward.combined_reward(
        p_simplified=0.9, similarity=0.8, flags=[HIGH, HIGH, MEDIUM], compression=0.7
    )
    assert value == pytest.approx(0.6 * 0.9 + 0.4 * 0.8 - 0.5 - 0.25)
    assert parts["flag_penalties"] == {"number_changed": 0.5, "repetition": 0.25}
    assert parts["length_penalty"] == 0


def test_a_faithful_simple_text_beats_a_simpler_looking_one_that_changes_a_dose():
    faithful, _ = reward.combined_reward(p_simplified=0.7, similarity=0.85, flags=[], compression=0.8)
    unfaithful, _ = reward.combined_reward(p_simplified=0.95, similarity=0.8, flags=[HIGH], compression=0.8)
    assert faithful > unfaithful


def test_an_empty_or_far_too_short_text_is_penalised():
    empty, parts = reward.combined_reward(
        p_simplified=0.99,
        similarity=0.9,
        flags=[{"code": "empty", "severity": "medium"}],
        compression=0.0,
        empty=True,
    )
    assert parts["p_simplified"] == 0 and parts["similarity"] == 0
    assert empty == pytest.approx(-0.25 - 0.25)


def test_weights_on_the_run_change_the_reward_and_bad_weights_name_the_field():
    value, _ = reward.combined_reward(
        p_simplified=1.0, similarity=0.0, flags=[], compression=1.0, weights={"simplified": 1.0}
    )
    assert value == 1.0
    with pytest.raises(reward.WeightsInvalid) as caught:
        reward.weights_clean({"simplified": -1, "colour": 2})
    assert set(caught.value.errors) == {"simplified", "colour"}


def test_ranks_put_the_highest_reward_first_ties_in_sample_order_and_skip_missing_rewards():
    ranks = reward.ranks_by_reward([(10, 0, 0.2), (11, 1, 0.9), (12, 2, 0.2), (13, 3, None)])
    assert ranks == {11: 1, 10: 2, 12: 3, 13: None}


def test_the_split_keeps_each_document_on_one_side_is_seeded_and_never_empties_a_side():
    train, test = reward_eval.document_split([5, 1, 3, 3, 9, 7], seed=1, test_fraction=0.25)
    assert train | test == {1, 3, 5, 7, 9} and not train & test and len(test) == 1
    assert reward_eval.document_split([1, 3, 5, 7, 9], seed=1, test_fraction=0.25) == (train, test)
    assert len(reward_eval.document_split([1, 2], seed=0, test_fraction=0.5)[0]) == 1
    with pytest.raises(ValueError, match="at least two documents"):
        reward_eval.document_split([4, 4], seed=0, test_fraction=0.25)


def test_pair_ranking_accuracy_counts_wins_and_half_ties():
    assert reward_eval.pair_ranking_accuracy([(0.1, 0.9), (0.5, 0.5), (0.8, 0.2), (0.3, 0.4)]) == 0.625


def test_the_grade_cutoff_is_fitted_on_training_texts_and_the_baseline_can_win():
    # Training: originals at grades 12-14, simplified at 5-7 → a cut-off between 7 and 12.
    cutoff = reward_eval.grade_cutoff([12, 5, 14, 6, 13, 7], [0, 1, 0, 1, 0, 1])
    assert 7 < cutoff < 12
    metrics = reward_eval.evaluate(
        test_labels=[0, 1, 0, 1],
        test_scores=[0.6, 0.4, 0.2, 0.9],
        test_pairs=[(0, 1), (2, 3)],
        test_grades=[13, 6, 12, 5],
        train_grades=[12, 5, 14, 6],
        train_labels=[0, 1, 0, 1],
    )
    assert metrics["reward"] == {"accuracy": 0.5, "roc_auc": 0.75, "pair_accuracy": 0.5}
    assert metrics["baseline_fk"]["pair_accuracy"] == 1.0 and metrics["baseline_fk"]["accuracy"] == 1.0
    assert metrics["beats_baseline"] is False
