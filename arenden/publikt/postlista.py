"""The postlista: the diarium as anyone may read it (TF 2 kap., OSL 5 kap.)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db import connections
from django.db.models import F, Q, Value
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arenden.diarium.models import ALLMAN_HANDLING, Arende, Handling
from arenden.diarium.sokning import del_av_diarienummer
from arenden.gemensamt.forms import Formular
from arenden.gemensamt.listor import SORTERA
from arenden.gemensamt.sidor import PER_SIDA, Sida, radtak
from arenden.organisation.models import Organ
from flows.namn import ArendeStatus


def allmanna_handlingar():
    """The handlingar the postlista lists: inkomna, and upprättade ones that are final (an
    upprättad handling under arbete is not yet allmän, TF 2 kap. 10 §); never of a makulerat
    ärende (which holds none: flows.arende.INGA_ALLMANNA_HANDLINGAR)."""
    return Handling.objects.filter(ALLMAN_HANDLING).exclude(arende__state=ArendeStatus.MAKULERAT)


def _hemlig_handling() -> Q:
    return ~Q(sekretess_lagrum="")


def _hemligt_arende() -> Q:
    return ~Q(arende__sekretess_lagrum="")


def sok_q(text: str) -> Q:
    """Handlingar whose public text holds ``text``: the titel and the sender of what is not
    secret, the offentlig titel or rubrik of what is, and the diarienummer. A word that occurs
    only in protected text finds nothing."""
    ord_ = Q()
    oppen_handling = ~_hemlig_handling() & ~_hemligt_arende()
    ord_ |= oppen_handling & (Q(titel__icontains=text) | Q(avsandare_mottagare__icontains=text))
    ord_ |= (_hemlig_handling() | _hemligt_arende()) & Q(offentlig_titel__icontains=text)
    ord_ |= ~_hemligt_arende() & (
        Q(arende__arendemening__icontains=text) | Q(arende__offentlig_rubrik__icontains=text)
    )
    ord_ |= _hemligt_arende() & Q(arende__offentlig_rubrik__icontains=text)
    return ord_ | _nummer_q(text, "arende__")


def _nummer_q(text: str, prefix: str = "") -> Q:
    """What ``text`` names as a diarienummer, whole or a part ("787-2025"); nothing else."""
    delvis = del_av_diarienummer(text, prefix)
    return delvis[0] if delvis else Q(pk__in=[])


class PostlistaFilter(Formular):
    q = forms.CharField(
        label=gettext_lazy("Sök"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Ord i rubriken, avsändare eller mottagare, eller diarienummer."),
    )
    fran = forms.DateField(
        label=gettext_lazy("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    till = forms.DateField(
        label=gettext_lazy("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    organ = forms.ModelChoiceField(
        label=gettext_lazy("Organ"),
        required=False,
        queryset=Organ.objects.order_by("namn"),
        empty_label=gettext_lazy("Alla organ"),
    )
    vad = forms.ChoiceField(
        label=gettext_lazy("Vad"),
        required=False,
        choices=[
            ("", gettext_lazy("Allt")),
            ("arende", gettext_lazy("Nya ärenden")),
            (Handling.Riktning.INKOMMEN, gettext_lazy("Inkomna handlingar")),
            (Handling.Riktning.UPPRATTAD, gettext_lazy("Upprättade handlingar")),
        ],
    )

    sortera = forms.ChoiceField(
        label=gettext_lazy("Ordning"),
        required=False,
        choices=[
            ("", gettext_lazy("Nyaste dagen först")),
            ("datum", gettext_lazy("Äldsta dagen först")),
        ],
    )

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            raise forms.ValidationError(_("Från-datumet ligger efter till-datumet."))
        return data


def arende_sok_q(text: str) -> Q:
    """Ärenden whose public text holds ``text`` (the same rule as :func:`sok_q`)."""
    ord_ = Q(sekretess_lagrum="") & (
        Q(arendemening__icontains=text)
        | Q(offentlig_rubrik__icontains=text)
        | Q(avsandare__icontains=text)
    )
    ord_ |= ~Q(sekretess_lagrum="") & Q(offentlig_rubrik__icontains=text)
    return ord_ | _nummer_q(text)


@dataclass
class Rad:
    """A row of the postlista: an ärende opened that day, or a handling."""

    datum: datetime.date
    arende: Arende
    handling: Handling | None = None


def postlista(request):
    """The public postlista: day by day, newest first, the ärenden opened and the allmänna
    handlingar that came in or were drawn up, with search and a date range; each row links
    to its ärende's public page. One page costs the same few queries however long the
    diarium is (one UNION for the page, then its rows)."""
    form = PostlistaFilter(request.GET or None)
    # ?sortera=datum: the oldest day first; otherwise the newest first
    aldst_forst = request.GET.get(SORTERA) == "datum"
    handlingar = allmanna_handlingar()
    arenden = Arende.objects.exclude(state=ArendeStatus.MAKULERAT)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            handlingar = handlingar.filter(sok_q(data["q"].strip()))
            arenden = arenden.filter(arende_sok_q(data["q"].strip()))
        if data["fran"]:
            handlingar = handlingar.filter(datum__gte=data["fran"])
            arenden = arenden.filter(registrerat__gte=data["fran"])
        if data["till"]:
            handlingar = handlingar.filter(datum__lte=data["till"])
            arenden = arenden.filter(registrerat__lte=data["till"])
        if data["organ"]:
            handlingar = handlingar.filter(arende__organ=data["organ"])
            arenden = arenden.filter(organ=data["organ"])
        if data["vad"] == "arende":
            handlingar = handlingar.none()
        elif data["vad"]:
            handlingar = handlingar.filter(riktning=data["vad"])
            arenden = arenden.none()
    elif form.is_bound:
        handlingar, arenden = handlingar.none(), arenden.none()
    ordning = ("dag", "slag", "rad") if aldst_forst else ("-dag", "-slag", "-rad")
    delar = [
        qs.annotate(dag=F(falt), slag=Value(slag), rad=F("pk")).values_list("dag", "slag", "rad")
        for qs, falt, slag in ((handlingar, "datum", 1), (arenden, "registrerat", 0))
        if not qs.query.is_empty()
    ]
    if len(delar) == 2:
        if connections[handlingar.db].features.supports_slicing_ordering_in_compound:
            # the page's rows are among the first rows of each part: each is read in its own
            # order from its index (date, id) and cut there, instead of every handling and
            # every ärende being sorted for one page (a page's cost must not grow with the
            # diarium)
            tak = radtak(request.GET.get("sida"), PER_SIDA)
            delar = [del_.order_by(*ordning)[:tak] for del_ in delar]
        else:
            delar = [del_.order_by() for del_ in delar]  # SQLite: no ORDER BY inside a union
        nycklar = delar[0].union(delar[1], all=True).order_by(*ordning)
    elif delar:
        nycklar = delar[0].order_by(*ordning)  # one kind only: straight from its index
    else:
        nycklar = Handling.objects.none()
    sida = Sida(nycklar, request.GET.get("sida"), PER_SIDA)
    h_ids = [rad for _d, slag, rad in sida.object_list if slag == 1]
    a_ids = [rad for _d, slag, rad in sida.object_list if slag == 0]
    hlist = Handling.objects.select_related("arende__organ").in_bulk(h_ids)
    alist = Arende.objects.select_related("organ").in_bulk(a_ids)
    sida.object_list = [
        Rad(dag, hlist[rad].arende, hlist[rad]) if slag == 1 else Rad(dag, alist[rad])
        for dag, slag, rad in sida.object_list
        if (hlist if slag == 1 else alist).get(rad) is not None
    ]
    params = request.GET.copy()
    params.pop("sida", None)
    return render(
        request,
        "arenden/postlista.html",
        {
            "form": form,
            "sida": sida,
            "params": params.urlencode(),
        },
    )


def publikt_arende(request, pk):
    """What anyone may read of an ärende: the public rubrik, the organ, the dates and status,
    and its allmänna handlingar, each masked as the postlista masks it."""
    arende = get_object_or_404(
        Arende.objects.select_related("organ").exclude(state=ArendeStatus.MAKULERAT), pk=pk
    )
    handlingar = allmanna_handlingar().filter(arende=arende).order_by("nummer")
    return render(
        request,
        "arenden/publikt_arende.html",
        {"arende": arende, "handlingar": handlingar},
    )
