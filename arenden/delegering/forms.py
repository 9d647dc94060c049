"""The delegat's form for a beslut taken on the nämnd's behalf."""

from django import forms
from django.utils.translation import gettext_lazy as _

from arenden.delegering.models import Delegationspunkt
from arenden.gemensamt.forms import Formular


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

    def __init__(self, *args, punkter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["punkt"].queryset = punkter
