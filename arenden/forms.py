from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .diarienummer import Diarienummer


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
