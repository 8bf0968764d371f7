"""Seed version 1 of the ELEVATE-AI LLMs checklist template (product data, not demo data)."""

from django.db import migrations


def seed(apps, schema_editor):
    from apps.elevate.checklist import elevate_seed

    elevate_seed(
        apps.get_model("elevate", "ChecklistTemplate"),
        apps.get_model("elevate", "ChecklistDomain"),
        apps.get_model("elevate", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("elevate", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
