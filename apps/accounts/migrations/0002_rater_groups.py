from django.db import migrations

GROUPS = [
    ("physician", "Physicians", "Practising physicians rating clinical accuracy and bias."),
    (
        "health-equity-expert",
        "Health-equity experts",
        "Experts in health equity and structural determinants.",
    ),
    ("consumer", "Consumers", "Members of the public reading the answers as patients would."),
]


def seed(apps, schema_editor):
    RaterGroup = apps.get_model("accounts", "RaterGroup")
    for slug, name, description in GROUPS:
        RaterGroup.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
