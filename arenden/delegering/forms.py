"""The delegat's form for a beslut taken on the nämnd's behalf."""

from django import forms
from django.utils.translation import gettext_lazy as _

from arenden.delegering.models import Delegationspunkt
from arenden.gemensamt.forms import Formular, versionsfalt


class DelegationsbeslutForm(Formular):
    punkt = forms.ModelChoiceField(
        queryset=Delegationspunkt.objects.none(), label=_("Delegationspunkt")
    )
    datum = forms.DateField(label=_("Beslutsdag"))
    text = forms.CharField(widget=forms.Textarea, max_length=20000, label=_("Beslut"))
    lagrum = forms.CharField(
        required=False,
        max_length=200,
        label=_("Lagrum"),
        help_text=_("Lämna tomt för delegationspunktens lagrum."),
    )
    # the beslut is taken on the ärende as the delegat read it: not on a förslag or a
    # handling that changed since
    version = versionsfalt()

    def __init__(self, *args, punkter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["punkt"].queryset = punkter


def _personer():
    from arenden.organisation.models import Person

    # a delegat decides logged in: only people with an account can be named
    return Person.objects.filter(anvandare__isnull=False).order_by("namn", "pk")


class DelegationspunktForm(Formular):
    """A new row of the nämnd's delegationsordning, as the nämnd adopted it."""

    nummer = forms.CharField(max_length=20, label=_("Nummer"), help_text=_("T.ex. 3.2."))
    beslutsomrade = forms.CharField(max_length=500, label=_("Beslutsområde"))
    delegat = forms.ModelChoiceField(queryset=None, required=False, label=_("Delegat"))
    befattning = forms.CharField(
        max_length=200,
        required=False,
        label=_("Befattning"),
        help_text=_("När delegationen går till en befattning i stället för en namngiven person."),
    )
    ersattare = forms.ModelChoiceField(queryset=None, required=False, label=_("Ersättare"))
    lagrum = forms.CharField(max_length=200, required=False, label=_("Lagrum"))
    villkor = forms.CharField(
        widget=forms.Textarea, required=False, max_length=5000, label=_("Begränsningar och villkor")
    )
    giltig_fran = forms.DateField(label=_("Gäller från"))
    antagen_genom = forms.CharField(
        max_length=200, label=_("Antagen genom"), help_text=_("T.ex. HSN 2025-02-12 § 14.")
    )
    ej_undantaget = forms.BooleanField(
        required=False,
        label=_(
            "Beslutsområdet är inte ett sådant som enligt kommunallagen 6 kap. 38 § inte får "
            "delegeras"
        ),
    )
    bradskande = forms.BooleanField(
        required=False,
        label=_(
            "Brådskande ärenden: uppdrag åt ordföranden eller en annan ledamot "
            "(kommunallagen 6 kap. 39 §)"
        ),
        help_text=_(
            "Delegaten och ersättaren ska vara ledamöter i nämnden; besluten är ordförandebeslut."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        personer = _personer()
        self.fields["delegat"].queryset = personer
        self.fields["ersattare"].queryset = personer


class AvslutaPunktForm(Formular):
    """A row stops applying: its last day, and the nämnd's beslut that said so."""

    datum = forms.DateField(label=_("Gäller till och med"))
    genom = forms.CharField(
        max_length=200, label=_("Upphävd genom"), help_text=_("T.ex. HSN 2026-03-11 § 22.")
    )
