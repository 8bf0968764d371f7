"""The between-subjects design of a comprehension study, and the assignment engine's hooks for it.

**Design (seeded, balanced).** Each passage has two items, its original and its simplified version, each
with the same quota per rater group: when the study is complete every passage has been read in each
version by exactly `quota` raters of each group (balanced per text, enforced by the engine's quota slots).
The passages are shuffled with the study's seed and dealt into two blocks alternately (block sizes differ
by at most one). Raters of each group are dealt into two arms alternately, in the order they first ask
for an item (the first arm of each group drawn from the seed). A two-by-two Latin square decides what a
rater reads: arm 0 reads block 0 in the original and block 1 simplified, arm 1 the reverse — so each
rater reads about half of the texts in each version, and one version of each text.

**Never both, and why it holds under concurrency.**
1. The design gives each (rater, passage) exactly one version; the engine only offers slots of that
   version (`open_slots`), and the engine's unique (item, rater) constraint keeps the rater from the same
   item twice.
2. The arm is one row per (study, rater) — unique — and its place `index` is unique per (study, group):
   two first requests at once (same rater, or two raters of a group) cannot both insert, the loser's
   transaction rolls back with IntegrityError and the engine looks again, now reading the winner's row.
3. Independently of 1–2, every lease inserts an exposure row in the lease's own transaction, unique per
   (study, rater, passage). Two transactions that would give one rater both versions of a text — through
   any path, e.g. two parallel requests — insert the same key: PostgreSQL makes the second wait for the
   first and then fails it with a unique violation, so its lease rolls back whole. Pre-assignment, which
   would bypass the design, is refused for comprehension studies.
"""

import random

from django.db.models import Exists, OuterRef, Q

from apps.reviews.comprehension.models import (
    ComprehensionArm,
    ComprehensionExposure,
    ComprehensionItem,
    Version,
)


def designated_version(arm: int, block: int) -> str:
    """The version a rater in `arm` reads of a passage in `block` (the Latin square)."""
    return Version.ORIGINAL if arm == block else Version.SIMPLIFIED


def rater_arm(study, rater, group_id: int) -> int:
    """The rater's arm in `study`, dealt on first use: raters of a group alternate, the first arm of each
    group drawn from the study's seed. Raises IntegrityError when a concurrent request took the same
    place (the engine's lease retries)."""
    arm = ComprehensionArm.objects.filter(study=study, rater=rater).values_list("arm", flat=True).first()
    if arm is not None:
        return arm
    index = ComprehensionArm.objects.filter(study=study, group_id=group_id).count()
    first = random.Random(f"{study.seed}:arms:{group_id}").randrange(2)
    arm = (index + first) % 2
    ComprehensionArm.objects.create(study=study, rater=rater, group_id=group_id, index=index, arm=arm)
    return arm


def open_slots(study, rater, group_id: int, slots):
    """Engine hook: only the slots of the version the design gives this rater, of passages they have not
    been given in any version."""
    arm = rater_arm(study, rater, group_id)
    given = ComprehensionExposure.objects.filter(
        study=study, rater=rater, passage_id=OuterRef("item__comprehension__passage_id")
    )
    return slots.filter(
        Q(item__comprehension__block=arm, item__comprehension__version=Version.ORIGINAL)
        | Q(item__comprehension__block=1 - arm, item__comprehension__version=Version.SIMPLIFIED)
    ).filter(~Exists(given))


def leased(assignment) -> None:
    """Engine hook: record the exposure in the lease's transaction (unique per study, rater, passage)."""
    item = ComprehensionItem.objects.only("passage_id", "version").get(item_id=assignment.item_id)
    ComprehensionExposure.objects.create(
        study_id=assignment.study_id,
        rater_id=assignment.rater_id,
        passage_id=item.passage_id,
        assignment=assignment,
        version=item.version,
    )


def preassign_refusal(study) -> str:
    return (
        "Comprehension studies give each rater one version of each text by their design; items cannot be "
        "pre-assigned."
    )
