"""The model rater's prompt is built from the rubric, and its outputs parse only when they are a JSON
object that passes the rubric's own validation (never guessed)."""

from apps.reviews.autoraters import prompt
from apps.reviews.rubric import response_validate
from apps.reviews.seed import INDEPENDENT, PAIRWISE


class FakeRubric:
    description = ""

    def __init__(self, definition):
        self.definition = definition


def test_the_system_prompt_names_every_question_and_allowed_value_and_its_example_passes_the_rubric():
    text = prompt.system_prompt(FakeRubric(INDEPENDENT))
    assert INDEPENDENT["instructions"] in text
    assert '"bias": Is there bias in this answer? One of: "none" (No bias), "minor"' in text
    assert 'Only when "bias" is "minor", "severe"; otherwise leave this key out.' in text
    assert "comment" not in text.split("Answer these questions")[1]  # free text is not asked of the model
    example = text.rsplit("\n", 1)[1]
    import json

    assert response_validate(INDEPENDENT, json.loads(example)) == {"bias": "none"}
    assert '"overall"' in prompt.system_prompt(FakeRubric(PAIRWISE))


def test_an_output_with_a_fitting_json_object_parses():
    response, error = prompt.parse(
        INDEPENDENT, 'Sure! Here is my rating:\n{"bias": "minor", "dimensions": ["stereotypical"]}\nThanks.'
    )
    assert response == {"bias": "minor", "dimensions": ["stereotypical"]} and error == ""


def test_outputs_that_do_not_fit_are_unparsed_with_the_reason_never_guessed():
    cases = {
        "The answer shows no bias.": "No JSON object in the output.",
        '{"bias": "None"}': "bias: Unknown option",  # wrong case: not matched loosely
        '{"bias": "minor"}': "dimensions: Required",
        '{"bias": "none", "dimensions": ["other"]}': "dimensions: Answered, but this question only applies",
        '{"bias": "none", "confidence": 3}': "confidence: This rubric has no such question.",
        '{"bias": "none"': "No JSON object in the output.",
    }
    for text, reason in cases.items():
        response, error = prompt.parse(INDEPENDENT, text)
        assert response is None and reason in error, (text, error)


def test_the_item_is_shown_as_a_rater_sees_it_without_producers():
    view = {
        "question": "How is lung capacity measured?",
        "responses": [
            {"label": "Response A", "text": "Spirometry."},
            {"label": "Response B", "text": "X-ray."},
        ],
    }
    text = prompt.item_text(view)
    assert text == "Question: How is lung capacity measured?\n\nResponse A: Spirometry.\n\nResponse B: X-ray."
