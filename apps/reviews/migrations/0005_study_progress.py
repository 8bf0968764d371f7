"""Study progress counters (`StudyProgress`) kept by triggers on `reviews_itemslot`, filled from the
slots that exist.

Inserted slots (a launch, an item that becomes regular) add their quota and submitted counts to shard 0
in one statement-level trigger per INSERT; deleted slots (an item that becomes gold or practice, a
deleted study) subtract them from shard 0 (an UPDATE only: a study being deleted never gets new counter
rows); an update that changes a slot's `submitted` or `quota` adds the difference to shard `id % 8`
(row-level with a column list and a WHEN, so the submit path pays one upsert, and updates of `taken`
alone — leases, skips, expiry — fire nothing; PostgreSQL allows no transition table with a column
list). Slots never move between studies or groups.

One statement that changes `submitted` on many slots of a study in one transaction updates the same
few counter rows once per slot, and their version chains grow: the product never does that (a submit
changes one slot); a bulk repair should disable `reviews_progress_slot_counted` and re-sum the counters
as the last statement below does (bench/rating_bench.py does so for its bulk load).
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION reviews_progress_slots_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reviews_studyprogress (study_id, group_id, shard, needed, submitted)
    SELECT study_id, group_id, 0, SUM(quota), SUM(submitted) FROM new_slots GROUP BY study_id, group_id
    ORDER BY study_id, group_id
    ON CONFLICT (study_id, group_id, shard) DO UPDATE
        SET needed = reviews_studyprogress.needed + EXCLUDED.needed,
            submitted = reviews_studyprogress.submitted + EXCLUDED.submitted;
    RETURN NULL;
END $$;

CREATE TRIGGER reviews_progress_slots_inserted AFTER INSERT ON reviews_itemslot
    REFERENCING NEW TABLE AS new_slots FOR EACH STATEMENT
    EXECUTE FUNCTION reviews_progress_slots_inserted();

CREATE FUNCTION reviews_progress_slots_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reviews_studyprogress AS progress
        SET needed = progress.needed - gone.needed, submitted = progress.submitted - gone.submitted
        FROM (
            SELECT study_id, group_id, SUM(quota) AS needed, SUM(submitted) AS submitted
            FROM old_slots GROUP BY study_id, group_id
        ) AS gone
        WHERE progress.study_id = gone.study_id AND progress.group_id = gone.group_id AND progress.shard = 0;
    RETURN NULL;
END $$;

CREATE TRIGGER reviews_progress_slots_deleted AFTER DELETE ON reviews_itemslot
    REFERENCING OLD TABLE AS old_slots FOR EACH STATEMENT
    EXECUTE FUNCTION reviews_progress_slots_deleted();

CREATE FUNCTION reviews_progress_slot_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reviews_studyprogress (study_id, group_id, shard, needed, submitted)
    VALUES (NEW.study_id, NEW.group_id, NEW.id % 8, NEW.quota - OLD.quota, NEW.submitted - OLD.submitted)
    ON CONFLICT (study_id, group_id, shard) DO UPDATE
        SET needed = reviews_studyprogress.needed + EXCLUDED.needed,
            submitted = reviews_studyprogress.submitted + EXCLUDED.submitted;
    RETURN NULL;
END $$;

CREATE TRIGGER reviews_progress_slot_counted AFTER UPDATE OF submitted, quota ON reviews_itemslot
    FOR EACH ROW WHEN (OLD.submitted IS DISTINCT FROM NEW.submitted OR OLD.quota IS DISTINCT FROM NEW.quota)
    EXECUTE FUNCTION reviews_progress_slot_counted();

INSERT INTO reviews_studyprogress (study_id, group_id, shard, needed, submitted)
SELECT study_id, group_id, 0, SUM(quota), SUM(submitted) FROM reviews_itemslot GROUP BY study_id, group_id;
"""

DROP_TRIGGERS = """
DROP TRIGGER reviews_progress_slot_counted ON reviews_itemslot;
DROP FUNCTION reviews_progress_slot_counted();
DROP TRIGGER reviews_progress_slots_deleted ON reviews_itemslot;
DROP FUNCTION reviews_progress_slots_deleted();
DROP TRIGGER reviews_progress_slots_inserted ON reviews_itemslot;
DROP FUNCTION reviews_progress_slots_inserted();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_invitations"),
        ("reviews", "0004_quality_control"),
    ]

    operations = [
        migrations.CreateModel(
            name="StudyProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("needed", models.IntegerField(default=0)),
                ("submitted", models.IntegerField(default=0)),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.ratergroup",
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="reviews.study"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("study", "group", "shard"), name="reviews_progress_unique_shard"
                    )
                ],
            },
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
