"""What the API shows of ärenden, handlingar, sammanträden and the history: what the pages
show, masked as they mask it. The masking is decided once per object by the caller (the view
asks ``user.has_perm("arenden.view_sekretess", arende)`` as the page does) and handed in the
serializer's context; the serializers only leave out what the page leaves out (OSL 5 kap.
5 §: the lagrum and the offentlig rubrik are public, the protected text is not)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from arenden.diarium.forms import HandlingForm, RegistreraForm
from arenden.diarium.models import Arende, Handling


def _datum(varde):
    return varde.isoformat() if varde else None


def _tid(varde):
    return timezone.localtime(varde).isoformat() if varde else None


def _namn(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class ArendeSerializer(serializers.Serializer):
    """An ärende in a list: masked for who may not read its secret content."""

    id = serializers.IntegerField()
    diarienummer = serializers.CharField()
    rubrik = serializers.CharField(
        help_text="Ärendemeningen; för den som inte får läsa ett sekretessmarkerat ärende "
        "dess offentliga rubrik med markeringen."
    )
    maskerat = serializers.BooleanField()
    offentlig_rubrik = serializers.CharField(allow_null=True)
    sekretess_lagrum = serializers.CharField(allow_blank=True)
    typ = serializers.CharField()
    klassificering = serializers.CharField(
        allow_blank=True, help_text="Klassens kod i klassificeringsstrukturen."
    )
    organ = serializers.CharField(help_text="Organets kod, t.ex. HSN.")
    status = serializers.CharField()
    status_titel = serializers.CharField()
    registrerat = serializers.DateField()
    inkommet = serializers.DateField(allow_null=True)
    beslutat = serializers.DateField(allow_null=True)
    expedierat = serializers.DateField(allow_null=True)
    avslutat = serializers.DateField(allow_null=True)
    avsandare = serializers.CharField(allow_null=True, allow_blank=True)
    handlaggare = serializers.CharField(allow_null=True)
    url = serializers.CharField()

    def _maskerat(self, arende: Arende) -> bool:
        maskerade = self.context.get("maskerade")
        if maskerade is not None:
            return arende.pk in maskerade
        return arende.ar_sekretessmarkerat

    def to_representation(self, arende: Arende) -> dict:
        maskerat = self._maskerat(arende)
        return {
            "id": arende.pk,
            "diarienummer": str(arende.diarienummer),
            "rubrik": arende.maskerad_rubrik if maskerat else arende.arendemening,
            "maskerat": maskerat,
            "offentlig_rubrik": None if maskerat else arende.publik_rubrik,
            "sekretess_lagrum": arende.sekretess_lagrum,
            "typ": arende.typ,
            "klassificering": arende.klassificering,
            "organ": arende.organ.kod,
            "status": arende.state,
            "status_titel": arende.status_titel,
            "registrerat": _datum(arende.registrerat),
            "inkommet": _datum(arende.inkommet),
            "beslutat": _datum(arende.beslutat),
            "expedierat": _datum(arende.expedierat),
            "avslutat": _datum(arende.avslutat),
            "avsandare": None if maskerat else arende.avsandare,
            "handlaggare": _namn(arende.handlaggare),
            "url": reverse("api:arende", args=[arende.pk]),
        }


class HandlingSerializer(serializers.Serializer):
    """A handling's metadata; a secret one as the ärende page shows it to who may not read it
    (the offentlig titel with the marking, no file)."""

    id = serializers.IntegerField()
    arende = serializers.IntegerField()
    beteckning = serializers.CharField()
    nummer = serializers.IntegerField()
    typ = serializers.CharField()
    riktning = serializers.CharField()
    datum = serializers.DateField()
    status = serializers.CharField()
    titel = serializers.CharField()
    maskerad = serializers.BooleanField()
    avsandare_mottagare = serializers.CharField(allow_null=True, allow_blank=True)
    beskrivning = serializers.CharField(allow_null=True, allow_blank=True)
    sekretess_lagrum = serializers.CharField(allow_blank=True)
    har_fil = serializers.BooleanField()
    filnamn = serializers.CharField(allow_null=True, allow_blank=True)
    #: of a file the reader may not read, nothing: its checksum or size would let one who
    #: holds a copy confirm that it is the protected one
    mediatyp = serializers.CharField(allow_null=True, allow_blank=True)
    storlek = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True, allow_blank=True)
    fil_url = serializers.CharField(
        allow_null=True, help_text="Adressen till filen, när det finns en som du får läsa."
    )

    def to_representation(self, h: Handling) -> dict:
        las = self.context.get("las_sekretess", False)
        maskerad = h.hemlig and not las
        # a meeting's document: its checksum would confirm the whole file (Handling.
        # ar_motesdokument), which this reader may no longer be handed
        utan_summa = maskerad or (h.ar_motesdokument and not las)
        return {
            "id": h.pk,
            "arende": h.arende_id,
            "beteckning": h.beteckning,
            "nummer": h.nummer,
            "typ": h.typ,
            "riktning": h.riktning,
            "datum": _datum(h.datum),
            "status": h.status,
            "titel": h.maskerad_titel if maskerad else h.titel,
            "maskerad": maskerad,
            "avsandare_mottagare": None if maskerad else h.avsandare_mottagare,
            "beskrivning": None if maskerad else h.beskrivning,
            "sekretess_lagrum": h.sekretess_lagrum
            or (h.arende.sekretess_lagrum if h.hemlig else ""),
            "har_fil": bool(h.fil),
            "filnamn": None if maskerad else h.filnamn,
            "mediatyp": None if maskerad else h.mediatyp,
            "storlek": None if utan_summa else h.storlek,
            "sha256": None if utan_summa else h.sha256,
            "fil_url": reverse("api:handling_fil", args=[h.pk]) if h.fil and not maskerad else None,
        }


class ArendeDetaljSerializer(ArendeSerializer):
    """An ärende with its handlingar and the version a transition must carry."""

    version = serializers.IntegerField(
        help_text="Ärendets version: växer med varje steg och varje ändring av ärendet eller "
        "dess delar; skickas med när ett steg tas."
    )
    las_sekretess = serializers.BooleanField(
        help_text="Om du får läsa ärendets sekretessmarkerade innehåll."
    )
    handlingar = HandlingSerializer(many=True)

    def to_representation(self, arende: Arende) -> dict:
        data = super().to_representation(arende)
        context = {"las_sekretess": self.context.get("las_sekretess", False)}
        data["version"] = self.context["version"]
        data["las_sekretess"] = context["las_sekretess"]
        handlingar = arende.handlingar.select_related("arende").order_by("nummer")
        data["handlingar"] = HandlingSerializer(handlingar, many=True, context=context).data
        return data


# -- input: the pages' own forms decide what is valid; these only describe it in the schema --


class RegistreraForm(RegistreraForm):
    """The registration page's form, with the organ by its kod (HSN) as integrations know it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].to_field_name = "kod"
        self.fields["fullmaktige"].to_field_name = "kod"


class RegistreraIn(serializers.Serializer):
    organ = serializers.CharField(help_text="Organets kod, t.ex. HSN.")
    arendemening = serializers.CharField(max_length=500)
    typ = serializers.ChoiceField(choices=Arende.Typ.choices)
    klassificering = serializers.CharField(
        required=False,
        max_length=40,
        help_text="Klassens kod; utan den den klass som strukturen ger ärendetypen.",
    )
    offentlig_rubrik = serializers.CharField(
        required=False, max_length=500, help_text="Krävs när ärendet är sekretessmarkerat."
    )
    vackt = serializers.DateField(
        required=False,
        help_text="Motion och medborgarförslag: dagen det väcktes (KL 5 kap. 35 §). Krävs för dem.",
    )
    fullmaktige = serializers.CharField(
        required=False, help_text="Motion och medborgarförslag: fullmäktiges kod. Krävs för dem."
    )
    ledamot = serializers.IntegerField(
        required=False, help_text="Motion: id för ledamoten som väckte den."
    )
    vackt_av = serializers.CharField(
        required=False,
        max_length=300,
        help_text="Medborgarförslag: förslagsställarens namn (krävs). Motion: ledamotens namn.",
    )
    parti = serializers.CharField(required=False, max_length=10)
    diarienummer = serializers.CharField(
        required=False, max_length=40, help_text="Bara för ett äldre ärende med eget nummer."
    )
    avsandare = serializers.CharField(required=False, max_length=300)
    inkommet = serializers.DateField(required=False)
    sekretess_lagrum = serializers.CharField(required=False, max_length=100)


class HandlingIn(serializers.Serializer):
    typ = serializers.ChoiceField(choices=Handling.Typ.choices)
    riktning = serializers.ChoiceField(choices=Handling.Riktning.choices)
    datum = serializers.DateField()
    titel = serializers.CharField(max_length=500)
    avsandare_mottagare = serializers.CharField(required=False, max_length=300)
    beskrivning = serializers.CharField(required=False)
    sekretess_lagrum = serializers.CharField(required=False, max_length=100)
    offentlig_titel = serializers.CharField(required=False, max_length=500)
    fil = serializers.FileField(required=False)


class HandlingFormular(HandlingForm):
    """The ny handling page's form, reused for the API but for the page's version: a
    handling added rests on nothing the client read, and a repeated upload is caught by its
    Idempotency-Key."""

    version = None


class OvergangIn(serializers.Serializer):
    overgang = serializers.CharField(help_text="Stegets id, t.ex. paborja_beredning.")
    status = serializers.CharField(help_text="Ärendets status när du läste det.")
    version = serializers.IntegerField(help_text="Ärendets version när du läste det.")
    kommentar = serializers.CharField(required=False, allow_blank=True)


class OvergangSerializer(serializers.Serializer):
    id = serializers.CharField()
    titel = serializers.CharField()
    till = serializers.CharField(allow_null=True, help_text="Status efter steget (null: samma).")
    kraver_kommentar = serializers.BooleanField()
    formular = serializers.CharField(
        allow_null=True, help_text="Sidan där steget görs, när det kräver uppgifter."
    )


class OvergangarSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_titel = serializers.CharField()
    version = serializers.IntegerField()
    overgangar = OvergangSerializer(many=True)


class HistorikPostSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    overgang = serializers.CharField(allow_blank=True)
    titel = serializers.CharField()
    fran = serializers.CharField(allow_blank=True)
    till = serializers.CharField()
    vem = serializers.CharField(allow_blank=True)
    roller = serializers.ListField(child=serializers.CharField())
    tid = serializers.DateTimeField()
    kommentar = serializers.CharField(allow_blank=True)
    hash = serializers.CharField()


class KedjaSerializer(serializers.Serializer):
    intakt = serializers.BooleanField(
        help_text="Om hashkedjan håller hela vägen till objektets nuvarande status."
    )
    poster = serializers.IntegerField()
    brott = serializers.ListField(child=serializers.CharField())


class HistorikSerializer(serializers.Serializer):
    kedja = KedjaSerializer()
    poster = HistorikPostSerializer(many=True)


class ArbetslistaSerializer(serializers.Serializer):
    id = serializers.CharField()
    titel = serializers.CharField()
    avser = serializers.CharField(help_text="arende eller sammantrade")
    antal = serializers.IntegerField()
    url = serializers.CharField()


class PunktSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rubrik = serializers.CharField(
        help_text="Som i protokollet; maskerad för den som inte får läsa."
    )
    maskerad = serializers.BooleanField()
    arende = serializers.IntegerField(allow_null=True)
    utfall = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="Inget för den som inte får läsa punkten."
    )


class SammantradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organ = serializers.CharField()
    organ_namn = serializers.CharField()
    datum = serializers.DateField()
    start = serializers.CharField(allow_null=True)
    slut = serializers.CharField(allow_null=True)
    plats = serializers.CharField()
    status = serializers.CharField()
    status_titel = serializers.CharField()
    justerat = serializers.DateTimeField(allow_null=True)
    anslaget = serializers.DateField(allow_null=True)
    justering_senast = serializers.DateField(help_text="KL 5 kap. 69 §")
    anslag_senast = serializers.DateField(allow_null=True, help_text="KL 8 kap. 12 §")
    overklagande_senast = serializers.DateField(allow_null=True, help_text="KL 13 kap. 5 §")
    url = serializers.CharField()

    def to_representation(self, s) -> dict:
        return {
            "id": s.pk,
            "organ": s.organ.kod,
            "organ_namn": s.organ.namn,
            "datum": _datum(s.datum),
            "start": s.start.strftime("%H:%M") if s.start else None,
            "slut": s.slut.strftime("%H:%M") if s.slut else None,
            "plats": s.plats,
            "status": s.state,
            "status_titel": s.status_titel,
            "justerat": _tid(s.justerat),
            "anslaget": _datum(s.anslaget),
            "justering_senast": _datum(s.justering_senast),
            "anslag_senast": _datum(s.anslag_senast),
            "overklagande_senast": _datum(s.overklagande_senast),
            "url": reverse("api:sammantrade", args=[s.pk]),
        }


class SammantradeDetaljSerializer(SammantradeSerializer):
    punkter = PunktSerializer(many=True)

    def to_representation(self, s) -> dict:
        data = super().to_representation(s)
        data["punkter"] = self.context["punkter"]
        return data


class ProtokollSerializer(serializers.Serializer):
    """A published (anslaget) protokoll on the digital anslagstavla (KL 8 kap. 12 §)."""

    id = serializers.IntegerField()
    organ = serializers.CharField()
    organ_namn = serializers.CharField()
    datum = serializers.DateField()
    anslaget = serializers.DateField()
    overklagande_senast = serializers.DateField(allow_null=True, help_text="KL 13 kap. 5 §")
    pdf = serializers.CharField(help_text="Protokollet som PDF/A, sekretess maskerad.")

    def to_representation(self, s) -> dict:
        return {
            "id": s.pk,
            "organ": s.organ.kod,
            "organ_namn": s.organ.namn,
            "datum": _datum(s.datum),
            "anslaget": _datum(s.anslaget),
            "overklagande_senast": _datum(s.overklagande_senast),
            "pdf": reverse("arenden:publicerat_protokoll", args=[s.pk, "pdf"]),
        }
