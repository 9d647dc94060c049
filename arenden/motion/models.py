"""What an ärende väckt by motion (KL 5 kap. 22 §) or medborgarförslag (KL 8 kap. 1 §) records
besides the diarium's own fields: when and by whom it was väckt, in which fullmäktige, where it
was anmält as not yet berett (KL 5 kap. 35 §) and where fullmäktige avskrev it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.diarium.models import Arende
from arenden.organisation.models import Organ, Person
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory

#: the ärendetyper that run the one-year clock
TYPER = (Arende.Typ.MOTION, Arende.Typ.MEDBORGARFORSLAG)


class Motion(models.Model):
    """A motion or a medborgarförslag: the ärende it is, and what was väckt when by whom."""

    arende = models.OneToOneField(
        Arende, on_delete=models.PROTECT, related_name="motion", verbose_name=_("ärende")
    )
    fullmaktige = models.ForeignKey(
        Organ,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"typ": Organ.Typ.FULLMAKTIGE},
        verbose_name=_("fullmäktige"),
    )
    vackt = models.DateField(
        _("väckt"),
        help_text=_("Dagen motionen eller förslaget lämnades in eller väcktes i fullmäktige."),
    )
    vackt_vid = models.ForeignKey(
        "arenden.Sammantrade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("väckt vid sammanträdet"),
    )
    #: a motion: the ledamot of fullmäktige who väckte it (KL 5 kap. 22 §), from the register
    ledamot = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ledamot"),
    )
    #: a medborgarförslag: the förslagsställare, a personuppgift (a motion: the name when the
    #: ledamot is not in the register)
    namn = models.CharField(_("namn"), max_length=300, blank=True)
    parti = models.CharField(_("parti"), max_length=10, blank=True)
    #: the standing item of KL 5 kap. 35 § it is listed under; anmält once that protokoll is
    #: justerat (services.anmalt_vid). Struck from the list, the motion waits for the next.
    anmald_punkt = models.ForeignKey(
        "arenden.Punkt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="anmalda_motioner",
        editable=False,
        verbose_name=_("anmäld under"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("motion eller medborgarförslag")
        verbose_name_plural = _("motioner och medborgarförslag")
        ordering = ["vackt", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ledamot__isnull=False) | ~models.Q(namn=""),
                name="motion_vackt_av",
            ),
        ]

    def __str__(self):
        return f"{self.arende.diarienummer} {self.get_vackt_av()}"

    def get_vackt_av(self) -> str:
        if self.ledamot_id:
            return str(self.ledamot)
        return f"{self.namn} ({self.parti})" if self.parti else self.namn

    @property
    def sista_dag(self):
        from arenden.motion.services import sista_dag

        return sista_dag(self.vackt)
