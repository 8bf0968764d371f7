"""The default identity-axis lexicon: seeded by migration 0002 and, after any `migrate` or test-database
flush, into an empty lexicon (`lexicon_seed`); editable in the admin afterwards.

Terms are whole words or phrases matched case-insensitively (a trailing plural "s" also matches).
They only *suggest* tags: a curator confirms or edits them on the question page.
"""

import re

# "Black" and "White" alone also name stools, moulds and blood cells: only their phrases about people count.
_PEOPLE = [
    "patient",
    "people",
    "person",
    "woman",
    "women",
    "man",
    "men",
    "american",
    "child",
    "children",
    "adult",
    "mother",
    "family",
    "families",
    "community",
    "communities",
    "individual",
    "baby",
    "babies",
    "skin",
    "race",
]
COLOUR_PHRASES = [f"{colour} {noun}" for colour in ("black", "white") for noun in _PEOPLE]

DEFAULT_LEXICON: list[tuple[str, str, list[str]]] = [
    (
        "race-ethnicity",
        "Race / ethnicity",
        [
            *COLOUR_PHRASES,
            "african american",
            "african",
            "asian",
            "asian american",
            "hispanic",
            "latino",
            "latina",
            "latinx",
            "caucasian",
            "native american",
            "indigenous",
            "aboriginal",
            "alaska native",
            "pacific islander",
            "native hawaiian",
            "arab",
            "middle eastern",
            "south asian",
            "east asian",
            "chinese",
            "indian",
            "japanese",
            "korean",
            "filipino",
            "vietnamese",
            "mexican",
            "jewish",
            "ashkenazi",
            "roma",
            "race",
            "racial",
            "ethnicity",
            "ethnic",
            "minority",
            "minorities",
            "people of color",
            "skin color",
            "darker skin",
            "dark skin",
            "lighter skin",
            "light skin",
        ],
    ),
    (
        "gender",
        "Sex / gender",
        [
            "woman",
            "women",
            "man",
            "men",
            "female",
            "male",
            "girl",
            "boy",
            "mother",
            "father",
            "pregnant",
            "transgender",
            "trans",
            "nonbinary",
            "non-binary",
            "gender",
            "sex",
            "intersex",
            "cisgender",
        ],
    ),
    (
        "sexuality",
        "Sexual orientation",
        [
            "gay",
            "lesbian",
            "bisexual",
            "queer",
            "lgbt",
            "lgbtq",
            "lgbtqia",
            "homosexual",
            "heterosexual",
            "men who have sex with men",
            "msm",
        ],
    ),
    (
        "age",
        "Age",
        [
            "elderly",
            "older adult",
            "older",
            "senior",
            "aged",
            "teenager",
            "adolescent",
            "teen",
            "child",
            "children",
            "infant",
            "baby",
            "toddler",
            "young",
            "youth",
            "geriatric",
            "middle-aged",
        ],
    ),
    (
        "disability",
        "Disability",
        [
            "disabled",
            "disability",
            "disabilities",
            "wheelchair",
            "deaf",
            "blind",
            "autistic",
            "autism",
            "intellectual disability",
            "down syndrome",
            "mental illness",
            "cognitive impairment",
            "amputee",
        ],
    ),
    (
        "income",
        "Income / class",
        [
            "poor people",
            "poor patient",
            "poor families",
            "poor communities",
            "low-income",
            "low income",
            "poverty",
            "homeless",
            "unhoused",
            "uninsured",
            "medicaid",
            "wealthy",
            "working class",
            "unemployed",
            "welfare",
            "socioeconomic",
        ],
    ),
    (
        "geography",
        "Geography",
        [
            "rural",
            "urban",
            "inner city",
            "inner-city",
            "africa",
            "asia",
            "latin america",
            "india",
            "global south",
            "developing country",
            "developing countries",
            "poor countries",
            "low-income country",
            "refugee",
            "immigrant",
            "migrant",
            "undocumented",
            "village",
            "tribal",
        ],
    ),
    (
        "religion",
        "Religion",
        [
            "muslim",
            "christian",
            "hindu",
            "buddhist",
            "sikh",
            "jehovah's witness",
            "catholic",
            "mormon",
            "religious",
            "religion",
            "atheist",
        ],
    ),
    (
        "language",
        "Language",
        [
            "non-english speaking",
            "limited english",
            "english proficiency",
            "interpreter",
            "spanish-speaking",
            "spanish speaking",
            "language barrier",
        ],
    ),
    (
        "body-size",
        "Body size",
        ["obese", "obesity", "overweight", "fat people", "underweight", "bmi"],
    ),
]


def lexicon_seed(using: str = "default") -> int:
    """Store the default lexicon when no axis exists yet; returns the terms created (0 otherwise)."""
    from apps.equity.models import IdentityAxis, IdentityTerm

    if IdentityAxis.objects.using(using).exists():
        return 0
    rows = []
    for position, (slug, name, terms) in enumerate(DEFAULT_LEXICON):
        axis = IdentityAxis.objects.using(using).create(slug=slug, name=name, position=position)
        rows += [IdentityTerm(axis=axis, term=term) for term in dict.fromkeys(t.casefold() for t in terms)]
    return len(IdentityTerm.objects.using(using).bulk_create(rows))


class IdentityLexicon:
    """Matches identity terms in text. Build once per import (`IdentityLexicon.load()`), reuse per row.

    One alternation per axis (longest terms first), so a question costs one regex search per axis."""

    def __init__(self, terms: list[tuple[str, str]]):
        """`terms`: (axis slug, term) pairs."""
        by_axis: dict[str, list[str]] = {}
        for axis, term in terms:
            by_axis.setdefault(axis, []).append(" ".join(term.casefold().split()))
        self._terms = {axis: set(words) for axis, words in by_axis.items()}
        self._patterns: list[tuple[str, re.Pattern]] = []
        for axis, words in by_axis.items():
            alternatives = "|".join(
                r"[\s-]+".join(re.escape(part) for part in term.split())
                for term in sorted(set(words), key=len, reverse=True)
            )
            self._patterns.append((axis, re.compile(rf"(?<![\w-])(?:{alternatives})s?(?![\w-])", re.I)))

    @classmethod
    def load(cls) -> "IdentityLexicon":
        from apps.equity.models import IdentityTerm

        return cls(list(IdentityTerm.objects.values_list("axis__slug", "term")))

    def _term(self, axis: str, found: str) -> str:
        """The lexicon term a match stands for ("Black  patients" → "black patient")."""
        words = " ".join(re.split(r"[\s-]+", found.casefold()))
        if words not in self._terms[axis] and words.endswith("s") and words[:-1] in self._terms[axis]:
            return words[:-1]
        return words

    def matches(self, text: str) -> set[tuple[str, str]]:
        """The (axis slug, term) pairs found in `text`."""
        return {
            (axis, self._term(axis, m.group()))
            for axis, pattern in self._patterns
            for m in pattern.finditer(text)
        }

    def axes(self, text: str) -> list[str]:
        """Axis slugs mentioned in `text`, sorted."""
        return sorted(axis for axis, pattern in self._patterns if pattern.search(text))
