"""The log of reads of secret content becomes a signed log (workflow.logs): each read is
signed and linked to the reader's previous one, and checkpoints record each reader's chain.
The reads logged before are signed as they stand. On PostgreSQL the trigger that refuses
UPDATE on the log (0056) is set aside for that one UPDATE, in this migration's transaction."""

from django.db import migrations, models

from workflow.logs import sign_rows

LASNINGAR = "arenden_sekretessatkomst"
LASNINGAR_TRIGGER = "sekretessatkomst_oforanderlig"


def signera(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    qn = schema_editor.quote_name
    if postgres:
        schema_editor.execute(
            f"ALTER TABLE {qn(LASNINGAR)} DISABLE TRIGGER {LASNINGAR_TRIGGER}", params=None
        )
    model = apps.get_model("arenden", "Sekretessatkomst")
    sign_rows(model, "anvandare_id", schema_editor.connection.alias)
    if postgres:
        schema_editor.execute(
            f"ALTER TABLE {qn(LASNINGAR)} ENABLE TRIGGER {LASNINGAR_TRIGGER}", params=None
        )


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0058_historik_for_protokoll_och_gallring'),
    ]

    operations = [
        migrations.AddField(
            model_name='sekretessatkomst',
            name='log_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='sekretessatkomst',
            name='log_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='sekretessatkomst',
            name='log_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.RunPython(signera, migrations.RunPython.noop),
    ]
