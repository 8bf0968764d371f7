"""Study kinds with rules of their own (comprehension, instrument): what the assignment engine asks of
them, in one place.

The engine (`assignment.py`), the rater pages (`views.py`) and the rater's view of an item
(`selectors.item_for_rater`) call the `kind_*` functions below at a few marked lines; for every kind that
registered nothing they do what the engine always did. A kind registers its hooks at app start-up
(`ReviewsConfig.ready` for comprehension, `InstrumentsConfig.ready` for instrument studies), so reviews
never imports the app that owns a kind (instruments may import reviews, not the reverse).

Each hook is optional:
- `open_slots(study, rater, group_id, slots) -> slots`: narrows the open quota slots a rater may lease
  (comprehension: the between-subjects design). Runs inside the lease transaction; may raise
  IntegrityError (the engine then rolls back and looks again).
- `leased(assignment)`: called in the lease transaction right after an assignment is created
  (comprehension: records the exposure that a unique constraint keeps to one version per text).
- `response_clean(assignment, response) -> dict`: validates a submitted response and returns what to
  store, in the submit transaction (it may write there: instrument studies freeze the assessment).
- `preassign_refusal(study) -> str | None`: why curators cannot pre-assign items in this kind.
- `rater_url(assignment) -> str`: the kind's own rater page for an assignment.
- `rater_view(item_id) -> dict`: what raters (pages and API) are shown for an item, in place of texts.

A kind with `open_slots` or `leased` is leased through the engine's locked ORM path, and one with
`response_clean` is submitted through its locked path; every other kind keeps the one-statement lease and
submit (README "Cost on the rater path").
"""

from collections.abc import Callable
from dataclasses import dataclass

from apps.reviews.rubric import response_validate


@dataclass(frozen=True)
class StudyKind:
    open_slots: Callable | None = None
    leased: Callable | None = None
    response_clean: Callable | None = None
    preassign_refusal: Callable | None = None
    rater_url: Callable | None = None
    rater_view: Callable | None = None


_KINDS: dict[str, StudyKind] = {}


def study_kind_register(kind: str, hooks: StudyKind) -> None:
    """Register (or replace) the hooks of a study kind (a Rubric.Kind value)."""
    _KINDS[getattr(kind, "value", kind)] = hooks  # keyed by the stored string (enum members hash by name)


def _hooks(study) -> StudyKind | None:
    return _KINDS.get(study.rubric.kind) if _KINDS else None


def kind_shapes_leases(study) -> bool:
    """Whether the study's kind chooses the rater's slots or records its leases."""
    hooks = _hooks(study)
    return bool(hooks and (hooks.open_slots or hooks.leased))


def kind_cleans_responses(study) -> bool:
    """Whether the study's kind validates (and may write) submitted responses itself."""
    hooks = _hooks(study)
    return bool(hooks and hooks.response_clean)


def kind_open_slots(study, rater, group_id: int, slots):
    hooks = _hooks(study)
    return hooks.open_slots(study, rater, group_id, slots) if hooks and hooks.open_slots else slots


def kind_leased(assignment) -> None:
    hooks = _hooks(assignment.study)
    if hooks and hooks.leased:
        hooks.leased(assignment)


def kind_response_clean(assignment, response) -> dict:
    hooks = _hooks(assignment.study)
    if hooks and hooks.response_clean:
        return hooks.response_clean(assignment, response)
    return response_validate(assignment.study.rubric.definition, response)


def kind_preassign_refusal(study) -> str | None:
    hooks = _hooks(study)
    return hooks.preassign_refusal(study) if hooks and hooks.preassign_refusal else None


def kind_rater_url(assignment) -> str | None:
    hooks = _hooks(assignment.study)
    return hooks.rater_url(assignment) if hooks and hooks.rater_url else None


def kind_rater_view(item_id: int, kind: str) -> dict | None:
    """The kind's own view of item `item_id` (`kind` is the item's stored kind), or None."""
    hooks = _KINDS.get(kind)
    return hooks.rater_view(item_id) if hooks and hooks.rater_view else None
