"""Versioned prompt templates for simplification runs (data, not logic; no torch).

Templates live in code, not in the database, so that they are reviewed and versioned with the code
that uses them and a run's (`key`, `version`) always resolves to exactly the words the model saw. A
template is never edited once released: a change is a new version appended to `TEMPLATES`, and old
versions stay so old runs can be reproduced and exported as preference data (`prompt_messages` rebuilds
the exact prompt of any candidate).

A prompt is a chat: a system message and a user message. The user message is the instruction followed
by the source text, so the instruction alone (without the text) is what the faithfulness guard looks
for when it checks that a candidate does not echo the prompt.

A few-shot template (`few_shot=True`) puts worked examples before the request: for each example pair an
earlier user turn (the same instruction and the example's original) and an assistant turn (its approved
simplification). Which pairs a prompt showed is chosen by the worker (k nearest approved train-split
pairs, workers/ml/fewshot.py) and recorded on the run, so the exact prompt can always be rebuilt.
"""

from collections.abc import Sequence
from dataclasses import dataclass

STYLES = {
    "plain": "Use short sentences and everyday words.",
    "friendly": "Use short sentences and everyday words, and speak to the reader as “you”.",
    "bullets": "Use short sentences and everyday words; put separate steps or facts on separate lines "
    "starting with “- ”.",
}


@dataclass(frozen=True)
class PromptTemplate:
    key: str
    version: int
    description: str
    system: str
    instruction: str  # format fields: {grade}, {style}
    few_shot: bool = False  # worked examples from the corpus go before the request

    @property
    def label(self) -> str:
        return f"{self.key} v{self.version}"


TEMPLATES: dict[tuple[str, int], PromptTemplate] = {
    ("plain-language", 1): PromptTemplate(
        key="plain-language",
        version=1,
        description="Rewrite one passage in plain language at a target US school grade.",
        system=(
            "You rewrite health information in plain language. Keep every fact, number, dose, time and "
            "warning of the original. Answer with the rewritten text only."
        ),
        instruction="Rewrite this text so a reader at US grade {grade} understands it. {style}",
    ),
    ("plain-language-few-shot", 1): PromptTemplate(
        key="plain-language-few-shot",
        version=1,
        description="plain-language v1 with the k approved train-split pairs nearest to the text shown first "
        "as worked examples (k: the run's few_shot).",
        system=(
            "You rewrite health information in plain language. Keep every fact, number, dose, time and "
            "warning of the original. Answer with the rewritten text only."
        ),
        instruction="Rewrite this text so a reader at US grade {grade} understands it. {style}",
        few_shot=True,
    ),
}
FEW_SHOT_TEMPLATE = ("plain-language-few-shot", 1)
DEFAULT_TEMPLATE = ("plain-language", 1)
GRADE_RANGE = (1, 16)


def template_get(key: str, version: int) -> PromptTemplate:
    try:
        return TEMPLATES[(key, int(version))]
    except (KeyError, ValueError, TypeError):
        known = ", ".join(f"{k} v{v}" for k, v in TEMPLATES)
        raise ValueError(f"Unknown prompt template {key!r} version {version!r}; known: {known}.") from None


def template_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for forms: value is "key:version"."""
    return [(f"{t.key}:{t.version}", f"{t.label}: {t.description}") for t in TEMPLATES.values()]


def instruction_text(template: PromptTemplate, *, grade: int, style: str) -> str:
    if style not in STYLES:
        raise ValueError(f"Unknown style {style!r}; choose one of {', '.join(STYLES)}.")
    return template.instruction.format(grade=grade, style=STYLES[style]).strip()


def prompt_messages(
    template: PromptTemplate, *, text: str, grade: int, style: str, examples: Sequence[dict] = ()
) -> list[dict]:
    """The chat messages for one source text (what the tokenizer's chat template is applied to).

    `examples` (few-shot templates only): worked pairs shown before the request, each a dict with
    `original` and `simplified` (as recorded on the run, `ModelRun.prompt_examples`)."""
    if examples and not template.few_shot:
        raise ValueError(f"{template.label} takes no examples; use {FEW_SHOT_TEMPLATE[0]}.")
    instruction = instruction_text(template, grade=grade, style=style)
    messages = [{"role": "system", "content": template.system}]
    for example in examples:
        messages.append({"role": "user", "content": f"{instruction}\n\nText: {example['original'].strip()}"})
        messages.append({"role": "assistant", "content": example["simplified"].strip()})
    messages.append({"role": "user", "content": f"{instruction}\n\nText: {text.strip()}"})
    return messages


# ---- answering questions (equity answer generation) -------------------------------------------------
#
# Same rules as above: a released version is never edited, so an answer's producer parameters
# (`prompt_template`) always name the exact words the model saw.


@dataclass(frozen=True)
class AnswerTemplate:
    key: str
    version: int
    system: str

    @property
    def label(self) -> str:
        return f"{self.key} v{self.version}"


ANSWER_TEMPLATES: dict[tuple[str, int], AnswerTemplate] = {
    ("health-answer", 1): AnswerTemplate(
        key="health-answer",
        version=1,
        system="You answer health questions accurately, clearly and respectfully, for a general audience.",
    ),
}
DEFAULT_ANSWER_TEMPLATE = ("health-answer", 1)


def answer_messages(template: AnswerTemplate, *, question: str) -> list[dict]:
    """The chat messages that ask the model one question."""
    return [{"role": "system", "content": template.system}, {"role": "user", "content": question.strip()}]
