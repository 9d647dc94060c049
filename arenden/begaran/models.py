"""A begäran om allmän handling and the handlingar it asks for (TF 2 kap.)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.diarium.models import Arende, Handling
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import WorkflowMixin


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
