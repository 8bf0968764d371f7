"""Seed the three EquityMedQA rubrics and the simplification rubric (version 1 of each)."""

from django.db import migrations

from apps.reviews.seed import SEEDED_RUBRICS, rubrics_seed


def seed(apps, schema_editor):
    rubrics_seed(apps.get_model("reviews", "Rubric"))


def unseed(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    Rubric.objects.filter(name__in=[name for name, _, _ in SEEDED_RUBRICS], version=1, studies=None).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
