"""The guard's checks that a candidate is a simplification at all (pure Python; used by `guard.py`).

- near_copy (medium): at least `NEAR_COPY_BIGRAM_SHARE` of the candidate's word bigrams occur in the
  source. Human simplifications of the demo corpus share at most 0.33 of their bigrams with the source;
  the embedded model's copies (whole or cut) 0.82–1.0; 0.75 sits between (README, "near-copy"). A
  measure of the candidate's own wording, independent of SARI and of the reference.
- not_simpler (medium): Flesch–Kincaid grade at or above the source's.
- above_target (low): grade above the run's target grade.

Tokens are `guard.Token`s (lower-cased `text`); the grades are computed by the caller. Each check
returns (code, severity, message) triples that `guard.guard_check` turns into flags.
"""

NEAR_COPY_BIGRAM_SHARE = 0.75


def bigram_share(source: list, candidate: list) -> float | None:
    """The share of the candidate's word bigrams (lower-cased words, punctuation skipped) that occur in
    the source; None for a candidate of fewer than two words."""
    words = [t.text for t in candidate if t.text[0].isalnum()]
    pairs = list(zip(words, words[1:], strict=False))
    if not pairs:
        return None
    src_words = [t.text for t in source if t.text[0].isalnum()]
    src_pairs = set(zip(src_words, src_words[1:], strict=False))
    return sum(1 for pair in pairs if pair in src_pairs) / len(pairs)


def check_near_copy(source: list, candidate: list) -> list[tuple[str, str, str]]:
    share = bigram_share(source, candidate)
    if share is None or share < NEAR_COPY_BIGRAM_SHARE:
        return []
    return [
        (
            "near_copy",
            "medium",
            f"Near-copy of the source: {share:.0%} of its word pairs are the source's "
            f"(threshold {NEAR_COPY_BIGRAM_SHARE:.0%}).",
        )
    ]


def check_grade(
    *, grade: float | None, source_grade: float | None, target_grade: float | None
) -> list[tuple[str, str, str]]:
    """not_simpler (grade ≥ the source's) and above_target (grade > the target)."""
    flags = []
    if grade is not None and source_grade is not None and grade >= source_grade:
        flags.append(
            (
                "not_simpler",
                "medium",
                f"Not simpler than the original: grade {grade:.1f}, the original's {source_grade:.1f}.",
            )
        )
    if grade is not None and target_grade is not None and grade > target_grade:
        flags.append(
            ("above_target", "low", f"Above the target grade: {grade:.1f} against {target_grade:g}.")
        )
    return flags
