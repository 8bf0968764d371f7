from django.db import migrations


def seed(apps, schema_editor):
    from apps.accounts.seed import DEFAULT_RATER_GROUPS

    RaterGroup = apps.get_model("accounts", "RaterGroup")
    for slug, name, description in DEFAULT_RATER_GROUPS:
        RaterGroup.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
