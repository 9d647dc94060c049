"""Fullmäktige's avskrivning of a motion or medborgarförslag (KL 5 kap. 35 §)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from arenden.gemensamt.forms import Formular
from arenden.sammantraden.models import Sammantrade


class AvskrivForm(Formular):
    sammantrade = forms.ModelChoiceField(
        queryset=Sammantrade.objects.none(), label=_("Fullmäktiges sammanträde")
    )
    text = forms.CharField(
        widget=forms.Textarea,
        max_length=20000,
        label=_("Beslut"),
        help_text=_("T.ex. Fullmäktige avskriver motionen från vidare handläggning."),
    )

    def __init__(self, *args, sammantraden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sammantrade"].queryset = sammantraden
