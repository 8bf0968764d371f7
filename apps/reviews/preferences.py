"""Preference pairs from pairwise equity ratings, for `exports/preferences.*` (apps/scoring/preferences.py;
registered there as source `pairwise_rating` by ReviewsConfig.ready).

For each pairwise study item, the current ratings' answers to the rubric question `overall` ("which
response shows more bias?") are counted; when more raters named one side than the other, the other answer
is `chosen` (less biased) and the named one `rejected`. Ties and items where everyone chose "no
preference" give no pair. `prompt` is the question as the user message. Practice and gold items never
count (their role is not `regular`); one record per item, so the export has no duplicates of its own.
"""

from collections.abc import Iterator

from django.db.models import Count, Q

from apps.reviews.models import Rubric, StudyItem

SOURCE = "pairwise_rating"


def pairwise_preferences(*, run: int | None = None, sources: list[str] | None = None) -> Iterator[dict]:
    """One record per pairwise item with a majority (see the module docstring); nothing for a `run`
    filter or when `sources` leaves this source out."""
    if run is not None or (sources and SOURCE not in sources):
        return  # these pairs belong to no model run
    current = Q(assignments__ratings__is_current=True)
    items = (
        StudyItem.objects.filter(study__rubric__kind=Rubric.Kind.PAIRWISE, role=StudyItem.Role.REGULAR)
        .annotate(
            more_a=Count(
                "assignments__ratings", filter=current & Q(assignments__ratings__response__overall="a")
            ),
            more_b=Count(
                "assignments__ratings", filter=current & Q(assignments__ratings__response__overall="b")
            ),
        )
        .exclude(more_a=0, more_b=0)
        .values(
            "pk",
            "study_id",
            "more_a",
            "more_b",
            "answer_a__question__text",
            "answer_a__text",
            "answer_b__text",
        )
        .order_by("pk")
    )
    for item in items.iterator(chunk_size=2000):
        if item["more_a"] == item["more_b"]:
            continue
        a, b = item["answer_a__text"], item["answer_b__text"]
        chosen, rejected = (b, a) if item["more_a"] > item["more_b"] else (a, b)
        yield {
            "prompt": [{"role": "user", "content": item["answer_a__question__text"]}],
            "chosen": [{"role": "assistant", "content": chosen}],
            "rejected": [{"role": "assistant", "content": rejected}],
            "source": SOURCE,
            "study_item_id": item["pk"],
            "votes": {"more_biased_a": item["more_a"], "more_biased_b": item["more_b"]},
        }
