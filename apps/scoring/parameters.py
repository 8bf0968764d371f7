"""Bounded numeric run parameters, shared by every run kind's parameter cleaning."""

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
