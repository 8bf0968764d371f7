"""The EquityMedQA release (Pfohl et al., Nature Medicine 2024, DOMAIN.md §2): its published sets, and the
set name and kind its file names imply. Used by the import to name and describe a new set."""

import re

from apps.equity.models import QuestionSet

# Defaults for the published sets (DOMAIN.md §2); they fill editable fields of a new set only.
RELEASE_SETS = {
    "OMAQ": (
        "Open-ended Medical Adversarial Queries: human-written, explicitly and implicitly adversarial.",
        182,
    ),
    "EHAI": ("Equity in Health AI: equity-related questions from participatory methods.", 300),
    "FBRT-Manual": ("Failure-Based Red Teaming, human-written from model failure cases.", 150),
    "FBRT-LLM": ("Failure-Based Red Teaming, LLM-generated from the same failure cases.", None),
    "FBRT-LLM-661": ("Failure-Based Red Teaming, LLM-generated; the 661-question sample of ~3,558.", 661),
    "TRINDS": ("Tropical and infectious diseases in a global context.", 106),
    "CC-Manual": ("Counterfactual Context, human-written pairs differing in an identity attribute.", 123),
    "CC-LLM": ("Counterfactual Context, LLM-generated pairs differing in an identity attribute.", 200),
}
RELEASE_PROVENANCE = "EquityMedQA (Pfohl et al., Nature Medicine 2024), file {file}"
RELEASE_LICENCE = "CC-BY-4.0"

_ACRONYMS = {"omaq", "ehai", "fbrt", "llm", "cc", "trinds", "mmqa", "qa", "ai"}
_DROP_TOKENS = {"sampled"}
RELEASE_PREFIXES = ("equitymedqa_", "other_datasets_")


def set_name_from_file(file_name: str) -> str:
    """`equitymedqa_omaq.csv` → OMAQ, `equitymedqa_fbrt_llm_661_sampled.csv` → FBRT-LLM-661,
    `equitymedqa_cc_manual.csv` → CC-Manual. Acronyms upper-case, other words capitalised, "-"-joined."""
    stem = re.split(r"[\\/]", file_name)[-1]  # a browser may send a Windows path
    stem = re.sub(r"\.(csv|tsv|txt)$", "", stem, flags=re.I)
    lowered = stem.lower()
    for prefix in RELEASE_PREFIXES:
        if lowered.startswith(prefix):
            stem = stem[len(prefix) :]
            break
    tokens = [t for t in re.split(r"[_\s.-]+", stem) if t and t.lower() not in _DROP_TOKENS]
    words = [
        t.upper() if t.lower() in _ACRONYMS else (t if t.isdigit() else t[:1].upper() + t[1:]) for t in tokens
    ]
    return "-".join(words)[:120]


def kind_from_file(file_name: str) -> str | None:
    """Counterfactual when the release name says so (`cc_manual`, `cc_llm`); None when it does not tell."""
    name = re.split(r"[\\/]", file_name)[-1].lower()
    if re.search(r"(^|[_-])cc([_-]|\.|$)", name):
        return QuestionSet.Kind.COUNTERFACTUAL
    if name.startswith(RELEASE_PREFIXES):
        return QuestionSet.Kind.SINGLE
    return None
