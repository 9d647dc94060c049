"""The political administration's records: organ, people, diarium and ärende."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import LocalRolesMixin, WorkflowMixin

from .diarienummer import Diarienummer


class Organ(LocalRolesMixin):
    """A body that decides (fullmäktige, styrelse, nämnd) or prepares (beredning,
    samverkansorgan). Roles given on an organ (Stabschef, Nämndsekreterare) are inherited by
    its ärenden."""

    class Typ(models.TextChoices):
        FULLMAKTIGE = "fullmaktige", _("fullmäktige")
        STYRELSE = "styrelse", _("styrelse")
        NAMND = "namnd", _("nämnd")
        UTSKOTT = "utskott", _("utskott")
        BEREDNING = "beredning", _("beredning")
        SAMVERKANSORGAN = "samverkansorgan", _("samverkansorgan")

    kod = models.CharField(_("förkortning"), max_length=20, unique=True)
    namn = models.CharField(_("namn"), max_length=200)
    typ = models.CharField(_("typ"), max_length=20, choices=Typ.choices)
    diarieprefix = models.CharField(
        _("diarieprefix"),
        max_length=10,
        help_text=_("Serien i diariet, t.ex. HSN i HSN 787-2025."),
    )
    rapporterar_till = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="underordnade",
        verbose_name=_("rapporterar till"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("organ")
        verbose_name_plural = _("organ")
        ordering = ["namn"]

    def __str__(self):
        return self.namn

    @property
    def anslar_protokoll(self) -> bool:
        """KL 8 kap. 12 §: the justering of fullmäktige's and the nämnders' protokoll (a
        styrelse is a nämnd, an utskott part of one, KL 6 kap. 20 §) is announced on the
        anslagstavla, and laglighetsprövning runs from it (KL 13 kap. 1, 5 §§). A beredning
        or a samverkansorgan decides nothing in the sense of KL: its protokoll is justerat
        but not anslaget, and it is not appealed."""
        return self.typ in (
            self.Typ.FULLMAKTIGE,
            self.Typ.STYRELSE,
            self.Typ.NAMND,
            self.Typ.UTSKOTT,
        )


class Enhet(models.Model):
    """A förvaltning or a unit within one (HSF övergripande verksamhet, HSD)."""

    namn = models.CharField(_("namn"), max_length=200)
    kortnamn = models.CharField(_("kortnamn"), max_length=40, blank=True)
    overordnad = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="underenheter",
        verbose_name=_("överordnad enhet"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["namn"]

    def __str__(self):
        return self.kortnamn or self.namn


class Person(models.Model):
    """A förtroendevald (party, kommun) or a tjänsteperson (title, unit)."""

    class Typ(models.TextChoices):
        FORTROENDEVALD = "fortroendevald", _("förtroendevald")
        TJANSTEPERSON = "tjansteperson", _("tjänsteperson")

    namn = models.CharField(_("namn"), max_length=200)
    typ = models.CharField(_("typ"), max_length=20, choices=Typ.choices)
    parti = models.CharField(_("parti"), max_length=10, blank=True)
    kommun = models.CharField(_("kommun"), max_length=100, blank=True)
    titel = models.CharField(_("titel"), max_length=200, blank=True)
    enhet = models.ForeignKey(
        Enhet, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("enhet")
    )
    anvandare = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
        verbose_name=_("användarkonto"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["namn"]

    def __str__(self):
        if self.typ == self.Typ.FORTROENDEVALD and self.parti:
            return f"{self.namn} ({self.parti})"
        return self.namn


class Nummerserie(models.Model):
    """The last running number handed out in one diarium series and year."""

    prefix = models.CharField(max_length=10)
    ar = models.PositiveSmallIntegerField()
    senaste = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nummerserie")
        verbose_name_plural = _("nummerserier")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "ar"], name="nummerserie_unik"),
        ]

    def __str__(self):
        return f"{self.prefix} {self.ar}: {self.senaste}"


class Arende(WorkflowMixin):
    """An ärende in the diarium (OSL 5 kap. 1 §: date, diarienummer, sender, description)."""

    class Typ(models.TextChoices):
        INITIATIVARENDE = "initiativarende", _("initiativärende")
        MOTION = "motion", _("motion")
        MEDBORGARFORSLAG = "medborgarforslag", _("medborgarförslag")
        REMISS = "remiss", _("remiss")
        SKRIVELSE = "skrivelse", _("skrivelse")
        UPPDRAG = "uppdrag", _("uppdrag")
        INFORMATIONSARENDE = "informationsarende", _("informationsärende")

    organ = models.ForeignKey(
        Organ, on_delete=models.PROTECT, related_name="arenden", verbose_name=_("organ")
    )
    serie = models.CharField(_("diarieserie"), max_length=10, editable=False)
    ar = models.PositiveSmallIntegerField(_("år"), editable=False)
    #: given last in the registering transaction (services.registrera_arende), so that the
    #: diarium series is locked only for that moment; never empty once committed
    lopnummer = models.PositiveIntegerField(_("löpnummer"), editable=False, null=True)
    delnummer = models.PositiveIntegerField(
        _("delnummer"), default=0, editable=False, help_text=_("0 när ärendet saknar delnummer")
    )
    arendemening = models.CharField(_("ärendemening"), max_length=500)
    offentlig_rubrik = models.CharField(
        _("offentlig rubrik"),
        max_length=500,
        blank=True,
        help_text=_("Rubriken i den offentliga postlistan; lämnas tom när den är densamma."),
    )
    typ = models.CharField(_("ärendetyp"), max_length=30, choices=Typ.choices)
    klassificering = models.CharField(_("klassificering"), max_length=40, blank=True)
    registrerat = models.DateField(_("registrerat"))
    inkommet = models.DateField(_("inkommet"), null=True, blank=True)
    upprattat = models.DateField(_("upprättat"), null=True, blank=True)
    beslutat = models.DateField(_("beslutat"), null=True, blank=True)
    expedierat = models.DateField(_("expedierat"), null=True, blank=True)
    avslutat = models.DateField(_("avslutat"), null=True, blank=True)
    avsandare = models.CharField(_("avsändare"), max_length=300, blank=True)
    handlaggare = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handlagda_arenden",
        verbose_name=_("handläggare"),
    )
    sekretess_lagrum = models.CharField(
        _("sekretess enligt"),
        max_length=100,
        blank=True,
        help_text=_("Lagrummet, t.ex. OSL 25 kap. 1 §. Tomt när ärendet är offentligt."),
    )
    sekretess_datum = models.DateField(_("sekretessmarkerat"), null=True, blank=True)
    sekretess_markerad_av = models.CharField(_("sekretessmarkerat av"), max_length=200, blank=True)
    #: the day the ärende was delivered to the e-arkiv (arenden.arkiv, manage.py arkivexport)
    levererad = models.DateField(_("levererat till arkiv"), null=True, blank=True, editable=False)
    #: the ärende's version: every change to it or its parts (tjänsteskrivelse, sändlista,
    #: handlingar, uppdrag, beredningsansvariga, its own fields) adds one, under its row lock
    #: (services.andras); with its workflow steps it is what a form carries
    #: (services.arendets_version). A concurrency token, not a fact: no field history.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["version"]
    )

    local_roles_parent = "organ"

    class Meta:
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        ordering = ["-ar", "serie", "-lopnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["serie", "ar", "lopnummer", "delnummer"], name="arende_unikt_diarienummer"
            ),
        ]
        # measured at a million ärenden (manage.py benchmark): the worklists of roles given on
        # the organ, and the lists in date order (postlista, search hits). The full-text
        # indexes are PostgreSQL's own: migration 0005.
        indexes = [
            models.Index(fields=["organ", "state"], name="arende_organ_status"),
            models.Index(fields=["-registrerat", "-id"], name="arende_registrerat"),
        ]
        permissions = [
            ("change_tjansteskrivelse", _("Får redigera tjänsteskrivelsen")),
            ("change_sandlista", _("Får ändra sändlistan (Beslutet expedieras till)")),
            ("add_handling", _("Får lägga till handlingar")),
            ("view_sekretess", _("Får läsa sekretessmarkerat innehåll")),
            ("sekretessmarkera", _("Får sekretessmarkera och häva sekretessmarkering")),
            ("expediera_arende", _("Får expediera beslutet")),
            ("redovisa_uppdrag", _("Får redovisa återrapportering av uppdrag")),
        ]

    def __str__(self):
        return f"{self.diarienummer} {self.arendemening}"

    @property
    def diarienummer(self) -> Diarienummer:
        return Diarienummer(self.serie, self.lopnummer, self.ar, self.delnummer or None)

    @property
    def ar_sekretessmarkerat(self) -> bool:
        return bool(self.sekretess_lagrum)

    @property
    def publik_rubrik(self) -> str:
        """The rubrik anyone may read: the offentlig rubrik or the ärendemening; never the
        ärendemening of a sekretess-marked ärende (then :attr:`maskerad_rubrik`)."""
        if self.ar_sekretessmarkerat:
            return self.maskerad_rubrik
        return self.offentlig_rubrik or self.arendemening

    @property
    def maskerad_rubrik(self) -> str:
        """What one who may not read the secret content sees of a sekretess-marked ärende:
        its offentlig rubrik when it has one, and the marking with its lagrum (OSL 5 kap. 5 §)."""
        if self.offentlig_rubrik:
            return f"{self.offentlig_rubrik} – Sekretess ({self.sekretess_lagrum})"
        return f"Sekretess ({self.sekretess_lagrum})"


class ArendeRelation(models.Model):
    class Typ(models.TextChoices):
        ATERRAPPORTERING_AV = "aterrapportering_av", _("återrapportering av")
        FORTSATTER_I = "fortsatter_i", _("fortsätter i")
        RELATERAT = "relaterat", _("relaterat")

    fran = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="relationer", verbose_name=_("från")
    )
    till = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="relationer_hit", verbose_name=_("till")
    )
    typ = models.CharField(_("relation"), max_length=30, choices=Typ.choices)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("ärenderelation")
        verbose_name_plural = _("ärenderelationer")
        constraints = [
            models.UniqueConstraint(fields=["fran", "till", "typ"], name="arenderelation_unik"),
            models.CheckConstraint(
                condition=~models.Q(fran=models.F("till")), name="arenderelation_inte_sig_sjalv"
            ),
        ]

    def __str__(self):
        return f"{self.fran.diarienummer} {self.get_typ_display()} {self.till.diarienummer}"


class Beredningsansvarig(models.Model):
    """A person named on the ärende with the part they played in its beredning (seed 001)."""

    arende = models.ForeignKey(
        Arende,
        on_delete=models.PROTECT,
        related_name="beredningsansvariga",
        verbose_name=_("ärende"),
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("person"))
    del_i_beredningen = models.CharField(
        _("del i beredningen"),
        max_length=300,
        help_text=_("T.ex. delaktig i framtagandet av bilagt underlag."),
    )
    ordning = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("beredningsansvarig")
        verbose_name_plural = _("beredningsansvariga")
        ordering = ["ordning", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["arende", "person"], name="beredningsansvarig_en_gang"),
        ]

    def __str__(self):
        return f"{self.person}: {self.del_i_beredningen}"


def _handling_path(instance, filename):
    # stored under the ärende's diarienummer; the name is not trusted for anything else
    arende = instance.arende
    return f"handlingar/{arende.ar}/{arende.serie}-{arende.lopnummer}/{filename}"


class Handling(models.Model):
    """A document in the ärende, numbered within it (HSN 787-2025:3). Inkommen when it
    arrives; upprättad when expedierad or when the ärende is slutbehandlat (TF 2 kap. 9–10 §§).
    """

    class Typ(models.TextChoices):
        TJANSTESKRIVELSE = "tjansteskrivelse", _("tjänsteskrivelse")
        BESLUTSUNDERLAG = "beslutsunderlag", _("beslutsunderlag")
        BILAGA = "bilaga", _("bilaga")
        SKRIVELSE = "skrivelse", _("skrivelse")
        KALLELSE = "kallelse", _("kallelse med föredragningslista")
        PROTOKOLL = "protokoll", _("protokoll")
        PROTOKOLLSUTDRAG = "protokollsutdrag", _("protokollsutdrag")
        ATERRAPPORT = "aterrapport", _("återrapport")
        YTTRANDE = "yttrande", _("yttrande")

    class Riktning(models.TextChoices):
        INKOMMEN = "inkommen", _("inkommen")
        UPPRATTAD = "upprattad", _("upprättad")
        INTERN = "intern", _("intern")

    class Status(models.TextChoices):
        UTKAST = "utkast", _("under arbete")
        INKOMMEN = "inkommen", _("inkommen")
        UPPRATTAD = "upprattad", _("upprättad")

    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="handlingar", verbose_name=_("ärende")
    )
    nummer = models.PositiveIntegerField(_("nummer"), editable=False)
    typ = models.CharField(_("typ"), max_length=30, choices=Typ.choices)
    riktning = models.CharField(_("riktning"), max_length=20, choices=Riktning.choices)
    datum = models.DateField(_("datum"), help_text=_("Dagen handlingen kom in eller upprättades."))
    avsandare_mottagare = models.CharField(_("avsändare/mottagare"), max_length=300, blank=True)
    titel = models.CharField(_("titel"), max_length=500)
    beskrivning = models.TextField(_("beskrivning"), blank=True)
    fil = models.FileField(_("fil"), upload_to=_handling_path, blank=True)
    filnamn = models.CharField(_("filnamn"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    mediatyp = models.CharField(_("mediatyp"), max_length=120, blank=True, editable=False)
    storlek = models.PositiveBigIntegerField(_("storlek (byte)"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    sekretess_lagrum = models.CharField(_("sekretess enligt"), max_length=100, blank=True)
    sekretess_datum = models.DateField(_("sekretessmarkerad"), null=True, blank=True)
    sekretess_markerad_av = models.CharField(_("sekretessmarkerad av"), max_length=200, blank=True)
    offentlig_titel = models.CharField(
        _("offentlig titel"),
        max_length=500,
        blank=True,
        help_text=_("Vad postlistan visar om en sekretessmarkerad handling, t.ex. Läkarintyg."),
    )
    registrerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("registrerad av"),
    )
    #: when it was entered in the diarium; an inkommen handling is to be registered "utan
    #: dröjsmål" after it arrived (``datum``), OSL 5 kap. 1 §
    registrerad = models.DateTimeField(_("registrerad"), default=timezone.now, editable=False)
    #: the day its file was gallrad under a recorded decision (arenden.gallring); the
    #: registration itself stays in the diarium
    gallrad = models.DateField(_("gallrad"), null=True, blank=True, editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("handling")
        verbose_name_plural = _("handlingar")
        ordering = ["arende", "nummer"]
        constraints = [
            models.UniqueConstraint(fields=["arende", "nummer"], name="handling_nummer_unikt"),
        ]
        # the public postlista: handlingar by the day they came in or were drawn up
        indexes = [models.Index(fields=["-datum", "-id"], name="handling_datum")]

    def __str__(self):
        return f"{self.beteckning} {self.titel}"

    @property
    def beteckning(self) -> str:
        return f"{self.arende.diarienummer}:{self.nummer}"

    @property
    def ar_sekretessmarkerad(self) -> bool:
        return bool(self.sekretess_lagrum)

    @property
    def hemlig(self) -> bool:
        """Marked itself, or part of a sekretess-marked ärende (whose marking covers the
        uppgifter in its handlingar): masked for everyone outside the need-to-know group."""
        return self.ar_sekretessmarkerad or self.arende.ar_sekretessmarkerat

    @property
    def maskerad_titel(self) -> str:
        """What one outside the need-to-know group sees of a secret handling's title: its
        offentlig titel when it has one, and the marking with its lagrum (OSL 5 kap. 5 §)."""
        lagrum = self.sekretess_lagrum or self.arende.sekretess_lagrum
        if self.offentlig_titel:
            return f"{self.offentlig_titel} – Sekretess ({lagrum})"
        return f"Sekretess ({lagrum})"

    @property
    def publik_titel(self) -> str:
        return self.maskerad_titel if self.hemlig else self.titel

    @property
    def dagar_till_registrering(self) -> int | None:
        """Days from the day an inkommen handling arrived to the day it was registered."""
        if self.riktning != self.Riktning.INKOMMEN:
            return None
        return (timezone.localdate(self.registrerad) - self.datum).days


class Tjansteskrivelse(models.Model):
    """The handläggare's written preparation, in the sections of seed 001. The sections
    *Beredningsansvariga*, *Beslutsunderlag* and *Beslutet expedieras till* are not text here:
    they are read from the ärende's beredningsansvariga, its handlingar of type
    beslutsunderlag and its sändlista, so that they can never disagree with them."""

    #: (field, heading) in the order of the document
    SEKTIONER = [
        ("sammanfattning", _("Sammanfattning")),
        ("forslag_till_beslut", _("Förslag till beslut")),
        ("bedomda_resultat", _("Bedömda resultat och konsekvenser")),
        ("resurser_finansiering", _("Resurser och finansiering")),
        ("jamstalldhet", _("Jämställdhet")),
    ]

    arende = models.OneToOneField(
        Arende,
        on_delete=models.PROTECT,
        related_name="tjansteskrivelse",
        verbose_name=_("ärende"),
    )
    datum = models.DateField(_("datum"))
    forfattare = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("författare")
    )
    enhet = models.ForeignKey(
        Enhet, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("enhet")
    )
    sammanfattning = models.TextField(_("sammanfattning"), blank=True)
    forslag_till_beslut = models.TextField(_("förslag till beslut"), blank=True)
    bedomda_resultat = models.TextField(_("bedömda resultat och konsekvenser"), blank=True)
    resurser_finansiering = models.TextField(_("resurser och finansiering"), blank=True)
    jamstalldhet = models.TextField(_("jämställdhet"), blank=True)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("tjänsteskrivelse")
        verbose_name_plural = _("tjänsteskrivelser")

    def __str__(self):
        return f"{_('Tjänsteskrivelse')} {self.arende.diarienummer}"

    def sektioner(self):
        return [(rubrik, getattr(self, falt)) for falt, rubrik in self.SEKTIONER]


class Beslut(models.Model):
    """What an organ decided in the ärende. Minimal here; the meetings deepen it."""

    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="beslut", verbose_name=_("ärende")
    )
    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, verbose_name=_("organ"))
    datum = models.DateField(_("datum"))
    paragraf = models.PositiveIntegerField(_("paragraf"), null=True, blank=True)
    text = models.TextField(_("beslut"))
    forslag_till = models.ForeignKey(
        Organ,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("förslag till"),
        help_text=_("När beslutet är ett förslag till ett högre organ."),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["datum", "pk"]

    def __str__(self):
        paragraf = f" § {self.paragraf}" if self.paragraf else ""
        return f"{self.organ.kod}{paragraf} {self.datum:%Y-%m-%d}"


class Mottagare(models.Model):
    """One line of "Beslutet expedieras till": a person, a unit or an address, and when,
    how and by whom the decision was sent there."""

    class Metod(models.TextChoices):
        E_POST = "e-post", _("e-post")
        POST = "post", _("post")
        INTERNPOST = "internpost", _("internpost")
        DIGITALT = "digitalt", _("digital brevlåda")
        BUD = "bud", _("bud eller personligen")

    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="mottagare", verbose_name=_("ärende")
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("person")
    )
    enhet = models.ForeignKey(
        Enhet, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("enhet")
    )
    adress = models.CharField(_("adress"), max_length=300, blank=True)
    ordning = models.PositiveSmallIntegerField(_("ordning"), default=0)
    expedierad = models.DateTimeField(_("expedierad"), null=True, blank=True, editable=False)
    metod = models.CharField(_("sätt"), max_length=20, choices=Metod.choices, blank=True)
    expedierad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("expedierad av"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("mottagare")
        verbose_name_plural = _("mottagare")
        ordering = ["ordning", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person=None, enhet=None, adress=""),
                name="mottagare_har_adressat",
            ),
        ]

    def __str__(self):
        if self.person_id and self.enhet_id:
            return f"{self.person.namn}, {self.enhet}"
        if self.person_id:
            enhet = self.person.enhet
            return f"{self.person.namn}, {enhet}" if enhet else self.person.namn
        return str(self.enhet) if self.enhet_id else self.adress


class Uppdrag(models.Model):
    """An uppdrag that a beslut gives: report back to an organ by a due date. It is fulfilled
    by an återrapport, a handling in the same ärende, presented to that organ (seed 002)."""

    beslut = models.ForeignKey(
        Beslut, on_delete=models.PROTECT, related_name="uppdrag", verbose_name=_("beslut")
    )
    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="uppdrag", verbose_name=_("ärende")
    )
    beskrivning = models.TextField(_("uppdrag"))
    forfaller = models.DateField(_("förfaller"), db_index=True)
    rapportera_till = models.ForeignKey(
        Organ, on_delete=models.PROTECT, related_name="+", verbose_name=_("återrapporteras till")
    )
    aterrapport = models.ForeignKey(
        Handling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("återrapport"),
    )
    redovisat = models.DateField(_("redovisat för organet"), null=True, blank=True, editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")
        ordering = ["forfaller", "pk"]

    def __str__(self):
        return f"{self.arende.diarienummer}: {self.beskrivning[:60]}"

    @property
    def uppfyllt(self) -> bool:
        return self.redovisat is not None


# the meeting side lives in its own module; imported here so Django finds its models
from .sammantraden import (  # noqa: E402, F401
    Deltagare,
    Jav,
    Justering,
    Kallelsemottagare,
    Punkt,
    Rattelse,
    Reservation,
    Sammantrade,
    Votering,
    Yrkande,
    Yttrande,
)


class Inskick(models.Model):
    """A form sent once: the key its page gave it, and where the first sending led. A double
    click or a resent form finds the key taken and is led to the same place, so nothing is
    created twice (:func:`arenden.inskick.en_gang`)."""

    nyckel = models.CharField(_("nyckel"), max_length=64, unique=True)
    anvandare = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    svar = models.CharField(_("ledde till"), max_length=500, blank=True)
    skickat = models.DateTimeField(_("skickat"), auto_now_add=True)

    class Meta:
        verbose_name = _("inskick")
        verbose_name_plural = _("inskick")

    def __str__(self):
        return self.nyckel


class Sekretessatkomst(models.Model):
    """One read of sekretess-marked content: who, when, what (OSL; the revisor's list of who
    has read protected information). Written by the views that show it, never changed."""

    class Vad(models.TextChoices):
        ARENDE = "arende", _("ärendets sida")
        TIDSLINJE = "tidslinje", _("ärendets historik")
        FIL = "fil", _("handlingens fil")
        DOKUMENT = "dokument", _("dokument")
        BEGARAN = "begaran", _("prövning av begäran")

    tidpunkt = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    anvandare = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("användare"),
    )
    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="+", verbose_name=_("ärende")
    )
    handling = models.ForeignKey(
        Handling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handling"),
    )
    vad = models.CharField(_("vad"), max_length=20, choices=Vad.choices)

    class Meta:
        verbose_name = _("läsning av sekretessmarkerat innehåll")
        verbose_name_plural = _("läsningar av sekretessmarkerat innehåll")
        ordering = ["-tidpunkt", "-pk"]

    def __str__(self):
        return f"{self.tidpunkt:%Y-%m-%d %H:%M} {self.anvandare} {self.get_vad_display()}"

    @classmethod
    def logga(cls, user, arende, vad: str, handling=None) -> None:
        cls.objects.create(anvandare=user, arende=arende, handling=handling, vad=vad)


class Begaran(WorkflowMixin):
    """A request for allmänna handlingar (TF 2 kap. 15–18 §§): registered when it comes in,
    tried "skyndsamt" by the one who decides, and answered by release in whole, release with
    masking, or refusal (a decision that can be appealed, OSL 6 kap. 7–8 §§)."""

    class Form(models.TextChoices):
        EPOST = "epost", _("kopia med e-post")
        PAPPER = "papper", _("kopia på papper")
        PA_STALLET = "pa_stallet", _("läsa på plats")

    arende = models.ForeignKey(
        Arende, on_delete=models.PROTECT, related_name="begaranden", verbose_name=_("ärende")
    )
    inkommen = models.DateField(_("inkommen"))
    senast = models.DateField(_("pröva senast"))
    sokande = models.CharField(
        _("sökande"),
        max_length=200,
        blank=True,
        help_text=_("Den som begär en handling behöver inte säga vem hon är (TF 2 kap. 18 §)."),
    )
    kontakt = models.CharField(
        _("svara till"), max_length=300, blank=True, help_text=_("E-post eller postadress.")
    )
    avser = models.TextField(_("begäran avser"))
    form = models.CharField(_("önskas som"), max_length=20, choices=Form.choices)
    registrerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("registrerad av"),
    )
    provad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("prövad av"),
    )
    provad = models.DateTimeField(_("prövad"), null=True, blank=True, editable=False)
    beslut = models.OneToOneField(
        Handling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("beslut"),
    )
    kopia = models.OneToOneField(
        Handling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("utlämnad kopia"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    local_roles_parent = "arende"

    class Meta:
        verbose_name = _("begäran om allmän handling")
        verbose_name_plural = _("begäranden om allmän handling")
        ordering = ["senast", "pk"]
        permissions = [("prova_begaran", _("Får pröva en begäran om allmän handling"))]

    def __str__(self):
        return f"Begäran {self.inkommen:%Y-%m-%d} i {self.arende.diarienummer}"


class BegardHandling(models.Model):
    """A handling a request asks for, and what was decided about it."""

    class Utfall(models.TextChoices):
        LAMNAS_UT = "lamnas_ut", _("lämnas ut")
        MASKERAS = "maskeras", _("lämnas ut med maskering")
        UNDANTAS = "undantas", _("lämnas inte ut")

    begaran = models.ForeignKey(
        Begaran, on_delete=models.PROTECT, related_name="rader", verbose_name=_("begäran")
    )
    handling = models.ForeignKey(
        Handling, on_delete=models.PROTECT, related_name="+", verbose_name=_("handling")
    )
    utfall = models.CharField(_("utfall"), max_length=20, choices=Utfall.choices, blank=True)
    lagrum = models.CharField(_("sekretess enligt"), max_length=100, blank=True)
    sidor = models.CharField(
        _("sidor som maskeras"),
        max_length=100,
        blank=True,
        help_text=_("T.ex. 2, 4-5. Sidorna tas bort ur kopian."),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("begärd handling")
        verbose_name_plural = _("begärda handlingar")
        ordering = ["begaran", "handling__nummer"]
        constraints = [
            models.UniqueConstraint(fields=["begaran", "handling"], name="begard_handling_unik"),
        ]

    def __str__(self):
        return f"{self.handling.beteckning}: {self.get_utfall_display() or '–'}"


class Klass(models.Model):
    """A class of the klassificeringsstruktur: what the organisation does, not who does it
    (verksamhetsbaserad, in the manner of KLASSA). Every ärende is registered under one
    (``Arende.klassificering`` holds its kod); ``arendetyper`` are the ärendetyper a klass is
    the default for when the registrator names none."""

    kod = models.CharField(_("kod"), max_length=40, unique=True)
    namn = models.CharField(_("namn"), max_length=200)
    overordnad = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="underklasser",
        verbose_name=_("överordnad klass"),
    )
    beskrivning = models.TextField(_("beskrivning"), blank=True)
    arendetyper = models.JSONField(
        _("standard för ärendetyper"),
        default=list,
        blank=True,
        help_text=_("Ärendetyper som registreras här när ingen klass anges."),
    )

    class Meta:
        verbose_name = _("klass")
        verbose_name_plural = _("klassificeringsstruktur")
        ordering = ["kod"]

    def __str__(self):
        return f"{self.kod} {self.namn}"


class Bevarande(models.Model):
    """A row of the dokumenthanteringsplan: for the handlingar of one type in one klass (or of
    every type, ``handlingstyp`` empty), whether they are kept or gallras, and how many years
    after the ärende was closed (arkivlagen 1990:782 10 §: gallring only by decision)."""

    klass = models.ForeignKey(
        Klass, on_delete=models.PROTECT, related_name="bevarande", verbose_name=_("klass")
    )
    handlingstyp = models.CharField(
        _("handlingstyp"), max_length=30, choices=Handling.Typ.choices, blank=True
    )
    bevaras = models.BooleanField(_("bevaras"), default=True)
    gallringsfrist_ar = models.PositiveSmallIntegerField(
        _("gallras efter (år)"), null=True, blank=True
    )
    anmarkning = models.CharField(_("anmärkning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rad i dokumenthanteringsplanen")
        verbose_name_plural = _("dokumenthanteringsplan")
        ordering = ["klass__kod", "handlingstyp"]
        constraints = [
            models.UniqueConstraint(fields=["klass", "handlingstyp"], name="bevarande_unik"),
            models.CheckConstraint(
                condition=models.Q(bevaras=True) | models.Q(gallringsfrist_ar__isnull=False),
                name="gallring_har_frist",
            ),
        ]

    def __str__(self):
        vad = self.get_handlingstyp_display() or _("alla handlingar")
        if self.bevaras:
            return f"{self.klass.kod} {vad}: bevaras"
        return f"{self.klass.kod} {vad}: gallras efter {self.gallringsfrist_ar} år"


class Gallringsbeslut(models.Model):
    """A decision to gallra, and what it removed: the record that stays when the files go
    (never removed itself)."""

    beslut = models.TextField(
        _("beslut"), help_text=_("Vilket beslut gallringen stöds av, t.ex. RS 2024-05-12 § 45.")
    )
    genomfort = models.DateTimeField(_("genomförd"), default=timezone.now, editable=False)
    genomfort_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("genomförd av"),
    )

    class Meta:
        verbose_name = _("gallring")
        verbose_name_plural = _("gallringar")
        ordering = ["-genomfort", "-pk"]

    def __str__(self):
        return f"{self.genomfort:%Y-%m-%d} {self.beslut[:60]}"


class GallradHandling(models.Model):
    """One handling whose file a gallring removed: what it was, for ever."""

    gallring = models.ForeignKey(
        Gallringsbeslut, on_delete=models.PROTECT, related_name="handlingar"
    )
    handling = models.ForeignKey(Handling, on_delete=models.PROTECT, related_name="+")
    beteckning = models.CharField(_("beteckning"), max_length=60)
    titel = models.CharField(_("titel"), max_length=500)
    typ = models.CharField(_("typ"), max_length=30)
    datum = models.DateField(_("datum"))
    filnamn = models.CharField(_("filnamn"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storlek = models.PositiveBigIntegerField(_("storlek (byte)"))

    class Meta:
        verbose_name = _("gallrad handling")
        verbose_name_plural = _("gallrade handlingar")
        constraints = [
            models.UniqueConstraint(fields=["handling"], name="gallrad_en_gang"),
        ]

    def __str__(self):
        return f"{self.beteckning} {self.titel}"


from .integrationer import ApiIdempotens, OidcIdentitet  # noqa: E402, F401  issue 16
from .utskick import Utskick  # noqa: E402, F401  the outbox (arenden.utskick)
