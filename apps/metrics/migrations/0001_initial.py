"""TextScore, taken over from the scoring app (scoring 0006): the existing table `scoring_textscore`
and its rows are kept; nothing is created in the database."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("scoring", "0006_textscore_to_metrics")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TextScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sha256", models.CharField(max_length=64, unique=True)),
                        (
                            "engine",
                            models.CharField(
                                help_text="textstat version + readability module revision", max_length=40
                            ),
                        ),
                        ("metrics", models.JSONField()),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                    ],
                    options={"verbose_name": "text score", "db_table": "scoring_textscore"},
                )
            ],
            database_operations=[],
        )
    ]
