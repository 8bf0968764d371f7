"""SARI in its two named definitions, worked by hand (the arithmetic is in each docstring), plus BLEU.

Notation (apps/metrics/sari.py): r references; s(g), c(g) counts of n-gram g in the source and the
prediction, each multiplied by r; R(g) the count summed over the references.
`sari` (HF evaluate): K = min(s, c), K* = min(K, R), W = min(s, R); P_keep = mean over types of K*/K,
R_keep = ΣK*/ΣW; D = s − c (positive), D* = max(D − R, 0), P_del = mean over types of D*/D; add is
binary; 0/0 = 1. `sari_corpus` (EASSE): counts pooled over sentences; keep correct Σmin(K, W); delete
sys ΣD, ref Σmax(s − R, 0), correct Σmin(D, max(s − R, 0)); F1 everywhere (deletion too); 0/0 = 0.
"""

import pytest

from apps.metrics.sari import (
    ReferenceCountMismatch,
    bleu,
    bleu_corpus,
    bleu_corpus_from_stats,
    bleu_corpus_stats,
    compression_ratio,
    normalise,
    sari,
    sari_corpus,
    sari_corpus_from_stats,
    sari_corpus_stats,
    stats_sum,
    tokenize,
)

# ---- tokenisation: sacrebleu 13a, lower-cased ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("45%", ["45", "%"]),  # 13a splits the percent sign off
        ("1990s", ["1990s"]),
        ("°C", ["°c"]),  # non-ASCII symbols stay attached; lower-cased
        ("2020–2021", ["2020–2021"]),  # an en dash is not split (13a only splits ASCII punctuation)
        ("糖尿病の治療は難しい。", ["糖尿病の治療は難しい。"]),  # 13a does not segment CJK
        (
            "Don't take 2.5 mL (1,000 IU), 45% of a follow-up dose.",
            "don't take 2.5 ml ( 1,000 iu ) , 45 % of a follow-up dose .".split(),
        ),
        ("x-ray 2-3 days", ["x-ray", "2", "-", "3", "days"]),  # a dash after a digit is split
        ("", []),
    ],
)
def test_tokens_are_sacrebleus_13a_of_the_lower_cased_text(text, tokens):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    assert tokenize(text) == tokens
    assert normalise(text) == Tokenizer13a()(text.lower())


def test_spacing_and_case_that_13a_undoes_do_not_change_either_score():
    source, refs = "Fever above 38 °C was rare in the 1990s (45%).", ["Fever over 38 °C was rare."]
    plain = "Fever over 38 °C was rare in the 1990s (45%)."
    spaced = "fever OVER 38 °c was rare in the 1990s ( 45 % ) ."
    assert sari(source, plain, refs).sari == sari(source, spaced, refs).sari
    assert sari_corpus([source], [plain], [refs]).sari == sari_corpus([source], [spaced], [refs]).sari


# ---- `sari` (HF evaluate) and `sari_corpus` (EASSE), edge by edge -------------------------------------


def test_a_prediction_equal_to_the_source():
    """I = O = "a b c", R = ["a c"], r = 1.

    sari (HF):
    n=1: K = {a,b,c}, K* = {a:1, b:0, c:1} → P_keep = (1+0+1)/3 = ⅔; W = {a,c} → R_keep = 2/2 = 1;
         F_keep = ⅘. Nothing deleted → P_del = 0/0 = 1. Nothing added, nothing wanted → F_add = 1.
    n=2: K = {ab, bc}, neither in R → P_keep 0; W = ∅ → R_keep 1; F_keep 0. P_del 1.
         Added ∅ → P_add 1, wanted {ac} → R_add 0 → F_add 0.
    n=3: K = {abc} not in R → F_keep 0; P_del 1; F_add 1.   n=4: no 4-grams → 1, 1, 1.
    add = (1+0+1+1)/4 = ¾, keep = (⅘+0+0+1)/4 = 9/20, delete = 1 → 100·(¾ + 9/20 + 1)/3 = 73.33.

    sari_corpus (EASSE), counts (correct, sys, ref):
    n=1: add (0,0,0) → 0; keep (2,3,2) → P ⅔, R 1, F ⅘; delete (0,0,1) → P 0/0 = 0, R 0 → 0.
    n=2: add (0,0,1) → 0; keep (0,2,0) → 0; delete (0,0,2) → 0.   n=3: keep (0,1,0), delete (0,0,1) → 0.
    add 0, keep ⅘/4 = ⅕, delete 0 → 100·⅕/3 = 6.67.
    """
    score = sari("a b c", "a b c", ["a c"])
    assert (score.add, score.keep, score.delete) == pytest.approx((75.0, 45.0, 100.0))
    assert score.sari == pytest.approx(1100 / 15)
    corpus = sari_corpus(["a b c"], ["a b c"], [["a c"]])
    assert (corpus.add, corpus.keep, corpus.delete) == pytest.approx((0.0, 20.0, 0.0))
    assert corpus.sari == pytest.approx(20 / 3)


def test_orders_where_neither_prediction_nor_reference_keeps_an_ngram():
    """I = "a b c d", O = "a x c y", R = ["a z c w"].

    sari (HF):
    n=1: K = {a,c}, both in R → P_keep 1; W = {a,c} → R_keep 1 → F_keep 1.
         D = {b,d}, R has neither → D* = D → P_del 1. Added {x,y}, wanted {z,w} → F_add 0.
    n=2..4: no source n-gram is kept by O or R: K = ∅ → P_keep 1; W = ∅ → R_keep 1 → F_keep 1.
         Every source n-gram is deleted and R deletes it too → P_del 1. Added ∩ wanted = ∅ → F_add 0.
    add 0, keep 1, delete 1 → 100·2/3 = 66.67.

    sari_corpus (EASSE): n=1: keep (2,2,2) → 1, delete (2,2,2) → 1; n=2..4: keep (0,0,0) → 0/0 = 0,
    delete (3,3,3), (2,2,2), (1,1,1) → 1; add always 0 correct → 0.
    add 0, keep ¼, delete 1 → 100·(5/4)/3 = 41.67.
    """
    score = sari("a b c d", "a x c y", ["a z c w"])
    assert (score.add, score.keep, score.delete) == pytest.approx((0.0, 100.0, 100.0))
    assert score.sari == pytest.approx(200 / 3)
    corpus = sari_corpus(["a b c d"], ["a x c y"], [["a z c w"]])
    assert (corpus.add, corpus.keep, corpus.delete) == pytest.approx((0.0, 25.0, 100.0))
    assert corpus.sari == pytest.approx(125 / 3)


def test_a_source_that_repeats_an_ngram():
    """I = "a a b", O = "a b", R = ["a b"]: both O and R drop one of the two "a".

    sari (HF) subtracts the reference count from what O deleted (D* = D − R):
    n=1: K = {a:1, b:1}, K* = {a:1, b:1} → P_keep 1; W = {a:1, b:1} → R_keep 1 → F_keep 1.
         D = {a: 2−1 = 1}, D* = max(1 − R(a)=1, 0) = 0 → P_del 0. Nothing added or wanted → F_add 1.
    n=2: K = {ab} kept by R → F_keep 1; D = {aa}, not in R → D* 1 → P_del 1; F_add 1.
    n=3: K = ∅, W = ∅ → F_keep 1; D = {aab} → P_del 1; F_add 1.   n=4: empty → 1, 1, 1.
    add 1, keep 1, delete (0+1+1+1)/4 = ¾ → 100·(11/4)/3 = 91.67.

    sari_corpus (EASSE) counts the deletion as right (min(D, s − R) = min(1, 2 − 1) = 1):
    n=1: add (0,0,0) → 0; keep (2,2,2) → 1; delete (1,1,1) → 1.
    n=2: keep (1,1,1) → 1; delete (1,1,1) → 1.   n=3: keep (0,0,0) → 0; delete (1,1,1) → 1.   n=4: 0.
    add 0, keep ½, delete ¾ → 100·(5/4)/3 = 41.67.
    """
    score = sari("a a b", "a b", ["a b"])
    assert (score.add, score.keep, score.delete) == pytest.approx((100.0, 100.0, 75.0))
    assert score.sari == pytest.approx(1100 / 12)
    corpus = sari_corpus(["a a b"], ["a b"], [["a b"]])
    assert (corpus.add, corpus.keep, corpus.delete) == pytest.approx((0.0, 50.0, 75.0))


def test_keep_precision_is_averaged_over_ngram_types_in_sari():
    """I = O = "a a a b", R = ["a b"]. n=1: K = {a:3, b:1}, K* = {a:1, b:1}: per type (⅓ + 1)/2 = ⅔
    (pooled it would be 2/4 = ½); W = {a:1, b:1} → R_keep 2/2 = 1 → F_keep = 2·⅔/(5/3) = ⅘.
    n=2: K = {aa:2, ab:1}, K* = {aa:0, ab:1} → P ½; W = {ab:1} → R 1 → F_keep ⅔.
    n=3: K = {aaa, aab}, none in R → P 0; W = ∅ → R 1 → F 0.   n=4: K = {aaab} → F 0.
    keep = (⅘ + ⅔ + 0 + 0)/4 = 11/30. Nothing deleted → P_del 1 at every order; nothing added (P_add 1)
    and every reference n-gram is in I, so nothing is wanted (R_add 1) → F_add 1 at every order.
    SARI = 100·(1 + 11/30 + 1)/3 = 78.89.
    """
    score = sari("a a a b", "a a a b", ["a b"])
    assert score.keep == pytest.approx(100 * 11 / 30)
    assert (score.add, score.delete) == pytest.approx((100.0, 100.0))
    assert score.sari == pytest.approx(100 * (2 + 11 / 30) / 3)


def test_two_references():
    """I = "x y", O = "x", R = ["x", "x y"], r = 2: s = {x:2, y:2}, c = {x:2}, R = {x:2, y:1}.

    sari (HF):
    n=1: K = {x:2}, K* = min(2, 2) = 2 → P_keep 1; W = {x:2, y:1} → R_keep 2/3 → F_keep ⅘.
         D = {y:2}, D* = 2 − 1 = 1 → P_del ½. Nothing added or wanted → F_add 1.
    n=2: K = ∅ → P_keep 1; W = {xy:1} → R_keep 0 → F_keep 0. D = {xy:2}, D* = 1 → P_del ½. F_add 1.
    n=3, 4: empty → 1, 1, 1.
    add 1, keep (⅘+0+1+1)/4 = 7/10, delete (½+½+1+1)/4 = ¾ → 100·(49/20)/3 = 81.67.

    sari_corpus (EASSE):
    n=1: keep (2,2,3) → P 1, R ⅔, F ⅘; delete: sys 2, ref max(s − R) = {y: 1} → 1, correct min(2,1) = 1
         → P ½, R 1, F ⅔.
    n=2: keep (0,0,1) → 0; delete (1,2,1) → F ⅔.   n=3, 4: 0.   add 0 throughout.
    add 0, keep ⅕, delete (⅔+⅔)/4 = ⅓ → 100·(8/15)/3 = 17.78; with deletion by precision
    (use_f1_for_deletion=False) delete = (½+½)/4 = ¼ → 100·(9/20)/3 = 15.
    """
    score = sari("x y", "x", ["x", "x y"])
    assert (score.add, score.keep, score.delete) == pytest.approx((100.0, 70.0, 75.0))
    assert score.sari == pytest.approx(4900 / 60)
    corpus = sari_corpus(["x y"], ["x"], [["x", "x y"]])
    assert (corpus.keep, corpus.delete) == pytest.approx((20.0, 100 / 3))
    assert corpus.sari == pytest.approx(800 / 45)
    assert sari_corpus(["x y"], ["x"], [["x", "x y"]], use_f1_for_deletion=False).sari == pytest.approx(15.0)


def test_corpus_sari_pools_counts_over_sentences_it_does_not_average_them():
    """The two sentences of the first two tests together. Summed counts (correct, sys, ref):
    n=1: add (0,2,2) → 0; keep (2+2, 3+2, 2+2) = (4,5,4) → P ⅘, R 1, F 8/9; delete (2,2,3) → F ⅘.
    n=2: add (0,3,4) → 0; keep (0,2,0) → 0; delete (3,3,5) → P 1, R ⅗, F ¾.
    n=3: keep (0,1,0) → 0; delete (2,2,3) → F ⅘.   n=4: delete (1,1,1) → 1.
    keep = (8/9)/4 = 2/9, delete = (⅘ + ¾ + ⅘ + 1)/4 = 67/80 → 100·(2/9 + 67/80)/3 = 35.32,
    not the mean of the two sentences' own corpus scores ((6.67 + 41.67)/2 = 24.17).
    """
    sources, predictions = ["a b c", "a b c d"], ["a b c", "a x c y"]
    references = [["a c"], ["a z c w"]]
    assert sari_corpus(sources, predictions, references).sari == pytest.approx(100 * (2 / 9 + 67 / 80) / 3)
    stats = stats_sum(
        [sari_corpus_stats(s, p, r) for s, p, r in zip(sources, predictions, references, strict=True)]
    )
    assert stats[0] == [0, 2, 2, 4, 5, 4, 2, 2, 3]
    assert sari_corpus_from_stats(stats).sari == pytest.approx(
        sari_corpus(sources, predictions, references).sari
    )


def test_an_empty_prediction_under_hfs_conventions():
    """I = "a b", O = "", R = ["a"]. HF splits on single spaces, so O is one empty token "".
    n=1: K = ∅ → P_keep 1, W = {a} → R_keep 0 → F_keep 0; D = {a, b}, D* = {a: 0, b: 1} → P_del ½;
         added {""}, wanted ∅ → P_add 0, R_add 1 → F_add 0.
    n=2: K = ∅, W = ∅ → F_keep 1; D = {ab} → P_del 1; F_add 1.   n=3, 4: 1, 1, 1.
    add ¾, keep ¾, delete 7/8 → 100·(19/8)/3 = 79.17: a high number for nothing, which is why an
    evaluation reports corpus SARI and the guard's "empty" rate beside it. EASSE: add 0, keep 0
    (nothing kept), delete n=1 (1,2,1) → ⅔, n=2 (1,1,1) → 1 → (⅔ + 1)/4 = 5/12 → 13.89.
    """
    assert sari("a b", "", ["a"]).sari == pytest.approx(1900 / 24)
    assert sari_corpus(["a b"], [""], [["a"]]).sari == pytest.approx(100 * (5 / 12) / 3)


def test_the_papers_example_gives_hf_evaluates_documented_value():
    """Xu et al. 2016's example; HF evaluate's SARI card documents 26.953601953601954 for the first."""
    source = "About 95 species are currently accepted."
    references = [
        "About 95 species are currently known.",
        "About 95 species are now accepted.",
        "95 species are now accepted.",
    ]
    assert sari(source, "About 95 you now get in.", references).sari == pytest.approx(26.953601953601954)
    assert sari(source, "About 95 species are now agreed.", references).sari > 60


def test_corpus_sari_refuses_sentences_with_different_numbers_of_references():
    with pytest.raises(ReferenceCountMismatch, match="Item 1 has 2 reference"):
        sari_corpus(["a", "b"], ["a", "b"], [["a"], ["b", "c"]])


def test_sari_without_a_reference_is_refused():
    with pytest.raises(ValueError, match="reference"):
        sari("a", "b", [])


def test_a_better_simplification_scores_higher_than_a_copy_by_both_definitions():
    source = "Adjuvant chemotherapy is administered following surgical resection."
    reference = "You get chemo after surgery."
    good = "You get chemo after surgery."
    assert sari(source, good, [reference]).sari > sari(source, source, [reference]).sari
    assert (
        sari_corpus([source], [good], [[reference]]).sari
        > sari_corpus([source], [source], [[reference]]).sari
    )


# ---- BLEU ---------------------------------------------------------------------------------------------


def test_bleu_is_100_for_the_reference_and_low_for_unrelated_text():
    reference = "You may get chemo after surgery to kill cancer cells."
    assert bleu(reference, [reference]) == pytest.approx(100.0)
    assert bleu("The weather is nice today in the city.", [reference]) < 10


def test_corpus_bleu_equals_sacrebleu_and_its_statistics_add_up():
    import sacrebleu

    predictions = ["You get chemo after surgery.", "Start screening at 45.", "Take it daily."]
    references = [["You may get chemo after surgery."], ["Begin screening at age 45."], ["Take one a day."]]
    expected = sacrebleu.corpus_bleu(predictions, [[refs[0] for refs in references]]).score
    assert bleu_corpus(predictions, references) == pytest.approx(expected)
    stats = bleu_corpus_stats(predictions, references)
    summed = [sum(column) for column in zip(*stats, strict=True)]
    assert bleu_corpus_from_stats(summed) == pytest.approx(expected)


def test_compression_ratio_counts_characters():
    assert compression_ratio("abcdefghij", "abcde") == 0.5
    assert compression_ratio("  ", "abc") is None
