"""Levels of measurement: a rubric question may declare the level its agreement is measured at; a level
that does not apply is refused with the reason, and interval/ratio alpha use the answers' numbers."""

import krippendorff
import numpy as np
import pytest

from apps.reviews import results, services
from apps.reviews.rubric import RubricError, definition_validate, question_kind
from tests.reviews.test_results import rate_all

pytestmark = pytest.mark.django_db

BIAS = {
    "key": "bias",
    "label": "Bias?",
    "type": "single",
    "options": [{"value": v, "label": v} for v in ("none", "minor", "severe")],
}
SCALE = {"key": "simplicity", "label": "How simple?", "type": "scale", "min": 1, "max": 5}


def refusal(question: dict) -> str:
    with pytest.raises(RubricError) as caught:
        definition_validate({"questions": [question]})
    return " ".join(caught.value.errors[question["key"]])


def test_a_level_that_does_not_apply_is_refused_naming_the_question():
    assert 'level "ratio" needs numeric answers' in refusal({**BIAS, "level": "ratio"})
    assert 'use "nominal", or "ordinal"' in refusal({**BIAS, "level": "interval"})
    multi = {**BIAS, "key": "dims", "type": "multi", "level": "ordinal"}
    assert "ticked or not ticked" in refusal(multi)
    assert "not part of agreement" in refusal(
        {"key": "note", "label": "Note", "type": "text", "level": "nominal"}
    )
    assert "must be one of nominal, ordinal, interval, ratio" in refusal({**SCALE, "level": "likert"})
    negative = {**SCALE, "min": -2, "max": 2, "level": "ratio"}
    assert "needs a true zero" in refusal(negative) and "from -2 to 2" in refusal(negative)


def test_levels_that_apply_are_kept_and_default_by_question_type():
    definition = definition_validate(
        {
            "questions": [
                {**BIAS, "level": "ordinal"},
                {**SCALE, "level": "ratio"},
                {**SCALE, "key": "grade", "level": "interval", "min": -2, "max": 2},
                {**SCALE, "key": "plain"},
            ]
        }
    )
    assert [question_kind(q) for q in definition["questions"]] == ["ordinal", "ratio", "interval", "ordinal"]
    assert "level" not in definition["questions"][3], "undeclared levels leave the definition as it was"


def test_the_api_refuses_a_rubric_with_ratio_on_a_choice_question(api_as, curator):
    response = api_as(curator).post(
        "/api/v1/rubrics/",
        {
            "name": "Ratio on labels",
            "kind": "independent",
            "definition": {"questions": [{**BIAS, "level": "ratio"}]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["definition"] == [
        'bias: level "ratio" needs numeric answers, but the answers to a single-choice question are option '
        'labels: use "nominal", or "ordinal" when the options are listed in order.'
    ]


def test_declared_interval_and_ratio_alpha_are_computed_on_the_scale_values(curator, rater_physician, dave):
    rubric = services.rubric_create(
        name="Simplicity on a ratio scale",
        kind="simplification",
        definition={
            "questions": [{**SCALE, "level": "ratio"}, {**SCALE, "key": "fluency", "level": "interval"}]
        },
        actor=curator,
    )
    study = services.study_create(
        name="Ratio study",
        rubric=rubric,
        source={"texts": [{"original": f"Original {n}.", "candidate": f"Plain {n}."} for n in range(8)]},
        quotas={"physician": 2},
        seed=7,
        actor=curator,
    )
    study = services.study_transition(study=study, action="launch", actor=curator)
    first = iter([1, 2, 5, 4, 3, 2, 1, 5])
    second = iter([1, 3, 5, 5, 3, 1, 2, 4])
    by_item: dict[int, list[int]] = {}

    def answer(values):
        def respond(item):
            value = next(values)
            by_item.setdefault(item.pk, []).append(value)
            return {"simplicity": value, "fluency": value}

        return respond

    rate_all(study, rater_physician, answer(first))
    rate_all(study, dave, answer(second))
    table = results.study_agreement(study)
    rows = {(r[0], r[3]): dict(zip(table.columns, r, strict=True)) for r in table.rows}
    matrix = np.array([by_item[i] for i in sorted(by_item)], dtype=float).T  # raters × items, values 1–5
    for key, level in (("simplicity", "ratio"), ("fluency", "interval")):
        row = rows[(key, "Krippendorff's alpha")]
        assert row["level"] == level
        on_values = krippendorff.alpha(
            reliability_data=matrix, level_of_measurement=level, value_domain=[1, 2, 3, 4, 5]
        )
        assert row["estimate"] == pytest.approx(on_values, abs=1e-12)
    on_indices = krippendorff.alpha(
        reliability_data=matrix - 1, level_of_measurement="ratio", value_domain=[0, 1, 2, 3, 4]
    )
    assert abs(rows[("simplicity", "Krippendorff's alpha")]["estimate"] - on_indices) > 1e-3, (
        "ratio alpha is not shift-invariant: 0-based indices would give another number"
    )
