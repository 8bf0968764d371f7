"""Scores of an instrument's scales from its answers (pure; no database).

Both instruments score a scale as points ÷ applicable items × 100, where an item is applicable when its
answer is not N/A. Only *counted* answers take part: answers a person gave, and automatic answers a
person confirmed. An automatic answer nobody has confirmed yet, and an unanswered item, count for
nothing (they are reported beside the score, so a partial score is never mistaken for a final one).
"""

from dataclasses import dataclass, field

NA = "na"


@dataclass(frozen=True)
class ItemSpec:
    code: str
    group: str  # the code of the scale the item belongs to ("" for unscored items)
    topic: str  # the topic/area name shown in the breakdown
    points: dict[str, float]  # option value → points
    na_allowed: bool


@dataclass(frozen=True)
class Counted:
    """An answer that counts: `value` is an option value or NA."""

    value: str


@dataclass
class TopicScore:
    name: str
    points: float = 0
    applicable: int = 0
    na: int = 0


@dataclass
class ScaleScore:
    """One scale's score; `percent` is None while no applicable item is counted."""

    code: str
    points: float = 0
    applicable: int = 0
    na: int = 0
    unanswered: int = 0
    unconfirmed: int = 0
    items: int = 0
    topics: list[TopicScore] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return 100 * self.points / self.applicable if self.applicable else None

    @property
    def complete(self) -> bool:
        return not self.unanswered and not self.unconfirmed

    def as_dict(self) -> dict:
        return {
            "scale": self.code,
            "percent": None if self.percent is None else round(self.percent, 1),
            "points": self.points,
            "applicable_items": self.applicable,
            "not_applicable_items": self.na,
            "unanswered_items": self.unanswered,
            "unconfirmed_automatic_items": self.unconfirmed,
            "items": self.items,
            "complete": self.complete,
            "topics": [
                {
                    "name": t.name,
                    "points": t.points,
                    "applicable_items": t.applicable,
                    "not_applicable_items": t.na,
                }
                for t in self.topics
            ],
        }


def scale_scores(
    specs: list[ItemSpec], counted: dict[str, Counted], pending: set[str], scales: list[str]
) -> dict[str, ScaleScore]:
    """Scores per scale code. `counted`: item code → the answer that counts; `pending`: item codes whose
    automatic answer awaits confirmation (they do not count)."""
    result = {code: ScaleScore(code) for code in scales}
    topics: dict[tuple[str, str], TopicScore] = {}
    for spec in specs:
        scale = result.get(spec.group)
        if scale is None:
            continue
        scale.items += 1
        topic = topics.get((spec.group, spec.topic))
        if topic is None:
            topic = topics[(spec.group, spec.topic)] = TopicScore(spec.topic)
            scale.topics.append(topic)
        answer = counted.get(spec.code)
        if answer is None:
            if spec.code in pending:
                scale.unconfirmed += 1
            else:
                scale.unanswered += 1
            continue
        if answer.value == NA:
            scale.na += 1
            topic.na += 1
            continue
        points = spec.points[answer.value]
        scale.points += points
        scale.applicable += 1
        topic.points += points
        topic.applicable += 1
    return result
