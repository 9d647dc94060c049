"""The delegationsordning of a nämnd, and the delegat's page for a beslut on its behalf."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arenden.delegering import services
from arenden.delegering.forms import AvslutaPunktForm, DelegationsbeslutForm, DelegationspunktForm
from arenden.delegering.models import EJ_DELEGERBART, Delegationspunkt
from arenden.diarium.services import arendets_version
from arenden.gemensamt.forms import fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.vyer import arende_eller_404
from arenden.organisation.models import Organ
from workflow.middleware import REFUSALS, refusal


@login_required
@en_gang
def delegationsordning(request, kod):
    """A nämnd's delegationsordning, with what KL 6 kap. 38 § keeps from delegation. Every
    logged-in user reads it; the nämndsekreterare adds the rows the nämnd adopted and ends
    them (:func:`avsluta_delegationspunkt`). Rows are never deleted or edited: a changed row is
    the old one ended and a new one added, each with the nämnd's beslut. Its number of queries does
    not depend on how many rows there are."""
    organ = get_object_or_404(Organ, kod=kod)
    far_fora = services.far_fora_delegationsordning(request.user, organ)
    if request.method == "POST" and not far_fora:
        raise PermissionDenied(
            _("Bara nämndens nämndsekreterare för in punkter i delegationsordningen.")
        )
    form = DelegationspunktForm(request.POST or None, prefix="ny") if far_fora else None
    if request.method == "POST" and form.is_valid():
        try:
            punkt = services.lagg_till_delegationspunkt(
                organ, user=request.user, **form.cleaned_data
            )
        except (ValidationError, *REFUSALS) as err:
            fel(form, err)
        else:
            messages.success(request, _("Punkt %(nummer)s är införd.") % {"nummer": punkt.nummer})
            return redirect("arenden:delegationsordning", kod=organ.kod)
    punkter = Delegationspunkt.objects.filter(organ=organ).select_related("delegat", "ersattare")
    return render(
        request,
        "arenden/delegationsordning.html",
        {
            "organ": organ,
            "punkter": punkter,
            "ej_delegerbart": EJ_DELEGERBART,
            "form": form,
            "far_fora": far_fora,
            "idag": timezone.localdate(),
        },
    )


@login_required
@require_POST
@en_gang
def avsluta_delegationspunkt(request, kod, pk):
    """The nämndsekreterare ends a row by the nämnd's beslut: it holds to and including the
    date given, and is kept, with the beslut taken under it."""
    organ = get_object_or_404(Organ, kod=kod)
    punkt = get_object_or_404(Delegationspunkt, pk=pk, organ=organ)
    if not services.far_fora_delegationsordning(request.user, organ):
        raise PermissionDenied(
            _("Bara nämndens nämndsekreterare avslutar punkter i delegationsordningen.")
        )
    form = AvslutaPunktForm(request.POST)
    if not form.is_valid():
        for namn, fel_lista in form.errors.items():
            for text in fel_lista:
                falt = form.fields.get(namn)
                messages.error(request, f"{falt.label}: {text}" if falt else text)
        return redirect("arenden:delegationsordning", kod=organ.kod)
    try:
        services.avsluta_delegationspunkt(punkt, user=request.user, **form.cleaned_data)
    except (ValidationError, *REFUSALS) as err:
        texter = err.messages if isinstance(err, ValidationError) else [refusal(err) or str(err)]
        for text in texter:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Punkt %(nummer)s gäller till och med %(datum)s.")
            % {"nummer": punkt.nummer, "datum": f"{form.cleaned_data['datum']:%Y-%m-%d}"},
        )
    return redirect("arenden:delegationsordning", kod=organ.kod)


@login_required
@en_gang
def delegationsbeslut(request, pk):
    """The delegat (or ersättare) of a valid row decides in the ärende (KL 6 kap. 37 §); under
    a row for brådskande ärenden, the ordförande or ledamot it names (KL 6 kap. 39 §)."""
    arende = arende_eller_404(pk)
    punkter = services.mina_punkter(request.user, arende.organ, timezone.localdate())
    if not punkter.exists():
        raise PermissionDenied(_("Du är inte delegat för något beslut i den här nämnden."))
    form = DelegationsbeslutForm(
        request.POST or None,
        punkter=punkter,
        initial={"datum": timezone.localdate(), "version": arendets_version(arende)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            beslut = services.fatta_delegationsbeslut(
                arende, user=request.user, **form.cleaned_data
            )
        except (ValidationError, *REFUSALS) as err:
            fel(form, err)
        else:
            messages.success(
                request,
                _("%(slag)s är fattat.") % {"slag": beslut.get_slag_display().capitalize()},
            )
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {
            "arende": arende,
            "form": form,
            "rubrik": _("Fatta delegationsbeslut"),
            "forklaring": _(
                "Beslutet fattas på nämndens vägnar och anmäls vid dess nästa sammanträde "
                "(kommunallagen 6 kap. 37 och 40 §§). Enligt en punkt för brådskande ärenden "
                "är det ett ordförandebeslut (6 kap. 39 §)."
            ),
        },
    )
