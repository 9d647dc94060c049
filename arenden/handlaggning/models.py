"""What the handläggning of an ärende records: who prepared it, the tjänsteskrivelse, the beslut,
the sändlista and the uppdrag."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.diarium.models import Arende, Handling
from arenden.organisation.models import Enhet, Organ, Person
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory


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
    """What an organ decided in the ärende: a paragraph of a meeting's protokoll, or a beslut
    taken on its behalf outside a meeting by a delegat (KL 6 kap. 37 §) or by the ordförande in
    a brådskande ärende (KL 6 kap. 39 §), both to be anmälda to it (KL 6 kap. 40 §)."""

    class Slag(models.TextChoices):
        SAMMANTRADE = "sammantrade", _("beslut vid sammanträde")
        DELEGATIONSBESLUT = "delegationsbeslut", _("delegationsbeslut")
        ORDFORANDEBESLUT = "ordforandebeslut", _("ordförandebeslut")

    #: the kinds taken on the nämnd's behalf outside its meetings, under a row of its
    #: delegationsordning (KL 6 kap. 37, 39 §§), anmälda to it afterwards (KL 6 kap. 40 §)
    PA_NAMNDENS_VAGNAR = (Slag.DELEGATIONSBESLUT, Slag.ORDFORANDEBESLUT)

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
    sammantrade = models.ForeignKey(
        "arenden.Sammantrade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beslut",
        verbose_name=_("sammanträde"),
        help_text=_("Sammanträdet vars protokoll beslutet är fört till."),
    )
    slag = models.CharField(
        _("slag"), max_length=20, choices=Slag.choices, default=Slag.SAMMANTRADE
    )
    fattat_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("fattat av"),
    )
    delegationspunkt = models.ForeignKey(
        "arenden.Delegationspunkt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beslut",
        verbose_name=_("delegationspunkt"),
    )
    lagrum = models.CharField(_("lagrum"), max_length=200, blank=True)
    anmalt_punkt = models.ForeignKey(
        "arenden.Punkt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="anmalda_beslut",
        verbose_name=_("anmält under"),
        help_text=_("Punkten där beslutet anmäldes till nämnden (KL 6 kap. 40 §)."),
    )
    #: a beslut taken on the nämnd's behalf is a document of its own in the ärende (the
    #: meeting's beslut is its paragraph in the protokoll, and the protokollsutdrag filed
    #: from it): what the delegat signs, what is expedierat and what is anmält
    dokument = models.OneToOneField(
        "arenden.Handling",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beslutet",
        verbose_name=_("beslutsdokument"),
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
    how and by whom the decision was sent there, and which beslut was sent (``beslut``):
    an ärende reopened and decided again is expedierat anew, and what was sent of the
    earlier beslut never counts for the later (:meth:`expediering`)."""

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
    beslut = models.ForeignKey(
        Beslut,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("expedierat beslut"),
    )
    # the reason of a change is kept whole: a recipient taken off the list while the beslut
    # is expedierat is removed with a motivering (handlaggning.services.satt_sandlista)
    history = HistoricalRecords(
        get_user=history_user,
        bases=[SignedHistory],
        history_change_reason_field=models.TextField(null=True),
    )

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

    @classmethod
    def expediering(cls, arende_id: int):
        """The ärende's sändlista for its newest beslut: who is still to be sent it, and
        who was sent that beslut; never who was sent an earlier one."""
        senaste = Beslut.objects.filter(arende_id=arende_id).order_by("-pk").values("pk")[:1]
        return cls.objects.filter(arende_id=arende_id).filter(
            models.Q(expedierad=None) | models.Q(beslut_id=models.Subquery(senaste))
        )


class Rattelseexpediering(models.Model):
    """The rättat protokollsutdrag sent to one recipient who had been sent the beslut before a
    rättelse of its paragraph took effect (FL 36 §): when, how and by whom, by the same methods
    as the expediering. Once per recipient and rättelse; the utdrag sent is the newest, which
    carries every rättelse in effect of the paragraph."""

    mottagare = models.ForeignKey(
        Mottagare,
        on_delete=models.PROTECT,
        related_name="rattelser_skickade",
        verbose_name=_("mottagare"),
    )
    rattelse = models.ForeignKey(
        "arenden.Rattelse", on_delete=models.PROTECT, related_name="+", verbose_name=_("rättelse")
    )
    skickad = models.DateTimeField(_("skickad"), editable=False)
    metod = models.CharField(_("sätt"), max_length=20, choices=Mottagare.Metod.choices)
    skickad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("skickad av"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("rättat protokollsutdrag skickat")
        verbose_name_plural = _("rättade protokollsutdrag skickade")
        ordering = ["skickad", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mottagare", "rattelse"], name="rattelse_skickas_en_gang_per_mottagare"
            ),
        ]

    def __str__(self):
        return f"{self.mottagare} {self.skickad:%Y-%m-%d %H:%M}"


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
