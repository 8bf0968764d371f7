"""The grade as shown: the target formula (a setting), the spread across formulas, the Flesch–Kincaid
understatement flag, and no grade at all for text that is not English."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.metrics.grades import UNDERSTATEMENT_GRADES, grade_summary, target_formula
from apps.metrics.readability import readability_metrics, readability_scores

PATIENT_LEAFLET = (
    "Hepatocellular carcinoma characteristically arises in cirrhotic parenchyma. Surveillance "
    "ultrasonography is recommended biannually for individuals with cirrhosis. Alpha-fetoprotein "
    "measurement may complement imaging examinations."
)


def test_the_spread_names_the_highest_and_lowest_formula_and_the_gap():
    summary = grade_summary(readability_metrics(PATIENT_LEAFLET))
    values = {g["short"]: g["value"] for g in summary["grades"]}
    assert set(values) == {"FKGL", "SMOG", "Fog", "CLI", "ARI", "Linsear"}
    high, low = max(values, key=values.get), min(values, key=values.get)
    assert summary["spread"] == pytest.approx(values[high] - values[low])
    assert summary["spread_text"] == (
        f"{high} {values[high]:.1f} · {low} {values[low]:.1f} — formulas disagree by "
        f"{values[high] - values[low]:.1f} grades"
    )


def test_flesch_kincaid_far_below_smog_is_flagged():
    metrics = dict(readability_scores("Short words here."), language="en", english=True)
    metrics.update(flesch_kincaid_grade=8.1, smog_index=8.1 + UNDERSTATEMENT_GRADES)
    flagged = grade_summary(metrics)
    assert flagged["understatement"] is True
    assert "3.0 grades below SMOG" in flagged["understatement_text"]
    metrics["smog_index"] = 8.1 + UNDERSTATEMENT_GRADES - 0.1
    assert grade_summary(metrics)["understatement"] is False


def test_the_target_compares_against_flesch_kincaid_by_default():
    metrics = readability_metrics(PATIENT_LEAFLET)
    summary = grade_summary(metrics, target=8)
    assert summary["formula"] == "flesch_kincaid_grade"
    assert summary["grade"] == metrics["flesch_kincaid_grade"]
    assert summary["meets"] is False and summary["over_target"] == round(
        metrics["flesch_kincaid_grade"] - 8, 1
    )


def test_the_target_formula_is_a_setting(settings):
    settings.EQUITEXT_READABILITY_TARGET_FORMULA = "smog_index"
    metrics = readability_metrics(PATIENT_LEAFLET)
    summary = grade_summary(metrics, target=30)
    assert (summary["formula_label"], summary["grade"], summary["meets"]) == (
        "SMOG",
        metrics["smog_index"],
        True,
    )


def test_a_misspelt_target_formula_is_refused_naming_the_choices(settings):
    settings.EQUITEXT_READABILITY_TARGET_FORMULA = "fk"
    with pytest.raises(ImproperlyConfigured, match="use one of flesch_kincaid_grade, smog_index"):
        target_formula()


def test_arabic_text_gets_the_english_only_reason_and_never_meets_a_target():
    summary = grade_summary(readability_metrics("الفحص المبكر ينقذ الأرواح."), target=8)
    assert summary["applies"] is False and summary["grade"] is None
    assert (
        summary["reason"] == "Readability formulas apply to English only; this text looks like Arabic script."
    )
    assert "meets" not in summary and summary["grades"] == []


def test_metrics_stored_before_the_language_fields_are_checked_against_the_text():
    text = "结直肠癌始于结肠或直肠。"
    old = readability_scores(text)  # a candidate scored before the language check: numbers, no language
    assert grade_summary(old, target=8, text=text)["applies"] is False
