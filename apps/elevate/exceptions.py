"""The elevate app's refusals, `apps.core.errors.ServiceError`s: the API answers each with its status and
the one error body; the pages show its message."""

from apps.core.errors import Conflict, ServiceError


class AssessmentLocked(Conflict):
    """The assessment is submitted (409): it can be read, and revised into a new draft, but not edited."""

    def __init__(self, assessment):
        self.assessment = assessment
        super().__init__(
            f"Assessment #{assessment.pk} was submitted on {assessment.submitted_at:%Y-%m-%d %H:%M} and is "
            "frozen; start a revision to change its answers."
        )


class AssessmentRefused(ServiceError):
    """The assessment cannot take this step yet (400): an item is unanswered, a draft is revised."""
