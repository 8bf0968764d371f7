"""A curator's decision on a candidate: accept it into the corpus (a new revision of the segment,
attributed to the run) or reject it (kept, as preference data).

Nothing is overwritten silently: accepting a candidate into a segment that already has a simplified
text needs `replace=True` (the page asks first, showing both texts with their scores and flags; the API
answers 409 without it). Undo is restoring the replaced version from the segment's history."""

from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, ServiceError
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.exceptions import StaleVersion
from apps.corpus.models import SegmentRevision
from apps.corpus.services import segment_update
from apps.scoring.models import Candidate


class DecisionRefused(Conflict):
    """The decision does not apply to this candidate in its current state (409; the message says why)."""


class ReplaceNeedsConfirmation(DecisionRefused):
    """Accepting would replace the segment's existing simplified text (409 until `replace` is true).

    `replaced_version` is the segment version holding that text: the one to restore to undo."""

    def __init__(self, *, candidate: Candidate, replaced_version: int, grade: float | None):
        self.candidate = candidate
        self.replaced_version = replaced_version
        was = f"grade {grade:.1f}" if grade is not None else "no grade"
        now = f"grade {candidate.grade:.1f}" if candidate.grade is not None else "no grade"
        super().__init__(
            f"This segment already has a simplified text (version {replaced_version}, {was}). Accepting "
            f"replaces it with this candidate ({now}); to confirm, accept again with replace set "
            f'(API: "replace": true). Undo: restore version {replaced_version} from the segment\'s history.',
            errors={"replace": "Confirm that the candidate replaces the existing simplified text."},
        )


@transaction.atomic
def candidate_accept(
    *, candidate_id: int, user, segment_version: int | None = None, replace: bool = False
) -> Candidate:
    """Save the candidate as the segment's simplified text (a new revision attributed to the run).

    `segment_version`: the segment version the curator saw; a stale one raises the corpus app's
    StaleVersion and nothing changes. None: the current version. Over an existing simplified text it
    raises ReplaceNeedsConfirmation unless `replace`. The returned candidate's `replaced_version` is the
    version whose text it replaced (None when the simplified side was empty).
    """
    require_curator(user)
    if segment_version is not None:
        try:
            segment_version = int(segment_version)
        except (TypeError, ValueError):
            raise ServiceError(
                errors={"segment_version": f"{segment_version!r} is not a segment version number."}
            ) from None
    candidate = (
        Candidate.objects.select_for_update(of=("self",)).select_related("segment").get(pk=candidate_id)
    )
    if candidate.decision == Candidate.Decision.ACCEPTED:
        raise DecisionRefused("This candidate was already accepted; see the segment's history.")
    if not candidate.text.strip():
        raise DecisionRefused("An empty candidate cannot be accepted.")
    segment = candidate.segment
    if segment_version is not None and segment_version != segment.version:
        raise StaleVersion(current=segment, expected=segment_version)  # what the curator saw is gone
    replaced_version = segment.version if segment.simplified.strip() else None
    if replaced_version is not None and not replace:
        raise ReplaceNeedsConfirmation(
            candidate=candidate, replaced_version=replaced_version, grade=segment.simplified_grade
        )
    segment_update(
        segment_id=candidate.segment_id,
        user=user,
        version=candidate.segment.version if segment_version is None else segment_version,
        simplified=candidate.text,
        origin=SegmentRevision.Origin.MODEL,
        model_run_id=candidate.run_id,
    )
    candidate.decision = Candidate.Decision.ACCEPTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=user,
        action="candidate.accept",
        obj=candidate,
        details={"run": candidate.run_id, "replaced_version": replaced_version},
    )
    candidate.replaced_version = replaced_version
    return candidate


@transaction.atomic
def candidate_reject(*, candidate_id: int, user) -> Candidate:
    """Mark the candidate rejected; it is kept (a rejected text is preference data)."""
    require_curator(user)
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    if candidate.decision == Candidate.Decision.ACCEPTED:
        raise DecisionRefused(
            "This candidate was accepted into the segment; to undo it, revert the segment in its history."
        )
    candidate.decision = Candidate.Decision.REJECTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=user, action="candidate.reject", obj=candidate, details={"run": candidate.run_id})
    return candidate
