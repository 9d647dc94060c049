"""Each permission given (arenden.konto.behorigheter.Tilldelning) keeps the permission's name
("app_label.codename") beside its id, in its signed history: Django's table of permissions has
no history, and a permission renamed there (the revisor's right swapped with the
registrator's) handed the right to whoever held the id with nothing the check could see. Each
permission given before gets its name and a signed history row saying so, linked to its
newest."""

from django.db import migrations, models
from django.utils import timezone

from workflow import fieldhistory, hashing

ORSAK = "behörighetens namn förs in i historiken"


def namnge(apps, schema_editor):
    alias = schema_editor.connection.alias
    tilldelning = apps.get_model("arenden", "Tilldelning")
    historik = apps.get_model("arenden", "HistoricalTilldelning")
    signer = fieldhistory.Signer(historik)
    key_id, key = hashing.current_key()
    now = timezone.now()
    rader = tilldelning.objects.using(alias).order_by("pk")
    for rad in rader.select_related("behorighet__content_type"):
        behorighet = rad.behorighet
        rad.behorighet_kod = f"{behorighet.content_type.app_label}.{behorighet.codename}"
        rad.save(update_fields=["behorighet_kod"])
        prev = (
            historik.objects.using(alias)
            .filter(id=rad.pk)
            .order_by("-history_id")
            .values_list("history_mac", flat=True)
            .first()
        ) or ""
        ny = historik(
            id=rad.pk,
            anvandare_id=rad.anvandare_id,
            grupp_id=rad.grupp_id,
            behorighet_id=rad.behorighet_id,
            behorighet_kod=rad.behorighet_kod,
            history_date=now,
            history_type="~",
            history_change_reason=ORSAK,
            history_user_id=None,
            history_key_id=key_id,
            history_prev_mac=prev,
        )
        ny.history_mac = signer.mac(key, key_id, [getattr(ny, n) for n in signer.attnames], prev)
        ny.save(using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0069_sekretess_markerad_av_helt_namn"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltilldelning",
            name="behorighet_kod",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=255,
                verbose_name="behörighetens namn",
            ),
        ),
        migrations.AddField(
            model_name="tilldelning",
            name="behorighet_kod",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=255,
                verbose_name="behörighetens namn",
            ),
        ),
        migrations.RunPython(namnge, migrations.RunPython.noop),
    ]
