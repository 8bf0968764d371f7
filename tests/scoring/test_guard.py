"""The faithfulness guard flags what makes a simplification unsafe, with the offending span."""

from apps.scoring.guard import guard_check
from apps.scoring.prompts import instruction_text, template_get

SOURCE = "Do not take more than 4 grams of acetaminophen in 24 hours."


def codes(flags):
    return [flag.code for flag in flags]


def rule_codes(flags):
    """The codes without near_copy: these one-word edits of a short sentence are near-copies too, which
    the tests at the end of this file cover."""
    return [code for code in codes(flags) if code != "near_copy"]


def prompts():
    template = template_get("plain-language", 1)
    return [instruction_text(template, grade=6, style="plain"), template.system]


def test_a_faithful_rewrite_has_no_flags():
    flags = guard_check(
        source=SOURCE,
        candidate="Avoid taking more than 4 grams of acetaminophen in 24 hours.",
        prompts=prompts(),
    )
    assert rule_codes(flags) == []


def test_a_changed_number_is_flagged_with_the_new_number():
    flags = guard_check(
        source=SOURCE, candidate="Do not take more than 5 grams of acetaminophen in 24 hours."
    )
    assert rule_codes(flags) == ["number_changed"]
    assert flags[0].span == "5 grams"
    assert "'4'" in flags[0].message and "'5'" in flags[0].message
    assert flags[0].severity == "high"


def test_a_dropped_number_and_a_changed_dose_unit_are_flagged():
    flags = guard_check(source="Take 500 mg every 6 hours.", candidate="Take 500 g now.")
    assert set(codes(flags)) == {"number_dropped", "dosage_changed"}
    dropped = next(f for f in flags if f.code == "number_dropped")
    assert dropped.side == "source" and dropped.span == "6 hours"
    changed = next(f for f in flags if f.code == "dosage_changed")
    assert changed.span == "500 g"


def test_a_changed_time_interval_is_flagged():
    flags = guard_check(source="Take 2 tablets every 6 hours.", candidate="Take 2 pills every 6 days.")
    assert codes(flags) == ["interval_changed"]
    assert flags[0].span == "6 days"


def test_twice_daily_may_become_two_times_a_day_but_not_disappear():
    source = "Take 2 tablets twice daily."
    assert guard_check(source=source, candidate="Take 2 tablets 2 times a day.") == []
    assert "number_dropped" in codes(guard_check(source=source, candidate="Take 2 tablets each day."))


def test_a_dropped_not_is_flagged_on_the_source_span():
    flags = guard_check(source=SOURCE, candidate="Take more than 4 grams of acetaminophen in 24 hours.")
    assert rule_codes(flags) == ["negation_dropped"]
    assert flags[0].side == "source"
    assert flags[0].span.startswith("not take")
    assert SOURCE[flags[0].start : flags[0].end] == flags[0].span


def test_an_added_negation_is_flagged():
    flags = guard_check(source="The test is painful.", candidate="The test is not painful.")
    assert codes(flags) == ["negation_added"]


def test_a_loop_is_flagged_with_the_repeated_span():
    candidate = "Cancer is a disease. It is a disease disease disease disease of cells."
    flags = guard_check(source="Cancer is a disease of cells.", candidate=candidate)
    assert codes(flags) == ["repetition"]
    assert flags[0].span == "disease disease disease disease"
    assert candidate[flags[0].start : flags[0].end] == flags[0].span


def test_a_sentence_written_twice_is_flagged():
    candidate = (
        "Get checked at age 45 if your risk is average. Get checked at age 45 if your risk is average."
    )
    flags = guard_check(
        source="Screening should begin at age 45 for people at average risk.", candidate=candidate
    )
    assert "repetition" in codes(flags)


def test_an_echoed_instruction_is_flagged():
    candidate = "Rewrite this text so a reader at US grade 6 understands it. Screening starts at 45."
    flags = guard_check(source="Screening should begin at age 45.", candidate=candidate, prompts=prompts())
    echo = next(f for f in flags if f.code == "prompt_echo")
    assert echo.span == "Rewrite this text so a reader at US grade 6 understands it"


def test_words_shared_by_source_and_instruction_are_not_an_echo():
    source = "Keep every dose of the original text in plain language."
    flags = guard_check(source=source, candidate=source, prompts=["Keep every dose of the original text."])
    assert "prompt_echo" not in codes(flags)


def test_low_similarity_is_meaning_drift_and_the_threshold_is_respected():
    flags = guard_check(source=SOURCE, candidate="Hi! I'm a math teacher.", similarity=0.02)
    assert "meaning_drift" in codes(flags)
    assert "meaning_drift" not in codes(
        guard_check(
            source=SOURCE, candidate="Hi! I'm a math teacher.", similarity=0.3, similarity_threshold=0.2
        )
    )


def test_empty_unchanged_and_truncated_candidates_are_flagged():
    assert codes(guard_check(source=SOURCE, candidate="  ")) == ["empty"]
    assert codes(guard_check(source=SOURCE, candidate=SOURCE.upper())) == ["near_copy", "unchanged"]
    assert "truncated" in codes(
        guard_check(source=SOURCE, candidate="Avoid taking more than 4", finished=False)
    )


def test_flags_come_most_severe_first():
    flags = guard_check(source=SOURCE, candidate="Take 5 grams in 24 hours.", finished=False)
    severities = [f.severity for f in flags]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_a_near_copy_is_flagged_and_a_real_rewrite_is_not():
    source = (
        "Colonoscopy permits direct visualization of the entire colon and allows polyps to be removed "
        "during the same procedure."
    )
    cut = "Colonoscopy permits direct visualization of the entire colon."  # the source's words, cut short
    [flag] = guard_check(source=source, candidate=cut)
    assert flag.code == "near_copy" and flag.severity == "medium" and "100%" in flag.message
    rewrite = "In a colonoscopy, a doctor looks at your whole colon and can take out polyps during the test."
    assert guard_check(source=source, candidate=rewrite) == []


def test_a_candidate_not_simpler_than_the_original_or_above_the_target_grade_is_flagged():
    def flagged(grade):
        checked = guard_check(
            source=SOURCE,
            candidate="Never take over 4 grams in 24 hours.",
            grade=grade,
            source_grade=9.5,
            target_grade=6,
        )
        return rule_codes(checked)

    assert flagged(9.5) == ["not_simpler", "above_target"]  # equal to the original's is not simpler
    assert flagged(7.2) == ["above_target"]
    assert flagged(6.0) == []  # at the target is fine
    assert rule_codes(guard_check(source=SOURCE, candidate="Never take over 4 grams in 24 hours.")) == []
