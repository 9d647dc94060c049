"""The forms of the handläggning."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from arenden.diarium.models import Handling
from arenden.gemensamt.forms import Formular, Modellformular, versionsfalt
from arenden.handlaggning.models import Mottagare, Tjansteskrivelse
from arenden.organisation.models import Enhet, Person


class HandlaggareVal(forms.ModelChoiceField):
    """The organisation's staff (a user with a tjänsteperson record), by name, title and
    unit: not usernames, and not the politicians' or the configuration's accounts."""

    def label_from_instance(self, user):
        person = user.person
        namn = user.get_full_name() or person.namn
        enhet = (person.enhet.kortnamn or person.enhet.namn) if person.enhet else ""
        delar = [d for d in (person.titel, enhet) if d]
        return f"{namn}, {', '.join(delar)}" if delar else namn


class TilldelaForm(Formular):
    handlaggare = HandlaggareVal(
        label=_("Handläggare"),
        queryset=User.objects.filter(
            is_active=True, is_superuser=False, person__typ=Person.Typ.TJANSTEPERSON
        )
        .select_related("person__enhet")
        .order_by("first_name", "last_name", "username"),
    )
    kommentar = forms.CharField(label=_("Kommentar"), required=False, max_length=1000)
    version = versionsfalt()


class BeredningsansvarigForm(Formular):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.all())
    del_i_beredningen = forms.CharField(
        label=_("Del i beredningen"),
        max_length=300,
        help_text=_("T.ex. delaktig i framtagandet av bilagt underlag."),
    )


BeredningsansvarigaFormSet = forms.formset_factory(BeredningsansvarigForm, extra=2)


class TjansteskrivelseForm(Modellformular):
    version = versionsfalt()

    class Meta:
        model = Tjansteskrivelse
        fields = [
            "datum",
            "forfattare",
            "enhet",
            "sammanfattning",
            "forslag_till_beslut",
            "bedomda_resultat",
            "resurser_finansiering",
            "jamstalldhet",
        ]
        widgets = {"datum": forms.DateInput(attrs={"type": "date"})}


class MottagareForm(Formular):
    person = forms.ModelChoiceField(
        queryset=Person.objects.order_by("namn"), required=False, label=_("Person")
    )
    enhet = forms.ModelChoiceField(
        queryset=Enhet.objects.order_by("namn"), required=False, label=_("Enhet")
    )
    adress = forms.CharField(required=False, max_length=300, label=_("Eller en adress"))
    version = versionsfalt()

    def clean(self):
        data = super().clean()
        if not (data.get("person") or data.get("enhet") or data.get("adress")):
            raise ValidationError(_("Välj en person, en enhet eller skriv en adress."))
        return data

    def adressat(self):
        data = self.cleaned_data
        if data["person"] and data["enhet"]:
            return (data["person"], data["enhet"])
        return data["person"] or data["enhet"] or data["adress"]


class RedovisaForm(Formular):
    handling = forms.ModelChoiceField(queryset=Handling.objects.none(), label=_("Återrapport"))
    redovisat = forms.DateField(
        label=_("Redovisad för organet"), widget=forms.DateInput(attrs={"type": "date"})
    )
    version = versionsfalt()

    def __init__(self, *args, arende=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling"].queryset = arende.handlingar.filter(typ=Handling.Typ.ATERRAPPORT)


class ExpedieraForm(Formular):
    mottagare = forms.IntegerField(widget=forms.HiddenInput)
    metod = forms.ChoiceField(label=_("Sätt"), choices=Mottagare.Metod.choices)
    version = versionsfalt()
