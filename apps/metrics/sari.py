"""SARI in its two published definitions, plus BLEU (sentence and corpus) and the compression ratio.

SARI (Xu et al., TACL 2016) compares a prediction O with its source I and r ≥ 1 references R_1..R_r, for
n-gram orders n = 1..4, on three operations — what the prediction adds, keeps and deletes — and reports
100 · (mean_n F_add + mean_n F_keep + mean_n S_del) / 3. Two public implementations define the details
differently and published numbers come from both, so this module offers both, each under its own name,
written from the definitions below (neither implementation's code is copied: HF's is Apache-2.0, EASSE's
GPL). Counts: s(g), c(g) are the counts of n-gram g in I and O; R(g) = Σ_j count of g in R_j; every count
of I and O is multiplied by r so that it is comparable with R(g) (a fractional reference count R(g)/r).

**`sari` — one prediction (HF `evaluate`'s sentence SARI, exactly).** For each order n:

- add (binary): A = {g ∈ O} − {g ∈ I}; wanted = {g in some R_j} − {g ∈ I}; P_add = |A ∩ wanted| / |A|,
  R_add = |A ∩ wanted| / |wanted|.
- keep: K(g) = min(r·s, r·c) over g with both > 0; K*(g) = min(K(g), R(g)); W(g) = min(r·s, R(g)).
  P_keep = mean over the n-gram *types* g of K of K*(g)/K(g); R_keep = Σ K* / Σ W.
- delete: D(g) = r·s − r·c where positive; D*(g) = max(D(g) − R(g), 0);
  P_del = mean over the types g of D of D*(g)/D(g). S_del = P_del (no deletion recall).
- 0/0 is 1 (HF: "to give higher scores for predictions that match a target exactly"): a prediction that
  adds nothing has P_add = 1, deletes nothing P_del = 1, keeps nothing P_keep = 1; an order where no
  reference keeps (or adds) an n-gram of the source has R_keep (R_add) = 1. F = 2PR/(P+R), 0 when both
  are 0. An order longer than every text therefore scores F_add = F_keep = P_del = 1.
- Tokens: a text is lower-cased, tokenised with sacrebleu's 13a tokenizer and split on single spaces
  (so an empty text is one empty token, as in HF's script). A run's mean of `sari` is the HF corpus
  score (HF's `compute` averages sentences).

**`sari_corpus` — many predictions (EASSE's `corpus_sari`, its defaults).** Counts are pooled over all
sentences before any ratio, per order n: add_correct = Σ|A ∩ wanted|, add_sys = Σ|A|, add_ref =
Σ|wanted|; keep_correct = Σ_g min(min(r·s, r·c), min(r·s, R)), keep_sys = Σ min(r·s, r·c), keep_ref =
Σ min(r·s, R); del_correct = Σ_g min(max(r·s − r·c, 0), max(r·s − R, 0)), del_sys = Σ max(r·s − r·c, 0),
del_ref = Σ max(r·s − R, 0). Then P = correct/sys, R = correct/ref (0/0 is 0), F1 per order for add,
keep and — by default, as in the authors' Java code that EASSE follows — delete (`use_f1_for_deletion`);
the per-order scores are averaged over n = 1..4. Every sentence needs the same number of references.
Tokens: lower-cased sacrebleu 13a, split on whitespace (an empty text has no tokens).

tests/metrics/test_sari.py works every edge of both by hand.

BLEU: sacrebleu (13a tokenisation, case-sensitive): `bleu` is `sentence_score` with exp smoothing and
effective order; `bleu_corpus` is `corpus_score` (exp smoothing). Compression ratio: characters of the
prediction / characters of the source.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

MAX_ORDER = 4
TOKENISATION = "sacrebleu 13a tokenizer, lower-cased"
SARI_DEFINITION = (
    "SARI of one prediction (Xu et al. 2016) as Hugging Face evaluate's `sari` computes it: n = 1..4, "
    "F1 for add and keep, precision for delete, keep/delete precision averaged over n-gram types, "
    "0/0 counted as 1; tokens: " + TOKENISATION + "; 0–100."
)
SARI_CORPUS_DEFINITION = (
    "Corpus SARI (Xu et al. 2016) as EASSE's `corpus_sari` computes it (the value simplification papers "
    "report): n-gram counts pooled over all sentences, F1 for add, keep and delete per order, 0/0 counted "
    "as 0, the same number of references per sentence; tokens: " + TOKENISATION + "; 0–100."
)
BLEU_DEFINITION = (
    "Sentence BLEU (sacrebleu `sentence_score`: 13a tokenisation, case-sensitive, exp smoothing, "
    "effective order); 0–100."
)
BLEU_CORPUS_DEFINITION = (
    "Corpus BLEU (sacrebleu `corpus_score`: 13a tokenisation, case-sensitive, exp smoothing); 0–100."
)


@lru_cache(maxsize=1)
def _tokenizer_13a():
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    return Tokenizer13a()


def normalise(text: str) -> str:
    """The text lower-cased and tokenised by sacrebleu's 13a tokenizer, tokens joined by single spaces."""
    return _tokenizer_13a()(text.lower())


def tokenize(text: str) -> list[str]:
    """SARI's tokens of a text (lower-cased 13a, split on whitespace; an empty text has none)."""
    return normalise(text).split()


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class SariScore:
    sari: float  # 0–100
    add: float  # mean over n of F_add, 0–100
    keep: float  # mean over n of F_keep, 0–100
    delete: float  # mean over n of the deletion score (P_del for `sari`, F1 or P for `sari_corpus`), 0–100
    definition: str = SARI_DEFINITION

    def parts(self) -> dict:
        """add / keep / delete (0–100) as stored beside a candidate's `sari`."""
        return {"add": self.add, "keep": self.keep, "delete": self.delete}


def _f1(precision: Fraction, recall: Fraction) -> Fraction:
    return 2 * precision * recall / (precision + recall) if precision + recall else Fraction(0)


def _references_clean(references: Sequence[str | None]) -> list[str]:
    references = [ref for ref in references if ref is not None]
    if not references:
        raise ValueError("SARI needs at least one reference simplification.")
    return references


def _score(add: Fraction, keep: Fraction, delete: Fraction, definition: str) -> SariScore:
    return SariScore(
        sari=float(100 * (add + keep + delete) / 3),
        add=float(100 * add),
        keep=float(100 * keep),
        delete=float(100 * delete),
        definition=definition,
    )


# ---- `sari`: one prediction, HF evaluate's definition ----------------------------------------------------


def _sentence_order(source: Counter, prediction: Counter, references: Counter, r: int):
    """(F_add, F_keep, P_del) of one order, HF evaluate's definition (module docstring)."""
    kept = {g: r * min(s, prediction[g]) for g, s in source.items() if prediction[g]}
    kept_good = {g: min(k, references[g]) for g, k in kept.items()}
    kept_wanted = {g: min(r * s, references[g]) for g, s in source.items() if references[g]}
    p_keep = sum(Fraction(kept_good[g], k) for g, k in kept.items()) / len(kept) if kept else Fraction(1)
    r_keep = Fraction(sum(kept_good.values()), sum(kept_wanted.values())) if kept_wanted else Fraction(1)

    deleted = {g: r * (s - prediction[g]) for g, s in source.items() if s > prediction[g]}
    p_del = (
        sum(Fraction(max(d - references[g], 0), d) for g, d in deleted.items()) / len(deleted)
        if deleted
        else Fraction(1)
    )

    added = set(prediction) - set(source)
    wanted = set(references) - set(source)
    good = len(added & wanted)
    p_add = Fraction(good, len(added)) if added else Fraction(1)
    r_add = Fraction(good, len(wanted)) if wanted else Fraction(1)
    return _f1(p_add, r_add), _f1(p_keep, r_keep), p_del


def _hf_tokens(text: str) -> list[str]:
    # HF splits the normalised text on single spaces: an empty text is one empty token.
    return normalise(text).split(" ")


def sari(source: str, prediction: str, references: Sequence[str]) -> SariScore:
    """`sari` of one prediction (0–100): HF evaluate's sentence SARI, exactly (module docstring)."""
    references = _references_clean(references)
    src, pred = _hf_tokens(source), _hf_tokens(prediction)
    refs = [_hf_tokens(ref) for ref in references]
    parts = []
    for n in range(1, MAX_ORDER + 1):
        pooled = Counter()
        for ref in refs:
            pooled.update(ngrams(ref, n))
        parts.append(_sentence_order(ngrams(src, n), ngrams(pred, n), pooled, len(refs)))
    add, keep, delete = (sum(p[i] for p in parts) / MAX_ORDER for i in range(3))
    return _score(add, keep, delete, SARI_DEFINITION)


# ---- `sari_corpus`: EASSE's corpus_sari --------------------------------------------------------------

# Per order, nine pooled counts: add (correct, sys, ref), keep (…), delete (…).
STAT_NAMES = tuple(f"{op}_{kind}" for op in ("add", "keep", "del") for kind in ("correct", "sys", "ref"))


def sari_corpus_stats(source: str, prediction: str, references: Sequence[str]) -> list[list[int]]:
    """One sentence's counts for `sari_corpus`: for each order n = 1..4, the nine numbers of STAT_NAMES.

    Sums of these over sentences are what `sari_corpus_from_stats` turns into the score, so a bootstrap
    can resample sentences without recounting n-grams."""
    references = _references_clean(references)
    r = len(references)
    src, pred = tokenize(source), tokenize(prediction)
    refs = [tokenize(ref) for ref in references]
    stats = []
    for n in range(1, MAX_ORDER + 1):
        s, c = ngrams(src, n), ngrams(pred, n)
        pooled = Counter()
        for ref in refs:
            pooled.update(ngrams(ref, n))
        added = set(c) - set(s)
        wanted = set(pooled) - set(s)
        keep_sys = {g: r * min(count, c[g]) for g, count in s.items() if c[g]}
        keep_ref = {g: min(r * count, pooled[g]) for g, count in s.items() if pooled[g]}
        del_sys = {g: r * (count - c[g]) for g, count in s.items() if count > c[g]}
        del_ref = {g: r * count - pooled[g] for g, count in s.items() if r * count > pooled[g]}
        stats.append(
            [
                len(added & wanted),
                len(added),
                len(wanted),
                sum(min(k, keep_ref.get(g, 0)) for g, k in keep_sys.items()),
                sum(keep_sys.values()),
                sum(keep_ref.values()),
                sum(min(d, del_ref.get(g, 0)) for g, d in del_sys.items()),
                sum(del_sys.values()),
                sum(del_ref.values()),
            ]
        )
    return stats


def _pooled_f1(correct: int, sys_total: int, ref_total: int) -> tuple[Fraction, Fraction]:
    """(precision, F1) from pooled counts, 0/0 counted as 0."""
    precision = Fraction(correct, sys_total) if sys_total else Fraction(0)
    recall = Fraction(correct, ref_total) if ref_total else Fraction(0)
    return precision, _f1(precision, recall)


def sari_corpus_from_stats(stats: Sequence[Sequence[int]], *, use_f1_for_deletion: bool = True) -> SariScore:
    """`sari_corpus` from counts summed over sentences (4 orders × STAT_NAMES)."""
    add = keep = delete = Fraction(0)
    for order in stats:
        a_c, a_s, a_r, k_c, k_s, k_r, d_c, d_s, d_r = (int(value) for value in order)
        add += _pooled_f1(a_c, a_s, a_r)[1]
        keep += _pooled_f1(k_c, k_s, k_r)[1]
        del_precision, del_f1 = _pooled_f1(d_c, d_s, d_r)
        delete += del_f1 if use_f1_for_deletion else del_precision
    return _score(add / MAX_ORDER, keep / MAX_ORDER, delete / MAX_ORDER, SARI_CORPUS_DEFINITION)


def stats_sum(per_sentence: Sequence[Sequence[Sequence[int]]]) -> list[list[int]]:
    """Element-wise sum of sentences' `sari_corpus_stats`."""
    total = [[0] * len(STAT_NAMES) for _ in range(MAX_ORDER)]
    for sentence in per_sentence:
        for n, order in enumerate(sentence):
            for k, value in enumerate(order):
                total[n][k] += value
    return total


class ReferenceCountMismatch(ValueError):
    """`sari_corpus` got sentences with different numbers of references (EASSE requires the same)."""

    def __init__(self, index: int, found: int, expected: int):
        self.index = index
        super().__init__(
            f"Item {index} has {found} reference(s) but item 0 has {expected}; corpus SARI (EASSE) needs the "
            "same number of references for every item."
        )


def sari_corpus(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    use_f1_for_deletion: bool = True,
) -> SariScore:
    """`sari_corpus` (0–100) of predictions[i] for sources[i] with references[i] (a list per sentence):
    EASSE's `corpus_sari` with its defaults (module docstring)."""
    if not (len(sources) == len(predictions) == len(references)):
        raise ValueError("sources, predictions and references must have one entry per sentence.")
    if not sources:
        raise ValueError("Corpus SARI needs at least one sentence.")
    expected = len(references[0])
    for index, refs in enumerate(references):
        if len(refs) != expected:
            raise ReferenceCountMismatch(index, len(refs), expected)
    per_sentence = [
        sari_corpus_stats(source, prediction, refs)
        for source, prediction, refs in zip(sources, predictions, references, strict=True)
    ]
    return sari_corpus_from_stats(stats_sum(per_sentence), use_f1_for_deletion=use_f1_for_deletion)


# ---- BLEU and compression ---------------------------------------------------------------------------


def bleu(candidate: str, references: Sequence[str]) -> float:
    """Sentence BLEU (sacrebleu defaults: 13a tokenisation, exp smoothing, effective order), 0–100."""
    from sacrebleu.metrics import BLEU

    references = [ref for ref in references if ref is not None]
    if not references:
        raise ValueError("BLEU needs at least one reference.")
    return float(BLEU(effective_order=True).sentence_score(candidate, list(references)).score)


def _references_by_stream(references: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """sacrebleu's layout (one stream per reference position; None where a sentence has fewer)."""
    width = max(len(refs) for refs in references)
    return [[refs[k] if k < len(refs) else None for refs in references] for k in range(width)]


def bleu_corpus_stats(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> list[list[int]]:
    """Per sentence, sacrebleu's BLEU statistics (lengths, matches and totals per order); their sums give
    `bleu_corpus_from_stats` (what sacrebleu's own paired bootstrap resamples)."""
    from sacrebleu.metrics import BLEU

    if any(not refs for refs in references):
        raise ValueError("Corpus BLEU needs at least one reference per sentence.")
    return [
        [int(x) for x in row]
        for row in BLEU()._extract_corpus_statistics(list(predictions), _references_by_stream(references))
    ]


def bleu_corpus_from_stats(stats: Sequence[int]) -> float:
    from sacrebleu.metrics import BLEU

    return float(BLEU()._compute_score_from_stats(list(stats)).score)


def bleu_corpus(predictions: Sequence[str], references: Sequence[Sequence[str]]) -> float:
    """Corpus BLEU (sacrebleu `corpus_score`, 13a, exp smoothing), 0–100; references[i] lists sentence
    i's references (their number may vary)."""
    from sacrebleu.metrics import BLEU

    if not predictions:
        raise ValueError("Corpus BLEU needs at least one sentence.")
    if any(not refs for refs in references):
        raise ValueError("Corpus BLEU needs at least one reference per sentence.")
    return float(BLEU().corpus_score(list(predictions), _references_by_stream(references)).score)


def compression_ratio(source: str, candidate: str) -> float | None:
    """Characters of the candidate / characters of the source (whitespace-trimmed); None for an empty
    source. Below 1: shorter than the original."""
    source, candidate = source.strip(), candidate.strip()
    if not source:
        return None
    return len(candidate) / len(source)
