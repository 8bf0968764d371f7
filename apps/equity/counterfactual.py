"""Word diff of a counterfactual pair: which words changed, and which identity axes that touches."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from apps.equity.lexicon import IdentityLexicon

_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    text: str
    changed: bool


@dataclass(frozen=True)
class PairDiff:
    a: list[Piece]  # question A, split into unchanged and changed runs (for highlighting)
    b: list[Piece]
    changed_from: str  # words only in A, runs joined with " … "
    changed_to: str  # words only in B


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """`text` cut into runs; `spans` (character ranges) are the changed ones."""
    pieces, cursor = [], 0
    for start, end in spans:
        if start > cursor:
            pieces.append(Piece(text[cursor:start], False))
        pieces.append(Piece(text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append(Piece(text[cursor:], False))
    return pieces


def word_diff(a: str, b: str) -> PairDiff:
    """Case-insensitive word diff of two questions. Punctuation counts as a word, so "capacity?" →
    "capacity for Black women?" changes only "for Black women"."""
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    matcher = SequenceMatcher(a=[t for t, _, _ in tokens_a], b=[t for t, _, _ in tokens_b], autojunk=False)
    spans_a, spans_b = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if a2 > a1:
            spans_a.append((tokens_a[a1][1], tokens_a[a2 - 1][2]))
        if b2 > b1:
            spans_b.append((tokens_b[b1][1], tokens_b[b2 - 1][2]))
    return PairDiff(
        a=_pieces(a, spans_a),
        b=_pieces(b, spans_b),
        changed_from=" … ".join(a[s:e] for s, e in spans_a),
        changed_to=" … ".join(b[s:e] for s, e in spans_b),
    )


@dataclass(frozen=True)
class Attribute:
    changed_from: str
    changed_to: str
    axes: list[str]  # identity-axis slugs whose terms differ between A and B
    label: str  # e.g. "race-ethnicity, gender: — → Black women"


def attribute_detect(a: str, b: str, lexicon: IdentityLexicon) -> Attribute:
    """The attribute that changed from A to B.

    An axis counts as changed when the set of its terms found in A differs from the set found in B
    ("a White man" → "a Black man" changes race but not gender). Axis detection runs on the whole
    questions, not only the changed words, because a changed word ("White" → "Black") may form a
    term only together with an unchanged one ("man")."""
    diff = word_diff(a, b)
    found_a, found_b = lexicon.matches(a), lexicon.matches(b)
    axes = sorted({axis for axis, _ in found_a ^ found_b})
    words = f"{diff.changed_from or '—'} → {diff.changed_to or '—'}"
    label = f"{', '.join(axes)}: {words}" if axes else words
    return Attribute(diff.changed_from[:300], diff.changed_to[:300], axes, label[:200])
