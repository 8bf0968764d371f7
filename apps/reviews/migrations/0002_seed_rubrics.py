"""Seed the three EquityMedQA rubrics and the simplification rubric (version 1 of each)."""

from django.db import migrations

from apps.reviews.rubric import definition_validate
from apps.reviews.seed import SEEDED_RUBRICS


def seed(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    for name, kind, definition in SEEDED_RUBRICS:
        if not Rubric.objects.filter(name=name).exists():
            Rubric.objects.create(name=name, kind=kind, version=1, definition=definition_validate(definition))


def unseed(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    Rubric.objects.filter(name__in=[name for name, _, _ in SEEDED_RUBRICS], version=1, studies=None).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
