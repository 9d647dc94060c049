"""The pages of the förtroendevaldas portal, *Mina sammanträden* (see
:mod:`arenden.sammantraden.ledamot` for who sees what)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from arenden.diarium import services as diarium_services
from arenden.diarium.models import Handling, Sekretessatkomst
from arenden.dokument import motesfiler
from arenden.dokument import services as dokument
from arenden.gemensamt.sidor import PER_SIDA, sida_av
from arenden.sammantraden import ledamot, protokoll
from arenden.sammantraden.models import DELTAR_I, Punkt, Sammantrade


def _kräv_kallad(user, sammantrade) -> None:
    if not user.has_perm(ledamot.LAS, sammantrade):
        raise PermissionDenied(_("Du är inte kallad till det här sammanträdet."))


@login_required
def mina_sammantraden(request):
    """The ledamot's start page: each meeting with its kallelse, its items and their underlag
    (masked where secret unless the reader serves in the item) and, once justerat, the
    protokoll. The number of queries does not depend on the meetings, items or underlag."""
    sida = sida_av(ledamot.mina_sammantraden(request.user), request.GET.get("sida"), PER_SIDA)
    moten = ledamot.med_underlag(list(sida))
    hemliga = {
        p.arende_id
        for s in moten
        for p in s.punkter.all()
        if p.arende_id and (p.ar_sekretess or any(h.hemlig for h in p.arende.handlingar.all()))
    }
    behoriga = ledamot.sekretessbehoriga(request.user, hemliga)
    lasta = []  # the secret items shown unmasked: logged as read, as on the meeting page
    for s in moten:
        deltagare = list(s.deltagare.all())
        s.justerat_protokoll = s.state in ledamot.JUSTERADE
        for punkt in s.punkter.all():
            punkt.maskerad = punkt.ar_sekretess and not (
                punkt.arende_id in behoriga or ledamot.tjanstgor_i(request.user, punkt, deltagare)
            )
            punkt.rubrik_i_listan = dokument.punkt_rubrik(punkt, s.organ, punkt.maskerad)
            if punkt.arende_id and punkt.ar_sekretess and not punkt.maskerad:
                lasta.append(punkt.arende_id)
            punkt.underlag = []
            if punkt.arende_id and not punkt.struken:  # a struck item's underlag is not theirs
                for h in punkt.arende.handlingar.all():
                    h.maskerad = not ledamot.far_lasa_handling(
                        request.user, h, punkt, deltagare, behoriga
                    )
                    punkt.underlag.append(h)
    Sekretessatkomst.logga_arenden(request.user, lasta, Sekretessatkomst.Vad.SAMMANTRADE)
    return render(request, "arenden/mina_sammantraden.html", {"sida": sida, "moten": moten})


@login_required
def ledamot_dokument(request, pk, slag, format):
    """The kallelse, or the justerat protokoll, of a meeting the reader is kallad to; with
    the secret items masked unless the reader may read them all (as on the meeting page)."""
    s = get_object_or_404(Sammantrade.objects.select_related("organ", "arende"), pk=pk)
    _kräv_kallad(request.user, s)
    if slag == "protokoll" and s.state in ledamot.JUSTERADE:
        skriv = dokument.protokoll
    elif slag == "kallelse":
        skriv = dokument.kallelse
    else:
        raise Http404(_("Det finns inget sådant dokument för sammanträdet ännu."))
    allt = dokument.med_allt(s)
    deltagare = list(allt.deltagare.all())
    publik = protokoll.maskeras_for(request.user, allt.punkter.all(), deltagare)
    if not publik:
        motesfiler.logga_hela(request.user, allt.punkter.all())
    return dokument.som_svar(skriv(s, publik=publik), format)


@login_required
def underlag(request, pk, punkt):
    """The file of an underlag of an item on a meeting the reader is kallad to; a secret one
    only for who serves in the item or may read the ärende's secret content, and logged."""
    punkt = get_object_or_404(
        Punkt.objects.select_related("sammantrade", "arende").prefetch_related("jav"), pk=punkt
    )
    _kräv_kallad(request.user, punkt.sammantrade)
    if punkt.struken:
        # struck when the meeting was inställt: the ärende is no longer before these members
        raise Http404(_("Punkten är struken från föredragningslistan."))
    handling = get_object_or_404(
        Handling.objects.select_related("arende").defer("text"),
        pk=pk,
        arende_id=punkt.arende_id,
        typ__in=ledamot.UNDERLAG,
    )
    deltagare = list(
        punkt.sammantrade.deltagare.select_related(
            "person", "anslot_fran", "lamnade_efter"
        ).prefetch_related(*DELTAR_I)
    )
    behoriga = ledamot.sekretessbehoriga(request.user, [handling.arende_id])
    if not ledamot.far_lasa_handling(request.user, handling, punkt, deltagare, behoriga):
        raise PermissionDenied(_("Handlingen omfattas av sekretess."))
    if not handling.fil:
        raise Http404(_("Handlingen har ingen fil."))
    if handling.hemlig:
        Sekretessatkomst.logga(
            request.user, handling.arende, Sekretessatkomst.Vad.FIL, handling=handling
        )
    return FileResponse(
        diarium_services.oppna_intakt(
            handling.fil, handling.sha256, f"handlingen {handling.beteckning}"
        ),
        as_attachment=True,
        filename=handling.filnamn or handling.fil.name,
        content_type=handling.mediatyp or "application/octet-stream",
    )
