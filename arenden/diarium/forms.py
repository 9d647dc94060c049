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
from arenden.motion.models import TYPER as MOTIONSTYPER
from arenden.organisation.models import Organ, Person


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

    # KL 5 kap. 22 och 35 §§, 8 kap. 1 §: who väckte a motion or medborgarförslag, and when
    vackt = forms.DateField(
        required=False,
        label=_("Väckt"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Krävs för motion och medborgarförslag: dagen ärendet lämnades in eller väcktes i "
            "fullmäktige. Fullmäktige ska kunna besluta inom ett år från den dagen "
            "(kommunallagen 5 kap. 35 §)."
        ),
    )
    fullmaktige = forms.ModelChoiceField(
        queryset=Organ.objects.filter(typ=Organ.Typ.FULLMAKTIGE).order_by("namn"),
        required=False,
        label=_("Väckt i fullmäktige"),
        help_text=_("Krävs för motion och medborgarförslag."),
    )
    ledamot = forms.ModelChoiceField(
        queryset=Person.objects.filter(typ=Person.Typ.FORTROENDEVALD).order_by("namn"),
        required=False,
        label=_("Motionär"),
        help_text=_(
            "För motion: ledamoten i fullmäktige som väckte den (kommunallagen 5 kap. 22 §)."
        ),
    )
    vackt_av = forms.CharField(
        required=False,
        max_length=300,
        label=_("Väckt av (namn)"),
        help_text=_(
            "För medborgarförslag: förslagsställarens namn, en personuppgift. För motion: "
            "ledamotens namn när hen inte finns i ledamotsregistret."
        ),
    )
    parti = forms.CharField(
        required=False,
        max_length=10,
        label=_("Parti"),
        help_text=_("För motion, när ledamoten inte finns i ledamotsregistret."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fullmaktige = list(self.fields["fullmaktige"].queryset[:2])
        if len(fullmaktige) == 1:
            self.fields["fullmaktige"].initial = fullmaktige[0].pk
        self.fields["klassificering"].choices = [
            ("", _("Ärendetypens klass")),
            *((k.kod, str(k)) for k in Klass.objects.order_by("kod")),
        ]

    def clean(self):
        data = super().clean()
        typ = data.get("typ")
        if typ not in MOTIONSTYPER:  # the fields are left out of other ärenden (the view)
            return data
        if not data.get("vackt") and "vackt" not in self.errors:
            self.add_error("vackt", _("Ange dagen då ärendet väcktes."))
        if not data.get("fullmaktige") and "fullmaktige" not in self.errors:
            self.add_error("fullmaktige", _("Välj fullmäktige."))
        if typ == "motion" and not data.get("ledamot") and not data.get("vackt_av"):
            self.add_error("ledamot", _("Välj motionären, eller skriv hens namn och parti."))
        if typ == "medborgarforslag":
            if data.get("ledamot"):
                self.add_error("ledamot", _("Ett medborgarförslag har ingen motionär."))
            if not data.get("vackt_av"):
                self.add_error("vackt_av", _("Ange förslagsställarens namn."))
        return data
