"""The delegationsordning of a nämnd, and the delegat's page for a beslut on its behalf."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.delegering import services
from arenden.delegering.forms import DelegationsbeslutForm
from arenden.delegering.models import EJ_DELEGERBART, Delegationspunkt
from arenden.gemensamt.forms import fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.vyer import arende_eller_404
from arenden.organisation.models import Organ
from workflow.middleware import REFUSALS


@login_required
def delegationsordning(request, kod):
    """A nämnd's delegationsordning, with what KL 6 kap. 38 § keeps from delegation."""
    organ = get_object_or_404(Organ, kod=kod)
    punkter = Delegationspunkt.objects.filter(organ=organ).select_related("delegat", "ersattare")
    return render(
        request,
        "arenden/delegationsordning.html",
        {"organ": organ, "punkter": punkter, "ej_delegerbart": EJ_DELEGERBART},
    )


@login_required
@en_gang
def delegationsbeslut(request, pk):
    """The delegat (or ersättare) of a valid row decides in the ärende (KL 6 kap. 37 §)."""
    arende = arende_eller_404(pk)
    punkter = services.mina_punkter(request.user, arende.organ, timezone.localdate())
    if not punkter.exists():
        raise PermissionDenied(_("Du är inte delegat för något beslut i den här nämnden."))
    form = DelegationsbeslutForm(
        request.POST or None, punkter=punkter, initial={"datum": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.fatta_delegationsbeslut(arende, user=request.user, **form.cleaned_data)
        except (ValidationError, *REFUSALS) as err:
            fel(form, err)
        else:
            messages.success(request, _("Delegationsbeslutet är fattat."))
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
                "(kommunallagen 6 kap. 37 och 40 §§)."
            ),
        },
    )
