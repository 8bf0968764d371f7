"""The two subjects of a corpus document: its original text and its simplified text.

A side's text is its segments' texts in position order, separated by a blank line. A document whose
segments are not all simplified has no complete simplified text, and that side cannot be assessed.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Q

from apps.corpus.models import Document, SegmentRevision
from apps.instruments.models import Side


@dataclass(frozen=True)
class SubjectText:
    side: str
    text: str
    segment_versions: dict[str, int]
    missing: list[int]  # positions of segments without text on this side

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def complete(self) -> bool:
        return not self.missing and bool(self.text.strip())


def subject_text(document: Document, side: str) -> SubjectText:
    """The text of one side of `document` as it is now, with the segment versions it is made of."""
    field = "original" if side == Side.ORIGINAL else "simplified"
    rows = list(document.segments.order_by("position").values_list("pk", "position", "version", field))
    texts = [text.strip() for _, _, _, text in rows if text and text.strip()]
    return SubjectText(
        side=side,
        text="\n\n".join(texts),
        segment_versions={str(pk): version for pk, _, version, _ in rows},
        missing=[position for _, position, _, text in rows if not (text and text.strip())],
    )


def assessed_text(assessment) -> tuple[str, bool]:
    """(the text an assessment was filled against, whether it is exactly that text).

    Rebuilt from the segment revisions it recorded; when a revision is missing the current text is
    returned, flagged False if it differs from what was assessed."""
    versions = {int(pk): version for pk, version in assessment.segment_versions.items()}
    field = "original" if assessment.side == Side.ORIGINAL else "simplified"
    if versions:
        match = Q()
        for pk, version in versions.items():
            match |= Q(segment_id=pk, version=version)
        rows = list(
            SegmentRevision.objects.filter(match)
            .order_by("segment__position")
            .values_list("segment_id", field)
        )
        if len(rows) == len(versions):
            text = "\n\n".join(t.strip() for _, t in rows if t and t.strip())
            if hashlib.sha256(text.encode("utf-8")).hexdigest() == assessment.text_sha256:
                return text, True
    current = subject_text(assessment.document, assessment.side)
    return current.text, current.sha256 == assessment.text_sha256
