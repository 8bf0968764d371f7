"""Onboarding per study: instructions and a consent text, versioned, that a rater accepts before their
first item (and again whenever a curator publishes a new version), and practice items.

Practice items are study items with role `practice`: the engine serves each one once to every rater
before any other item, they have no quota slots, and results, agreement, flags and completion leave
them out. The rater's page and API say "Practice item" on them (unlike gold items, which look like any
other item).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from apps.core.services import audit_record
from apps.reviews.models import ConsentAcceptance, ConsentVersion, Study

CONSENT_MAX_LENGTH = 20_000


def consent_current(study: Study) -> ConsentVersion | None:
    """The study's current (latest) consent version, or None when the study asks for no consent."""
    return ConsentVersion.objects.filter(study=study).order_by("-version").first()


def consent_pending(study: Study, rater) -> ConsentVersion | None:
    """The current consent version when `rater` has not accepted it yet; None when nothing is pending."""
    current = consent_current(study)
    if current is None:
        return None
    if ConsentAcceptance.objects.filter(consent=current, rater=rater).exists():
        return None
    return current


def consent_accepted(study: Study, rater) -> ConsentAcceptance | None:
    """The rater's acceptance of the current version, if any."""
    current = consent_current(study)
    if current is None:
        return None
    return ConsentAcceptance.objects.filter(consent=current, rater=rater).first()


@transaction.atomic
def consent_publish(*, study: Study, instructions: str, consent_text: str, actor) -> ConsentVersion:
    """Publish the next version of the study's instructions and consent text; returns it.

    Publishing the same texts again changes nothing and returns the current version. Raters must accept
    a new version before their next item.
    """
    study = Study.objects.select_for_update().get(pk=study.pk)
    instructions = (instructions or "").strip()
    consent_text = (consent_text or "").strip()
    errors = {}
    if not consent_text:
        errors["consent_text"] = ["Write the consent text raters must accept."]
    elif len(consent_text) > CONSENT_MAX_LENGTH:
        errors["consent_text"] = [f"At most {CONSENT_MAX_LENGTH} characters; it has {len(consent_text)}."]
    if len(instructions) > CONSENT_MAX_LENGTH:
        errors["instructions"] = [f"At most {CONSENT_MAX_LENGTH} characters; it has {len(instructions)}."]
    if study.status == Study.Status.CLOSED:
        errors["study"] = [f'The study "{study.name}" is closed.']
    if errors:
        raise ValidationError(errors)
    current = consent_current(study)
    if current is not None and (current.instructions, current.consent_text) == (instructions, consent_text):
        return current
    last = ConsentVersion.objects.filter(study=study).aggregate(v=Max("version"))["v"] or 0
    version = ConsentVersion.objects.create(
        study=study,
        version=last + 1,
        instructions=instructions,
        consent_text=consent_text,
        created_by=actor,
    )
    audit_record(actor=actor, action="study.consent_publish", obj=study, details={"version": version.version})
    return version


@transaction.atomic
def consent_accept(*, study: Study, rater, version: int) -> ConsentAcceptance:
    """Record that `rater` accepted `version` of the study's consent (idempotent); returns the record.

    The version must be the current one: accepting a text the rater was not shown is refused.
    """
    current = consent_current(study)
    if current is None:
        raise ValidationError({"version": ["This study asks for no consent."]})
    if version != current.version:
        raise ValidationError(
            {
                "version": [
                    f"The consent text is now version {current.version} (you accepted {version}); "
                    "read the current text and accept it."
                ]
            }
        )
    acceptance, created = ConsentAcceptance.objects.get_or_create(
        consent=current, rater=rater, defaults={"study": study, "version": current.version}
    )
    if created:
        audit_record(
            actor=rater, action="study.consent_accept", obj=study, details={"version": current.version}
        )
    return acceptance
