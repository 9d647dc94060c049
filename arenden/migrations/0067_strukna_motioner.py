"""An anmälan of motioner struck with its meeting (the step *Ställ in*) keeps which motioner
it named (KL 5 kap. 35 §: struck from the list, each waits for the next meeting, so it is
untied from the item): the item's text still holds their mening and carries the secrecy of
each marked since (OSL 5 kap. 5 §).

The items struck before get the motioner back from the motioner's signed field history,
which records each under the item it was listed under. Their mirror in the item's signed
row stays empty, as an item struck before it was kept says (arenden.granskning.speglingar
judges only items struck since): writing it would take a new signed row in the item's
history with a date it was not struck on."""

from django.db import migrations, models


def fran_historiken(apps, schema_editor):
    Punkt = apps.get_model("arenden", "Punkt")
    Motion = apps.get_model("arenden", "Motion")
    HistoricalMotion = apps.get_model("arenden", "HistoricalMotion")
    strukna = Punkt.objects.filter(typ="anmalan_motioner", struken__isnull=False)
    for punkt in strukna.only("pk"):
        listade = HistoricalMotion.objects.filter(anmald_punkt_id=punkt.pk).values("id")
        punkt.strukna_motioner.set(Motion.objects.filter(pk__in=listade))


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0066_utskick_tagen'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpunkt',
            name='strukna_motioner_diarienummer',
            field=models.TextField(blank=True, editable=False, verbose_name='de strukna motionernas diarienummer'),
        ),
        migrations.AddField(
            model_name='punkt',
            name='strukna_motioner',
            field=models.ManyToManyField(blank=True, editable=False, related_name='+', to='arenden.motion', verbose_name='strukna motioner'),
        ),
        migrations.AddField(
            model_name='punkt',
            name='strukna_motioner_diarienummer',
            field=models.TextField(blank=True, editable=False, verbose_name='de strukna motionernas diarienummer'),
        ),
        migrations.RunPython(fran_historiken, migrations.RunPython.noop),
    ]
