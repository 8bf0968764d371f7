"""Is a text English? The readability formulas (Flesch–Kincaid, SMOG, …) are calibrated on English
syllables, words and sentences only: on any other language their numbers are not grades.

`language_detect(text)` is a documented heuristic, offline, with no model and no dependency (it runs on
every text the product scores, so it must cost microseconds, not the milliseconds of a statistical
detector):

1. **Script.** Every letter is classified by its Unicode script (the first word of its Unicode name:
   LATIN, ARABIC, CJK, CYRILLIC, …). When fewer than half of the letters are Latin, the text is not
   English; the dominant script names it (Arabic script → "ar", Han → "zh", kana → "ja", Hangul → "ko",
   Cyrillic → "ru", …; a script says little about the language itself, so the name says "script").
2. **Function words.** Latin-script text is tokenised (lower-cased words) and each token is looked up in
   lists of very frequent function words of English and of six other languages written in Latin script
   (Spanish, French, German, Portuguese, Italian, Dutch). Words that are also frequent English words ("a",
   "in", "no", "is", "as", "of", …) are kept out of the other languages' lists. Letters with diacritics
   typical of those languages (ñ, é, ç, ü, ã, …) add half a point to each language that uses them.
3. **Decision.** The text is another language when that language scores at least 1.5 and more than
   English (its function words outnumber English ones). Otherwise it is English — the default, so an
   English sentence without function words ("Colon cancer screening saves lives.") keeps its grade.

Text without letters is "und" (undetermined) and treated as English (nothing says otherwise).
`tests/metrics/test_language.py` measures the accuracy on a labelled set of English, Spanish, French,
German, Portuguese, Italian, Dutch, Arabic, Chinese, Japanese, Korean, Russian, Hindi and Greek texts.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

METHOD = (
    "script and function-word heuristic (apps/metrics/language.py): fewer than half of the letters in "
    "Latin script → not English; otherwise the function words of English against those of Spanish, "
    "French, German, Portuguese, Italian and Dutch"
)

NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "ar": "Arabic script",
    "zh": "Chinese (Han script)",
    "ja": "Japanese (kana)",
    "ko": "Korean (Hangul)",
    "ru": "Cyrillic script",
    "el": "Greek script",
    "he": "Hebrew script",
    "hi": "Devanagari script",
    "th": "Thai script",
    "und": "undetermined (no letters)",
}

# Unicode script (first word of the character name) → the tag reported for text mostly in it.
_SCRIPTS = {
    "ARABIC": "ar",
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "THAI": "th",
}

_ENGLISH = frozenset(
    """the and of to is are in it that for with as be on this by or not you your can have has was were
    will from at an a they their it's do does did if but which who what when where why may should more
    most these those also than other some about into after before such there its our we he she his her
    been being all any each how only over out up so no would could them then because many much very
    often get use used like between while both during through without against until i my me us him
    you're don't can't isn't doesn't won't let here now just even well must might""".split()
)

_OTHER = {
    "es": """el la los las del que y en un una es por con para se su sus al lo como más pero este esta
        estos estas son también muy puede pueden hay tiene tienen sobre entre cuando sin ser está están ya
        le les nos usted ustedes qué cómo porque si sí hasta desde donde todo todos otra otro otros cada
        ni mi tu él ella ellos fue hace hacer debe deben o u""".split(),
    "fr": """le la les des du de et est un une en que qui pour dans pas sur au aux avec ce cette ces
        sont par plus ou vous votre vos nous il elle ils elles leur leurs être avoir peut ne se son sa ses
        mais très aussi comme été fait faire tout tous toutes entre sans chez où donc car même quand lui
        y""".split(),
    "de": """der das und ist nicht mit sich den dem des ein eine einen einer eines zu von auf für im
        es sie ich wir werden wird sind auch oder aber bei nach wie kann können durch über sehr noch nur
        zum zur vom haben hat dass ihr ihre ihren sein seine keine kein wenn man wurde aus um die einem
        dieser diese dieses""".split(),
    "pt": """o ou os um uma do da dos das em na nos nas que é para com por não mais mas como ao à pelo pela
        seu sua seus suas são também muito pode podem você ou está ter ser quando sem entre isso este esta
        há foi tem""".split(),
    "it": """il lo gli di del della dei delle degli che è un una per con non sono si da al alla nel nella
        anche più come ma questo questa può essere molto ha hanno sul sulla ci gli loro quando senza tra
        fra""".split(),
    "nl": """de die het een en van dat niet met zijn voor te er aan ook als bij naar om maar wordt worden kan
        deze dit uw je hij zij wij ze geen nog wel door dan tot hebben heeft""".split(),
}
_OTHER_WORDS: dict[str, tuple[str, ...]] = {}
for _language, _words in _OTHER.items():
    for _word in set(_words) - _ENGLISH:
        _OTHER_WORDS[_word] = (*_OTHER_WORDS.get(_word, ()), _language)

_DIACRITICS = {
    "es": set("ñáéíóú¿¡"),
    "fr": set("àâçèéêëîïôœùû"),
    "de": set("äöüß"),
    "pt": set("ãõçáéêóôà"),
    "it": set("àèéìòù"),
    "nl": set("ëïé"),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
OTHER_MIN_SCORE = 1.5


@dataclass(frozen=True)
class Language:
    code: str  # "en", "es", …, "ar" (Arabic script), "und" (no letters)
    english: bool  # readability formulas apply
    method: str = METHOD

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def language_detect(text: str) -> Language:
    """The language of `text` by the heuristic above; `english` False means the readability formulas do
    not apply."""
    if text.isascii():
        if not any(c.isalpha() for c in text):
            return Language("und", True)
    else:
        scripts: dict[str, int] = {}
        for char in text:
            if char.isalpha():
                script = _script(char)
                scripts[script] = scripts.get(script, 0) + 1
        letters = sum(scripts.values())
        if not letters:
            return Language("und", True)
        if scripts.get("LATIN", 0) * 2 < letters:
            dominant = max((s for s in scripts if s != "LATIN"), key=scripts.get)
            if "HIRAGANA" in scripts or "KATAKANA" in scripts:
                dominant = "HIRAGANA"
            return Language(_SCRIPTS.get(dominant, f"und-{dominant.lower()}"), False)
    lowered = text.lower()
    english = 0
    other: dict[str, float] = {}
    for token in _TOKEN.findall(lowered):
        if token in _ENGLISH:
            english += 1
        for language in _OTHER_WORDS.get(token, ()):
            other[language] = other.get(language, 0) + 1
    if not text.isascii():
        present = set(lowered)
        for language, marks in _DIACRITICS.items():
            if present & marks:
                other[language] = other.get(language, 0) + 0.5
    if other:
        best = max(other, key=other.get)
        if other[best] >= OTHER_MIN_SCORE and other[best] > english:
            return Language(best, False)
    return Language("en", True)
