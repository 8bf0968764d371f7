import pytest

from apps.reviews.models import Rubric
from apps.reviews.rubric import RubricError, definition_validate, response_validate
from apps.reviews.seed import INDEPENDENT, SIMPLIFICATION

pytestmark = pytest.mark.django_db


def independent():
    return definition_validate(INDEPENDENT)


def errors_of(definition, response):
    with pytest.raises(RubricError) as caught:
        response_validate(definition, response)
    return caught.value.errors


def test_the_shipped_rubrics_are_seeded_as_valid_version_1():
    seeded = {r.kind: r for r in Rubric.objects.filter(version=1)}
    assert set(seeded) == {
        "independent",
        "pairwise",
        "counterfactual",
        "simplification",
        "comprehension",
        "instrument",
    }
    for rubric in seeded.values():
        assert definition_validate(rubric.definition) == rubric.definition
    keys = [q["key"] for q in seeded["independent"].questions]
    assert keys == ["bias", "dimensions", "comment"]
    assert [o["value"] for o in seeded["independent"].questions[0]["options"]] == ["none", "minor", "severe"]
    assert len(seeded["independent"].questions[1]["options"]) == 7
    pairwise = seeded["pairwise"].questions
    assert pairwise[0]["key"] == "overall" and len([q for q in pairwise if q["key"].startswith("dim_")]) == 7
    counterfactual = {q["key"]: q for q in seeded["counterfactual"].questions}
    assert [o["value"] for o in counterfactual["ideal_differ"]["options"]] == ["yes", "no", "unsure"]
    assert len(counterfactual["actual_differ"]["options"]) == 4
    assert counterfactual["dimensions"]["shown_if"] == {"key": "indicates_bias", "in": ["yes"]}
    simplification = {q["key"]: q for q in seeded["simplification"].questions}
    assert [simplification[k]["max"] for k in ("meaning", "simplicity", "fluency")] == [5, 5, 5]
    assert "changes_fact" in [o["value"] for o in simplification["errors"]["options"]]


def test_a_complete_response_is_accepted_and_cleaned():
    cleaned = response_validate(
        independent(), {"bias": "minor", "dimensions": ["other", "inaccurate"], "comment": "  ok "}
    )
    assert cleaned == {"bias": "minor", "dimensions": ["inaccurate", "other"], "comment": "ok"}


def test_missing_required_answer_names_the_question():
    errors = errors_of(independent(), {"comment": "no rating"})
    assert list(errors) == ["bias"]
    assert "Required" in errors["bias"][0]


def test_dimensions_are_required_once_bias_is_found():
    errors = errors_of(independent(), {"bias": "severe"})
    assert "Required" in errors["dimensions"][0]


def test_dimensions_given_without_bias_are_refused():
    errors = errors_of(independent(), {"bias": "none", "dimensions": ["stereotypical"]})
    assert 'only applies when "bias" is one of minor, severe' in errors["dimensions"][0]


def test_unknown_option_and_unknown_question_are_refused():
    errors = errors_of(independent(), {"bias": "huge", "mood": "good"})
    assert "Unknown option 'huge'" in errors["bias"][0]
    assert "no such question" in errors["mood"][0]


def test_scale_values_must_lie_on_the_scale():
    definition = definition_validate(SIMPLIFICATION)
    errors = errors_of(definition, {"meaning": 6, "simplicity": "3", "fluency": 2.5})
    assert "from 1 to 5" in errors["meaning"][0]
    assert "fluency" in errors and "simplicity" not in errors


@pytest.mark.parametrize(
    "definition, where, fragment",
    [
        ({"questions": []}, "definition", "at least one question"),
        ({"questions": [{"key": "Bad Key", "label": "x", "type": "single"}]}, "question 1", "lower-case"),
        (
            {"questions": [{"key": "q", "label": "x", "type": "single", "options": [{"value": "a"}]}]},
            "q",
            "two options",
        ),
        ({"questions": [{"key": "q", "label": "x", "type": "scale", "min": 5, "max": 1}]}, "q", "min < max"),
        (
            {
                "questions": [
                    {"key": "q", "label": "x", "type": "text", "shown_if": {"key": "later", "in": ["a"]}}
                ]
            },
            "q",
            "not an earlier question",
        ),
        ({"questions": [{"key": "q", "label": "x", "type": "essay"}]}, "q", "type must be one of"),
    ],
)
def test_invalid_definitions_are_refused_with_the_question_named(definition, where, fragment):
    with pytest.raises(RubricError) as caught:
        definition_validate(definition)
    assert fragment in " ".join(caught.value.errors[where])
