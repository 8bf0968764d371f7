"""Rater-facing title and instructions, separate from the internal name and description. Existing
studies get the neutral title "Study <id>": their internal names may name the models compared."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_study_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="study",
            name="rater_instructions",
            field=models.TextField(blank=True, help_text="What raters read before and while rating."),
        ),
        migrations.AddField(
            model_name="study",
            name="rater_title",
            field=models.CharField(
                blank=True, help_text='The title raters see (empty: "Study <number>").', max_length=200
            ),
        ),
        migrations.RunSQL(
            "UPDATE reviews_study SET rater_title = 'Study ' || id WHERE rater_title = ''",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
