"""Stored candidate SARI values recomputed with the definition the field now names (issue 18).

Before this migration `Candidate.sari` came from a home-grown variant (every 0/0 counted as 0, keep/delete
counts pooled over n-grams, its own tokenizer) that the documentation called HF evaluate's. From now on
`sari` is HF evaluate's sentence SARI exactly (apps/metrics/sari.py), so every stored value is recomputed
against the reference text the candidate was scored with (`reference_version`: the segment's current
text, or that version from its revision history). Values whose reference version can no longer be found
are cleared rather than left under a name they do not match. Not reversible: the old numbers were not a
published definition."""

from django.db import migrations

CHUNK = 1000


def recompute(apps, schema_editor):
    from apps.metrics.sari import sari

    Candidate = apps.get_model("scoring", "Candidate")
    SegmentRevision = apps.get_model("corpus", "SegmentRevision")
    rows = Candidate.objects.filter(sari__isnull=False).select_related("segment").order_by("pk")
    batch = []
    for candidate in rows.iterator(chunk_size=CHUNK):
        segment = candidate.segment
        reference = None
        if candidate.reference_version is None or candidate.reference_version == segment.version:
            reference = segment.simplified
        else:
            reference = (
                SegmentRevision.objects.filter(segment_id=segment.pk, version=candidate.reference_version)
                .values_list("simplified", flat=True)
                .first()
            )
        if reference and reference.strip():
            score = sari(segment.original, candidate.text, [reference])
            candidate.sari, candidate.sari_parts = score.sari, score.parts()
        else:
            candidate.sari, candidate.sari_parts = None, {}
        batch.append(candidate)
        if len(batch) >= CHUNK:
            Candidate.objects.bulk_update(batch, ["sari", "sari_parts"])
            batch = []
    if batch:
        Candidate.objects.bulk_update(batch, ["sari", "sari_parts"])


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0001_initial"),
        ("scoring", "0007_training_registry_evaluation"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
