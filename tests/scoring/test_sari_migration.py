"""The data migration that recomputes stored candidate SARI under the definition the field now names."""

import importlib

import pytest
from django.apps import apps as django_apps

from apps.corpus import services as corpus_services
from apps.metrics.sari import sari
from tests.scoring.factories import CandidateFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("apps.scoring.migrations.0008_candidate_sari_hf_definition")


def test_old_values_are_recomputed_against_the_reference_version_they_were_scored_with(curator, segments):
    current, edited = segments
    scored_now = CandidateFactory(
        segment=current, text="Never take 4 grams a day.", sari=12.3, reference_version=current.version
    )
    old_reference = edited.simplified
    scored_before = CandidateFactory(
        segment=edited, text="Start at 45.", sari=45.6, reference_version=edited.version
    )
    corpus_services.segment_update(
        segment_id=edited.pk, user=curator, version=edited.version, simplified="Get checked from age 45."
    )
    gone = CandidateFactory(segment=current, index=1, text="x", sari=1.0, reference_version=99)

    migration.recompute(django_apps, None)

    for candidate in (scored_now, scored_before, gone):
        candidate.refresh_from_db()
    assert scored_now.sari == pytest.approx(
        sari(current.original, scored_now.text, [current.simplified]).sari
    )
    assert scored_before.sari == pytest.approx(sari(edited.original, "Start at 45.", [old_reference]).sari)
    assert set(scored_before.sari_parts) == {"add", "keep", "delete"}
    assert gone.sari is None and gone.sari_parts == {}
