"""Run parameters every run kind cleans alike: bounded numbers, the prompt style, the reward weights."""

from apps.scoring.prompts import STYLES
from apps.scoring.reward import WeightsInvalid, weights_clean

Bounds = dict[str, tuple[type, int | float, int | float, int | float]]  # name: (kind, default, low, high)


def bounded_numbers_clean(parameters: dict, bounds: Bounds, cleaned: dict, errors: dict[str, str]) -> None:
    """Pop each bounded parameter from `parameters` into `cleaned` (default when absent or blank).

    A value that is not a number or is out of range goes into `errors` under its name, with what to do."""
    for name, (kind, default, low, high) in bounds.items():
        raw = parameters.pop(name, None)
        if raw is None or raw == "":
            cleaned[name] = default
            continue
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            errors[name] = f"{raw!r} is not a {'whole number' if kind is int else 'number'}."
            continue
        if not low <= value <= high:
            errors[name] = f"{value} is out of range; use {low} to {high}."
            continue
        cleaned[name] = value


def style_clean(parameters: dict, cleaned: dict, errors: dict[str, str]) -> None:
    """Pop `style` (default plain) into `cleaned`; an unknown one goes into `errors`."""
    style = parameters.pop("style", None) or "plain"
    if style not in STYLES:
        errors["style"] = f"Unknown style {style!r}; use one of {', '.join(STYLES)}."
    cleaned["style"] = style


def reward_weights_clean(parameters: dict, cleaned: dict, errors: dict[str, str]) -> None:
    """Pop `reward_weights` (default: the product's) into `cleaned`; problems go into `errors` by weight."""
    try:
        cleaned["reward_weights"] = weights_clean(parameters.pop("reward_weights", None) or {})
    except WeightsInvalid as exc:
        errors.update({f"reward_weights.{name}": " ".join(texts) for name, texts in exc.errors.items()})
    except AttributeError:
        errors["reward_weights"] = 'Give the reward weights as an object, e.g. {"meaning": 0.5}.'
