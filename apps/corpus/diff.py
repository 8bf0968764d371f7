"""Word-level differences between two texts, for the editor and the revision history."""

import re
from difflib import SequenceMatcher

_TOKEN = re.compile(r"^\s+|\S+\s*")  # words with the whitespace after them


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """[(kind, text)] with kind "same", "removed" or "added"; joining the "same" and "added" texts gives
    `after`. Words are compared whole, ignoring the whitespace that follows them."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    keys_a, keys_b = [t.strip() for t in a], [t.strip() for t in b]  # a word matches whatever follows it
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return parts


def diff_stats(parts: list[tuple[str, str]]) -> dict:
    words = {"removed": 0, "added": 0}
    for kind, text in parts:
        if kind in words:
            words[kind] += len(text.split())
    return words
