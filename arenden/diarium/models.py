"""The diarium: nummerserier, ärenden, their relations and handlingar, and the log of who read what
is secret (OSL 5 kap.)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.diarium.diarienummer import Diarienummer
from arenden.organisation.models import Organ
from flows.namn import ArendeSteg
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.logs import SignedLog, append
from workflow.models import WorkflowMixin

#: the steps whose comment is a prövning of secrecy kept inside the authority, saying what is
#: secret and why: a marking made, changed or lifted. (A begäran's prövning is not among them:
#: its motivering is the beslut sent to who asked, FL 32 §, written to be read by them.)
SEKRETESSPROVNINGAR = (ArendeSteg.ANDRA_SEKRETESS,)

#: the longest full name of a user: first name, a space, last name (Django's 150 each)
NAMNLANGD = 150 + 1 + 150


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
    #: the full name of who marked it: a user's first and last name (150 characters each)
    sekretess_markerad_av = models.CharField(
        _("sekretessmarkerat av"), max_length=NAMNLANGD, blank=True
    )
    #: the day the ärende was delivered to the e-arkiv (arenden.arkiv.export, manage.py arkivexport)
    levererad = models.DateField(_("levererat till arkiv"), null=True, blank=True, editable=False)
    #: the ärende's version (services.arendets_version) the delivered package holds: a change
    #: since (a handling registered in the closed ärende, a step) makes it due for delivery
    #: again (arenden.arkiv.export.att_leverera)
    levererad_version = models.PositiveIntegerField(
        _("levererad version"), null=True, blank=True, editable=False
    )
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
            ("skicka_rattelse", _("Får skicka rättat protokollsutdrag")),
        ]

    def __str__(self):
        # what anyone may read: wherever the ärende is named without asking who reads (a
        # choice in a form, a message, an error, the admin), never the secret ärendemening;
        # a page shows it to who may read it through the ``rubrik`` filter
        if self.ar_sekretessmarkerat:
            return f"{self.diarienummer} {self.maskerad_rubrik}"
        return f"{self.diarienummer} {self.arendemening}"

    @property
    def diarienummer(self) -> Diarienummer:
        return Diarienummer(self.serie, self.lopnummer, self.ar, self.delnummer or None)

    @property
    def ar_sekretessmarkerat(self) -> bool:
        return bool(self.sekretess_lagrum)

    def kommentar(self, entry, las_sekretess: bool) -> str:
        """A step's comment in the ärende's history (or a begäran's about it) as a reader
        reads it: the comments of a sekretess-marked ärende, and the motivering of any
        prövning of a marking (:data:`SEKRETESSPROVNINGAR`, of the ärende or of one of its
        handlingar, before or after it was lifted), which speaks of what is or was secret,
        only for who may read the secret content (OSL 5 kap. 5 §); the others read that it
        is kept from them."""
        if las_sekretess or not entry.comment:
            return entry.comment
        if self.ar_sekretessmarkerat:
            return str(
                _("Kommentaren omfattas av sekretess enligt %(lagrum)s.")
                % {"lagrum": self.sekretess_lagrum}
            )
        if entry.transition in SEKRETESSPROVNINGAR:
            return str(
                _(
                    "Motiveringen till sekretessprövningen visas bara för den som får läsa "
                    "ärendets sekretessmarkerade innehåll."
                )
            )
        return entry.comment

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


def _handling_path(instance, filename):
    # stored under the ärende's diarienummer by a name of its own, never the uploaded one: that
    # name can say what a secret handling is about (OSL 21 kap. 1 §, a diagnosis, a name), and
    # the path shows in the field history, the file check and the storage; ``filnamn`` keeps it
    arende = instance.arende
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"handlingar/{arende.ar}/{arende.serie}-{arende.lopnummer}/{uuid.uuid4().hex}{suffix}"


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
        #: a beslut taken outside a meeting, on the nämnd's behalf (KL 6 kap. 37, 39 §§),
        #: drawn up by the system when it is taken (arenden.delegering.services)
        BESLUT = "beslut", _("beslut")

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
    #: the full name of who marked it: a user's first and last name (150 characters each)
    sekretess_markerad_av = models.CharField(
        _("sekretessmarkerad av"), max_length=NAMNLANGD, blank=True
    )
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
    #: the day its file was gallrad under a recorded decision (arenden.arkiv.gallring); the
    #: registration itself stays in the diarium
    gallrad = models.DateField(_("gallrad"), null=True, blank=True, editable=False)
    #: the text of its file (PDF, DOCX), read when it was filed, for the search only
    #: (arenden.dokument.text); derived from the file, so no field history of its own
    text = models.TextField(_("dokumentets text"), blank=True, editable=False)
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["text"]
    )

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
        # what anyone may read, as the ärende's (the ``titel`` filter shows the title to who
        # may read it)
        return f"{self.beteckning} {self.maskerad_titel if self.hemlig else self.titel}"

    @property
    def beteckning(self) -> str:
        return f"{self.arende.diarienummer}:{self.nummer}"

    @property
    def ar_sekretessmarkerad(self) -> bool:
        return bool(self.sekretess_lagrum)

    @property
    def ar_motesdokument(self) -> bool:
        """A kallelse or protokoll the system filed: its file holds a meeting's items, each
        secret or not as it is marked now, and an item marked since it was filed makes the
        whole file one that only who may read all of it is handed
        (:func:`arenden.dokument.motesfiler.motesdokument`). Its checksum and size would
        confirm such a copy (OSL 5 kap. 5 §); deciding it costs the whole meeting, so a list
        shows them only to who may read the ärende's secret content."""
        return (
            self.typ in (Handling.Typ.KALLELSE, Handling.Typ.PROTOKOLL)
            and self.riktning == Handling.Riktning.UPPRATTAD
        )

    @property
    def hemlig(self) -> bool:
        """Marked itself, or part of a sekretess-marked ärende (whose marking covers the
        uppgifter in its handlingar): masked for everyone outside the need-to-know group."""
        return self.ar_sekretessmarkerad or self.arende.ar_sekretessmarkerat

    @property
    def sekretess_enligt(self) -> str:
        """The lagrum the handling is secret under: its own marking, else its ärende's (empty
        when it is not secret, :attr:`hemlig`)."""
        return self.sekretess_lagrum or self.arende.sekretess_lagrum

    @property
    def maskerad_titel(self) -> str:
        """What one outside the need-to-know group sees of a secret handling's title: its
        offentlig titel when it has one, and the marking with its lagrum (OSL 5 kap. 5 §)."""
        lagrum = self.sekretess_enligt
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


#: the handlingar that are allmänna: inkomna on arrival, upprättade once final (an upprättad
#: handling under arbete is not yet allmän, TF 2 kap. 9–10 §§); the postlista lists them
ALLMAN_HANDLING = models.Q(riktning=Handling.Riktning.INKOMMEN) | models.Q(
    riktning=Handling.Riktning.UPPRATTAD, status=Handling.Status.UPPRATTAD
)


class Sekretessatkomst(SignedLog):
    """One read of sekretess-marked content: who, when, what (OSL; the revisor's list of who
    has read protected information). Written by the views that show it, never changed: a
    signed log (workflow.logs) with one chain per reader, so a read taken out of the log, or
    changed, shows in the check of the history."""

    log_chain = "anvandare"

    class Vad(models.TextChoices):
        ARENDE = "arende", _("ärendets sida")
        TIDSLINJE = "tidslinje", _("ärendets historik")
        FIL = "fil", _("handlingens fil")
        DOKUMENT = "dokument", _("dokument")
        BEGARAN = "begaran", _("prövning av begäran")
        SAMMANTRADE = "sammantrade", _("sammanträdets sida")
        MOTETS_TIDSLINJE = "motets_tidslinje", _("sammanträdets historik")

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

    @classmethod
    def logga_arenden(cls, user, arende_ids, vad: str) -> None:
        """One read of each of the ärenden ``arende_ids`` on one page (a meeting's items):
        one INSERT, nothing when there are none."""
        append(cls, (cls(anvandare=user, arende_id=pk, vad=vad) for pk in sorted(set(arende_ids))))

    @classmethod
    def logga_handlingar(cls, user, arende, handlingar, vad: str) -> None:
        """One read of each of ``handlingar`` of ``arende`` (``None``: of the ärende itself)
        in one INSERT."""
        append(cls, (cls(anvandare=user, arende=arende, handling=h, vad=vad) for h in handlingar))
