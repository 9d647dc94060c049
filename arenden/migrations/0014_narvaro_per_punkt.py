"""Presence that changed during a meeting becomes links to the items, not text matched against
the item's designation (which changes from its place on the föredragningslista to its
paragraph number when the protokoll is drawn up). Text that names no item of the meeting is
kept, word for word, as the närvaro's anteckning; so is the field history."""

import django.db.models.deletion
from django.db import migrations, models

ANTECKNING = models.CharField(
    blank=True,
    help_text=(
        "Det som protokollet ska säga om närvaron utöver punkterna, ordagrant (t.ex. "
        "frånvarande på punkt 7a i ett annat ärendes lista)."
    ),
    max_length=200,
    verbose_name="anteckning om närvaron",
)


def _fk(verbose_name, historical=False):
    if historical:
        return models.ForeignKey(
            blank=True,
            db_constraint=False,
            null=True,
            on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+",
            to="arenden.punkt",
            verbose_name=verbose_name,
        )
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="arenden.punkt",
        verbose_name=verbose_name,
    )


def till_punkter(apps, schema_editor):
    Punkt = apps.get_model("arenden", "Punkt")
    for modell in ("Deltagare", "HistoricalDeltagare"):
        Modell = apps.get_model("arenden", modell)
        andrade = Modell.objects.exclude(
            anslot_fran_text="", lamnade_efter_text="", franvarande_pa_text=""
        )
        for rad in andrade:
            punkter = {}
            for punkt in Punkt.objects.filter(sammantrade_id=rad.sammantrade_id):
                punkter.setdefault(str(punkt.ordning), punkt)
                if punkt.paragraf:
                    punkter[str(punkt.paragraf)] = punkt
            ovrigt, franvarande = [], []
            franv_text = [b.strip() for b in rad.franvarande_pa_text.split(",") if b.strip()]
            ej = [b for b in franv_text if b not in punkter]
            franvarande = [punkter[b] for b in franv_text if b in punkter]
            if ej:
                ovrigt.append("frånvarande på punkt " + ", ".join(ej))
            for falt, etikett in (
                ("anslot_fran", "anslöt från punkt"),
                ("lamnade_efter", "lämnade efter punkt"),
            ):
                text = getattr(rad, f"{falt}_text").strip()
                if text in punkter:
                    setattr(rad, f"{falt}_id", punkter[text].pk)
                elif text:
                    ovrigt.append(f"{etikett} {text}")
            rad.anteckning = ", ".join(ovrigt)[:200]
            rad.save(update_fields=["anslot_fran", "lamnade_efter", "anteckning"])
            if modell == "Deltagare" and franvarande:
                rad.franvarande_pa.set(franvarande)


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0013_kallelsemottagare"),
    ]

    operations = [
        *[
            migrations.RenameField(model_name=modell, old_name=falt, new_name=f"{falt}_text")
            for modell in ("deltagare", "historicaldeltagare")
            for falt in ("anslot_fran", "lamnade_efter", "franvarande_pa")
        ],
        migrations.AddField("deltagare", "anteckning", ANTECKNING),
        migrations.AddField("historicaldeltagare", "anteckning", ANTECKNING),
        migrations.AddField("deltagare", "anslot_fran", _fk("anslöt från punkt")),
        migrations.AddField("deltagare", "lamnade_efter", _fk("lämnade efter punkt")),
        migrations.AddField(
            "historicaldeltagare", "anslot_fran", _fk("anslöt från punkt", historical=True)
        ),
        migrations.AddField(
            "historicaldeltagare", "lamnade_efter", _fk("lämnade efter punkt", historical=True)
        ),
        migrations.AddField(
            "deltagare",
            "franvarande_pa",
            models.ManyToManyField(
                blank=True,
                related_name="+",
                to="arenden.punkt",
                verbose_name="frånvarande på punkt",
            ),
        ),
        migrations.RunPython(till_punkter, migrations.RunPython.noop),
        *[
            migrations.RemoveField(model_name=modell, name=f"{falt}_text")
            for modell in ("deltagare", "historicaldeltagare")
            for falt in ("anslot_fran", "lamnade_efter", "franvarande_pa")
        ],
    ]
