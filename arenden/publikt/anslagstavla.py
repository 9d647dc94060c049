"""The anslagstavla: the justerade protokoll anyone may read (KL 8 kap. 12 §)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from arenden.dokument import services as dokument
from arenden.organisation.models import Organ
from arenden.sammantraden.models import Sammantrade

PER_SIDA = 25


def anslagstavla(request):
    """The digital anslagstavla, open to everyone: the coming fullmäktige meetings, with time,
    place and ärenden (KL 5 kap. 11 §), and the anslagna protokoll, with the day of anslag and
    the last day for laglighetsprövning (KL 8 kap. 12 §)."""
    kommande = (
        Sammantrade.objects.filter(
            state="kallat",
            organ__typ=Organ.Typ.FULLMAKTIGE,
            datum__gte=timezone.localdate(),
        )
        .select_related("organ")
        .prefetch_related("punkter__arende")
        .order_by("datum", "start")
    )
    qs = (
        Sammantrade.objects.filter(state="anslaget")
        .select_related("organ")
        .order_by("-anslaget", "-pk")
    )
    sida = Paginator(qs, PER_SIDA).get_page(request.GET.get("sida"))
    for mote in kommande:
        mote.rubriker = [
            dokument.punkt_rubrik(p, mote.organ, maskera=p.ar_sekretess) for p in mote.punkter.all()
        ]
    return render(request, "arenden/anslagstavla.html", {"sida": sida, "kommande": list(kommande)})


def publicerat_protokoll(request, pk, format):
    """The published protokoll, with secret content masked (OSL 5 kap. 5 §)."""
    s = get_object_or_404(Sammantrade, pk=pk, state="anslaget")
    return dokument.som_svar(dokument.protokoll(s, publik=True), format)
