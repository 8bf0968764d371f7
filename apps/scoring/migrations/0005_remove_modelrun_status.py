"""ModelRun.status is its Job's (see 0004): the stored copy goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scoring", "0004_modelrun_jobs_for_runs_without_one")]

    operations = [migrations.RemoveField(model_name="modelrun", name="status")]
