"""The faithfulness guard: rule-based checks of a candidate simplification against its source (no torch).

A small model often copies, loops, echoes its instruction or changes facts; in medical text a changed
dose or a lost "not" is the worst outcome, so every candidate is checked and its flags are shown with
the offending span. The rules are deliberately simple and explainable; each flag is a warning for the
curator, not an automatic rejection. The embedding similarity is computed by the worker
(workers/ml/embeddings.py) and passed in; this module only compares it with the threshold.

Rules (code, severity):
- number_changed / number_dropped / number_added (high): every number of the source (digits, decimals,
  fractions, number words one…twenty, tens, "half", "once"/"twice") must appear in the candidate with
  the same value as often as in the source; a source number that is missing while a new value appears
  is "changed" (paired in order), otherwise "dropped"; a value the source never has is "added".
- dosage_changed / interval_changed / unit_changed (high): a number followed by a unit in the source
  (mg, mL, tablets, % …; hours, days, weeks, times …; cm, kg …) must keep that unit in the candidate
  when the number is kept; "dosage_" for dose units, "interval_" for time units ("twice" is 2 times).
  A frequency word of the source (daily, weekly, nightly …) missing from the candidate, with none of
  its plain equivalents ("a day", "each day" …), is "interval_changed" too.
- negation_dropped / negation_added (high): negation cues (not, n't, no, never, none, nothing, nobody,
  nowhere, neither, nor, without, cannot, avoid) are counted; fewer in the candidate flags the source
  cues whose negated word lost its negation; more flags the extra cues of the candidate.
- repetition (medium): the same 1–12-token sequence back to back three or more times (four for one
  word), or a passage of six or more tokens written twice, unless the source repeats it too.
- prompt_echo (medium): four or more consecutive tokens of the instruction or system prompt that are
  not in the source.
- meaning_drift (medium): embedding cosine similarity to the source below the threshold
  (`DEFAULT_SIMILARITY_THRESHOLD`, stored per run).
- empty (medium): nothing but whitespace. unchanged (low): the same words as the source.
  truncated (low): generation stopped at the token limit, not at the end of its answer.
- near_copy (medium): at least `NEAR_COPY_BIGRAM_SHARE` (0.75) of the candidate's word bigrams occur in
  the source: the wording is the source's, whatever was cut (apps/scoring/README.md says why 0.75).
- not_simpler (medium): Flesch–Kincaid grade at or above the source's. above_target (low): grade above
  the run's target grade. (Both need the grades, which the caller passes.)
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from apps.scoring.guard_simpler import check_grade, check_near_copy
from apps.scoring.guard_words import (
    AMBIGUOUS_NUMBER_WORDS,
    FREQUENCY_WORDS,
    MULTIPLIER_WORDS,
    NEGATION_SKIP,
    NEGATION_WORDS,
    NUMBER_WORDS,
    UNITS,
)

DEFAULT_SIMILARITY_THRESHOLD = 0.5
SEVERITY = {"high": 3, "medium": 2, "low": 1}

WORD_RE = re.compile(r"\d+(?:[.,]\d+)*(?:/\d+)?%?|\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)

LOOP_MIN_REPEATS = 3
LOOP_MIN_REPEATS_SINGLE_WORD = 4
REPEATED_PASSAGE_TOKENS = 6
ECHO_MIN_TOKENS = 4


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str  # high, medium, low
    message: str
    span: str = ""  # the offending text
    side: str = "candidate"  # which text `start`/`end` index: candidate or source
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Token:
    text: str  # lowercased
    start: int
    end: int


def tokens_of(text: str) -> list[Token]:
    return [Token(m.group().lower(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def _value(token: str) -> float | None:
    """The numeric value of a token, or None."""
    token = token.rstrip("%")
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    if re.fullmatch(r"\d+/\d+", token):
        numerator, denominator = token.split("/")
        return int(numerator) / int(denominator) if int(denominator) else None
    if re.fullmatch(r"\d+(?:,\d{3})+(?:\.\d+)?", token):  # thousands separators
        return float(token.replace(",", ""))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return None


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: tuple[str, str] | None  # (kind, canonical unit) when a unit follows
    token: Token
    unit_token: Token | None


def quantities(tokens: list[Token]) -> list[Quantity]:
    found = []
    for i, token in enumerate(tokens):
        value = _value(token.text)
        if value is None:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.text in MULTIPLIER_WORDS:  # "twice" is "2 times"
            found.append(Quantity(value, UNITS["times"], token, None))
            continue
        unit = UNITS.get("%" if token.text.endswith("%") else "") or (
            UNITS.get(following.text) if following else None
        )
        unit_token = following if unit and not token.text.endswith("%") else None
        if token.text in AMBIGUOUS_NUMBER_WORDS and unit is None:
            nxt = _value(following.text) if following else None
            if nxt is None:
                continue  # "one of the", "once you have": not a quantity
        found.append(Quantity(value, unit, token, unit_token))
    return found


def _fmt(value: float) -> str:
    return f"{value:g}"


def check_numbers(
    source: list[Token], candidate: list[Token], source_text: str, cand_text: str
) -> list[Flag]:
    src_q, cand_q = quantities(source), quantities(candidate)
    # Dropped: by count (a dose said twice must be kept twice). Added: values the source never has
    # (repeating a number of the source is not a new fact).
    src_values = Counter(q.value for q in src_q)
    cand_values = Counter(q.value for q in cand_q)
    cand_pairs = {(q.value, q.unit) for q in cand_q}
    missing_budget = src_values - cand_values
    missing = []
    # Of several source quantities with a missing value, report first those whose unit is gone too.
    for q in sorted(src_q, key=lambda q: ((q.value, q.unit) in cand_pairs, q.token.start)):
        if missing_budget[q.value] > 0:
            missing_budget[q.value] -= 1
            missing.append(q)
    missing.sort(key=lambda q: q.token.start)
    added = [q for q in cand_q if q.value not in src_values]
    flags = []
    for old, new in zip(missing, added, strict=False):
        flags.append(
            Flag(
                "number_changed",
                "high",
                f"The original says {_span(source_text, old.token)!r}; the candidate says "
                f"{_span(cand_text, new.token)!r} instead.",
                span=_span(cand_text, new.token, new.unit_token),
                start=new.token.start,
                end=(new.unit_token or new.token).end,
            )
        )
    for old in missing[len(added) :]:
        flags.append(
            Flag(
                "number_dropped",
                "high",
                f"The number {_span(source_text, old.token)!r} of the original is missing.",
                span=_span(source_text, old.token, old.unit_token),
                side="source",
                start=old.token.start,
                end=(old.unit_token or old.token).end,
            )
        )
    for new in added[len(missing) :]:
        flags.append(
            Flag(
                "number_added",
                "high",
                f"The number {_span(cand_text, new.token)!r} is not in the original.",
                span=_span(cand_text, new.token, new.unit_token),
                start=new.token.start,
                end=(new.unit_token or new.token).end,
            )
        )
    # Units: a kept number must keep its unit.
    cand_by_value: dict[float, list[Quantity]] = {}
    for q in cand_q:
        cand_by_value.setdefault(q.value, []).append(q)
    reported = {q.token.start for q in missing}
    for q in src_q:
        if q.unit is None or q.value not in cand_by_value or q.token.start in reported:
            continue
        units_there = {c.unit for c in cand_by_value[q.value]}
        if q.unit in units_there:
            continue
        kind = q.unit[0]
        code = {"dose": "dosage_changed", "time": "interval_changed"}.get(kind, "unit_changed")
        other = next((c for c in cand_by_value[q.value] if c.unit), cand_by_value[q.value][0])
        flags.append(
            Flag(
                code,
                "high",
                f"The original says {_span(source_text, q.token, q.unit_token)!r}; the candidate has "
                f"{_span(cand_text, other.token, other.unit_token)!r}.",
                span=_span(cand_text, other.token, other.unit_token),
                start=other.token.start,
                end=(other.unit_token or other.token).end,
            )
        )
    cand_plain = " " + " ".join(t.text for t in candidate) + " "
    for token in source:
        equivalents = FREQUENCY_WORDS.get(token.text)
        if equivalents and not any(f" {phrase} " in cand_plain for phrase in equivalents):
            flags.append(
                Flag(
                    "interval_changed",
                    "high",
                    f"The original says {token.text!r}; the candidate says neither that nor "
                    f"{equivalents[1]!r}.",
                    span=source_text[token.start : token.end],
                    side="source",
                    start=token.start,
                    end=token.end,
                )
            )
    return flags


def _span(text: str, first: Token, last: Token | None = None) -> str:
    return text[first.start : (last or first).end]


def _is_negation(token: Token) -> bool:
    return token.text in NEGATION_WORDS or token.text.endswith(("n't", "n’t"))


def _negated_word(tokens: list[Token], i: int) -> str | None:
    for token in tokens[i + 1 : i + 5]:
        if token.text.isalpha() and token.text not in NEGATION_SKIP and not _is_negation(token):
            return token.text
    return None


def check_negations(
    source: list[Token], candidate: list[Token], source_text: str, cand_text: str
) -> list[Flag]:
    src_cues = [i for i, t in enumerate(source) if _is_negation(t)]
    cand_cues = [i for i, t in enumerate(candidate) if _is_negation(t)]
    flags = []
    if len(cand_cues) < len(src_cues):
        cand_negated = Counter(_negated_word(candidate, i) for i in cand_cues)
        uncovered, covered = [], []
        for i in src_cues:
            word = _negated_word(source, i)
            if word and cand_negated[word] > 0:
                cand_negated[word] -= 1
                covered.append(i)
            else:
                uncovered.append(i)
        for i in (uncovered + covered)[: len(src_cues) - len(cand_cues)]:
            cue = source[i]
            context_end = source[min(i + 3, len(source) - 1)].end
            flags.append(
                Flag(
                    "negation_dropped",
                    "high",
                    f"The original negates here ({source_text[cue.start : context_end]!r}); the candidate "
                    f"has {len(cand_cues)} negation(s) where the original has {len(src_cues)}.",
                    span=source_text[cue.start : context_end],
                    side="source",
                    start=cue.start,
                    end=context_end,
                )
            )
    elif len(cand_cues) > len(src_cues):
        src_negated = Counter(_negated_word(source, i) for i in src_cues)
        extra = []
        for i in cand_cues:
            word = _negated_word(candidate, i)
            if src_negated[word] > 0:
                src_negated[word] -= 1
            else:
                extra.append(i)
        for i in extra[: len(cand_cues) - len(src_cues)]:
            cue = candidate[i]
            context_end = candidate[min(i + 3, len(candidate) - 1)].end
            flags.append(
                Flag(
                    "negation_added",
                    "high",
                    f"The candidate negates where the original does not "
                    f"({cand_text[cue.start : context_end]!r}).",
                    span=cand_text[cue.start : context_end],
                    start=cue.start,
                    end=context_end,
                )
            )
    return flags


def _tandem_repeats(words: list[str]) -> tuple[int, int, int] | None:
    """(start index, n, repeats) of the longest back-to-back repetition that counts as a loop."""
    best = None
    for n in range(1, 13):
        needed = LOOP_MIN_REPEATS_SINGLE_WORD if n == 1 else LOOP_MIN_REPEATS
        i = 0
        while i + n * needed <= len(words):
            unit = words[i : i + n]
            repeats = 1
            while words[i + repeats * n : i + (repeats + 1) * n] == unit:
                repeats += 1
            if repeats >= needed:
                if best is None or repeats * n > best[1] * best[2]:
                    best = (i, n, repeats)
                i += repeats * n
            else:
                i += 1
    return best


def _repeated_passage(words: list[str]) -> tuple[int, int] | None:
    """(index of the second occurrence, length) of the longest passage of ≥ 6 tokens written twice."""
    n = REPEATED_PASSAGE_TOKENS
    first_seen: dict[tuple, int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        if gram in first_seen and i - first_seen[gram] >= n:
            length = n
            j = first_seen[gram]
            while i + length < len(words) and j + length < i and words[j + length] == words[i + length]:
                length += 1
            return i, length
        first_seen.setdefault(gram, i)
    return None


def check_repetition(source: list[Token], candidate: list[Token], cand_text: str) -> list[Flag]:
    words = [t.text for t in candidate]
    src_words = [t.text for t in source]
    loop = _tandem_repeats(words)
    if loop and not _tandem_repeats(src_words):
        i, n, repeats = loop
        message = f"The same {n}-word sequence is repeated {repeats} times in a row."
        return [_repetition_flag(candidate, cand_text, i, n * repeats, message)]
    passage = _repeated_passage(words)
    if passage and not _repeated_passage(src_words):
        i, length = passage
        message = f"A passage of {length} words is written twice."
        return [_repetition_flag(candidate, cand_text, i, length, message)]
    return []


def _repetition_flag(candidate: list[Token], cand_text: str, i: int, length: int, message: str) -> Flag:
    """A repetition flag spanning the `length` tokens of the candidate from token `i`."""
    first, last = candidate[i], candidate[i + length - 1]
    return Flag(
        "repetition",
        "medium",
        message,
        span=cand_text[first.start : last.end],
        start=first.start,
        end=last.end,
    )


def check_echo(
    source: list[Token], candidate: list[Token], cand_text: str, prompts: Sequence[str]
) -> list[Flag]:
    """The longest run of ≥ 4 candidate tokens that is in a prompt text but not in the source."""
    words = [t.text for t in candidate if t.text.isalnum() or t.text.isalpha()]
    positions = [t for t in candidate if t.text.isalnum() or t.text.isalpha()]
    src = " " + " ".join(t.text for t in source if t.text.isalnum() or t.text.isalpha()) + " "
    best = None
    for prompt in prompts:
        p_words = [t.text for t in tokens_of(prompt) if t.text.isalnum() or t.text.isalpha()]
        p_text = " " + " ".join(p_words) + " "
        for i in range(len(words)):
            length = 0
            while i + length < len(words) and f" {' '.join(words[i : i + length + 1])} " in p_text:
                length += 1
            if length >= ECHO_MIN_TOKENS and f" {' '.join(words[i : i + length])} " not in src:
                if best is None or length > best[1]:
                    best = (i, length)
    if not best:
        return []
    i, length = best
    first, last = positions[i], positions[i + length - 1]
    return [
        Flag(
            "prompt_echo",
            "medium",
            f"The candidate repeats {length} words of the instruction.",
            span=cand_text[first.start : last.end],
            start=first.start,
            end=last.end,
        )
    ]


def guard_check(
    *,
    source: str,
    candidate: str,
    prompts: Sequence[str] = (),
    similarity: float | None = None,
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    finished: bool = True,
    grade: float | None = None,
    source_grade: float | None = None,
    target_grade: float | None = None,
) -> list[Flag]:
    """Every flag for `candidate` as a rewrite of `source`, most severe first.

    `prompts`: the instruction and system texts the model saw (without the source text);
    `similarity`: cosine similarity of the two texts' embeddings (None: not checked);
    `finished`: False when generation stopped at the token limit;
    `grade`, `source_grade`, `target_grade`: Flesch–Kincaid grades of both texts and the run's target
    (None: that check is skipped).
    """
    if not candidate.strip():
        return [Flag("empty", "medium", "The candidate is empty.")]
    src_tokens, cand_tokens = tokens_of(source), tokens_of(candidate)
    flags = []
    flags += check_numbers(src_tokens, cand_tokens, source, candidate)
    flags += check_negations(src_tokens, cand_tokens, source, candidate)
    flags += check_repetition(src_tokens, cand_tokens, candidate)
    flags += check_echo(src_tokens, cand_tokens, candidate, prompts)
    simpler = check_near_copy(src_tokens, cand_tokens)
    simpler += check_grade(grade=grade, source_grade=source_grade, target_grade=target_grade)
    flags += [Flag(code, severity, message) for code, severity, message in simpler]
    if similarity is not None and similarity < similarity_threshold:
        flags.append(
            Flag(
                "meaning_drift",
                "medium",
                f"Meaning may have drifted: similarity to the original is {similarity:.2f} "
                f"(threshold {similarity_threshold:.2f}).",
                span=candidate.strip()[:200],
            )
        )
    if [t.text for t in src_tokens] == [t.text for t in cand_tokens]:
        flags.append(Flag("unchanged", "low", "The candidate repeats the original word for word."))
    if not finished:
        flags.append(
            Flag("truncated", "low", "Generation stopped at the token limit; the text may be cut off.")
        )
    return sorted(flags, key=lambda f: -SEVERITY[f.severity])
