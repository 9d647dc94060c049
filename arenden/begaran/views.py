"""Pages for requests for allmänna handlingar (TF 2 kap. 15–18 §§, OSL 6 kap.)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arenden.begaran import services as tjanst
from arenden.begaran.models import Begaran, BegardHandling
from arenden.diarium.models import Arende, Handling
from arenden.diarium.services import arendets_version
from arenden.gemensamt.forms import Formular, fel, versionsfalt
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA
from flows.namn import BegaranArbetslista, BegaranStatus
from workflow.engine import history, worklist
from workflow.middleware import REFUSALS, refusal


class BegaranForm(Formular):
    inkommen = forms.DateField(
        label=gettext_lazy("Inkommen"), widget=forms.DateInput(attrs={"type": "date"})
    )
    handlingar = forms.ModelMultipleChoiceField(
        queryset=Handling.objects.none(),
        label=gettext_lazy("Begärda handlingar"),
        widget=forms.CheckboxSelectMultiple,
    )
    avser = forms.CharField(
        label=gettext_lazy("Begäran avser"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Vad den sökande bad om, med hans eller hennes ord."),
    )
    form = forms.ChoiceField(label=gettext_lazy("Önskas som"), choices=Begaran.Form.choices)
    sokande = forms.CharField(
        label=gettext_lazy("Sökande"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Frivilligt: den som begär behöver inte säga vem hon är."),
    )
    kontakt = forms.CharField(
        label=gettext_lazy("Svara till"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("E-post eller postadress, om kopian ska skickas."),
    )

    def __init__(self, *args, arende=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # a gallrad handling is no longer there to ask for (services.registrera refuses it)
        self.fields["handlingar"].queryset = arende.handlingar.filter(gallrad=None).order_by(
            "nummer"
        )
        las = user.has_perm("arenden.view_sekretess", arende)
        self.fields["handlingar"].label_from_instance = lambda h: (
            f"{h.nummer}. {h.titel if las else h.publik_titel}"
        )


@login_required
@en_gang
def ny_begaran(request, pk):
    arende = get_object_or_404(Arende, pk=pk)
    if not request.user.has_perm("arenden.view_arende", arende) or not tjanst.far_registrera(
        request.user, arende
    ):
        raise PermissionDenied(_("Du får inte registrera en begäran i det här ärendet."))
    form = BegaranForm(request.POST or None, arende=arende, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ny = tjanst.registrera(arende, user=request.user, **form.cleaned_data)
        except ValidationError as err:
            fel(form, err)
        else:
            messages.success(
                request,
                _("Begäran är registrerad och ska prövas senast %(dag)s.")
                % {"dag": f"{ny.senast:%Y-%m-%d}"},
            )
            return redirect("arenden:begaran", pk=ny.pk)
    return render(
        request,
        "arenden/formular.html",
        {"arende": arende, "form": form, "rubrik": _("Ny begäran om allmän handling")},
    )


@login_required
def begaranden(request):
    """The requests waiting for prövning that the user registers or decides, the oldest
    deadline first; those past it are marked."""
    qs = (
        worklist(request.user, BegaranArbetslista.BEGARANDEN)
        .select_related("arende__organ")
        .order_by("senast")
    )
    sida = Paginator(qs, PER_SIDA).get_page(request.GET.get("sida"))
    return render(request, "arenden/begaranden.html", {"sida": sida})


class ProvningForm(Formular):
    #: the ärende's, as the page was read: a handling marked secret since, or anything else
    #: changed in the ärende, is seen before the prövning is made
    version = versionsfalt()
    motivering = forms.CharField(
        label=gettext_lazy("Motivering"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Skälen för det som inte lämnas ut; krävs vid avslag och står i beslutet."
        ),
    )

    def __init__(self, *args, rader=(), **kwargs):
        super().__init__(*args, **kwargs)
        for rad in rader:
            self.fields[f"utfall_{rad.pk}"] = forms.ChoiceField(
                label=_("Handling %(nr)s") % {"nr": rad.handling.nummer},
                choices=[("", "–"), *BegardHandling.Utfall.choices],
            )
            self.fields[f"lagrum_{rad.pk}"] = forms.CharField(
                label=_("Lagrum för handling %(nr)s") % {"nr": rad.handling.nummer},
                required=False,
                max_length=100,
                initial=rad.handling.sekretess_enligt,
            )
            self.fields[f"sidor_{rad.pk}"] = forms.CharField(
                label=_("Maskerade sidor i handling %(nr)s") % {"nr": rad.handling.nummer},
                required=False,
                max_length=100,
                help_text=_("T.ex. 2, 4-5 (bara vid maskering)."),
            )

    def utfall(self, rader) -> dict:
        data = self.cleaned_data
        return {
            r.handling_id: (data[f"utfall_{r.pk}"], data[f"lagrum_{r.pk}"], data[f"sidor_{r.pk}"])
            for r in rader
        }


def _falt(form, rad) -> list | None:
    if form is None:
        return None
    return [form[f"{namn}_{rad.pk}"] for namn in ("utfall", "lagrum", "sidor")]


@login_required
@en_gang
def begaran(request, pk):
    begaran = get_object_or_404(Begaran.objects.select_related("arende__organ"), pk=pk)
    if not request.user.has_perm("arenden.view_begaran", begaran):
        raise PermissionDenied(_("Du får inte se den här begäran."))
    rader = list(begaran.rader.select_related("handling__arende"))
    far_prova = request.user.has_perm("arenden.prova_begaran", begaran)
    las = request.user.has_perm("arenden.view_sekretess", begaran.arende)
    form = (
        ProvningForm(
            request.POST or None,
            rader=rader,
            initial={"version": arendets_version(begaran.arende)},
        )
        if far_prova
        else None
    )
    if request.method == "POST" and begaran.state != BegaranStatus.INKOMMEN:
        # someone else tried it a moment ago (or this is a resent form): said, not refused
        messages.error(request, _("Begäran är redan prövad."))
    elif request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Du får inte pröva den här begäran."))
        if form.is_valid():
            try:
                tjanst.prova(
                    begaran,
                    user=request.user,
                    utfall=form.utfall(rader),
                    motivering=form.cleaned_data["motivering"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as err:
                fel(form, err)
            except REFUSALS as err:
                messages.error(request, refusal(err))
                return redirect("arenden:begaran", pk=pk)
            else:
                begaran.refresh_from_db()
                messages.success(
                    request, _("Begäran är prövad: %(s)s.") % {"s": begaran.status_titel}
                )
                return redirect("arenden:begaran", pk=pk)
    return render(
        request,
        "arenden/begaran.html",
        {
            "begaran": begaran,
            "rader": [(r, _falt(form, r)) for r in rader],
            "form": form,
            "las_sekretess": las,
            "historik": [
                (h, begaran.arende.kommentar(h, las)) for h in history(begaran).order_by("seq")
            ],
        },
    )
