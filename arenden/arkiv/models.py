"""Klassificering and gallring: the plan's classes, what is kept, and the gallringsbeslut with what
they removed (arkivlagen)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from arenden.diarium.models import Arende, Handling
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory


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
    #: every save of the klass and its rows of the plan adds one (arenden.admin.KlassAdmin):
    #: a form read before another's change is refused rather than saved over it. A
    #: concurrency token, not a fact: no field history.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    #: who changed the structure and the plan, and when: what decides which handlingar are
    #: gallrade is never changed unseen (arkivlagen 10 §)
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["version"]
    )

    class Meta:
        verbose_name = _("klass")
        verbose_name_plural = _("klassificeringsstruktur")
        ordering = ["kod"]
        #: the archive's care under the plan: gallring (arkivlagen 10 §) and delivery to the
        #: e-arkiv, each recorded with who did it; the registrator's (migration 0071)
        permissions = [("arkivvard", _("Får gallra och leverera till e-arkivet"))]

    def __str__(self):
        return f"{self.kod} {self.namn}"

    def clean(self):
        """The rules of the structure, for every door that saves a klass through a form (the
        admin's): ``arendetyper`` is a list of known ärendetyper, each the default of one klass
        only (registration picks the klass by it, :func:`arenden.diarium.services.klass_for`:
        anything else there refused every registration, or picked a klass by a part of a
        word); and the kod of a klass that ärenden are registered under stays (they hold it,
        ``Arende.klassificering``, and the gallring and the archive find their klass by it)."""
        super().clean()
        typer = self.arendetyper
        kanda = set(Arende.Typ.values)
        if not isinstance(typer, list) or not all(isinstance(t, str) for t in typer):
            raise ValidationError(
                {
                    "arendetyper": _(
                        'Ange ärendetyperna som en lista, t.ex. ["skrivelse", "remiss"].'
                    )
                },
                code="inte_lista",
            )
        okanda = sorted(set(typer) - kanda)
        if okanda:
            raise ValidationError(
                {
                    "arendetyper": _("Okända ärendetyper: %(okanda)s. Kända är %(kanda)s.")
                    % {"okanda": ", ".join(okanda), "kanda": ", ".join(Arende.Typ.values)}
                },
                code="okand_typ",
            )
        if len(set(typer)) != len(typer):
            raise ValidationError(
                {"arendetyper": _("Varje ärendetyp får stå en gång.")}, code="dubblett"
            )
        andra = Klass.objects.exclude(pk=self.pk) if self.pk else Klass.objects.all()
        for annan in andra.order_by("kod"):
            if isinstance(annan.arendetyper, list):
                gemensamma = sorted(set(typer) & set(annan.arendetyper))
                if gemensamma:
                    raise ValidationError(
                        {
                            "arendetyper": _(
                                "%(typer)s har redan klassen %(kod)s som standard: en "
                                "ärendetyp har en standardklass."
                            )
                            % {"typer": ", ".join(gemensamma), "kod": annan.kod}
                        },
                        code="redan_standard",
                    )
        if self.pk:
            fore = Klass.objects.filter(pk=self.pk).values_list("kod", flat=True).first()
            if fore is not None and fore != self.kod:
                antal = Arende.objects.filter(klassificering=fore).count()
                if antal:
                    raise ValidationError(
                        {
                            "kod": ngettext(
                                "Koden %(kod)s kan inte ändras: %(antal)s ärende är "
                                "registrerat under den. Lägg till en ny klass i stället.",
                                "Koden %(kod)s kan inte ändras: %(antal)s ärenden är "
                                "registrerade under den. Lägg till en ny klass i stället.",
                                antal,
                            )
                            % {"kod": fore, "antal": antal}
                        },
                        code="kod_anvands",
                    )


def utan_arkivvard(user, vad: str) -> str:
    """Why ``user`` may not ``vad`` ("genomföra gallring", "leverera till e-arkivet"): the
    record names who did it for ever, so only who has the archive's care
    (``arenden.arkivvard``, the registrator's, arenden.organisation.roles.RATTIGHETER); empty
    when they may."""
    if user.has_perm("arenden.arkivvard"):
        return ""
    return _(
        "%(namn)s får inte %(vad)s: det får den som har registratorns behörighet för "
        "arkivvården."
    ) % {"namn": user.get_full_name() or user.get_username(), "vad": vad}


#: the longest gallringsfrist of the plan, in years
LANGSTA_FRIST = 200


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
    #: at most LANGSTA_FRIST: the day a frist runs out is a date (a frist of thousands of
    #: years made every listing and gallring of the plan fail on a year past 9999)
    gallringsfrist_ar = models.PositiveSmallIntegerField(
        _("gallras efter (år)"),
        null=True,
        blank=True,
        validators=[
            MaxValueValidator(
                LANGSTA_FRIST,
                _("En gallringsfrist kan vara högst %(limit_value)s år; bevara i stället."),
            )
        ],
    )
    anmarkning = models.CharField(_("anmärkning"), max_length=300, blank=True)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

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
    # signed: the record that stays when the files go is changed by nobody unseen
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

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
    #: empty and None for a secret handling: they would confirm a copy of it (OSL 5 kap. 5 §)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    storlek = models.PositiveBigIntegerField(_("storlek (byte)"), null=True, blank=True)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("gallrad handling")
        verbose_name_plural = _("gallrade handlingar")
        constraints = [
            models.UniqueConstraint(fields=["handling"], name="gallrad_en_gang"),
        ]

    def __str__(self):
        return f"{self.beteckning} {self.titel}"
