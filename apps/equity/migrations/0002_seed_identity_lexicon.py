from django.db import migrations


def seed(apps, schema_editor):
    from apps.equity.lexicon import DEFAULT_LEXICON

    IdentityAxis = apps.get_model("equity", "IdentityAxis")
    IdentityTerm = apps.get_model("equity", "IdentityTerm")
    for position, (slug, name, terms) in enumerate(DEFAULT_LEXICON):
        axis, _ = IdentityAxis.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
        for term in terms:
            if not IdentityTerm.objects.filter(term__iexact=term).exists():
                IdentityTerm.objects.create(axis=axis, term=term)


class Migration(migrations.Migration):
    dependencies = [("equity", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
