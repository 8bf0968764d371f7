"""A curator's decision on a candidate: accept it into the corpus (a new revision of the segment,
attributed to the run) or reject it (kept, as preference data)."""

from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, ServiceError
from apps.core.roles import require_curator
from apps.core.services import audit_record
from apps.corpus.models import SegmentRevision
from apps.corpus.services import segment_update
from apps.scoring.models import Candidate


class DecisionRefused(Conflict):
    """The decision does not apply to this candidate in its current state (409; the message says why)."""


@transaction.atomic
def candidate_accept(*, candidate_id: int, user, segment_version: int | None = None) -> Candidate:
    """Save the candidate as the segment's simplified text (a new revision attributed to the run).

    `segment_version`: the segment version the curator saw; a stale one raises the corpus app's
    StaleVersion and nothing changes. None: the current version.
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
    audit_record(actor=user, action="candidate.accept", obj=candidate, details={"run": candidate.run_id})
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
