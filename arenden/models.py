"""The political administration's records: organ, people, diarium and ärende."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workflow.context import history_user
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
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("organ")
        verbose_name_plural = _("organ")
        ordering = ["namn"]

    def __str__(self):
        return self.namn


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
    history = HistoricalRecords(get_user=history_user)

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
    history = HistoricalRecords(get_user=history_user)

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
    lopnummer = models.PositiveIntegerField(_("löpnummer"), editable=False)
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
    history = HistoricalRecords(get_user=history_user)

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
        permissions = [
            ("change_tjansteskrivelse", _("Får redigera tjänsteskrivelsen")),
            ("add_handling", _("Får lägga till handlingar")),
            ("view_sekretess", _("Får läsa sekretessmarkerat innehåll")),
            ("expediera_arende", _("Får expediera beslutet")),
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
        return self.offentlig_rubrik or self.arendemening


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
    history = HistoricalRecords(get_user=history_user)

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
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("beredningsansvarig")
        verbose_name_plural = _("beredningsansvariga")
        ordering = ["ordning", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["arende", "person"], name="beredningsansvarig_en_gang"),
        ]

    def __str__(self):
        return f"{self.person}: {self.del_i_beredningen}"
