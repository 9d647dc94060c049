"""The delegationsordning of a nämnd (KL 6 kap. 37–38 §§, 7 kap. 5–8 §§): who may decide
what on its behalf, and under which limits."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.organisation.models import Organ, Person
from arenden.organisation.roles import DELEGAT
from workflow import roles as workflow_roles
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory

#: KL 6 kap. 38 §: what a nämnd may never delegate. Shown beside the delegationsordning.
EJ_DELEGERBART = (
    _("ärenden som avser verksamhetens mål, inriktning, omfattning eller kvalitet"),
    _("framställningar eller yttranden till fullmäktige i dess helhet"),
    _(
        "yttranden med anledning av att beslut av nämnden i dess helhet eller av fullmäktige "
        "har överklagats"
    ),
    _(
        "ärenden som rör myndighetsutövning mot enskilda, om de är av principiell beskaffenhet "
        "eller annars av större vikt"
    ),
    _("ärenden som enligt lag eller annan författning inte får delegeras"),
)


class Delegationspunkt(models.Model):
    """One row of a nämnd's delegationsordning."""

    organ = models.ForeignKey(
        Organ,
        on_delete=models.PROTECT,
        related_name="delegationspunkter",
        verbose_name=_("nämnd"),
    )
    nummer = models.CharField(_("nummer"), max_length=20, help_text=_("T.ex. 3.2."))
    beslutsomrade = models.CharField(_("beslutsområde"), max_length=500)
    delegat = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delegat"),
    )
    befattning = models.CharField(_("befattning"), max_length=200, blank=True)
    ersattare = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ersättare"),
    )
    lagrum = models.CharField(_("lagrum"), max_length=200, blank=True)
    villkor = models.TextField(_("begränsningar och villkor"), blank=True)
    giltig_fran = models.DateField(_("gäller från"))
    giltig_till = models.DateField(_("gäller till"), null=True, blank=True)
    antagen_genom = models.CharField(
        _("antagen genom"), max_length=200, help_text=_("T.ex. HSN 2025-02-12 § 14.")
    )
    upphavd_genom = models.CharField(
        _("upphävd genom"),
        max_length=200,
        blank=True,
        help_text=_("Beslutet som satte ett slutdatum för punkten, t.ex. HSN 2026-03-11 § 22."),
    )
    ej_undantaget = models.BooleanField(
        _("inte ett ärende som enligt KL 6 kap. 38 § inte får delegeras"), default=False
    )
    bradskande = models.BooleanField(
        _("brådskande ärenden (KL 6 kap. 39 §)"),
        default=False,
        help_text=_(
            "Uppdraget åt ordföranden eller en annan ledamot att besluta i ärenden som är så "
            "brådskande att nämndens avgörande inte kan avvaktas. Besluten är ordförandebeslut."
        ),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("delegationspunkt")
        verbose_name_plural = _("delegationsordning")
        ordering = ["organ", "nummer", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delegat__isnull=False) | ~Q(befattning=""),
                name="delegationspunkt_har_delegat",
            ),
            models.CheckConstraint(
                condition=Q(ej_undantaget=True), name="delegationspunkt_ej_undantaget"
            ),
            models.CheckConstraint(
                condition=Q(giltig_till__isnull=True) | Q(giltig_till__gte=models.F("giltig_fran")),
                name="delegationspunkt_giltighet",
            ),
        ]

    def __str__(self):
        return f"{self.organ.kod} {self.nummer} {self.beslutsomrade}"

    def save(self, **kwargs):
        """Saved, the row gives its delegat and ersättare the role Delegat, and takes it from
        whom it named before (the delegat changed in the admin) unless another row still
        names them: who no longer decides on the nämnd's behalf no longer reads its secret
        content (OSL: need to know)."""
        fore = (
            Delegationspunkt.objects.filter(pk=self.pk)
            .values_list("organ_id", "delegat_id", "ersattare_id")
            .first()
        )
        super().save(**kwargs)
        berorda = {(self.organ_id, p) for p in (self.delegat_id, self.ersattare_id)}
        if fore is not None:
            berorda |= {(fore[0], p) for p in fore[1:]}
        berorda = sorted(b for b in berorda if b[1] is not None)
        organ = Organ.objects.in_bulk({organ_id for organ_id, _p in berorda})
        for organ_id, person_id in berorda:
            ge_delegatroll(organ[organ_id], person_id)

    def galler(self, datum: datetime.date) -> bool:
        return self.giltig_fran <= datum and (self.giltig_till is None or datum <= self.giltig_till)


def ge_delegatroll(organ: Organ, person_id: int) -> None:
    """Who decides on the nämnd's behalf reads what they decide in (KL 6 kap. 37 §; FL 23 §:
    the delegat decides on the utredning on record), and only while they do (OSL: need to
    know). The delegat and the ersättare of a row hold the role Delegat on the nämnd, which
    the ärende's permission map answers, for the periods their rows hold: from the first day
    of a row that starts later, to the last day of their last row, with no role in a gap
    between rows. The role starts and ends on its own, with no job that has to run. Asked
    again whenever one of their rows is saved."""
    user_id = Person.objects.filter(pk=person_id).values_list("anvandare_id", flat=True).first()
    if user_id is None:
        return  # a person with no account decides nothing in the system
    user = get_user_model().objects.get(pk=user_id)
    rader = (
        Delegationspunkt.objects.filter(organ=organ)
        .filter(Q(delegat_id=person_id) | Q(ersattare_id=person_id))
        .order_by("giltig_fran")
        .values_list("giltig_fran", "giltig_till")
    )
    workflow_roles.grant_periods(organ, DELEGAT, perioder(rader), user=user)


def perioder(rader) -> list[tuple[datetime.date, datetime.date | None]]:
    """The periods (first day, last day or None) that rows ordered by their first day cover,
    rows that overlap or follow on the next day joined into one."""
    found: list[list] = []
    for fran, till in rader:
        if found and (found[-1][1] is None or fran <= found[-1][1] + datetime.timedelta(days=1)):
            if found[-1][1] is not None and (till is None or till > found[-1][1]):
                found[-1][1] = till
        else:
            found.append([fran, till])
    return [(fran, till) for fran, till in found]
