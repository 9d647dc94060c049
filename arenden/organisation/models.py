"""Organ, enheter and personer: who decides, prepares and serves."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register as simple_history_register
from simple_history.models import HistoricalRecords

from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import LocalRolesMixin


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


class Ledamotsuppdrag(models.Model):
    """One seat in an organ's register: a ledamot or an ersättare, for a party, for a period,
    and for an ersättare the tjänstgöringsordning in which they step in (KL 5 kap. 17 §,
    6 kap. 16 §). The kallelse goes to everyone whose uppdrag is valid on the meeting day,
    and the närvaro is filled from it."""

    class Uppdrag(models.TextChoices):
        LEDAMOT = "ledamot", _("ledamot")
        ERSATTARE = "ersattare", _("ersättare")

    organ = models.ForeignKey(
        Organ, on_delete=models.PROTECT, related_name="ledamotsuppdrag", verbose_name=_("organ")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="uppdrag", verbose_name=_("person")
    )
    uppdrag = models.CharField(_("uppdrag"), max_length=20, choices=Uppdrag.choices)
    parti = models.CharField(_("parti"), max_length=10, blank=True)
    fran = models.DateField(_("från"))
    till = models.DateField(_("till"), null=True, blank=True)
    ordning = models.PositiveSmallIntegerField(
        _("tjänstgöringsordning"),
        default=0,
        help_text=_("Ersättarnas ordning när de går in för en ledamot; ledamöternas plats."),
    )
    #: moves by one with every change (protokoll.andra_uppdrag); the register page's form
    #: carries it, so a correction read before another's is refused. A concurrency token,
    #: not a fact: no field history.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["version"]
    )

    class Meta:
        verbose_name = _("ledamotsuppdrag")
        verbose_name_plural = _("ledamotsuppdrag")
        ordering = ["organ", "uppdrag", "ordning", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(till__isnull=True) | models.Q(till__gte=models.F("fran")),
                name="ledamotsuppdrag_till_efter_fran",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_uppdrag_display()}, {self.organ})"

    @classmethod
    def giltiga(cls, organ: Organ, dag):
        """The uppdrag of ``organ`` valid on ``dag``: ledamöter first, then the ersättare in
        their tjänstgöringsordning."""
        return (
            cls.objects.filter(organ=organ, fran__lte=dag)
            .filter(models.Q(till__isnull=True) | models.Q(till__gte=dag))
            .select_related("person__anvandare")
            .order_by("-uppdrag", "ordning", "pk")
        )


#: a role for the whole organisation is a group, by its name (workflow.roles): a group renamed
#: in the database beside the system would give its members another role unseen, so the
#: groups have a signed field history too, compared with the live rows by verify_history
simple_history_register(
    Group, app="arenden", bases=[SignedHistory], get_user=history_user, user_related_name="+"
)
