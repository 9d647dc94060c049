"""Secrecy as pages: the handläggare's prövning of a marking (made, changed or lifted), and the
revisor's list of who has read sekretess-marked content."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arenden.diarium import services
from arenden.diarium.models import Arende, Handling, Sekretessatkomst
from arenden.gemensamt.forms import Formular, fel, versionsfalt
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA


class SekretessForm(Formular):
    handling = forms.ModelChoiceField(
        queryset=Handling.objects.none(),
        required=False,
        label=gettext_lazy("Gäller"),
        empty_label=gettext_lazy("Hela ärendet"),
    )
    lagrum = forms.CharField(
        label=gettext_lazy("Sekretess enligt"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("T.ex. OSL 25 kap. 1 §. Lämna tomt för att häva markeringen."),
    )
    offentlig_rubrik = forms.CharField(
        label=gettext_lazy("Offentlig rubrik"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Det som visas i postlistan i stället för det hemliga."),
    )
    motivering = forms.CharField(
        label=gettext_lazy("Motivering"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Varför markeringen görs, ändras eller hävs; sparas i historiken."),
    )
    version = versionsfalt()

    def __init__(self, *args, arende=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling"].queryset = arende.handlingar.order_by("nummer")
        self.fields["handling"].label_from_instance = lambda h: f"{h.nummer}. {h.titel}"


@login_required
@en_gang
def sekretess(request, pk):
    """Mark, re-mark or lift the marking of the ärende or one of its handlingar."""
    arende = get_object_or_404(Arende, pk=pk)
    if not request.user.has_perm("arenden.sekretessmarkera", arende):
        raise PermissionDenied(_("Du får inte pröva sekretessmarkeringen i det här ärendet."))
    form = SekretessForm(
        request.POST or None,
        arende=arende,
        initial={"version": services.arendets_version(arende)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.andra_sekretess(
                data["handling"] or arende,
                user=request.user,
                lagrum=data["lagrum"],
                motivering=data["motivering"],
                offentlig_rubrik=data["offentlig_rubrik"],
                version=data["version"],
            )
        except ValidationError as err:
            fel(form, err)
        else:
            messages.success(request, _("Sekretessmarkeringen är prövad och sparad."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {"arende": arende, "form": form, "rubrik": _("Pröva sekretessmarkering")},
    )


@login_required
def sekretessatkomst(request):
    """The revisor's list: who has read sekretess-marked content, when, and what. Asked as
    the granskningslogg asks (the revisor's right, arenden.organisation.roles.RATTIGHETER): a
    role on one ärende opens neither."""
    if not request.user.has_perm("workflow.view_workflowhistory"):
        raise PermissionDenied(_("Listan är för revisorn."))
    qs = Sekretessatkomst.objects.select_related("anvandare", "arende", "handling")
    sida = Paginator(qs, PER_SIDA).get_page(request.GET.get("sida"))
    return render(request, "arenden/sekretessatkomst.html", {"sida": sida})
