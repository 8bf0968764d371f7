"""The evaluation table's statistics on constructed data, checked by hand (apps/scoring/evaluation.py)."""

import pytest

from apps.metrics.sari import bleu_corpus, sari_corpus
from apps.scoring.evaluation import Output, evaluation_table

BASE = {"label": "base", "target_grade": 6}
OTHER = {"label": "other", "target_grade": 6}


def _outputs(texts, *, sari=None, grades=None, rewards=None, flags=None, source="a b c", reference="a c"):
    n = len(texts)
    return [
        Output(
            source=source,
            reference=reference,
            text=texts[i],
            sari=(sari or [50.0] * n)[i],
            grade=(grades or [6.0] * n)[i],
            reward=(rewards or [0.5] * n)[i],
            similarity=0.9,
            compression=1.0,
            flags=(flags or [()] * n)[i],
        )
        for i in range(n)
    ]


def _cell(table, version, key):
    return table["rows"][version]["values"][key]


def _interval(table, version, key):
    return next(i for i in table["intervals"] if i["version"] == version)["differences"][key]


def test_a_constant_paired_difference_has_a_zero_width_interval_at_that_difference():
    """B's per-output SARI is A's + 1 on every segment. Resampling segments *together* keeps the difference
    of the means at exactly 1 on every resample, so the interval is [1, 1]; resampling the versions
    independently would spread it (A's values 10..40 vary by far more than 1)."""
    a = _outputs(["a b c"] * 4, sari=[10.0, 20.0, 30.0, 40.0])
    b = _outputs(["a b c"] * 4, sari=[11.0, 21.0, 31.0, 41.0])
    table = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=7, resamples=500)
    assert _cell(table, 0, "sari_mean") == 25.0 and _cell(table, 1, "sari_mean") == 26.0
    interval = _interval(table, 1, "sari_mean")
    assert interval["difference"] == pytest.approx(1.0)
    assert interval["low"] == pytest.approx(1.0) and interval["high"] == pytest.approx(1.0)


def test_two_segments_one_better_gives_the_interval_zero_to_one():
    """A's rewards [0, 0], B's [0, 1]: the difference is B's mean on the resample. Drawing 2 of 2 segments
    with replacement gives {first, first} → 0 (¼ of resamples), one of each → ½ (½), {second, second} →
    1 (¼). The point difference is ½; the 2.5th and 97.5th percentiles of 1,000 resamples are 0 and 1."""
    a = _outputs(["x", "y"], rewards=[0.0, 0.0])
    b = _outputs(["x", "y"], rewards=[0.0, 1.0])
    table = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=0, resamples=1000)
    interval = _interval(table, 1, "reward_mean")
    assert interval["difference"] == pytest.approx(0.5)
    assert (interval["low"], interval["high"]) == (0.0, 1.0)
    assert interval["resamples_used"] == 1000


def test_corpus_columns_equal_the_corpus_metrics_on_all_segments():
    sources = ["a b c", "a b c d"]
    references = ["a c", "a z c w"]
    texts = ["a b c", "a x c y"]
    outputs = [
        Output(source=s, reference=r, text=t, sari=None, grade=5.0)
        for s, r, t in zip(sources, references, texts, strict=True)
    ]
    table = evaluation_table(versions=[BASE], outputs=[outputs], seed=0)
    assert _cell(table, 0, "sari_corpus") == pytest.approx(
        sari_corpus(sources, texts, [[r] for r in references]).sari
    )
    assert _cell(table, 0, "bleu_corpus") == pytest.approx(bleu_corpus(texts, [[r] for r in references]))
    assert table["intervals"] == []  # one version: nothing to compare


def test_grade_share_and_flag_rates():
    """Grades 5, 6, 7 and an empty output: FKGL mean over the three texts = 6; at or below grade 6:
    two of four outputs (the empty one is not) = ½. Flags: `unchanged` on 1 of 4 → ¼, `number_changed`
    on 2 of 4 → ½; a column per code seen in any version."""
    outputs = _outputs(
        ["one", "two", "three", ""],
        grades=[5.0, 6.0, 7.0, None],
        flags=[("unchanged",), ("number_changed",), ("number_changed",), ()],
    )
    table = evaluation_table(versions=[BASE], outputs=[outputs], seed=0)
    assert _cell(table, 0, "fkgl_mean") == pytest.approx(6.0)
    assert _cell(table, 0, "at_target") == pytest.approx(0.5)
    assert _cell(table, 0, "flag:unchanged") == pytest.approx(0.25)
    assert _cell(table, 0, "flag:number_changed") == pytest.approx(0.5)
    keys = [column["key"] for column in table["columns"]]
    assert keys[:3] == ["sari_corpus", "sari_mean", "bleu_corpus"] and "flag:unchanged" in keys


def test_each_version_is_judged_against_its_own_target_grade():
    outputs = _outputs(["one", "two"], grades=[7.0, 9.0])
    versions = [{"label": "grade 6", "target_grade": 6}, {"label": "grade 8", "target_grade": 8}]
    table = evaluation_table(versions=versions, outputs=[outputs, outputs], seed=0, resamples=100)
    assert _cell(table, 0, "at_target") == 0.0 and _cell(table, 1, "at_target") == 0.5


def test_missing_rewards_give_no_value_and_no_interval():
    a = _outputs(["x", "y"], rewards=[None, None])
    b = _outputs(["x", "y"], rewards=[None, None])
    table = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=0, resamples=100)
    assert _cell(table, 0, "reward_mean") is None
    assert _interval(table, 1, "reward_mean") is None


def test_the_same_seed_gives_the_same_intervals_and_the_record_names_the_method():
    a = _outputs(["x"] * 10, sari=[float(i * i) for i in range(10)])
    b = _outputs(["x"] * 10, sari=[float(i * 7 % 11) for i in range(10)])
    first = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=3, resamples=300)
    again = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=3, resamples=300)
    other_seed = evaluation_table(versions=[BASE, OTHER], outputs=[a, b], seed=4, resamples=300)
    assert first["intervals"] == again["intervals"]
    assert _interval(first, 1, "sari_mean") != _interval(other_seed, 1, "sari_mean")
    assert (first["n"], first["seed"], first["resamples"], first["confidence"]) == (10, 3, 300, 0.95)
    assert "paired" in first["resampling_unit"] and first["interval_method"] == "percentile"


def test_one_segment_gives_no_interval_and_says_so():
    table = evaluation_table(versions=[BASE, OTHER], outputs=[_outputs(["x"]), _outputs(["y"])], seed=0)
    assert table["intervals"] == [] and "Fewer than 2 segments" in table["note"]


def test_versions_with_different_segments_are_refused():
    with pytest.raises(ValueError, match="same segments"):
        evaluation_table(versions=[BASE, OTHER], outputs=[_outputs(["x", "y"]), _outputs(["x"])], seed=0)
