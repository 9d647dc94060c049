from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .diarienummer import Diarienummer
from .models import Handling, Mottagare, Person, Tjansteskrivelse


class AuditFilter(forms.Form):
    person = forms.CharField(label=_("Person (användarnamn)"), required=False, max_length=150)
    organ = forms.CharField(label=_("Organ (förkortning)"), required=False, max_length=20)
    overgang = forms.CharField(label=_("Övergång"), required=False, max_length=100)
    fran = forms.DateField(label=_("Från och med"), required=False)
    till = forms.DateField(label=_("Till och med"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            raise ValidationError(_("Periodens början ligger efter dess slut."))
        return data


class SokForm(forms.Form):
    q = forms.CharField(label=_("Sökord eller diarienummer"), required=False, max_length=200)
    fran = forms.DateField(label=_("Registrerat från och med"), required=False)
    till = forms.DateField(label=_("Registrerat till och med"), required=False)

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        # something that looks like a diarienummer must be one
        if q[:1].isalpha() and any(c.isdigit() for c in q) and "-" in q:
            Diarienummer.parse(q)
        return q

    def clean(self):
        data = super().clean()
        if not (data.get("q") or data.get("fran") or data.get("till")):
            raise ValidationError(_("Skriv ett sökord, ett diarienummer eller ett datum."))
        return data


class TilldelaForm(forms.Form):
    handlaggare = forms.ModelChoiceField(
        label=_("Handläggare"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    kommentar = forms.CharField(label=_("Kommentar"), required=False, max_length=1000)


class BeredningsansvarigForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.all())
    del_i_beredningen = forms.CharField(
        label=_("Del i beredningen"),
        max_length=300,
        help_text=_("T.ex. delaktig i framtagandet av bilagt underlag."),
    )


BeredningsansvarigaFormSet = forms.formset_factory(BeredningsansvarigForm, extra=2)


class HandlingForm(forms.ModelForm):
    fil = forms.FileField(label=_("Fil"), required=False)

    class Meta:
        model = Handling
        fields = [
            "typ",
            "riktning",
            "datum",
            "titel",
            "avsandare_mottagare",
            "beskrivning",
            "sekretess_lagrum",
        ]
        widgets = {"datum": forms.DateInput(attrs={"type": "date"})}


class TjansteskrivelseForm(forms.ModelForm):
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


class ExpedieraForm(forms.Form):
    mottagare = forms.IntegerField(widget=forms.HiddenInput)
    metod = forms.ChoiceField(label=_("Sätt"), choices=Mottagare.Metod.choices)
