"""A text's reading grade as the product shows it: the grade of the target formula (a setting), the
spread across the grade formulas, the Flesch–Kincaid understatement flag, and "readability formulas
apply to English only" instead of any grade for text that is not English.

Why a spread: the grade formulas disagree, and on patient materials SMOG (scored by hand) runs about
three grades above computerised Flesch–Kincaid (DOMAIN.md §5); one number hides that. The flag marks a
text whose Flesch–Kincaid grade is `UNDERSTATEMENT_GRADES` (3) or more below its SMOG grade — the size
of that known gap — so a grade at target by Flesch–Kincaid alone is read with care.

Pure: reads the metrics dict (`readability.readability_metrics`) and Django settings, nothing else.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.metrics.language import NAMES, language_detect

# The formulas that give a US school grade (Flesch Reading Ease is a 0–100 ease score and Dale–Chall a
# score mapped to grade bands, so neither is part of the spread).
GRADE_FORMULAS = {
    "flesch_kincaid_grade": ("Flesch–Kincaid grade level", "FKGL"),
    "smog_index": ("SMOG", "SMOG"),
    "gunning_fog": ("Gunning Fog", "Fog"),
    "coleman_liau_index": ("Coleman–Liau", "CLI"),
    "automated_readability_index": ("Automated Readability Index", "ARI"),
    "linsear_write_formula": ("Linsear Write", "Linsear"),
}
DEFAULT_TARGET_FORMULA = "flesch_kincaid_grade"
UNDERSTATEMENT_GRADES = 3.0
ENGLISH_ONLY = "Readability formulas apply to English only"


def target_formula() -> str:
    """The formula the target grade is compared against: `EQUITEXT_READABILITY_TARGET_FORMULA` (a key of
    GRADE_FORMULAS). Raises ImproperlyConfigured naming the allowed values for anything else."""
    key = getattr(settings, "EQUITEXT_READABILITY_TARGET_FORMULA", "") or DEFAULT_TARGET_FORMULA
    if key not in GRADE_FORMULAS:
        raise ImproperlyConfigured(
            f"EQUITEXT_READABILITY_TARGET_FORMULA={key!r} is not a grade formula; use one of "
            f"{', '.join(GRADE_FORMULAS)}."
        )
    return key


def _grade_text(value: float) -> str:
    return f"{value:.1f}"


def grade_summary(metrics: dict | None, *, target: float | None = None, text: str | None = None) -> dict:
    """What to show beside a text: `applies` False (not English) gives `reason` and no grade at all;
    otherwise `grade` by `formula` (the target formula), `over_target`/`meets` when a target is given,
    every formula's grade, the highest and lowest, `spread` and its sentence, and the understatement flag.

    Metrics stored before the language fields existed are checked against `text` when it is given."""
    metrics = metrics or {}
    if "english" in metrics:
        code, english = metrics.get("language") or "und", bool(metrics["english"])
    elif text is not None:
        detected = language_detect(text)
        code, english = detected.code, detected.english
    else:
        code, english = "und", True
    formula = target_formula()
    label, short = GRADE_FORMULAS[formula]
    summary = {
        "applies": english,
        "language": code,
        "language_name": NAMES.get(code, code),
        "formula": formula,
        "formula_label": label,
        "formula_short": short,
        "target": target,
    }
    values = [(key, metrics.get(key)) for key in GRADE_FORMULAS]
    if not english or not metrics or any(value is None for _, value in values):
        reason = (
            f"{ENGLISH_ONLY}; this text looks like {NAMES.get(code, code)}."
            if not english
            else "No readability metrics for this text."
        )
        return summary | {"applies": False, "grade": None, "reason": reason, "grades": []}
    grades = [
        {"key": key, "label": GRADE_FORMULAS[key][0], "short": GRADE_FORMULAS[key][1], "value": value}
        for key, value in values
    ]
    highest = max(grades, key=lambda g: g["value"])
    lowest = min(grades, key=lambda g: g["value"])
    spread = highest["value"] - lowest["value"]
    grade = metrics[formula]
    gap = metrics["smog_index"] - metrics["flesch_kincaid_grade"]
    summary |= {
        "grade": grade,
        "reason": "",
        "grades": grades,
        "highest": highest,
        "lowest": lowest,
        "spread": spread,
        "spread_text": (
            f"{highest['short']} {_grade_text(highest['value'])} · {lowest['short']} "
            f"{_grade_text(lowest['value'])} — formulas disagree by {spread:.1f} grade"
            f"{'' if round(spread, 1) == 1 else 's'}"
        ),
        "smog_minus_fkgl": gap,
        "understatement": gap >= UNDERSTATEMENT_GRADES,
        "understatement_text": (
            f"Flesch–Kincaid is {gap:.1f} grades below SMOG: a known understatement for patient "
            f"materials (flagged at {UNDERSTATEMENT_GRADES:g} or more; DOMAIN.md §5)."
            if gap >= UNDERSTATEMENT_GRADES
            else ""
        ),
    }
    if target is not None:
        over = grade - target
        summary["over_target"] = round(over, 1) if over > 0 else 0
        summary["meets"] = over <= 0
    return summary
