"""Word-level differences between two texts, for the editor and the revision history."""

import re
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """[(kind, text)] with kind "same", "removed" or "added"; joining the "same"+"added" texts gives
    `after` and the "same"+"removed" texts give `before`. Words are compared whole; whitespace is kept."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
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
