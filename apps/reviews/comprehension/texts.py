"""A passage's two texts: its segments' original and simplified texts in position order, joined by a
blank line (the whole document when the passage names no segments)."""

from dataclasses import dataclass

from apps.corpus.models import Segment


@dataclass(frozen=True)
class PassageTexts:
    original: str
    simplified: str
    unsimplified: list[int]  # positions of segments without a simplified text

    @property
    def complete(self) -> bool:
        return bool(self.original.strip()) and bool(self.simplified.strip()) and not self.unsimplified


def passage_segments(document_id: int, segment_ids: list[int]):
    segments = Segment.objects.filter(document_id=document_id)
    if segment_ids:
        segments = segments.filter(pk__in=segment_ids)
    return segments.order_by("position")


def passage_texts(passage) -> PassageTexts:
    rows = list(
        passage_segments(passage.document_id, passage.segment_ids).values_list(
            "position", "original", "simplified"
        )
    )
    return PassageTexts(
        original="\n\n".join(o.strip() for _, o, _ in rows if o and o.strip()),
        simplified="\n\n".join(s.strip() for _, _, s in rows if s and s.strip()),
        unsimplified=[p for p, _, s in rows if not (s and s.strip())],
    )
