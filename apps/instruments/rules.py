"""Mechanical rules that pre-fill instrument items from the assessed text.

A rule reads the text (and its readability metrics) and either proposes an outcome or says it cannot
decide. Its answer is stored as automatic, with the rule's name, what it found (`note`) and the numbers
it used (`inputs`); it counts towards a score only after a person confirms it (services.answer_confirm).
Items name their rule in the instrument data (`InstrumentItem.auto_rule`); this module only holds code.

Outcomes are independent of an item's wording: MEETS picks the option worth the most points (e.g.
PEMAT "Agree", or "No" for CCI item 17, which asks whether the reader has to calculate), FAILS the one
worth the least, NA the N/A answer — used only where the item allows N/A (`na_if_allowed`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from apps.instruments.text_metrics import readability

MEETS, FAILS, NA = "meets", "fails", "na"

# NIH's 6th–8th grade range for patient materials: the upper end is the default target (a setting).
DEFAULT_TARGET_GRADE = 8.0
# Plain-language guidance commonly caps the average sentence at about 20 words.
MAX_MEAN_SENTENCE_WORDS = 20.0
LONG_SENTENCE_WORDS = 20
MAX_LIST_ITEMS = 7  # CCI item 8: a list of more than 7 items that is not broken up answers "no"


def target_grade() -> float:
    return float(getattr(settings, "EQUITEXT_INSTRUMENTS_TARGET_GRADE", DEFAULT_TARGET_GRADE))


@dataclass(frozen=True)
class RuleResult:
    """`outcome` None: the rule cannot decide (nothing is pre-filled, `note` still says what it found)."""

    outcome: str | None
    note: str
    inputs: dict = field(default_factory=dict)
    na_if_allowed: bool = False


# --- what the rules look for ----------------------------------------------------------------------------

_NUMERAL = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s?%)?(?![\w])")
_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w])")
_FRACTION = re.compile(r"(?<![\w/])\d+\s?/\s?\d+(?![\w/])")
_PERCENT = re.compile(r"\d\s?%|\bper\s?cent\b|\bpercent\b", re.IGNORECASE)
# Numbers written as words ("one" is left out: it is as often a pronoun as a number).
_NUMBER_WORDS = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    r"million|billion|half|halves|thirds?|quarters?|fifths?|tenths?)\b",
    re.IGNORECASE,
)
_CALCULATION = re.compile(
    r"\b(calculat\w*|multipl(?:y|ied|ying)|divid(?:e|ed|ing)\s+(?:it|this|that|the|your|by)|subtract\w*|"
    r"add\s+(?:up|together)|work\s+out\s+(?:how|the|your))\b|\d\s*[+×*÷=]\s*\d",
    re.IGNORECASE,
)
_PROBABILITY = re.compile(
    r"\d\s?%|\bper\s?cent\b|\bpercent\b|\b\d[\d,]*\s+(?:in|out\s+of)\s+(?:every\s+)?\d[\d,]*\b|\bodds\b|"
    r"\bchances?\s+(?:of|is|are)\b|\bprobabilit\w*",
    re.IGNORECASE,
)
_LIST_LINE = re.compile(r"^\s*(?:[-*•‣◦▪]|\d{1,2}[.)])\s+\S")
_TABLE_LINE = re.compile(r"^[^\n]*(?:\|[^\n|]*){2,}$|^[^\n\t]*\t[^\n\t]+\t")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b|<figure\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _numbers(text: str) -> dict:
    numerals = _NUMERAL.findall(text)
    words = [w.lower() for w in _NUMBER_WORDS.findall(text)]
    return {
        "numerals": len(numerals),
        "numbers_in_words": len(words),
        "number_words_found": sorted(set(words))[:10],
        "decimals": len(_DECIMAL.findall(text)),
        "fractions": len(_FRACTION.findall(text)),
        "percentages": len(_PERCENT.findall(text)),
    }


def _has_numbers(found: dict) -> bool:
    return bool(found["numerals"] or found["numbers_in_words"])


# --- the rules ------------------------------------------------------------------------------------------


def reading_grade(text: str) -> RuleResult:
    """Flesch–Kincaid grade at or below the target, and sentences of 20 words or fewer on average."""
    metrics = readability(text) or {}
    grade = metrics.get("flesch_kincaid_grade")
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    lengths = [len(s.split()) for s in sentences]
    mean_words = metrics["words"] / metrics["sentences"] if metrics.get("sentences") else 0.0
    target = target_grade()
    inputs = {
        "flesch_kincaid_grade": None if grade is None else round(grade, 1),
        "smog_index": None if metrics.get("smog_index") is None else round(metrics["smog_index"], 1),
        "target_grade": target,
        "mean_words_per_sentence": round(mean_words, 1),
        "sentences_over_20_words": sum(1 for n in lengths if n > LONG_SENTENCE_WORDS),
        "sentences": metrics.get("sentences", 0),
    }
    if metrics and metrics.get("english") is False:
        inputs["language"] = metrics.get("language")
        return RuleResult(
            None, "Readability formulas apply to English only: this text is not English, so no grade.", inputs
        )
    if grade is None:
        return RuleResult(None, "The text is empty: no reading grade.", inputs)
    meets = grade <= target and mean_words <= MAX_MEAN_SENTENCE_WORDS
    note = (
        f"Flesch–Kincaid grade {grade:.1f} ({'at or below' if grade <= target else 'above'} the target "
        f"grade {target:g}); {mean_words:.1f} words per sentence on average "
        f"({inputs['sentences_over_20_words']} of {len(lengths)} sentences over "
        f"{LONG_SENTENCE_WORDS} words). "
        "The grade measures word and sentence length only: whether the words are ones the audience uses "
        "needs a person's judgement."
    )
    return RuleResult(MEETS if meets else FAILS, note, inputs)


def numbers_clear(text: str) -> RuleResult:
    """No numbers: N/A. Otherwise numerals only, with no decimals or fractions, meets the mechanical part."""
    found = _numbers(text)
    if not _has_numbers(found):
        return RuleResult(NA, "No numbers found in the text.", found, na_if_allowed=True)
    problems = []
    if found["numbers_in_words"]:
        problems.append(
            f"{found['numbers_in_words']} written as words ({', '.join(found['number_words_found'])})"
        )
    if found["decimals"]:
        problems.append(f"{found['decimals']} decimal(s)")
    if found["fractions"]:
        problems.append(f"{found['fractions']} fraction(s)")
    if problems:
        return RuleResult(FAILS, "Numbers not written as whole numerals: " + "; ".join(problems) + ".", found)
    return RuleResult(
        MEETS,
        f"{found['numerals']} number(s), all written as whole numerals"
        + (f", {found['percentages']} percentage(s)" if found["percentages"] else "")
        + ". Whether they are easy to understand in context needs a person's judgement.",
        found,
    )


def no_calculations(text: str) -> RuleResult:
    """Calculation words or arithmetic between numbers: the reader is expected to calculate."""
    found = _numbers(text)
    cues = sorted({m.group(0).lower() for m in _CALCULATION.finditer(text)})[:10]
    inputs = {**found, "calculation_cues": cues}
    if not _has_numbers(found) and not cues:
        return RuleResult(MEETS, "No numbers and no calculation words: nothing to calculate.", inputs, True)
    if cues:
        return RuleResult(FAILS, f"Calculation cues found: {', '.join(cues)}.", inputs)
    return RuleResult(
        MEETS,
        "Numbers are stated"
        + (f" (including {found['percentages']} percentage(s))" if found["percentages"] else "")
        + " without calculation words or arithmetic between them.",
        inputs,
    )


def numbers_present(text: str) -> RuleResult:
    """No numbers: the Index's numbers part does not apply (N/A); otherwise a person answers."""
    found = _numbers(text)
    if not _has_numbers(found):
        return RuleResult(NA, "No numbers found in the text: this part does not apply.", found, True)
    return RuleResult(None, f"{found['numerals'] + found['numbers_in_words']} number(s) found.", found)


def probability_present(text: str) -> RuleResult:
    """No numeric probability (percentages, "1 in 5", odds, chances): N/A; otherwise a person answers."""
    matches = sorted({m.group(0).lower() for m in _PROBABILITY.finditer(text)})[:10]
    inputs = {"probability_expressions": matches}
    if not matches:
        return RuleResult(NA, "No numeric probability (percentages, “1 in 5”, odds) found.", inputs, True)
    return RuleResult(None, f"Probability expressions found: {', '.join(matches)}.", inputs)


def text_has_no_visual_aids(text: str) -> RuleResult:
    """The subject is stored text: without image markup it has no visual aids (N/A)."""
    images = len(_IMAGE.findall(text))
    if images:
        return RuleResult(None, f"{images} image reference(s) in the text.", {"images": images})
    return RuleResult(
        NA,
        "The assessed subject is the document's text as stored in Equitext: it contains no images.",
        {"images": 0},
        True,
    )


def no_tables(text: str) -> RuleResult:
    """Without table-like lines (columns split by | or tabs) the text has no tables or charts (N/A)."""
    rows = sum(1 for line in text.splitlines() if _TABLE_LINE.search(line))
    if rows:
        return RuleResult(None, f"{rows} table-like line(s) in the text.", {"table_rows": rows})
    return RuleResult(
        NA, "No tables, charts or diagrams: the text has no table-like lines.", {"table_rows": 0}, True
    )


def lists(text: str) -> RuleResult:
    """CCI item 8: at least one bulleted or numbered list, none longer than 7 items, not only at the end."""
    blocks, current = [], 0
    lines = [line for line in text.splitlines() if line.strip()]
    positions = []
    for index, line in enumerate(lines):
        if _LIST_LINE.match(line):
            current += 1
            if current == 1:
                positions.append(index)
        elif current:
            blocks.append(current)
            current = 0
    if current:
        blocks.append(current)
    inputs = {"lists": len(blocks), "items_per_list": blocks, "lines": len(lines)}
    if not blocks:
        return RuleResult(FAILS, "No bulleted or numbered list found.", inputs)
    if max(blocks) > MAX_LIST_ITEMS:
        return RuleResult(FAILS, f"A list has {max(blocks)} items (more than {MAX_LIST_ITEMS}).", inputs)
    if len(blocks) == 1 and positions[0] + blocks[0] == len(lines):
        return RuleResult(FAILS, "The only list is at the end of the material.", inputs)
    return RuleResult(MEETS, f"{len(blocks)} list(s) of {', '.join(map(str, blocks))} item(s).", inputs)


RULES: dict[str, tuple[Callable[[str], RuleResult], str]] = {
    "reading_grade": (reading_grade, "Reading grade and sentence length"),
    "numbers_clear": (numbers_clear, "Numbers written as whole numerals"),
    "no_calculations": (no_calculations, "Calculation words and arithmetic"),
    "numbers_present": (numbers_present, "Numbers present"),
    "probability_present": (probability_present, "Numeric probability present"),
    "text_has_no_visual_aids": (text_has_no_visual_aids, "Images in the text"),
    "no_tables": (no_tables, "Tables in the text"),
    "lists": (lists, "Bulleted and numbered lists"),
}


def rule_label(key: str) -> str:
    return RULES[key][1] if key in RULES else key


def rule_run(key: str, text: str) -> RuleResult:
    """The result of rule `key` on `text` (KeyError for a rule this version of Equitext does not have)."""
    return RULES[key][0](text)
