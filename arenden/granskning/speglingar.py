"""What the protokoll is computed from, compared with what its signed history records.

Three many-to-many relations decide what a meeting's documents say and what of them is
secret: who was absent from which item (``Deltagare.franvarande_pa``: who served, whether
the organ could decide, KL 5 kap. 45 §), an item's bilagor (``Punkt.bilagor``) and the
motioner a struck anmälan named (``Punkt.strukna_motioner``, KL 5 kap. 35 §). A many-to-many
has no field history, so each is mirrored in a field of its row's signed history
(``franvarande_punkter``, ``bilagor_beteckningar``, ``strukna_motioner_diarienummer``)
whenever the system changes it. A row put in the relation's table
beside the system changed the protokoll with no record of it; this compares each relation
with its mirror, for the whole check of the history (``WORKFLOW_LIVE_CHECKS``,
workflow.history.verify).

A mirror is only as old as its migration (0055, and 0067 for the struck motioner): a
närvaro row last changed, or an item put on the list or struck, before it has an empty one
that says nothing, and is not judged.
"""

from __future__ import annotations

from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max, Min

from arenden.sammantraden.models import Deltagare, Punkt

SPEGLINGEN = "0055_franvaro_och_bilagor_i_historiken"
STRUKNA = "0067_strukna_motioner"

_AVVIKER = (
    "{vad} ({nu}) är inte vad radens historik säger ({da}): ändrat i databasen utan att "
    "historiken skrevs"
)


def _sedan(migrering: str = SPEGLINGEN):
    """When a mirror began to be kept (its migration's time), None if it is unknown."""
    return (
        MigrationRecorder.Migration.objects.filter(app="arenden", name=migrering)
        .values_list("applied", flat=True)
        .first()
    )


def avvikelser() -> list[tuple]:
    """Each närvaro row and item whose relation differs from its signed mirror, as
    (label, id, 0, newest history id, reason), as workflow.fieldhistory.compare_live gives
    them."""
    sedan = _sedan()
    if sedan is None:
        return []
    from arenden.sammantraden.protokoll import _platser

    found = []
    senast = {
        pk: (nar, rad)
        for pk, nar, rad in Deltagare.history.values("id")
        .annotate(nar=Max("history_date"), rad=Max("history_id"))
        .values_list("id", "nar", "rad")
    }
    for d in Deltagare.objects.prefetch_related("franvarande_pa").order_by("pk"):
        nar, rad = senast.get(d.pk, (None, 0))
        if nar is None or nar < sedan:
            continue
        nu = _platser(d.franvarande_pa.all())
        if nu != d.franvarande_punkter:
            found.append(
                (
                    "arenden.deltagare",
                    d.pk,
                    0,
                    rad,
                    _AVVIKER.format(vad="frånvaron", nu=nu or "–", da=d.franvarande_punkter or "–"),
                )
            )
    skapad = dict(
        Punkt.history.filter(history_type="+")
        .values("id")
        .annotate(nar=Min("history_date"))
        .values_list("id", "nar")
    )
    for p in Punkt.objects.prefetch_related("bilagor__arende").order_by("pk"):
        if skapad.get(p.pk) is None or skapad[p.pk] < sedan:
            continue
        bilagor = sorted(h.beteckning for h in p.bilagor.all())
        da = sorted(b for b in p.bilagor_beteckningar.split(", ") if b)
        if bilagor != da:
            nu = ", ".join(bilagor)
            found.append(
                (
                    "arenden.punkt",
                    p.pk,
                    0,
                    0,
                    _AVVIKER.format(
                        vad="bilagorna", nu=nu or "–", da=p.bilagor_beteckningar or "–"
                    ),
                )
            )
    strukna_sedan = _sedan(STRUKNA)
    if strukna_sedan is None:
        return found
    # every item not struck before the mirror was kept: one on the list has none
    for p in (
        Punkt.objects.exclude(struken__lt=strukna_sedan)
        .prefetch_related("strukna_motioner__arende")
        .order_by("pk")
    ):
        motioner = sorted(str(m.arende.diarienummer) for m in p.strukna_motioner.all())
        da = sorted(d for d in p.strukna_motioner_diarienummer.split(", ") if d)
        if motioner != da:
            nu = ", ".join(motioner)
            found.append(
                (
                    "arenden.punkt",
                    p.pk,
                    0,
                    0,
                    _AVVIKER.format(
                        vad="de strukna motionerna",
                        nu=nu or "–",
                        da=p.strukna_motioner_diarienummer or "–",
                    ),
                )
            )
    return found
