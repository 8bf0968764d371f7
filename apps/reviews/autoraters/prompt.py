"""The model rater's prompt (versioned) and the parser of its answers.

Template **"rubric-json v1"** (and **"rubric-json-primed v1"**: the same, with the answer begun as
`{"<first key>": "`, see `answer_prefix`): the system message is the rubric's instructions, then every
question that is not free text — key, label, the allowed values with their labels, and when it
applies — and the rule "answer with one JSON object and nothing else", with an example object that
passes the rubric (the first option of each question that applies). The user message is what a rater
sees of the item (texts only, through `selectors.item_for_rater`: never who produced them). The
template's text is stored on each run (`Autorater.system_prompt`), so a run is reproducible from its
record.

Parsing is strict: the first JSON object in the output (``json.JSONDecoder.raw_decode`` from each "{")
is taken and must pass `rubric.response_validate` unchanged; anything else — no object, invalid JSON, an
unknown option, a missing required answer — is recorded as unparsed with the reason and the raw text.
No answer is ever guessed from free text.
"""

import json

from apps.reviews.rubric import RubricError, question_is_shown, response_validate

TEMPLATE_VERSION = "rubric-json v1"
# The same messages, and the model's answer begins with the JSON object's first key (`{"bias": "`), which
# small models otherwise rarely produce; the stored raw text is that beginning plus what the model wrote.
PRIMED_VERSION = "rubric-json-primed v1"
TEMPLATES = (TEMPLATE_VERSION, PRIMED_VERSION)


def answer_prefix(rubric, template_version: str) -> str:
    """What the answer starts with under `template_version` ("" unless primed)."""
    if template_version != PRIMED_VERSION:
        return ""
    first = next((q for q in rubric.definition["questions"] if q["type"] != "text"), None)
    if first is None:
        return "{"
    return '{"' + first["key"] + '": ' + ('"' if first["type"] == "single" else "")


def _question_line(question: dict) -> str:
    line = f'- "{question["key"]}": {question["label"]}'
    if question["type"] == "single":
        line += " One of: " + ", ".join(f'"{o["value"]}" ({o["label"]})' for o in question["options"]) + "."
    elif question["type"] == "multi":
        options = ", ".join(f'"{o["value"]}" ({o["label"]})' for o in question["options"])
        line += f" A list of every one that applies, from: {options}."
    elif question["type"] == "scale":
        line += f" A whole number from {question['min']} to {question['max']}."
    condition = question.get("shown_if")
    if condition:
        allowed = ", ".join(f'"{v}"' for v in condition["in"])
        line += f' Only when "{condition["key"]}" is {allowed}; otherwise leave this key out.'
    return line


def _example(definition: dict) -> dict:
    example: dict = {}
    for question in definition["questions"]:
        if question["type"] == "text" or not question_is_shown(question, example):
            continue
        if question["type"] == "single":
            example[question["key"]] = question["options"][0]["value"]
        elif question["type"] == "multi":
            example[question["key"]] = [question["options"][0]["value"]]
        elif question["type"] == "scale":
            example[question["key"]] = question["min"]
    return example


def system_prompt(rubric) -> str:
    """The system message of template TEMPLATE_VERSION for `rubric`."""
    definition = rubric.definition
    instructions = definition.get("instructions") or rubric.description or "Rate the item below."
    lines = [
        "You are a careful rater for a health-equity review.",
        instructions,
        "",
        "Answer these questions about the item:",
        *(_question_line(q) for q in definition["questions"] if q["type"] != "text"),
        "",
        "Reply with one JSON object and nothing else, using exactly the values listed, for example:",
        json.dumps(_example(definition)),
    ]
    return "\n".join(lines)


def item_text(view: dict) -> str:
    """The user message: the item as a rater sees it (`selectors.item_for_rater`)."""
    if "sides" in view:
        parts = []
        for side in view["sides"]:
            parts += [f"{side['label']}: {side['question']}", f"{side['answer_label']}: {side['answer']}", ""]
        return "\n".join(parts).strip()
    if "responses" in view:
        parts = [f"Question: {view['question']}", ""]
        for response in view["responses"]:
            parts += [f"{response['label']}: {response['text']}", ""]
        return "\n".join(parts).strip()
    return f"Original text: {view.get('original', '')}\n\nSimplified text: {view.get('candidate', '')}"


def messages(rubric, view: dict, system: str | None = None) -> list[dict]:
    """The chat conversation for one item."""
    return [
        {"role": "system", "content": system or system_prompt(rubric)},
        {"role": "user", "content": item_text(view)},
    ]


def parse(definition: dict, text: str) -> tuple[dict | None, str]:
    """(response, "") when the first JSON object in `text` passes the rubric, else (None, why)."""
    decoder = json.JSONDecoder()
    found = None
    for start in (i for i, char in enumerate(text) if char == "{"):
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            found = value
            break
    if found is None:
        return None, "No JSON object in the output."
    try:
        return response_validate(definition, found), ""
    except RubricError as exc:
        problems = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in sorted(exc.errors.items()))
        return None, f"The JSON object does not fit the rubric: {problems}"
