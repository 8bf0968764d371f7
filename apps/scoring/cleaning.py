"""Clean a generator's output: keep the simplification, strip the talk around it (pure Python, no torch).

Instruction-tuned models wrap their answer in chatter: "Sure! Here's a rewritten version of the text in
plain language:", a "Simplified version:" label, quotes around the answer, "I have revised the text to…"
or "Let me know if…" after it, or an echo of the instruction. Left in, the chatter is scored as if it
were the simplification (its "grade 6" raised a "number added" flag, its words lower similarity), and a
curator who accepts the candidate would paste it into the corpus.

`output_clean` removes, from the start and from the end only (never from the middle), pieces that are
about the task rather than about health:

- interjections ("Sure!", "Certainly,", "Of course.", "What a lifesaver!", "Dear student,");
- label prefixes and heading lines ("Simplified version:", "Rewritten text:", "Text:", "# Plain text");
  with a label such as "Revised text:" after an "Original: …" echo, everything up to the last label;
- leading or trailing sentences that talk about the rewrite (`_META`: "Here's a rewritten version of
  the text…:", "The speech at US grade 6 can be written as:", "I have revised the text to…", "This
  version uses…"), offers ("Let me know if…", "I hope this helps"), and sentences that echo the
  instruction or the system prompt;
- a later paragraph that talks about the rewrite (a note, or a second attempt), unless what precedes it
  shares no word of the source and its colon-ended lead-in introduces text that does (then that text
  is the answer, and what precedes goes);
- quotes that wrap the whole answer (or a lone opening quote of an answer cut off at the token limit).

It is conservative by construction: a piece is removed only if its wording matches one of these
patterns *and* that wording is not in the source (a source that says "the text" keeps every sentence
that says it), and never if it holds a number the source has (outside a "grade 6" phrase). "Here are the
signs of colon cancer: …" is content and stays (no rewrite vocabulary). The model's raw output is kept
beside the cleaned text (`Candidate.raw_text`) for audit.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from apps.scoring.guard_words import NUMBER_WORDS

# Short exclamations and greetings that open an answer; only the words themselves are removed.
_INTERJECTION = re.compile(
    r"""^(?:
        (?:sure|certainly|of\ course|absolutely|okay|ok|alright|all\ right|great|no\ problem|gladly|
           happy\ to\ help|here\ you\ go|wow|hey|hi|hello|uh-uh|yes!|perfect|got\ it)
        (?:\ thing)?\s*(?:[!,.]+|\s*[-–—])
      | what\ an?\ [^.!?\n]{1,80}!+            # "What a lifesaver!", "What a great way to …!"
      | how\ about\ (?:this|these|that)[:?!]
      | (?:i\ can|i'd\ be\ happy\ to|i\ would\ be\ happy\ to|let\ me)\ help(?:\ with\ that|\ you)?[.!]
      | (?:in\ (?:simple|simpler|plain|other|everyday)\ (?:words|terms|language|english)|simply\ put)[,:]
      | (?:dear|hey|hi|hello)\ [\w ]{1,30}[,!]  # "Dear student,"
      | (?:kids|folks|friends|everyone)[,!]
      | (?:at|for)\ (?:a\ )?(?:u\.?s\.?[-\ ])?grade[-\ ]\d+(?:\ level)?,   # "At US grade 6, …"
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)

_LABEL_WORDS = (
    r"(?:(?:the|a|an|my|your|our)\s+)?"
    r"(?:(?:simplified|rewritten|revised|simpler|simple|plain[- ]language|plain|easy[- ]to[- ]read|"
    r"easy[- ]to[- ]understand|easier|reworded|rephrased|corrected|final|improved|clear|rewrite|"
    r"age[- ]appropriate|grade[- ]appropriate|reader[- ]friendly|patient[- ]friendly)\s+)?"
    r"(?:version|text|sentence|rewrite|answer|output|passage|paragraph|response|summary|"
    r"simplification|explanation)"
    r"|simplified|rewritten|revised|rewrite|answer|output|response"
    r"|u\.?s\.?[- ]grade[- ]\d+|grade[- ]\d+(?:\s+version)?"
)
# "Simplified version:", "**Rewritten text:**", "Text —", "US-grade 6:" at the start.
_LABEL = re.compile(
    rf"^[\s>*_#]*(?:{_LABEL_WORDS})(?:\s*\((?:[^()\n]{{0,40}})\))?"
    rf"(?:\s+(?:in\s+plain\s+language|for\s+(?:a\s+)?(?:u\.?s\.?\s+)?grade\s+\d+(?:\s+readers?)?|"
    rf"at\s+(?:a\s+)?(?:u\.?s\.?\s+)?grade\s+\d+(?:\s+level)?))?"
    rf"[\s*_]*[:：]+[\s*_]*",
    re.IGNORECASE,
)
# A whole first line that is only a heading label: "# Simplified Version", "**Plain text**".
_HEADING_LINE = re.compile(rf"^[ \t]*(?:#+|\*\*|__)[ \t]*(?:{_LABEL_WORDS})[ \t*_:]*\n", re.IGNORECASE)
# An answer label after an echo of the original: what follows the last one is the answer.
_ANSWER_LABEL = re.compile(
    r"(?:^|\n|(?<=[.!?\"”:]) )[ \t>*_#]*(?:the\s+)?"
    r"(?:simplified|rewritten|revised|simpler|plain[- ]language|reworded|new)\s+"
    r"(?:version|text|sentence|passage|paragraph)[ \t*_]*[:：][ \t*_]*",
    re.IGNORECASE,
)
_ORIGINAL_LABEL = re.compile(
    r"^[\s>*_#]*(?:the\s+)?original(?:\s+(?:text|sentence|version))?\s*[:：]\s*", re.I
)

# Wording that talks about the task (the rewrite, the text) rather than health.
_META = re.compile(
    r"""
      \b(?:rewritten|revised|simplified|simpler|plain[- ]language|easier[- ]to[- ](?:read|understand)|
          easy[- ]to[- ](?:read|understand)|reworded|rephrased|edited|clearer|corrected|improved|
          updated|final)\s+
          (?:version|text|sentence|passage|paragraph|rewrite|form|format|language)\b
    | \bversion\s+of\s+(?:the|this|your|that)\s+(?:text|sentence|passage|paragraph|information)\b
    | \b(?:the|this|that|your|my)\s+
          (?:original\s+|given\s+|above\s+|following\s+|provided\s+|new\s+|first\s+|last\s+)?
          (?:text|sentence|passage|paragraph|rewrite|rewording)\b(?!\s*messag|\s+on\b)
    | \b(?:the\ user's\ (?:goal|request|question|text)|the\ target\ audience|your\ writing)\b
    | \ba\s+(?:text|passage|paragraph)\b(?!\s*messag)
    | \b(?:I|we)(?:'ve|\ have|\ had|'ll|\ will|\ can|\ could|\ would)?\s+
          (?:re-?writ\w*|revis\w*|simplif\w*|rephras\w*|re-?word\w*|chang\w*|replac\w*|kept|keep|
             remov\w*|tried|try|made|broke|split|used|focus\w*|aimed|just)\b
    | \b(?:let\ me|let's|let\ us)\s+(?:re-?writ|simplif|rephras|break|explain|try|do|take|make|see)\w*
    | \b(?:can|could|would|might)\s+be\s+(?:re-?)?(?:written|said|put|explained|phrased|stated|simplified)\b
    | \bway\s+to\s+(?:say|put|explain|write|phrase)\s+(?:it|this|that)\b
    | \bunderstood\s+by\s+a\s+reader\b
    | ^here(?:'s|\ is|\ are)\ (?:a|an|the|my|your)\s+(?:\w+[-\ ]){0,4}
          (?:version|rewrite|take|attempt|simplification|explanation)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Mentions of the reader's grade: chatter in a sentence that ends with a colon (a preamble) or closes the
# answer; a leading sentence that only mentions it may still carry content, so it stays.
_GRADE_TALK = re.compile(
    r"\bU\.?S\.?[- ]grade\b|\b\d+(?:st|nd|rd|th)[- ]grade(?:rs?| level)?\b|\breading level\b"
    r"|\bgrade[- ]\d+ (?:readers?|students?|level)\b|\ba reader at\b",
    re.IGNORECASE,
)
# Words about editing: chatter only in a sentence that ends with a colon ("Here's how it's edited:").
_EDIT_TALK = re.compile(r"\b(?:edited|rephrased|reworded|rewritten|simplified|revised)\b", re.IGNORECASE)
# Closing offers and sign-offs: removed with everything after them.
_OFFER = re.compile(
    r"""^[\s(]*(?:let\ me\ know|please\ let\ me\ know|i\ hope\ (?:this|that|it)\ helps|
        hope\ (?:this|that|it)\ helps|
        feel\ free|if\ you\ (?:have|need)\ (?:any|more)|is\ there\ anything\ else|would\ you\ like\ me|
        (?:for\ more\ (?:details|information),\ )?click\ here|
        do\ you\ want\ me|i\ can\ also|happy\ to\ help|good\ luck|thank\ you|thanks)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A trailing paragraph that only labels notes about the rewrite ("Corrected sentence…", "Note:", "Changes").
_TRAILING_LABEL = re.compile(
    r"\n\s*[>*_#]*\s*(?:notes?|explanation|changes(?:\s+made)?|corrected|original|revised|rewritten|"
    r"simplified|key\s+changes|word\s+count)\b[^\n]*$"
    r"|\n\s*here(?:'s| is| are)\b[^\n.!?]{0,40}:?\s*$",  # "Here's the" cut off at the token limit
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»", "„": "“", "<<": ">>"}
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!e\.g)(?<!i\.e)(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bvs)(?<!\bSt)[.!?]+[\"”’)]*(?=\s)|\n+|:(?=\s)"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_GRADE_PHRASE = re.compile(r"\bgrade[- ]?\d+|\b\d+(?:st|nd|rd|th)[- ]grade", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_ECHO_SHARE = 0.6  # a sentence this much made of prompt words (absent from the source) echoes the prompt
_ROUNDS = 12


@dataclass(frozen=True)
class Cleaned:
    """The cleaned text, and each removed piece as (kind, text) in the order it was removed."""

    text: str
    removed: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def _numbers(text: str) -> set[str]:
    text = _GRADE_PHRASE.sub(" ", text)
    words = {w for w in _WORD.findall(text.lower()) if w in NUMBER_WORDS}
    return set(_NUMBER.findall(text)) | words


def _first_piece(text: str) -> tuple[str, str]:
    """(the first sentence, line or colon-ended clause with its delimiter, the rest)."""
    match = _SENTENCE_END.search(text)
    if match is None:
        return text, ""
    return text[: match.end()], text[match.end() :]


def _last_piece(text: str) -> tuple[str, str]:
    """(everything before the last sentence or line, the last one)."""
    stripped = text.rstrip()
    ends = [m.end() for m in _SENTENCE_END.finditer(stripped) if m.end() < len(stripped)]
    if not ends:
        return "", stripped
    return stripped[: ends[-1]], stripped[ends[-1] :]


def _unwrap(text: str) -> tuple[str, str] | None:
    """(inner text, removed quotes) when quotes wrap the whole text; a lone opening quote of a text with
    no closing one (cut off at the token limit) goes too."""
    for opening, closing in _QUOTES.items():
        if not text.startswith(opening):
            continue
        inner = text[len(opening) :]
        body = inner[: -len(closing)] if inner.endswith(closing) else None
        if body is not None and closing not in body and opening not in body:
            return body.strip(), opening + closing
        if closing not in inner and opening not in inner:
            return inner.strip(), opening
    return None


class _Text:
    """The output being cleaned, what the source holds, and the log of removed pieces."""

    def __init__(self, raw: str, source: str, prompts: Sequence[str]):
        self.text = (raw or "").strip()
        self.source_lower = (source or "").lower()
        self.source_numbers = _numbers(source or "")
        self.source_words = set(_WORD.findall(self.source_lower))
        self.prompt_words = {w for p in prompts for w in _WORD.findall(p.lower())} - self.source_words
        self.removed: list[tuple[str, str]] = []

    def in_source(self, match: re.Match) -> bool:
        return match.group(0).strip().lower() in self.source_lower

    def chatter(self, piece: str, *, grade_talk: bool) -> str:
        """The kind of chatter `piece` is: "preamble" (talks about the task), "prompt echo", or "" (none).
        A mention of the reader's grade counts with `grade_talk`, editing words in a colon-ended piece."""
        patterns = [_META] + ([_GRADE_TALK] if grade_talk else [])
        if piece.rstrip().endswith(":"):
            patterns += [_GRADE_TALK, _EDIT_TALK]
        if any(not self.in_source(m) for p in patterns for m in p.finditer(piece.strip())):
            return "preamble"
        words = [w for w in _WORD.findall(piece.lower()) if len(w) > 3]
        echoed = sum(1 for w in words if w in self.prompt_words)
        return "prompt echo" if len(words) >= 3 and echoed / len(words) >= _ECHO_SHARE else ""

    def drop(self, kind: str, piece: str, kept: str) -> bool:
        """Set the text to `kept`, logging `piece` as removed, unless `piece` holds a number of the
        source that `kept` lacks (then nothing changes and the answer is False)."""
        if (_numbers(piece) & self.source_numbers) - _numbers(kept):
            return False
        self.removed.append((kind, piece.strip()))
        self.text = kept.strip()
        return True

    def lead(self) -> bool:
        """Remove one piece of chatter at the start; False when there is none."""
        text = self.text
        if match := _INTERJECTION.match(text):
            return not self.in_source(match) and self.drop(
                "interjection", match.group(0), text[match.end() :]
            )
        match = _HEADING_LINE.match(text) or _LABEL.match(text) or _ORIGINAL_LABEL.match(text)
        if match:
            return not self.in_source(match) and self.drop("label", match.group(0), text[match.end() :])
        unwrapped = _unwrap(text)
        if unwrapped and unwrapped[0]:
            return self.drop("quotes", unwrapped[1], unwrapped[0])
        piece, rest = _first_piece(text)
        kind = self.chatter(piece, grade_talk=False)
        return bool(kind) and self.drop(kind, piece, rest)

    def tail(self) -> bool:
        """Remove one piece of chatter at the end; False when there is none."""
        text = self.text
        for m in re.finditer(r"(?:^|(?<=[.!?\n]))\s*\S", text):
            if _OFFER.match(text[m.start() :]):
                return self.drop("closing offer", text[m.start() :], text[: m.start()])
        trailing = _TRAILING_LABEL.search(text)
        if trailing and not self.in_source(trailing):
            return self.drop("trailing note", trailing.group(0), text[: trailing.start()])
        # A later paragraph that starts talking about the rewrite: a note, or a second attempt after it.
        for m in re.finditer(r"\n\s*\n\s*", text):
            first, after = _first_piece(text[m.end() :])
            if self.chatter(first, grade_talk=True) == "preamble":
                if self._answer_follows(text[: m.start()], first, after):
                    return self.drop("preamble", text[: m.end()] + first, after)
                return self.drop("closing note", text[m.end() :], text[: m.start()])
        before, last = _last_piece(text)
        return (
            bool(before.strip())
            and bool(self.chatter(last, grade_talk=True))
            and self.drop("closing note", last, before)
        )

    def _answer_follows(self, before: str, preamble: str, after: str) -> bool:
        """True when a colon-ended preamble in a later paragraph introduces the answer and what precedes
        it shares no word of the source ("Stay with us!\n\nHere's a rewritten version:\n\n<answer>"):
        then the answer is what follows, not a second attempt to drop."""
        if not preamble.rstrip().endswith(":") or not after.strip():
            return False

        def shared(piece: str) -> int:
            return len({w for w in _WORD.findall(piece.lower()) if len(w) > 3} & self.source_words)

        return shared(before) == 0 and shared(after) > 0


def output_clean(raw: str, *, source: str = "", prompts: Sequence[str] = ()) -> Cleaned:
    """The simplification inside a model's raw output, and what was removed around it.

    `source`: the text the model rewrote (wording it contains is never treated as chatter, and no piece
    holding a number of the source that the rest lacks is removed); `prompts`: the instruction and
    system texts it saw (sentences that echo them are removed at the start and end). An output that is
    chatter only cleans to "" (the guard then flags it empty)."""
    state = _Text(raw, source, prompts)
    fence = re.fullmatch(r"```[\w-]*\n?(.*?)\n?```", state.text, re.DOTALL)
    if fence:
        state.drop("fence", "```", fence.group(1))
    labels = list(_ANSWER_LABEL.finditer(state.text))
    if labels and state.text[labels[-1].end() :].strip() and not state.in_source(labels[-1]):
        state.drop("echo and label", state.text[: labels[-1].end()], state.text[labels[-1].end() :])
    for _ in range(_ROUNDS):  # until neither end changes: removing a tail can expose a preamble's end
        before = len(state.removed)
        while state.text and len(state.removed) < before + _ROUNDS and state.lead():
            pass
        while state.text and len(state.removed) < before + 2 * _ROUNDS and state.tail():
            pass
        if len(state.removed) == before:
            break
    unwrapped = _unwrap(state.text)
    if unwrapped and unwrapped[0]:
        state.drop("quotes", unwrapped[1], unwrapped[0])
    text = state.text
    if text and state.removed and text[0].islower():
        text = text[0].upper() + text[1:]
    return Cleaned(text=text, removed=tuple(state.removed))


def chatter_find(text: str, *, source: str = "", prompts: Sequence[str] = ()) -> str:
    """The first piece of chatter the cleaner would remove from `text` ("" when there is none): how a
    stored candidate, cleaned or raw, is counted as "still carrying chatter" (bench, README)."""
    cleaned = output_clean(text, source=source, prompts=prompts)
    return cleaned.removed[0][1] if cleaned.removed else ""
