"""The archived protokoll files and the gallring records get a signed field history, as
every other record of the meeting and the diarium has: a file swapped together with the
checksum in its row, or a gallring record rewritten, is found by the history's check
(workflow.fieldhistory.compare_live) instead of vouched for by the row it rewrote.

Every row of a tracked model that has no history yet (these three's rows, and the
klassificeringsstruktur and dokumenthanteringsplan that 0051 gave a history without rows)
gets a signed first row, so that a row with none is from now on a finding: written beside
the system. On PostgreSQL the new history tables refuse DELETE, as the others do (0056)."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from workflow import fieldhistory


NYA = ["historicalprotokollfil", "historicalgallringsbeslut", "historicalgallradhandling"]
ORSAK = "fanns innan historiken fördes"


def forsta_raderna(apps, schema_editor):
    using = schema_editor.connection.alias
    for model in apps.get_app_config("arenden").get_models():
        if model._meta.model_name.startswith("historical"):
            fieldhistory.record_unrecorded(model, using, ORSAK)


def skydda(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    for namn in NYA:
        tabell = apps.get_model("arenden", namn)._meta.db_table
        schema_editor.execute(
            f"CREATE TRIGGER historik_ingen_delete BEFORE DELETE ON {qn(tabell)} "
            "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
            params=None,
        )


def ta_bort_skydd(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    for namn in NYA:
        tabell = apps.get_model("arenden", namn)._meta.db_table
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS historik_ingen_delete ON {qn(tabell)}", params=None
        )


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0057_motets_tidslinje_i_lasloggen"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalGallradHandling",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_key_id",
                    models.CharField(
                        blank=True, default="", editable=False, max_length=32, verbose_name="nyckel"
                    ),
                ),
                (
                    "history_prev_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="föregående rads signatur",
                    ),
                ),
                (
                    "history_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="signatur",
                    ),
                ),
                ("beteckning", models.CharField(max_length=60, verbose_name="beteckning")),
                ("titel", models.CharField(max_length=500, verbose_name="titel")),
                ("typ", models.CharField(max_length=30, verbose_name="typ")),
                ("datum", models.DateField(verbose_name="datum")),
                ("filnamn", models.CharField(max_length=255, verbose_name="filnamn")),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                (
                    "storlek",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="storlek (byte)"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "gallring",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="arenden.gallringsbeslut",
                    ),
                ),
                (
                    "handling",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="arenden.handling",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical gallrad handling",
                "verbose_name_plural": "historical gallrade handlingar",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalGallringsbeslut",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_key_id",
                    models.CharField(
                        blank=True, default="", editable=False, max_length=32, verbose_name="nyckel"
                    ),
                ),
                (
                    "history_prev_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="föregående rads signatur",
                    ),
                ),
                (
                    "history_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="signatur",
                    ),
                ),
                (
                    "beslut",
                    models.TextField(
                        help_text="Vilket beslut gallringen stöds av, t.ex. RS 2024-05-12 § 45.",
                        verbose_name="beslut",
                    ),
                ),
                (
                    "genomfort",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="genomförd"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "genomfort_av",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="genomförd av",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical gallring",
                "verbose_name_plural": "historical gallringar",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProtokollfil",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_key_id",
                    models.CharField(
                        blank=True, default="", editable=False, max_length=32, verbose_name="nyckel"
                    ),
                ),
                (
                    "history_prev_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="föregående rads signatur",
                    ),
                ),
                (
                    "history_mac",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        max_length=64,
                        verbose_name="signatur",
                    ),
                ),
                ("version", models.PositiveSmallIntegerField(verbose_name="version")),
                ("publik", models.BooleanField(default=False, verbose_name="sekretess maskerad")),
                ("fil", models.TextField(max_length=100, verbose_name="fil")),
                ("filnamn", models.CharField(max_length=255, verbose_name="filnamn")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("skapad", models.DateTimeField(verbose_name="arkiverad")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "rattelse",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="arenden.rattelse",
                        verbose_name="efter rättelse",
                    ),
                ),
                (
                    "sammantrade",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="arenden.sammantrade",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical arkiverat protokoll",
                "verbose_name_plural": "historical arkiverade protokoll",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forsta_raderna, migrations.RunPython.noop),
        migrations.RunPython(skydda, ta_bort_skydd),
    ]
