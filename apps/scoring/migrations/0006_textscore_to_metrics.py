"""The text-score cache moves to the metrics app (metrics 0001 takes the model over): the table
`scoring_textscore` and its rows stay as they are; only Django's record of which app owns it changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scoring", "0005_remove_modelrun_status")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TextScore")], database_operations=[]
        )
    ]
