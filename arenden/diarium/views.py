"""The registrator's pages: registering an ärende and a handling, reading a stored file, the list of
late registrations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from arenden.diarium import services
from arenden.diarium.forms import HandlingForm, RegistreraForm
from arenden.diarium.models import Handling, Sekretessatkomst
from arenden.diarium.services import sent_grans, sent_registrerade_qs
from arenden.dokument import motesfiler
from arenden.gemensamt.forms import fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA, sida_av
from arenden.gemensamt.vyer import (
    DIARIEFORARE,
    arende_eller_404,
    kontrollera_sidbehorighet,
    roller_nagonstans,
)
from arenden.motion import services as motion_services


@login_required
def handling_fil(request, pk):
    """Download a handling's file; sekretess-marked ones only for who may read them."""
    handling = get_object_or_404(Handling.objects.select_related("arende"), pk=pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", handling.arende)
    hemlig = handling.hemlig
    if not handling.fil:  # gallrad: nothing to hand out, masked or not
        raise Http404(_("Handlingen har ingen fil."))
    # a meeting's kallelse or protokoll: what is secret in it is decided now, from its items
    md = motesfiler.motesdokument(request.user, handling)
    if md is not None:
        if not md.hela:
            return motesfiler.maskerat_svar(md)
        hemlig = md.hemligt
    elif hemlig:
        kontrollera_sidbehorighet(request.user, "arenden.view_sekretess", handling.arende)
    if hemlig:
        Sekretessatkomst.logga(
            request.user, handling.arende, Sekretessatkomst.Vad.FIL, handling=handling
        )
    return FileResponse(
        services.oppna_intakt(handling.fil, handling.sha256, f"handlingen {handling.beteckning}"),
        as_attachment=True,
        filename=handling.filnamn or handling.fil.name,
        content_type=handling.mediatyp or "application/octet-stream",
    )


@login_required
@en_gang
def ny_handling(request, pk):
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.add_handling", arende)
    form = HandlingForm(
        request.POST or None,
        request.FILES or None,
        initial={"version": services.arendets_version(arende)},
    )
    if request.method == "POST" and form.is_valid():
        falt = dict(form.cleaned_data)
        fil = falt.pop("fil")
        try:
            services.lagg_till_handling(arende, user=request.user, fil=fil, **falt)
        except ValidationError as err:
            fel(form, err)
            if isinstance(err, services.Inaktuell) and fil:
                form.add_error(
                    "fil",
                    _("Välj filen igen: webbläsaren skickar inte en vald fil en gång till."),
                )
        else:
            messages.success(request, _("Handlingen är registrerad."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {
            "arende": arende,
            "form": form,
            "rubrik": _("Ny handling"),
            "multipart": True,
        },
    )


@login_required
@en_gang
def registrera(request):
    """The registrator registers a new ärende in an organ's diarium series."""
    if not request.user.has_perm("arenden.add_arende"):
        raise PermissionDenied(_("Bara registratorn registrerar ärenden."))
    form = RegistreraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            arende = motion_services.registrera_fran_formular(
                user=request.user, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as err:
            fel(form, err if isinstance(err, ValidationError) else ValidationError(str(err)))
        else:
            messages.success(
                request, _("Registrerat som %(nummer)s.") % {"nummer": arende.diarienummer}
            )
            return redirect("arenden:arende", pk=arende.pk)
    return render(request, "arenden/registrera.html", {"form": form})


@login_required
def sent_registrerade(request):
    """The registrator's list of handlingar registered late (OSL 5 kap. 1 §)."""
    if not DIARIEFORARE & roller_nagonstans(request.user):
        raise PermissionDenied(_("Listan är för registratorn, stabschefen och revisorn."))
    qs = (
        sent_registrerade_qs(request.user)
        .select_related("arende__organ", "registrerad_av")
        .order_by("-registrerad", "-pk")
    )
    sida = sida_av(qs, request.GET.get("sida"), PER_SIDA)
    return render(
        request,
        "arenden/sent_registrerade.html",
        {"sida": sida, "grans": sent_grans()},
    )
