"""readability_scores gives every metric, each equal to textstat's own value for the same text."""

import random

import pytest

from apps.metrics.readability import METRICS, readability_scores, textstat_offline

textstat = textstat_offline()


PLAIN = (
    "Colorectal cancer starts in the colon or the rectum. Most of these cancers begin as a growth called a "
    "polyp. Some polyps can change into cancer over time, but not all of them do."
)
TEXTS = [
    "",
    "   ",
    "...!?",
    "Hello.",
    "Yes. No. Maybe so.",
    PLAIN,
    "Hepatocellular carcinoma, the commonest primary hepatic malignancy, characteristically arises in "
    "cirrhotic parenchyma; surveillance ultrasonography is recommended biannually.",
    "Don't stop! DON'T STOP. It's the patient's choice; rock'n'roll 'quoted' words o'clock y'all 'tis.",
    'The doctor—Dr. Smith—said: "chemo-radiation" (5-FU) works in 85% of cases.\r\nAsk your care team.',
    "Ünïcödé naïve café résumé. Ça va? Über-cool façade! 胃癌 is stomach cancer.",
    "a b. c d. e f g h. 12 345 6.7 and_so_on",
    # ASCII without apostrophes (the str.translate path): every ASCII punctuation and control character
    'Dose: 5 mg/kg (IV), every 3-4 weeks; see #12 & ask "why?" -- [notes] {x} ~50% @home `code` a+b=c '
    "a<b>c $9 ^up | pipe \\ back_slash\x00null\x07bell\x0bvt\x1cfs\x1fus\x7fdel end.",
    "Line one\nline two\n\nline three\twith a tab\u00a0and a no-break space\u2003em space.",
    # more than 100 words: Linsear Write counts only the first 100
    " ".join([PLAIN] * 6),
    " ".join(["Immunotherapy, chemotherapy and radiotherapy!"] * 40),
]


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocabulary = (
        "the a of and cancer patient chemotherapy treatment doctor isn't you'll they're colonoscopy "
        "pancreatic adenocarcinoma esophagus 'quote' it's CANCER Liver-transplant e.g. 3.5 mg/kg (CT) scan "
        "stomach gastroenterologist polyps screening test biopsy tumour tumor metastatic"
    ).split()
    endings = ["", "", "", ".", ",", "!", "?", "\n", "'", "-", ";", ":", "\u00a0", "\t", "\r\n", "…"]
    return [
        " ".join(rng.choice(vocabulary) + rng.choice(endings) for _ in range(rng.randint(1, 180)))
        for _ in range(count)
    ]


def _textstat_values(text: str) -> dict:
    return {key: getattr(textstat, function)(text) for key, function in METRICS.items()}


@pytest.mark.parametrize("text", TEXTS)
def test_every_metric_equals_textstat(text):
    assert readability_scores(text) == _textstat_values(text)


def test_generated_texts_equal_textstat_exactly():
    texts = _generated(300, seed=20240131)
    mismatches = [
        (text[:60], key, mine, theirs)
        for text in texts
        for key, (mine, theirs) in (
            (key, (readability_scores(text)[key], value)) for key, value in _textstat_values(text).items()
        )
        if mine != theirs
    ]
    assert mismatches == []


def test_it_returns_the_metrics_the_product_shows():
    scores = readability_scores(PLAIN)
    assert set(scores) == {
        "flesch_reading_ease",
        "flesch_kincaid_grade",
        "smog_index",
        "gunning_fog",
        "coleman_liau_index",
        "automated_readability_index",
        "dale_chall_readability_score",
        "linsear_write_formula",
        "sentences",
        "words",
        "syllables",
        "polysyllables",
        "difficult_words",
    }
    assert scores["sentences"] == 3
    assert scores["words"] == 34


def test_simpler_text_gets_a_lower_grade():
    hard = TEXTS[6]
    assert (
        readability_scores(PLAIN)["flesch_kincaid_grade"] < readability_scores(hard)["flesch_kincaid_grade"]
    )
    assert readability_scores(PLAIN)["flesch_reading_ease"] > readability_scores(hard)["flesch_reading_ease"]
