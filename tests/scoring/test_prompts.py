"""Prompt templates: released versions never change; the few-shot template shows the recorded pairs."""

import pytest

from apps.scoring.prompts import FEW_SHOT_TEMPLATE, TEMPLATES, prompt_messages, template_get
from apps.scoring.services import run_parameters_clean
from tests.api.exports import read_jsonl
from tests.scoring.factories import CandidateFactory, ModelRunFactory

EXAMPLES = [
    {
        "segment": 7,
        "version": 2,
        "original": "Take two tablets daily.",
        "simplified": "Take 2 pills each day.",
    },
    {"segment": 9, "version": 1, "original": "Avoid alcohol.", "simplified": "Do not drink alcohol."},
]


def test_plain_language_v1_is_unchanged():
    """A released template is never edited: its exact words are what old runs' prompts were."""
    v1 = TEMPLATES[("plain-language", 1)]
    assert v1.instruction == "Rewrite this text so a reader at US grade {grade} understands it. {style}"
    assert not v1.few_shot
    messages = prompt_messages(v1, text="Screening starts at 45.", grade=6, style="plain")
    assert [m["role"] for m in messages] == ["system", "user"]


def test_the_few_shot_template_puts_each_pair_as_an_earlier_turn_before_the_request():
    template = template_get(*FEW_SHOT_TEMPLATE)
    messages = prompt_messages(
        template, text="Screening starts at 45.", grade=6, style="plain", examples=EXAMPLES
    )
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[1]["content"].endswith("Text: Take two tablets daily.")
    assert messages[2]["content"] == "Take 2 pills each day."
    assert messages[-1]["content"].endswith("Text: Screening starts at 45.")
    assert messages[1]["content"].split("\n\n")[0] == messages[-1]["content"].split("\n\n")[0]


def test_a_zero_shot_template_refuses_examples():
    with pytest.raises(ValueError, match="takes no examples"):
        prompt_messages(
            template_get("plain-language", 1), text="x", grade=6, style="plain", examples=EXAMPLES
        )


@pytest.mark.django_db
def test_the_preference_export_rebuilds_a_few_shot_prompt_with_the_recorded_pairs(api_as, curator, segments):
    segment = segments[0]
    run = ModelRunFactory(
        prompt_template=FEW_SHOT_TEMPLATE[0],
        prompt_version=FEW_SHOT_TEMPLATE[1],
        parameters=run_parameters_clean({"few_shot": 2}),
        prompt_examples={str(segment.pk): EXAMPLES},
    )
    CandidateFactory(run=run, segment=segment, index=0, text="Never take more than 4 grams.", reward=0.9)
    CandidateFactory(run=run, segment=segment, index=1, text="Take acetaminophen.", reward=0.1)
    _, records = read_jsonl(api_as(curator).get("/api/v1/exports/preferences.jsonl"))
    [record] = records
    assert record["prompt"] == prompt_messages(
        template_get(*FEW_SHOT_TEMPLATE), text=segment.original, grade=6, style="plain", examples=EXAMPLES
    )
    assert record["prompt_template"] == "plain-language-few-shot v1"
