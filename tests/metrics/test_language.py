"""The language heuristic: English keeps its grade, other languages (Arabic, Chinese, Spanish, …) get
none, measured on a small labelled set."""

import pytest

from apps.metrics.language import language_detect
from apps.metrics.readability import FORMULAS, readability_metrics
from tests.metrics.language_samples import ENGLISH, OTHER, SAMPLES


def test_every_english_sample_is_english():
    assert [text for text in ENGLISH if not language_detect(text).english] == []


def test_accuracy_on_the_labelled_set_is_at_least_97_percent():
    right = sum(language_detect(text).english == (expected == "en") for expected, text in SAMPLES)
    assert right / len(SAMPLES) >= 0.97, f"{right} of {len(SAMPLES)}"


@pytest.mark.parametrize(("expected", "text"), [s for s in OTHER if s[0] in ("ar", "zh", "ja", "ko", "ru")])
def test_non_latin_scripts_are_never_english(expected, text):
    detected = language_detect(text)
    assert (detected.code, detected.english) == (expected, False)


def test_arabic_with_latin_acronyms_and_numbers_is_still_arabic():
    assert language_detect("سرطان المعدة 2024: ما تحتاج إلى معرفته عن CT و MRI.").code == "ar"


def test_spanish_gets_its_tag():
    detected = language_detect("El cáncer colorrectal comienza en el colon o en el recto.")
    assert (detected.code, detected.name, detected.english) == ("es", "Spanish", False)


def test_text_without_letters_is_undetermined_and_keeps_the_formulas():
    assert language_detect("12 345 ...!?").code == "und"
    assert readability_metrics("12 345").get("flesch_kincaid_grade") is not None


def test_arabic_text_gets_no_formula_value_but_keeps_its_counts():
    metrics = readability_metrics("يبدأ سرطان القولون والمستقيم في القولون أو المستقيم.")
    assert metrics["language"] == "ar" and metrics["english"] is False
    assert [key for key in FORMULAS if metrics[key] is not None] == []
    assert metrics["words"] == 8 and metrics["sentences"] == 1


def test_english_text_keeps_every_formula():
    metrics = readability_metrics("Colon cancer screening saves lives. Ask your doctor when to start.")
    assert metrics["language"] == "en" and metrics["english"] is True
    assert all(isinstance(metrics[key], float) for key in FORMULAS)
