"""The registrator's list of förslag to register where the matter goes on: an ärende
överlämnat to a higher organ (a nämnd's förslag to fullmäktige, beredd by the styrelse) is
registered in that organ's diarium as a new ärende, linked both ways, before it is closed
here (flows.arende.FORTSATTER_I_ANNAT_ORGAN)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arenden.diarium import services
from arenden.diarium.models import Arende
from arenden.gemensamt.forms import STORSTA_TAL
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA, sida_av
from arenden.gemensamt.tal import heltal
from arenden.gemensamt.vyer import roller_nagonstans
from arenden.handlaggning.models import Beslut
from arenden.organisation import roles
from arenden.organisation.models import Organ
from arenden.sammantraden.ledamot import sekretessbehoriga


def _kräv_registrator(user) -> None:
    if roles.REGISTRATOR not in roller_nagonstans(user):
        raise PermissionDenied(_("Förslagen registreras av registratorn."))


@login_required
def forslag_att_registrera(request):
    """Överlämnade ärenden whose förslag no diarium holds yet and that the user registers,
    each with the organs where it may go on (services.mottagande_organ), the styrelse first
    for a förslag to fullmäktige; the rubrik masked for who may not read it, asked once."""
    _kräv_registrator(request.user)
    qs = (
        services.forslag_att_registrera(request.user)
        .select_related("organ")
        .order_by("beslutat", "pk")
    )
    sida = sida_av(qs, request.GET.get("sida"), PER_SIDA)
    forslag = dict(
        Beslut.objects.filter(arende__in=[a.pk for a in sida], forslag_till__isnull=False)
        .order_by("arende_id", "pk")
        .values_list("arende_id", "forslag_till_id")
    )  # the newest förslag of each (later rows win)
    organ = list(Organ.objects.order_by("namn"))
    per_pk = {o.pk: o for o in organ}
    las = sekretessbehoriga(request.user, [a.pk for a in sida if a.ar_sekretessmarkerat])
    rader = []
    for arende in sida:
        till = per_pk.get(forslag.get(arende.pk))
        dit = services.mottagande_organ(till, arende.organ_id, organ) if till else []
        rubrik = arende.arendemening if arende.pk in las else arende.publik_rubrik
        rader.append({"arende": arende, "rubrik": rubrik, "organ": dit})
    return render(request, "arenden/forslag_att_registrera.html", {"sida": sida, "rader": rader})


@login_required
@require_POST
@en_gang
def registrera_forslag(request, pk):
    """Register the förslag of ``pk`` in the chosen organ's diarium (services.fortsatt_i)."""
    _kräv_registrator(request.user)
    arende = get_object_or_404(Arende, pk=pk)
    # an id is ASCII digits within what the database holds ("²", "١" or 10**30 is no organ)
    val = heltal(request.POST.get("organ", ""))
    organ = None
    if val is not None and val <= STORSTA_TAL:
        organ = Organ.objects.filter(pk=val).first()
    if organ is None:  # which organ it may go to is fortsatt_i's to say
        messages.error(request, _("Välj det organ där ärendet fortsätter."))
        return redirect("arenden:forslag_att_registrera")
    try:
        fortsattning = services.fortsatt_i(
            arende, organ=organ, user=request.user, avsandare=arende.organ.namn
        )
    except (ValidationError, PermissionDenied) as err:
        fel = err.messages[0] if isinstance(err, ValidationError) else str(err)
        messages.error(request, fel)
        return redirect("arenden:forslag_att_registrera")
    messages.success(
        request,
        _("%(fran)s är registrerat i diariet hos %(organ)s som %(dnr)s.")
        % {
            "fran": arende.diarienummer,
            "organ": organ.namn,
            "dnr": fortsattning.diarienummer,
        },
    )
    return redirect("arenden:arende", pk=fortsattning.pk)
