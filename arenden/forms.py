import datetime

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from workflow.middleware import refusal

from .diarienummer import Diarienummer
from .models import (
    Arende,
    Deltagare,
    Enhet,
    Handling,
    Klass,
    Mottagare,
    Organ,
    Person,
    Punkt,
    Tjansteskrivelse,
    Yttrande,
)
from .sokning import del_av_diarienummer

#: the dates a form accepts: an ärende, a meeting or a period outside these is a typing error
#: (and one at the calendar's end would overflow every deadline computed from it)
FORSTA_DAG = datetime.date(1900, 1, 1)
SISTA_DAG = datetime.date(2199, 12, 31)


def _rimliga_datum(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators = [
                *field.validators,
                MinValueValidator(FORSTA_DAG, _("Datumet kan inte vara före %(limit_value)s.")),
                MaxValueValidator(SISTA_DAG, _("Datumet kan inte vara efter %(limit_value)s.")),
            ]


#: the ids and numbers a form accepts: those a database's 64-bit integer column can hold (a
#: larger one is no row; SQLite's driver raises instead of finding nothing)
STORSTA_TAL = 2**63 - 1


def _utanfor(varde) -> bool:
    text = str(varde).strip()
    try:
        return abs(int(text)) > STORSTA_TAL if text.lstrip("+-").isdigit() else False
    except ValueError:  # pragma: no cover - isdigit() admits only what int() reads
        return False


def _rimliga_tal(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.clean = _inom_id(field.clean)
        elif isinstance(field, forms.IntegerField):
            field.validators = [
                *field.validators,
                MinValueValidator(-STORSTA_TAL, _("Talet är för litet.")),
                MaxValueValidator(STORSTA_TAL, _("Talet är för stort.")),
            ]


def _inom_id(clean):
    """A model choice whose value is past any id is refused before the database is asked."""

    def inom(value):
        varden = value if isinstance(value, list | tuple) else [value]
        if any(_utanfor(v) for v in varden if v not in (None, "")):
            raise ValidationError(_("Välj ett av alternativen i listan."), code="invalid_choice")
        return clean(value)

    return inom


class Formular(forms.Form):
    """Every form of the application: dates and numbers within reason (Django's text fields
    already refuse NUL characters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _rimliga_datum(self)
        _rimliga_tal(self)


class Modellformular(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _rimliga_datum(self)
        _rimliga_tal(self)


def versionsfalt() -> forms.IntegerField:
    """The ärende's version the form was read at (``services.arendets_version``), hidden: a
    form read before someone else changed the ärende or one of its parts is refused
    (``services.andras``). Every form that changes an ärende carries one; a sending without
    it (a script, not a page) is not checked."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class VersionForm(Formular):
    """A button on the ärende with nothing to fill in (remove a recipient): its version."""

    version = versionsfalt()


def fel(form, err) -> None:
    """A refusal (a ``ValidationError``, or one of ``workflow.middleware.REFUSALS``) shown on
    the form as errors of the whole form. A stale form (``services.Inaktuell``) then carries
    the ärende's version now: what was sent stays in the form, and sending it again is a
    choice made with the change in view."""
    texter = err.messages if isinstance(err, ValidationError) else [refusal(err) or str(err)]
    for text in texter:
        form.add_error(None, text)
    version = getattr(err, "version", None)
    if version is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(version)


def _steg_val() -> list[tuple[str, str]]:
    """Every step of every workflow, by its Swedish title (the id is the value): the revisor
    asks "who moved it to Beslutat", not for ``besluta``."""
    from workflow import registry

    titlar: dict[str, set[str]] = {}
    for wf in registry.all_workflows():
        for t in wf.transitions.values():
            titlar.setdefault(t.id, set()).add(f"{t.title} ({wf.title.lower()})")
    val = sorted(((tid, " / ".join(sorted(t))) for tid, t in titlar.items()), key=lambda v: v[1])
    return [("", _("Alla steg")), *val]


class AuditFilter(Formular):
    diarienummer = forms.CharField(
        label=_("Diarienummer"),
        required=False,
        max_length=40,
        help_text=_("Hela eller en del, t.ex. HSN 787-2025 eller 787-2025."),
    )
    organ = forms.ModelChoiceField(
        queryset=Organ.objects.order_by("namn"),
        to_field_name="kod",
        required=False,
        label=_("Organ"),
        empty_label=_("Alla organ"),
    )
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("Namn eller användarnamn, t.ex. Maria Lindqvist."),
    )
    overgang = forms.ChoiceField(label=_("Steg"), required=False, choices=())
    fran = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    till = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overgang"].choices = _steg_val()

    def clean_diarienummer(self):
        text = self.cleaned_data["diarienummer"].strip()
        if text and del_av_diarienummer(text) is None:
            Diarienummer.parse(text)  # says what is wrong with it
        return text

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            raise ValidationError(_("Periodens början ligger efter dess slut."))
        return data


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


class ArendeForm(Formular):
    """The ärende's own fields that may be corrected (``services.ANDRINGSBARA``)."""

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
    avsandare = forms.CharField(required=False, max_length=300, label=_("Avsändare"))
    inkommet = forms.DateField(
        required=False, label=_("Inkommet"), widget=forms.DateInput(attrs={"type": "date"})
    )
    version = versionsfalt()


# -- meetings -------------------------------------------------------------------------------


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
    """The day the justerat protokoll goes up on the anslagstavla, and, when that is later
    than KL 8 kap. 12 § allows, why."""

    dag = forms.DateField(
        label=_("Anslås"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämnas tomt för i dag."),
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
    typ = forms.ChoiceField(choices=Punkt.Typ.choices, label=_("Typ av punkt"))
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

    def __init__(self, *args, arenden=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arende"].queryset = arenden


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
    proposition = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Propositionsordning"),
        help_text=_("Vilka förslag som ställdes mot varandra, och vad ja och nej betyder."),
    )
    ja = forms.IntegerField(min_value=0, max_value=1000, label=_("Ja"))
    nej = forms.IntegerField(min_value=0, max_value=1000, label=_("Nej"))
    avstar = forms.IntegerField(min_value=0, max_value=1000, initial=0, label=_("Avstår"))
    resultat = forms.CharField(max_length=300, label=_("Resultat"))


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
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Rättelse"))
