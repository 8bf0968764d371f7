"""SARI (Xu et al., TACL 2016), sentence level, written from the paper's formulas; plus BLEU and compression.

Definition used here (the same text is in apps/metrics/README.md; tests/metrics/test_sari.py has worked
examples):

    SARI = 100 · mean over n = 1..4 of (F_add(n) + F_keep(n) + P_del(n)) / 3

for the source I, the candidate O and r ≥ 1 references R_1..R_r. For each n-gram order n, with
#g(X) the count of n-gram g in X and #g(R) = (Σ_j #g(R_j)) / r the mean count over the references:

- add (binary, as in the paper): A = {g ∈ O, g ∉ I}, wanted = {g ∈ some R_j, g ∉ I};
  P_add = |A ∩ wanted| / |A|, R_add = |A ∩ wanted| / |wanted|.
- keep (fractional): k(g) = min(#g(I), #g(O)), k*(g) = min(#g(I), #g(R));
  P_keep = Σ min(k, k*) / Σ k, R_keep = Σ min(k, k*) / Σ k*.
- delete (fractional): d(g) = max(#g(I) − #g(O), 0), d*(g) = max(#g(I) − #g(R), 0);
  P_del = Σ min(d, d*) / Σ d.   (Deletion recall is left out, as in the paper, to avoid rewarding
  deleting everything.)
- F = 2PR / (P + R), and F = 0 when P + R = 0.

Edge cases (0/0): a precision or recall whose denominator is empty is 0, as in the authors' released
code and in the Hugging Face `evaluate` implementation, so numbers stay comparable with published SARI
values. Consequences, on purpose and documented: an order n longer than the texts contributes 0 to the
mean (short texts score lower); a candidate that adds nothing when the references add nothing gets
F_add = 0 for that order; a candidate identical to source and reference scores 100/3 ≈ 33.3 (keep is
perfect, there is nothing to add or delete). With no reference at all SARI is undefined: `sari` raises.

Tokenisation: lowercase, then tokens are numbers (`2.5`, `1,000`, `45%`), words (letters/digits with
inner apostrophes or hyphens: `don't`, `follow-up`) and single punctuation marks; whitespace is
dropped. Source, candidate and references are tokenised the same way.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*%?|\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)
MAX_ORDER = 4


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class SariScore:
    sari: float  # 0–100
    add: float  # mean F_add over n, 0–100
    keep: float  # mean F_keep over n, 0–100
    delete: float  # mean P_del over n, 0–100


def _ratio(numerator, denominator) -> Fraction:
    return Fraction(numerator) / denominator if denominator else Fraction(0)


def _f1(precision: Fraction, recall: Fraction) -> Fraction:
    return 2 * precision * recall / (precision + recall) if precision + recall else Fraction(0)


def sari_order(
    source: Counter, candidate: Counter, references: Sequence[Counter]
) -> tuple[Fraction, Fraction, Fraction]:
    """(F_add, F_keep, P_del) for one n-gram order, from n-gram counts."""
    r = len(references)
    reference_mean: dict[tuple, Fraction] = {}
    for counts in references:
        for gram, count in counts.items():
            reference_mean[gram] = reference_mean.get(gram, Fraction(0)) + Fraction(count, r)

    added = {g for g in candidate if g not in source}
    wanted = {g for g in reference_mean if g not in source}
    good = added & wanted
    f_add = _f1(_ratio(len(good), len(added)), _ratio(len(good), len(wanted)))

    kept = kept_wanted = kept_good = Fraction(0)
    deleted = deleted_good = Fraction(0)
    for gram, count in source.items():
        in_refs = reference_mean.get(gram, Fraction(0))
        k, k_star = min(count, candidate[gram]), min(Fraction(count), in_refs)
        kept += k
        kept_wanted += k_star
        kept_good += min(k, k_star)
        d, d_star = max(count - candidate[gram], 0), max(count - in_refs, Fraction(0))
        deleted += d
        deleted_good += min(d, d_star)
    f_keep = _f1(_ratio(kept_good, kept), _ratio(kept_good, kept_wanted))
    p_del = _ratio(deleted_good, deleted)
    return f_add, f_keep, p_del


def sari(source: str, candidate: str, references: Sequence[str]) -> SariScore:
    """Sentence-level SARI of `candidate` against `source` and one or more `references` (0–100)."""
    references = [ref for ref in references if ref is not None]
    if not references:
        raise ValueError("SARI needs at least one reference simplification.")
    src, cand = tokenize(source), tokenize(candidate)
    refs = [tokenize(ref) for ref in references]
    parts = [
        sari_order(ngrams(src, n), ngrams(cand, n), [ngrams(ref, n) for ref in refs])
        for n in range(1, MAX_ORDER + 1)
    ]
    add, keep, delete = (sum(p[i] for p in parts) / MAX_ORDER for i in range(3))
    return SariScore(
        sari=float(100 * (add + keep + delete) / 3),
        add=float(100 * add),
        keep=float(100 * keep),
        delete=float(100 * delete),
    )


def bleu(candidate: str, references: Sequence[str]) -> float:
    """Sentence BLEU (sacrebleu defaults: 13a tokenisation, exp smoothing, effective order), 0–100."""
    from sacrebleu.metrics import BLEU

    references = [ref for ref in references if ref is not None]
    if not references:
        raise ValueError("BLEU needs at least one reference.")
    return float(BLEU(effective_order=True).sentence_score(candidate, list(references)).score)


def compression_ratio(source: str, candidate: str) -> float | None:
    """Characters of the candidate / characters of the source (whitespace-trimmed); None for an empty
    source. Below 1: shorter than the original."""
    source, candidate = source.strip(), candidate.strip()
    if not source:
        return None
    return len(candidate) / len(source)
