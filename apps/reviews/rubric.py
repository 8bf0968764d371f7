"""Rubric definitions: the schema a rubric's JSON must follow, and validation of a rater's response.

A definition is `{"questions": [question, ...]}`; a question is

    {"key": "bias",                      # unique, [a-z][a-z0-9_]*; the key of its answer in a response
     "label": "Is there bias?",          # what the rater reads
     "help": "…",                        # optional
     "type": "single" | "multi" | "scale" | "text",
     "options": [{"value": "none", "label": "No bias"}, …],   # single and multi
     "min": 1, "max": 5, "min_label": "…", "max_label": "…",  # scale (integers, min < max)
     "required": true,
     "level": "ordinal",                 # optional; agreement's level of measurement (see question_kind)
     "shown_if": {"key": "bias", "in": ["minor", "severe"]}}  # optional; refers to an earlier question

A question whose condition does not hold is hidden: it must not be answered, and `required` applies only
when it is shown. A condition on a multiple-choice question holds when any chosen option is listed.

Pure Python: no database, so the same rules serve the API, the forms and the seeded rubrics.
"""

import re
from dataclasses import dataclass

from django.conf import settings

from apps.core.errors import ServiceError
from apps.reviews.agreement import LEVELS

QUESTION_TYPES = ("single", "multi", "scale", "text")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEXT_MAX_LENGTH = settings.EQUITEXT_MAX_COMMENT_CHARS  # a text question's default max_length
SCALE_MAX_POINTS = 9  # every point must be reachable with one digit key (1–9)


class RubricError(ServiceError):
    """Invalid definition or response (400). `errors` maps a question key (or "definition") to messages;
    the message starts with `summary` and names every key and what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]], *, summary: str = "Does not fit the rubric"):
        named = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items())
        super().__init__(f"{summary}: {named}", errors=errors)


@dataclass(frozen=True)
class _Problems:
    errors: dict

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def raise_if_any(self, summary: str) -> None:
        if self.errors:
            raise RubricError(self.errors, summary=summary)


def definition_validate(definition) -> dict:
    """Check a rubric definition; returns it normalised (defaults filled in) or raises RubricError."""
    problems = _Problems({})
    if not isinstance(definition, dict) or not isinstance(definition.get("questions"), list):
        raise RubricError(
            {"definition": ['A rubric definition is an object with a "questions" list.']},
            summary="The rubric definition is invalid",
        )
    unknown_top = set(definition) - {"questions", "instructions"}
    if unknown_top:
        problems.add("definition", f"Unknown fields: {', '.join(sorted(unknown_top))}.")
    if not definition["questions"]:
        problems.add("definition", "A rubric needs at least one question.")
    questions = []
    seen: dict[str, dict] = {}
    for index, raw in enumerate(definition["questions"], start=1):
        question = _question_validate(raw, index, seen, problems)
        if question is not None:
            seen[question["key"]] = question
            questions.append(question)
    problems.raise_if_any("The rubric definition is invalid")
    normalised = {"questions": questions}
    if definition.get("instructions"):
        normalised["instructions"] = str(definition["instructions"])
    return normalised


def _question_validate(raw, index: int, seen: dict, problems: _Problems) -> dict | None:
    if not isinstance(raw, dict):
        problems.add(f"question {index}", "Each question must be an object.")
        return None
    key = raw.get("key")
    where = key if isinstance(key, str) and KEY_PATTERN.match(key) else f"question {index}"
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.add(where, "The key must be lower-case letters, digits and _ (starting with a letter).")
        return None
    if key in seen:
        problems.add(where, f'The key "{key}" is used by two questions; keys must be unique.')
        return None
    allowed = {"key", "label", "help", "type", "options", "min", "max", "min_label", "max_label"}
    allowed |= {"required", "shown_if", "max_length", "level"}
    for extra in sorted(set(raw) - allowed):
        problems.add(where, f'Unknown field "{extra}".')
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.add(where, "A question needs a label (the text the rater reads).")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        problems.add(where, f"type must be one of {', '.join(QUESTION_TYPES)}, not {qtype!r}.")
        return None
    required = raw.get("required", True)
    if not isinstance(required, bool):
        problems.add(where, "required must be true or false.")
    question = {
        "key": key,
        "label": (label or "").strip(),
        "help": str(raw.get("help") or ""),
        "type": qtype,
        "required": bool(required),
    }
    if qtype in ("single", "multi"):
        question["options"] = _options_validate(raw.get("options"), where, problems)
    elif raw.get("options"):
        problems.add(where, f"A {qtype} question takes no options.")
    if qtype == "scale":
        low, high = raw.get("min"), raw.get("max")
        if not (_is_int(low) and _is_int(high)) or low >= high:
            problems.add(where, "A scale needs integer min and max with min < max.")
        elif high - low + 1 > SCALE_MAX_POINTS:
            problems.add(where, f"A scale has at most {SCALE_MAX_POINTS} points.")
        question.update(
            min=low,
            max=high,
            min_label=str(raw.get("min_label") or ""),
            max_label=str(raw.get("max_label") or ""),
        )
    if qtype == "text":
        max_length = raw.get("max_length", TEXT_MAX_LENGTH)
        if not _is_int(max_length) or max_length < 1:
            problems.add(where, "max_length must be a positive integer.")
        elif max_length > TEXT_MAX_LENGTH:
            problems.add(
                where, f"max_length is at most {TEXT_MAX_LENGTH:,} (the EQUITEXT_MAX_COMMENT_CHARS setting)."
            )
        question["max_length"] = max_length
    if "level" in raw:
        problem = _level_problem(question, raw["level"])
        if problem:
            problems.add(where, problem)
        else:
            question["level"] = raw["level"]
    if raw.get("shown_if") is not None:
        question["shown_if"] = _condition_validate(raw["shown_if"], where, seen, problems)
    return question


def _level_problem(question: dict, level) -> str:
    """Why `level` cannot measure agreement on this question ("" when it can)."""
    qtype = question["type"]
    if qtype == "text":
        return 'A free-text question is not part of agreement; remove "level".'
    if level not in LEVELS:
        return f"level must be one of {', '.join(LEVELS)}, not {level!r}."
    if qtype == "multi" and level != "nominal":
        return (
            f'level "{level}" does not apply to a multiple-choice question: agreement counts each option as '
            'ticked or not ticked, which is "nominal".'
        )
    if qtype == "single" and level in ("interval", "ratio"):
        return (
            f'level "{level}" needs numeric answers, but the answers to a single-choice question are option '
            'labels: use "nominal", or "ordinal" when the options are listed in order.'
        )
    if qtype == "scale" and level == "ratio" and _is_int(question.get("min")) and question["min"] < 0:
        return (
            f'level "ratio" needs a true zero with no values below it, but this scale runs from '
            f'{question["min"]} to {question["max"]}: use "interval" or "ordinal".'
        )
    return ""


def _options_validate(options, where: str, problems: _Problems) -> list[dict]:
    if not isinstance(options, list) or len(options) < 2:
        problems.add(where, "A choice question needs a list of at least two options.")
        return []
    if len(options) > 9:
        problems.add(where, "A choice question has at most 9 options (one digit key each).")
    cleaned, values = [], set()
    for option in options:
        if not isinstance(option, dict) or not isinstance(option.get("value"), str) or not option["value"]:
            problems.add(where, 'Each option is an object with a non-empty "value" and a "label".')
            continue
        if option["value"] in values:
            problems.add(where, f'The option value "{option["value"]}" appears twice.')
        values.add(option["value"])
        cleaned.append({"value": option["value"], "label": str(option.get("label") or option["value"])})
    return cleaned


def _condition_validate(condition, where: str, seen: dict, problems: _Problems) -> dict:
    if (
        not isinstance(condition, dict)
        or set(condition) != {"key", "in"}
        or not isinstance(condition["in"], list)
    ):
        problems.add(where, 'shown_if must be {"key": <earlier question>, "in": [values…]}.')
        return {}
    target = seen.get(condition["key"])
    if target is None:
        problems.add(where, f'shown_if refers to "{condition["key"]}", which is not an earlier question.')
        return {}
    if target["type"] not in ("single", "multi", "scale"):
        problems.add(where, f'shown_if cannot depend on the free-text question "{target["key"]}".')
        return {}
    allowed = _allowed_values(target)
    unknown = [value for value in condition["in"] if value not in allowed]
    if unknown or not condition["in"]:
        problems.add(
            where,
            f'shown_if lists values that "{target["key"]}" does not offer: {unknown!r}.'
            if unknown
            else "shown_if needs at least one value.",
        )
    return {"key": condition["key"], "in": list(condition["in"])}


def _allowed_values(question: dict) -> list:
    if question["type"] == "scale":
        return list(range(question["min"], question["max"] + 1))
    return [option["value"] for option in question.get("options", [])]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def question_is_shown(question: dict, response: dict) -> bool:
    """Whether `question` applies given the (partial) response."""
    condition = question.get("shown_if")
    if not condition:
        return True
    answer = response.get(condition["key"])
    if isinstance(answer, list):
        return any(value in condition["in"] for value in answer)
    return answer in condition["in"]


def response_validate(definition: dict, response) -> dict:
    """Check a response against a (validated) definition.

    Returns the cleaned response: only shown questions that were answered, text stripped, multiple
    choices in the order of the options. Raises RubricError naming each question key and what is wrong.
    """
    if not isinstance(response, dict):
        raise RubricError(
            {"response": ["A response is an object mapping question keys to answers."]},
            summary="The response does not fit the rubric",
        )
    problems = _Problems({})
    questions = {question["key"]: question for question in definition["questions"]}
    for key in sorted(set(response) - set(questions)):
        problems.add(key, "This rubric has no such question.")
    cleaned: dict = {}
    for question in definition["questions"]:
        key, value = question["key"], response.get(question["key"])
        if isinstance(value, str) and question["type"] != "text":
            value = value.strip()
        if not question_is_shown(question, cleaned):
            if not _is_empty(value):
                condition = question["shown_if"]
                problems.add(
                    key,
                    f'Answered, but this question only applies when "{condition["key"]}" is one of '
                    f"{', '.join(str(v) for v in condition['in'])}; leave it empty.",
                )
            continue
        if _is_empty(value) or (question["type"] == "text" and isinstance(value, str) and not value.strip()):
            if question["required"]:
                problems.add(key, f'Required: answer "{question["label"]}".')
            continue
        answer = _answer_validate(question, value, problems)
        if answer is not None:
            cleaned[key] = answer
    problems.raise_if_any("The response does not fit the rubric")
    return cleaned


def _answer_validate(question: dict, value, problems: _Problems):
    key, qtype = question["key"], question["type"]
    if qtype == "single":
        allowed = _allowed_values(question)
        if not isinstance(value, str) or value not in allowed:
            problems.add(key, f"Unknown option {value!r}; choose one of {', '.join(allowed)}.")
            return None
        return value
    if qtype == "multi":
        allowed = _allowed_values(question)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            problems.add(key, "Give a list of options.")
            return None
        unknown = [v for v in value if v not in allowed]
        if unknown:
            problems.add(key, f"Unknown option(s) {unknown!r}; choose from {', '.join(allowed)}.")
            return None
        return [v for v in allowed if v in value]
    if qtype == "scale":
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if not _is_int(value) or not question["min"] <= value <= question["max"]:
            problems.add(
                key,
                f"{value!r} is not on the scale: give a whole number "
                f"from {question['min']} to {question['max']}.",
            )
            return None
        return value
    if not isinstance(value, str):
        problems.add(key, "Give text.")
        return None
    value = value.strip()
    if len(value) > question["max_length"]:
        problems.add(key, f"Too long: {len(value)} characters, at most {question['max_length']}.")
        return None
    return value


def question_kind(question: dict) -> str:
    """The level of measurement used for agreement: the question's declared `level`, else nominal
    (choices) or ordinal (scales); none for free text."""
    if question["type"] == "text":
        return "none"
    return question.get("level") or {"single": "nominal", "multi": "nominal"}.get(question["type"], "ordinal")


def response_sanitise_draft(definition: dict, draft) -> dict:
    """Keep only the answers of a draft that fit the rubric (drafts are saved before they are complete)."""
    if not isinstance(draft, dict):
        return {}
    kept = {}
    for question in definition["questions"]:
        value = draft.get(question["key"])
        if _is_empty(value):
            continue
        scratch = _Problems({})
        answer = _answer_validate(question, value, scratch)
        if answer is not None and not scratch.errors:
            kept[question["key"]] = answer
    return kept


def answers_validate(definition: dict, answers) -> dict:
    """Check a partial set of answers (a label, expected answers): every key must be a question of the
    rubric and every value valid for it; nothing is required. Returns the cleaned answers or raises
    RubricError naming each key."""
    if not isinstance(answers, dict) or not answers:
        raise RubricError(
            {"answers": ["Give at least one answer: an object mapping question keys to answers."]},
            summary="The answers do not fit the rubric",
        )
    problems = _Problems({})
    questions = {question["key"]: question for question in definition["questions"]}
    cleaned = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            problems.add(key, "This rubric has no such question.")
            continue
        if _is_empty(value):
            problems.add(key, f'Give an answer for "{question["label"]}", or leave the question out.')
            continue
        answer = _answer_validate(question, value, problems)
        if answer is not None:
            cleaned[key] = answer
    problems.raise_if_any("The answers do not fit the rubric")
    return cleaned
