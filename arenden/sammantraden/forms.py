"""The forms of the meetings and their protokoll."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arenden.diarium.models import Arende
from arenden.diarium.services import arendenas_versioner
from arenden.gemensamt.forms import Formular, versionsfalt
from arenden.gemensamt.tal import heltal
from arenden.organisation.models import Ledamotsuppdrag, Organ, Person
from arenden.sammantraden.models import Deltagare, Punkt, Rost, Sammantrade, Yttrande


class SammantradeForm(Formular):
    organ = forms.ModelChoiceField(queryset=Organ.objects.none(), label=_("Organ"))
    datum = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("Börjar"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    slut = forms.TimeField(
        label=_("Slutar"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    plats = forms.CharField(label=_("Plats"), max_length=200, help_text=_("Ett rum, eller Teams."))

    def __init__(self, *args, organ=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = organ


class AnslagForm(Formular):
    """The justerat protokoll goes up on the anslagstavla the day it is put there, and, when
    that is later than KL 8 kap. 12 § allows, why. The day is not chosen (a day before would
    shorten the time for överklagande, KL 13 kap. 5 §): the form carries the day it was shown,
    so that one left open past midnight, shown before the anslag was late, is refused rather
    than taken on another day than the sekreterare saw."""

    dag = forms.DateField(
        label=_("Anslås"),
        required=False,
        initial=timezone.localdate,
        widget=forms.HiddenInput,
    )
    skal = forms.CharField(
        label=_("Skäl till sent anslag"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Krävs när anslaget kommer senare än andra dagen efter justeringen."),
    )


class DeltagareForm(Formular):
    person = forms.ModelChoiceField(queryset=Person.objects.order_by("namn"), label=_("Person"))
    roll = forms.ChoiceField(choices=Deltagare.Roll.choices, label=_("Roll"))
    justerare = forms.BooleanField(required=False, label=_("Justerare"))
    ersatter = forms.ModelChoiceField(
        queryset=Person.objects.order_by("namn"), required=False, label=_("Tjänstgör för")
    )


class NarvaroForm(Formular):
    """Presence that changed during the meeting, by the items of its föredragningslista."""

    narvarande = forms.BooleanField(required=False, label=_("Närvarande"))
    anslot_fran = forms.ModelChoiceField(
        queryset=Punkt.objects.none(), required=False, label=_("Anslöt från punkt")
    )
    lamnade_efter = forms.ModelChoiceField(
        queryset=Punkt.objects.none(), required=False, label=_("Lämnade efter punkt")
    )
    franvarande_pa = forms.ModelMultipleChoiceField(
        queryset=Punkt.objects.none(),
        required=False,
        label=_("Frånvarande på punkt"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    anteckning = forms.CharField(
        required=False,
        max_length=200,
        label=_("Anteckning"),
        help_text=_("Det protokollet ska säga om närvaron utöver punkterna, ordagrant."),
    )

    def __init__(self, *args, punkter=None, **kwargs):
        super().__init__(*args, **kwargs)
        for namn in ("anslot_fran", "lamnade_efter", "franvarande_pa"):
            self.fields[namn].queryset = punkter
            self.fields[namn].label_from_instance = lambda p: p.beteckning


class PunktForm(Formular):
    arende = forms.ModelChoiceField(
        queryset=Arende.objects.none(),
        required=False,
        label=_("Ärende"),
        help_text=_("Ärenden som är klara för beslut eller bordlagda."),
    )
    typ = forms.ChoiceField(
        choices=[(v, t) for v, t in Punkt.Typ.choices if v not in Punkt.STAENDE],
        label=_("Typ av punkt"),
    )
    rubrik = forms.CharField(
        required=False, max_length=500, label=_("Rubrik"), help_text=_("Ärendets, om tom.")
    )
    slag = forms.ChoiceField(
        choices=[("", "–"), *Punkt.Slag.choices], required=False, label=_("Slag")
    )
    form = forms.ChoiceField(
        choices=[("", "–"), *Punkt.Form.choices], required=False, label=_("Form")
    )
    foredragande = forms.CharField(required=False, max_length=300, label=_("Föredragande"))
    forslag_till_beslut = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Förslag till beslut")
    )
    #: each offered ärende's version as the page was read ("id:version id:version"): the one
    #: chosen is put on the list only as it was then (its förslag rewritten and marked beredd
    #: again since, it is refused)
    versioner = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, arenden=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arende"].queryset = arenden
        if not self.is_bound and arenden is not None:
            self.initial["versioner"] = " ".join(
                f"{pk}:{v}" for pk, v in sorted(arendenas_versioner(arenden).items())
            )

    def clean(self):
        cleaned = super().clean()
        arende = cleaned.get("arende")
        if arende is not None:
            versioner = dict(
                par.split(":", 1) for par in cleaned.get("versioner", "").split() if ":" in par
            )
            version = heltal(versioner.get(str(arende.pk)))
            if version is None:
                raise ValidationError(
                    _(
                        "Formuläret kom inte från sammanträdets sida som den ser ut nu. Inget "
                        "är sparat: öppna sidan igen och lägg till punkten."
                    ),
                    code="utan_version",
                )
            cleaned["arende_version"] = version
        cleaned.pop("versioner", None)
        return cleaned


class AnmalForm(Formular):
    """Anmäl an ärende: the meeting of its organ whose föredragningslista it is put on."""

    sammantrade = forms.ModelChoiceField(
        queryset=Sammantrade.objects.none(),
        label=_("Sammanträde"),
        help_text=_("Organets sammanträden vars föredragningslista ännu kan ändras."),
    )
    slag = forms.ChoiceField(
        choices=Punkt.Slag.choices, initial=Punkt.Slag.BESLUTSARENDE, label=_("Slag")
    )
    version = versionsfalt()

    def __init__(self, *args, moten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sammantrade"].queryset = moten


class BeslutForm(Formular):
    utfall = forms.ChoiceField(choices=Punkt.Utfall.choices, label=_("Utfall"))
    beslut = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Beslut")
    )
    motivering = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Motivering"),
        help_text=_("Krävs vid återremiss och bordläggning."),
    )
    forslag_till = forms.ModelChoiceField(
        queryset=Organ.objects.order_by("namn"), required=False, label=_("Förslag till organ")
    )
    aterremiss_till = forms.ModelChoiceField(
        queryset=Organ.objects.order_by("namn"),
        required=False,
        label=_("Återremitteras till"),
        help_text=_("Lämnas tomt för organet som berett ärendet."),
    )
    minoritet = forms.BooleanField(
        required=False,
        label=_("På begäran av en minoritet"),
        help_text=_(
            "I fullmäktige: minst en tredjedel av de närvarande begär bordläggning eller "
            "återremiss (kommunallagen 5 kap. 51 §)."
        ),
    )
    begard_av = forms.IntegerField(
        required=False, min_value=0, max_value=1000, label=_("Antal som begärde det")
    )
    uppdrag = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Uppdrag att återrapportera"),
        help_text=_("Om beslutet ger ett uppdrag."),
    )
    forfaller = forms.DateField(
        required=False,
        label=_("Återrapporteras senast"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("uppdrag") and not data.get("forfaller"):
            raise ValidationError(_("Ange när uppdraget ska återrapporteras."))
        return data

    def besluta_med(self) -> dict:
        """The arguments of ``protokoll.besluta``: the uppdrag is reported to the organ."""
        data = dict(self.cleaned_data)
        uppdrag, forfaller = data.pop("uppdrag"), data.pop("forfaller")
        data["uppdrag"] = [(uppdrag, forfaller, None)] if uppdrag else []
        return data


class ReservationForm(Formular):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Ledamot"))
    motivering = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Motivering")
    )

    def __init__(self, *args, personer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = personer


class JavForm(Formular):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Jävig ledamot"))
    grund = forms.CharField(
        max_length=300,
        required=False,
        label=_("Grund"),
        help_text=_("T.ex. närstående, eller ledamot i bolagets styrelse."),
    )

    def __init__(self, *args, personer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = personer


class YrkandeForm(Formular):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Yrkande av"))
    text = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Yrkande")
    )

    def __init__(self, *args, personer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = personer


class VoteringForm(Formular):
    """A votering: open by name (each member's answer), open by totals, or sluten in a val
    (KL 5 kap. 55 §, 6 kap. 33 §: only who took part and the totals)."""

    NAMN, ANTAL, SLUTEN = "namn", "antal", "sluten"

    omrostning = forms.ChoiceField(
        choices=[
            (NAMN, _("Öppen, med namnupprop")),
            (ANTAL, _("Öppen, bara antal röster")),
            (SLUTEN, _("Sluten (bara vid val)")),
        ],
        initial=NAMN,
        required=False,
        label=_("Omröstning"),
        help_text=_("Utan val här förs bara antalet röster in."),
    )
    val = forms.BooleanField(required=False, label=_("Omröstningen gäller ett val"))
    proposition = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Propositionsordning"),
        help_text=_("Vilka förslag som ställdes mot varandra, och vad ja och nej betyder."),
    )
    ja = forms.IntegerField(min_value=0, max_value=1000, required=False, label=_("Ja"))
    nej = forms.IntegerField(min_value=0, max_value=1000, required=False, label=_("Nej"))
    avstar = forms.IntegerField(
        min_value=0, max_value=1000, required=False, initial=0, label=_("Avstår")
    )
    deltog = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Deltog i den slutna omröstningen"),
    )
    resultat = forms.CharField(max_length=300, label=_("Resultat"))

    def __init__(self, *args, personer=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.personer = list(personer)
        self.fields["deltog"].choices = [(p.pk, p.namn) for p in self.personer]
        svar = [("", _("röstar inte")), *Rost.Svar.choices]
        for person in self.personer:
            self.fields[f"rost_{person.pk}"] = forms.ChoiceField(
                choices=svar, required=False, label=_("Röst: %(vem)s") % {"vem": person.namn}
            )

    def votering(self) -> dict:
        """The arguments of ``protokoll.registrera_votering``."""
        data = self.cleaned_data
        falt = {"proposition": data["proposition"], "resultat": data["resultat"]}
        falt["val"] = data["val"]
        slag = data["omrostning"] or self.ANTAL
        if slag == self.NAMN:
            falt["roster"] = {
                p: data[f"rost_{p.pk}"] for p in self.personer if data.get(f"rost_{p.pk}")
            }
            return falt
        falt.update(ja=data["ja"] or 0, nej=data["nej"] or 0, avstar=data["avstar"] or 0)
        if slag == self.SLUTEN:
            valda = {int(pk) for pk in data["deltog"]}
            falt.update(sluten=True, deltog=[p for p in self.personer if p.pk in valda])
        return falt


class MotiveringForm(Formular):
    """The written motivering of a reservation announced at the meeting (KL 4 kap. 27 §)."""

    reservation = forms.IntegerField(widget=forms.HiddenInput)
    motivering = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Skriftlig motivering"),
        help_text=_("Lämnas senast när justeringen börjar (kommunallagen 4 kap. 27 §)."),
    )


class YttrandeForm(Formular):
    typ = forms.ChoiceField(choices=Yttrande.Typ.choices, label=_("Typ"))
    avgivet_av = forms.CharField(max_length=300, label=_("Lämnat av"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Text"))


class RattelseForm(Formular):
    punkt = forms.ModelChoiceField(
        queryset=Punkt.objects.none(),
        required=False,
        empty_label=_("Hela protokollet"),
        label=_("Gäller"),
        help_text=_(
            "Paragrafen rättelsen gäller. En rättelse av en paragraf med sekretess visas bara "
            "för den som får läsa paragrafen."
        ),
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Rättelse"))

    def __init__(self, *args, sammantrade, **kwargs):
        super().__init__(*args, **kwargs)
        # by its number only: the choice shows no secret rubrik
        self.fields["punkt"].queryset = sammantrade.punkter.exclude(paragraf=None).order_by(
            "paragraf"
        )
        self.fields["punkt"].label_from_instance = lambda p: f"§ {p.beteckning}"
        if sammantrade.arendeparagrafer().exists():
            # a rättelse of a beslut names its paragraph (protokoll.foresla_rattelse)
            self.fields["punkt"].required = True
            self.fields["punkt"].empty_label = _("Välj paragraf")


class LedamotsuppdragForm(Formular):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    uppdrag = forms.ChoiceField(choices=Ledamotsuppdrag.Uppdrag.choices, label=_("Uppdrag"))
    parti = forms.CharField(
        max_length=10, required=False, label=_("Parti"), help_text=_("Lämnas tomt för personens.")
    )
    fran = forms.DateField(label=_("Från"), widget=forms.DateInput(attrs={"type": "date"}))
    till = forms.DateField(
        label=_("Till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ordning = forms.IntegerField(
        min_value=0, max_value=999, initial=0, label=_("Tjänstgöringsordning")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            typ=Person.Typ.FORTROENDEVALD
        ).order_by("namn")


class LedamotsuppdragAndringForm(Formular):
    """A correction of one uppdrag, or its end: the person stays, the rest may change."""

    uppdrag = forms.ChoiceField(choices=Ledamotsuppdrag.Uppdrag.choices, label=_("Uppdrag"))
    parti = forms.CharField(max_length=10, required=False, label=_("Parti"))
    fran = forms.DateField(label=_("Från"), widget=forms.DateInput(attrs={"type": "date"}))
    till = forms.DateField(
        label=_("Sista dag"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ordning = forms.IntegerField(min_value=0, max_value=999, label=_("Tjänstgöringsordning"))
