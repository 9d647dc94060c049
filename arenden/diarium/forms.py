"""The registrator's forms and the search form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from arenden.arkiv.models import Klass
from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende, Handling
from arenden.diarium.sokning import del_av_diarienummer
from arenden.gemensamt.forms import Formular, Modellformular, versionsfalt
from arenden.organisation.models import Organ


class SokForm(Formular):
    q = forms.CharField(label=_("Sökord eller diarienummer"), required=False, max_length=200)
    fran = forms.DateField(label=_("Registrerat från och med"), required=False)
    till = forms.DateField(label=_("Registrerat till och med"), required=False)

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        # something that looks like a diarienummer must be one, or a part of one ("HSN787")
        if q[:1].isalpha() and any(c.isdigit() for c in q) and "-" in q:
            if del_av_diarienummer(q) is None:
                Diarienummer.parse(q)
        return q

    def clean(self):
        data = super().clean()
        if not (data.get("q") or data.get("fran") or data.get("till")):
            raise ValidationError(_("Skriv ett sökord, ett diarienummer eller ett datum."))
        return data


class HandlingForm(Modellformular):
    fil = forms.FileField(label=_("Fil"), required=False)
    version = versionsfalt()

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
            "offentlig_titel",
        ]
        widgets = {"datum": forms.DateInput(attrs={"type": "date"})}


class RegistreraForm(Formular):
    organ = forms.ModelChoiceField(queryset=Organ.objects.order_by("namn"), label=_("Organ"))
    diarienummer = forms.CharField(
        required=False,
        max_length=40,
        label=_("Diarienummer"),
        help_text=_("Lämnas tomt för nästa nummer i serien; ange ett för ett äldre ärende."),
    )
    arendemening = forms.CharField(max_length=500, label=_("Ärendemening"))
    offentlig_rubrik = forms.CharField(
        required=False,
        max_length=500,
        label=_("Offentlig rubrik"),
        help_text=_(
            "Rubriken i postlistan, om annan. Krävs när ärendet är sekretessmarkerat: den "
            "visas i stället för ärendemeningen."
        ),
    )
    typ = forms.ChoiceField(choices=Arende.Typ.choices, label=_("Ärendetyp"))
    klassificering = forms.ChoiceField(
        choices=(),
        required=False,
        label=_("Klassificering"),
        help_text=_("Lämnas tom för den klass som strukturen ger ärendetypen."),
    )
    avsandare = forms.CharField(required=False, max_length=300, label=_("Avsändare"))
    inkommet = forms.DateField(
        required=False, label=_("Inkommet"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sekretess_lagrum = forms.CharField(
        required=False,
        max_length=100,
        label=_("Sekretess enligt"),
        help_text=_("T.ex. OSL 25 kap. 1 §. Tomt när ärendet är offentligt."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klassificering"].choices = [
            ("", _("Ärendetypens klass")),
            *((k.kod, str(k)) for k in Klass.objects.order_by("kod")),
        ]
