"""The anslagstavla: the justerade protokoll anyone may read (KL 8 kap. 12 §)."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from arenden.diarium.services import oppna_intakt
from arenden.dokument import motesfiler
from arenden.dokument import services as dokument
from arenden.gemensamt.sidor import PER_SIDA
from arenden.organisation.models import Organ
from arenden.sammantraden.models import Protokollfil, Punkt, Sammantrade
from flows.namn import SammantradeStatus


def anslagstavla(request):
    """The digital anslagstavla, open to everyone: the coming fullmäktige meetings, with time,
    place and ärenden (KL 5 kap. 11 §), and the anslagna protokoll, with the day of anslag and
    the last day for laglighetsprövning (KL 8 kap. 12 §); and those of the coming meetings
    that were announced and then inställda."""
    kommande = (
        Sammantrade.objects.filter(
            state=SammantradeStatus.KALLAT,
            organ__typ=Organ.Typ.FULLMAKTIGE,
            datum__gte=timezone.localdate(),
        )
        .select_related("organ")
        .prefetch_related("punkter__arende")
        .order_by("datum", "start")
    )
    # one announced here and then inställt is said to be so until its day: the public, who
    # read the tillkännagivande, must not find the meeting simply gone (the arbetsordning's
    # announcement of a cancelled meeting, as the kallelse's under KL 5 kap. 11 §)
    installda = (
        Sammantrade.objects.filter(
            state=SammantradeStatus.INSTALLT,
            organ__typ=Organ.Typ.FULLMAKTIGE,
            datum__gte=timezone.localdate(),
            kallelsemottagare__isnull=False,
        )
        .distinct()
        .select_related("organ")
        .order_by("datum", "start")
    )
    qs = (
        Sammantrade.objects.filter(state=SammantradeStatus.ANSLAGET)
        .select_related("organ")
        .order_by("-anslaget", "-pk")
    )
    sida = Paginator(qs, PER_SIDA).get_page(request.GET.get("sida"))
    for mote in kommande:
        mote.rubriker = [
            dokument.punkt_rubrik(p, mote.organ, maskera=p.ar_sekretess) for p in mote.punkter.all()
        ]
    return render(
        request,
        "arenden/anslagstavla.html",
        {
            "sida": sida,
            "kommande": list(kommande),
            "installda": list(installda),
            "paragrafer": omedelbart_justerade(),
        },
    )


def omedelbart_justerade() -> list[Punkt]:
    """The paragraphs justerade at once (KL 5 kap. 69 §, 6 kap. 35 §) whose anslag is still up:
    a tillkännagivande stays on the anslagstavla until the time for laglighetsprövning has run
    out (KL 8 kap. 12 §, 13 kap. 5 §). One query; a secret ärende's rubrik is masked."""
    idag = timezone.localdate()
    # three weeks, and room for the roll-forward past a weekend or holiday (KL 13 kap. 5 §)
    fran = idag - datetime.timedelta(days=35)
    punkter = [
        p
        for p in Punkt.objects.filter(anslaget__gte=fran)
        .select_related("sammantrade__organ", "arende")
        .order_by("-anslaget", "-pk")
        if p.overklagande_senast >= idag
    ]
    for p in punkter:
        p.rubrik_publik = dokument.punkt_rubrik(p, p.sammantrade.organ, maskera=p.ar_sekretess)
    return punkter


def protokollfil_svar(rad: Protokollfil) -> FileResponse:
    """The filed protokoll as stored, with its checksum in a header for whoever verifies it;
    never a file that no longer has that checksum (swapped or damaged in the storage)."""
    fil = oppna_intakt(rad.fil, rad.sha256, f"protokollet version {rad.version}")
    svar = FileResponse(fil, as_attachment=True, filename=rad.filnamn)
    svar["Content-Type"] = "application/pdf"
    svar["X-Checksum-SHA256"] = rad.sha256
    return svar


def publicerat_protokoll(request, pk, format):
    """The published protokoll, with secret content masked (OSL 5 kap. 5 §). The PDF is the
    one filed when the protokoll was justerat (or its latest rättelse took effect), as stored,
    while it still masks all that is secret now; else, as Word always, the protokoll masked as
    it reads now (the filed file is the record and is never changed)."""
    s = get_object_or_404(Sammantrade, pk=pk, state=SammantradeStatus.ANSLAGET)
    if format == "pdf":
        senaste = s.protokollfiler.order_by("-version", "-publik").first()
        # the stored file only while it is what masking gives now
        if senaste is not None and not motesfiler.inaktuell_for_maskerad(
            dokument.med_allt(s), senaste
        ):
            return protokollfil_svar(senaste)
    return dokument.som_svar(dokument.protokoll(s, publik=True), format)
