"""Meetings: the sammanträde of an organ, who served, the items on its föredragningslista and
what was decided under each paragraph (KL 5 kap. 65–69 §§, 6 kap. 35 §).

The sammanträde has a lifecycle of its own on the engine (flows/sammantrade.py): planerat →
kallat → genomfört → justerat → anslaget. Everything written in the protokoll can be changed
only while the permission map of the sammanträde's state allows ``change_sammantrade``; after
justering a correction is a new :class:`Rattelse`, never an edit.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from arenden.diarium.models import Arende, Handling
from arenden.gemensamt.utskick import MAX_FORSOK
from arenden.handlaggning.models import Beslut
from arenden.organisation.models import Organ, Person
from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import WorkflowMixin

#: KL 5 kap. 69 §: the protokoll is justerat within two weeks of the meeting
JUSTERING_DAGAR = 14
#: KL 8 kap. 12 §: anslag no later than the second day after justering
ANSLAG_DAGAR = 2
#: KL 13 kap. 5 §: laglighetsprövning within three weeks of the anslag
OVERKLAGANDE_DAGAR = 21


def _pask(ar: int) -> datetime.date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = ar % 19, ar // 100, ar % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    r = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * r) // 451
    manad, dag = divmod(h + r - 7 * m + 114, 31)
    return datetime.date(ar, manad, dag + 1)


def _helgdagar(ar: int) -> set[datetime.date]:
    """Sunday-like days of lagen (1930:173): the public holidays, and midsommarafton, julafton
    and nyårsafton."""
    pask, dag = _pask(ar), datetime.timedelta(days=1)
    midsommarafton = next(
        datetime.date(ar, 6, d) for d in range(19, 26) if datetime.date(ar, 6, d).weekday() == 4
    )
    alla_helgon = next(
        datetime.date(ar, 10, 31) + i * dag
        for i in range(7)
        if (datetime.date(ar, 10, 31) + i * dag).weekday() == 5
    )
    fasta = [(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25), (12, 26), (12, 31)]
    return {datetime.date(ar, m, d) for m, d in fasta} | {
        pask - 2 * dag,
        pask,
        pask + dag,
        pask + 39 * dag,
        pask + 49 * dag,
        midsommarafton,
        midsommarafton + dag,
        alla_helgon,
    }


def sista_dag(dag: datetime.date) -> datetime.date:
    """Lagen (1930:173) om beräkning av lagstadgad tid: a last day that falls on a Saturday,
    a Sunday or a holiday moves to the next weekday."""
    while dag.weekday() >= 5 or dag in _helgdagar(dag.year):
        dag += datetime.timedelta(days=1)
    return dag


class Sammantrade(WorkflowMixin):
    """One meeting of an organ. Its protokoll may be filed in a diarium ärende of its own
    (seed 004: Samråd vård och omsorg's protokoll in HSN 418-2-2021)."""

    organ = models.ForeignKey(
        Organ, on_delete=models.PROTECT, related_name="sammantraden", verbose_name=_("organ")
    )
    datum = models.DateField(_("datum"))
    start = models.TimeField(_("början"), null=True, blank=True)
    slut = models.TimeField(_("slut"), null=True, blank=True)
    plats = models.CharField(_("plats"), max_length=200, help_text=_("Ett rum, eller Teams."))
    arende = models.ForeignKey(
        Arende,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sammantraden",
        verbose_name=_("diarieärende för protokollet"),
    )
    kallad = models.DateTimeField(_("kallelse skickad"), null=True, blank=True, editable=False)
    justerat = models.DateTimeField(_("justerat"), null=True, blank=True, editable=False)
    anslaget = models.DateField(_("anslaget"), null=True, blank=True, editable=False)
    #: the meeting was inställt (the step *Ställ in*, before it began), and the
    #: nämndsekreterare's reason, which the step's comment in the history holds too; set by
    #: the step (arenden.sammantraden.protokoll.vid_installelse), never by a form
    installt = models.DateTimeField(_("inställt"), null=True, blank=True, editable=False)
    installt_skal = models.TextField(
        _("skäl till att sammanträdet ställdes in"), blank=True, editable=False
    )
    #: the meeting's version: every change to what it and its protokoll say (närvaro,
    #: föredragningslista, what is recorded under an item, a rättelse) moves it by one under
    #: the meeting's lock (protokoll.andras), and so does every step that changes its status
    #: (protokoll.vid_ny_status); a signature that leaves the status as it was does not. Every
    #: form on the meeting page carries it. A concurrency token, not a fact: no field history.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    history = HistoricalRecords(
        get_user=history_user, bases=[SignedHistory], excluded_fields=["version"]
    )

    local_roles_parent = "organ"

    class Meta:
        verbose_name = _("sammanträde")
        verbose_name_plural = _("sammanträden")
        ordering = ["-datum", "organ"]
        permissions = [("justera_sammantrade", _("Får justera protokollet"))]

    def __str__(self):
        return f"{self.organ.namn} {self.datum:%Y-%m-%d}"

    @property
    def justering_senast(self) -> datetime.date:
        """KL 5 kap. 69 §: the last day for justering."""
        return sista_dag(self.datum + datetime.timedelta(days=JUSTERING_DAGAR))

    @property
    def sen_justering(self) -> bool:
        """Justerat (or still not justerat today) later than the law's two weeks."""
        dag = timezone.localdate(self.justerat) if self.justerat else timezone.localdate()
        return dag > self.justering_senast

    @property
    def anslag_senast(self) -> datetime.date | None:
        """KL 8 kap. 12 §: the last day to put the justerat protokoll on the anslagstavla
        (none for an organ whose protokoll is not anslaget)."""
        if self.justerat is None or not self.organ.anslar_protokoll:
            return None
        return sista_dag(timezone.localdate(self.justerat) + datetime.timedelta(days=ANSLAG_DAGAR))

    @property
    def overklagande_senast(self) -> datetime.date | None:
        """KL 13 kap. 5 §: the last day for laglighetsprövning (three weeks from the anslag)."""
        if self.anslaget is None:
            return None
        return sista_dag(self.anslaget + datetime.timedelta(days=OVERKLAGANDE_DAGAR))

    @property
    def borjar(self) -> datetime.datetime:
        """When the meeting begins, Swedish time (its day at 00.00 when no time is set)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.datum, self.start or datetime.time()),
            timezone.get_default_timezone(),
        )

    @property
    def tid(self) -> str:
        """ "2025-11-12 kl. 13.00–16.00", as the kallelse and the protokoll print it."""
        tid = f"{self.datum:%Y-%m-%d}"
        if self.start:
            tid += f" kl. {self.start:%H.%M}"
            if self.slut:
                tid += f"–{self.slut:%H.%M}"
        return tid

    @property
    def har_borjat(self) -> bool:
        """Nothing the meeting does is recorded before it has begun: not a beslut, not a
        vote, not the protokoll."""
        return timezone.now() >= self.borjar

    @property
    def sent_anslag(self) -> bool:
        """Anslaget (or still not anslaget today) later than KL 8 kap. 12 § allows."""
        senast = self.anslag_senast
        return senast is not None and (self.anslaget or timezone.localdate()) > senast

    def punkter_i_ordning(self):
        return self.punkter.order_by("ordning", "pk")

    def arendeparagrafer(self):
        """The paragraphs that record what was decided under an ärende (a beslut, an
        återremiss, a bordläggning): what the ärende's history, its utdrag and its parties
        read of the meeting (arenden.sammantraden.protokoll.foresla_rattelse)."""
        return self.punkter.filter(paragraf__isnull=False, arende__isnull=False).exclude(utfall="")


class Deltagare(models.Model):
    """One line of the närvaro: a ledamot, an ersättare, or a tjänsteperson, present or not,
    with the part they had (ordförande, justerare) and presence that changed during the
    meeting (seed 004: "anslöt från punkt 18", "frånvarande på punkt 7a")."""

    class Roll(models.TextChoices):
        ORDFORANDE = "ordforande", _("ordförande")
        VICE_ORDFORANDE = "vice_ordforande", _("vice ordförande")
        LEDAMOT = "ledamot", _("ledamot")
        ERSATTARE = "ersattare", _("ersättare")
        TJANSTEPERSON = "tjansteperson", _("tjänsteperson")

    sammantrade = models.ForeignKey(Sammantrade, on_delete=models.CASCADE, related_name="deltagare")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("person"))
    roll = models.CharField(_("roll"), max_length=20, choices=Roll.choices)
    narvarande = models.BooleanField(_("närvarande"), default=True)
    justerare = models.BooleanField(_("justerare"), default=False)
    ersatter = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tjänstgör för"),
    )
    organisation = models.CharField(
        _("företräder"),
        max_length=200,
        blank=True,
        help_text=_("Kommunen eller regionen ledamoten företräder, när den inte är personens."),
    )
    # presence that changed during the meeting, as links to the items (KL 5 kap. 67 §, 6 kap.
    # 35 §): the protokoll names them as they are numbered, before and after upprättande
    anslot_fran = models.ForeignKey(
        "Punkt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("anslöt från punkt"),
    )
    lamnade_efter = models.ForeignKey(
        "Punkt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lämnade efter punkt"),
    )
    franvarande_pa = models.ManyToManyField(
        "Punkt", blank=True, related_name="+", verbose_name=_("frånvarande på punkt")
    )
    #: ``franvarande_pa`` as the närvaro was last changed, the items by their place on the
    #: föredragningslista ("3, 7"): a many-to-many has no field history, and who was absent
    #: from which item decides who served and whether the organ could decide (KL 5 kap.
    #: 45 §); this field is in the signed row of each change. Empty for a row last changed
    #: before it was kept.
    franvarande_punkter = models.TextField(
        _("frånvarande på punkterna"), blank=True, editable=False
    )
    anteckning = models.CharField(
        _("anteckning om närvaron"),
        max_length=200,
        blank=True,
        help_text=_(
            "Det som protokollet ska säga om närvaron utöver punkterna, ordagrant "
            "(t.ex. frånvarande på punkt 7a i ett annat ärendes lista)."
        ),
    )
    ordning = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        ordering = ["sammantrade", "ordning", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sammantrade", "person"], name="deltagare_en_gang_per_mote"
            ),
        ]

    def __str__(self):
        return self.person.namn

    @property
    def ar_tjansteperson(self) -> bool:
        return self.roll == self.Roll.TJANSTEPERSON

    @property
    def foretrader(self) -> str:
        return self.organisation or self.person.kommun

    @property
    def tjanstgor(self) -> bool:
        """A member who decides for the whole meeting: a ledamot (the ordförande among
        them), or an ersättare who serves in a ledamot's place. An ersättare who only attends
        takes part in the deliberations, and in a beslut only in an item where they serve
        for a member who does not take part in it (:class:`Tjanstgoring`; KL 5 kap. 17 §,
        6 kap. 16 §)."""
        if self.roll == self.Roll.TJANSTEPERSON:
            return False
        return self.roll != self.Roll.ERSATTARE or self.ersatter_id is not None

    def deltar_i(self, punkt: Punkt) -> bool:
        """Took part in the beslut under ``punkt``: serving, present, joined by then, not yet
        gone, not absent from it and not jävig in it (KL 5 kap. 47 §, 6 kap. 28 §).

        Serving is for the whole meeting (:attr:`tjanstgor`), or for one item: an ersättare
        who steps in for a ledamot there (:class:`Tjanstgoring`, KL 5 kap. 17 §, 6 kap.
        16 §) serves in that item only, and the ledamot replaced does not serve in it. Reads
        ``tjanstgoringar`` and ``ersatt_i`` as prefetched (:data:`DELTAR_I`)."""
        if self.roll == self.Roll.TJANSTEPERSON:
            return False
        if self.roll == self.Roll.ERSATTARE and self.ersatter_id is None:
            if not any(t.punkt_id == punkt.pk for t in self.tjanstgoringar.all()):
                return False
        elif any(t.punkt_id == punkt.pk for t in self.ersatt_i.all()):
            return False
        return self.kan_delta_i(punkt)

    def kan_delta_i(self, punkt: Punkt) -> bool:
        """Able to take part in ``punkt`` if serving: present at the meeting, joined by then,
        not yet gone, not absent from the item and not jävig in it."""
        if not self.narvarande:
            return False
        if any(p.pk == punkt.pk for p in self.franvarande_pa.all()):
            return False
        plats = (punkt.ordning, punkt.pk)
        if self.anslot_fran and plats < (self.anslot_fran.ordning, self.anslot_fran.pk):
            return False
        if self.lamnade_efter and plats > (self.lamnade_efter.ordning, self.lamnade_efter.pk):
            return False
        return all(jav.person_id != self.person_id for jav in punkt.jav.all())


#: what :meth:`Deltagare.deltar_i` reads of each line of the närvaro: prefetch these (with
#: ``anslot_fran`` and ``lamnade_efter`` selected) and asking it costs no query per line or item
DELTAR_I = ("franvarande_pa", "tjanstgoringar", "ersatt_i")


def tjanstgorande(punkt: Punkt, deltagare) -> list[Deltagare]:
    """Those of the närvaro (``deltagare``) who decide under ``punkt``."""
    return [d for d in deltagare if d.deltar_i(punkt)]


class PunktQuerySet(models.QuerySet):
    def oavgjorda(self):
        """The items that wait for the nämnd's beslut: on a föredragningslista, no utfall
        recorded yet, not struck (an item struck before the kallelse is deleted; the items of
        an inställt meeting stay on its list, struck)."""
        return self.filter(utfall="", struken=None)


class Punkt(models.Model):
    """An item on the föredragningslista, which becomes a numbered paragraph when the protokoll
    is drawn up. It is an ärende, or a standing item of the meeting."""

    class Typ(models.TextChoices):
        ARENDE = "arende", _("ärende")
        FOREDRAGNINGSLISTA = "foredragningslista", _("godkännande av föredragningslistan")
        FOREGAENDE_PROTOKOLL = "foregaende_protokoll", _("föregående protokoll")
        AKTUELLT = "aktuellt", _("aktuellt")
        OVRIGA_FRAGOR = "ovriga_fragor", _("övriga frågor")
        NASTA_MOTE = "nasta_mote", _("nästa möte")
        ANMALAN_DELEGATIONSBESLUT = "anmalan_delegationsbeslut", _("anmälan av delegationsbeslut")
        ANMALAN_MOTIONER = "anmalan_motioner", _("anmälan av motioner som inte beretts färdigt")
        OVRIGT = "ovrigt", _("annan punkt")

    #: added by the system when the kallelse goes out, holding what must be anmält there
    #: (KL 6 kap. 40 §, 5 kap. 35 §): a hand-made one would hold nothing, and the system then
    #: adds none (arenden.sammantraden.staende)
    STAENDE = frozenset({Typ.ANMALAN_DELEGATIONSBESLUT, Typ.ANMALAN_MOTIONER})

    class Slag(models.TextChoices):
        BESLUTSARENDE = "beslutsarende", _("beslutsärende")
        INFORMATIONSARENDE = "informationsarende", _("informationsärende")

    class Form(models.TextChoices):
        MUNTLIGT = "muntligt", _("muntligt")
        SKRIFTLIGT = "skriftligt", _("skriftligt")

    class Utfall(models.TextChoices):
        BESLUTAT = "beslutat", _("beslutat")
        BIFALL = "bifall", _("bifall")
        AVSLAG = "avslag", _("avslag")
        ATERREMISS = "aterremiss", _("återremiss")
        BORDLAGGNING = "bordlaggning", _("bordläggning")
        INFORMATION = "information", _("godkände informationen")
        FORSLAG = "forslag", _("förslag till högre organ")
        #: not handled: the organ was not beslutfört under the item (KL 5 kap. 45 §, 6 kap.
        #: 27 §), its ärende goes back to beredd (arenden.sammantraden.protokoll.besluta)
        EJ_BESLUTFORT = "ej_beslutfort", _("ej behandlat (ej beslutfört)")

    sammantrade = models.ForeignKey(Sammantrade, on_delete=models.PROTECT, related_name="punkter")
    ordning = models.PositiveSmallIntegerField(_("ordning"))
    typ = models.CharField(_("typ"), max_length=30, choices=Typ.choices, default=Typ.ARENDE)
    rubrik = models.CharField(_("rubrik"), max_length=500)
    arende = models.ForeignKey(
        Arende,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="punkter",
        verbose_name=_("ärende"),
    )
    slag = models.CharField(_("slag"), max_length=20, choices=Slag.choices, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, blank=True)
    foredragande = models.CharField(_("föredragande"), max_length=300, blank=True)
    bilagor = models.ManyToManyField(
        Handling, blank=True, related_name="+", verbose_name=_("bilagor")
    )
    #: ``bilagor`` by beteckning ("HSN 787-2025:3"), in the signed row that put the item on
    #: the list (a many-to-many has no field history). Empty for an item put there before
    #: it was kept.
    bilagor_beteckningar = models.TextField(
        _("bilagornas beteckningar"), blank=True, editable=False
    )
    underlag = models.CharField(
        _("underlag"),
        max_length=300,
        blank=True,
        help_text=_("Underlag som inte finns som handlingar, t.ex. Bilaga 22. – 22.5."),
    )
    beskrivning = models.TextField(_("beskrivning"), blank=True)
    forslag_till_beslut = models.TextField(_("förslag till beslut"), blank=True)
    beslut = models.TextField(_("beslut"), blank=True)
    utfall = models.CharField(_("utfall"), max_length=20, choices=Utfall.choices, blank=True)
    motivering = models.TextField(_("motivering"), blank=True)
    minoritet = models.BooleanField(
        _("på begäran av en minoritet"),
        default=False,
        help_text=_("Bordläggning eller återremiss som en tredjedel begärt (KL 5 kap. 51 §)."),
    )
    begard_av = models.PositiveSmallIntegerField(
        _("begärd av (antal ledamöter)"), null=True, blank=True
    )
    aterremiss_till = models.ForeignKey(
        Organ,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("återremitteras till"),
    )
    forslag_till = models.ForeignKey(
        Organ,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("förslag till"),
    )
    beslutet = models.OneToOneField(
        Beslut,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="punkt",
        editable=False,
        verbose_name=_("beslutet i ärendet"),
    )
    # Paragraph numbers run on per organ and year and are given when the protokoll is drawn
    # up; organ and year are kept here so that the database itself refuses a number twice.
    paragraf = models.PositiveIntegerField(_("paragraf"), null=True, blank=True, editable=False)
    paragraf_organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    paragraf_ar = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # KL 5 kap. 69 §, 6 kap. 35 §: a paragraph justerad at once, at or right after the meeting
    omedelbart_justerad = models.DateTimeField(
        _("omedelbart justerad"), null=True, blank=True, editable=False
    )
    # KL 8 kap. 12 §: the justering of that paragraph tillkännagiven on the anslagstavla on its
    # own; the time for laglighetsprövning of its beslut runs from this day (KL 13 kap. 5 §)
    anslaget = models.DateField(_("anslaget"), null=True, blank=True, editable=False)
    #: struck from the list of a meeting that was inställt (the step *Ställ in*): the item
    #: stays as the record of what was on the list, and its ärende waits for another meeting
    struken = models.DateTimeField(_("struken"), null=True, blank=True, editable=False)
    #: the motioner an anmälan of motioner listed that was struck, or that the meeting did not
    #: handle (bordlagd, återremitterad, not beslutfört): each is untied from the item to be
    #: anmäld at the next meeting (KL 5 kap. 35 §), while the item's text still holds their
    #: mening as the kallelse said it (:meth:`namnda_motioner`)
    strukna_motioner = models.ManyToManyField(
        "arenden.Motion",
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("strukna motioner"),
    )
    #: ``strukna_motioner`` by diarienummer, in the signed row that struck the item (a
    #: many-to-many has no field history). Empty for an item struck before it was kept.
    strukna_motioner_diarienummer = models.TextField(
        _("de strukna motionernas diarienummer"), blank=True, editable=False
    )
    objects = PunktQuerySet.as_manager()
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("punkt")
        verbose_name_plural = _("punkter")
        ordering = ["sammantrade", "ordning", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraf_organ", "paragraf_ar", "paragraf"],
                condition=models.Q(paragraf__isnull=False),
                name="paragraf_en_gang_per_organ_och_ar",
            ),
            models.UniqueConstraint(fields=["sammantrade", "ordning"], name="punkt_ordning_unik"),
        ]

    def __str__(self):
        # what anyone may read, as the ärende's own (Arende.__str__): wherever the item is
        # named without asking who reads (a votering, a message, a choice), never the heading
        # of a sekretess-marked ärende (OSL 5 kap. 5 §); the pages and documents mask it
        # for who may not read it and show it to who may
        if self.ar_sekretess:
            return _("%(n)s. Sekretess enligt %(lagrum)s") % {
                "n": self.beteckning,
                "lagrum": self.arende.sekretess_lagrum,
            }
        return f"{self.beteckning}. {self.rubrik}"

    @property
    def beteckning(self) -> str:
        """What the protokoll calls it: its paragraph number once given, before that its
        place on the föredragningslista."""
        return str(self.paragraf or self.ordning)

    @property
    def ar_sekretess(self) -> bool:
        """Is the item itself secret: its ärende is sekretess-marked (the heading, the
        förslag, the beslut and all else under it is masked for who may not read it)."""
        return bool(self.arende_id and self.arende.sekretess_lagrum)

    def hemliga_bilagor(self) -> list[Handling]:
        """The item's secret bilagor, which an open item may have too: marked themselves or
        part of a sekretess-marked ärende (:attr:`Handling.hemlig`)."""
        return [h for h in self.bilagor.all() if h.hemlig]

    def namnda_motioner(self) -> list:
        """The motioner a standing item of KL 5 kap. 35 § names: those listed under it, or,
        struck with its meeting, those it listed then (none for any other item)."""
        if self.typ != Punkt.Typ.ANMALAN_MOTIONER:
            return []
        return [*self.anmalda_motioner.all(), *self.strukna_motioner.all()]

    def hemliga_anmalda(self) -> list:
        """The sekretess-marked ärenden of the motioner the item names
        (:meth:`namnda_motioner`): the item's text, as the kallelse said it and as a
        protokoll filed before the marking says it, holds their mening, struck or not."""
        return [m.arende for m in self.namnda_motioner() if m.arende.sekretess_lagrum]

    def sekretessgrunder(self) -> set[str]:
        """Every lagrum under which something the item's full text holds is secret: its
        ärende's marking, each secret bilaga's and each anmäld motion's (OSL 5 kap. 5 §);
        empty when nothing is. The one answer to what of an item is secret, for who reads its
        documents in full and how a document holding it is marked where it is filed."""
        lagrum = {self.arende.sekretess_lagrum} if self.ar_sekretess else set()
        lagrum.update(h.sekretess_enligt for h in self.hemliga_bilagor())
        lagrum.update(a.sekretess_lagrum for a in self.hemliga_anmalda())
        return lagrum

    @property
    def sekretess_lagrum(self) -> str:
        """:meth:`sekretessgrunder` as a document's marking (empty when nothing is secret)."""
        return "; ".join(sorted(self.sekretessgrunder()))

    @property
    def overklagande_senast(self) -> datetime.date | None:
        """KL 13 kap. 5 §: for a paragraph anslagen on its own, three weeks from its anslag."""
        if self.anslaget is None:
            return None
        return sista_dag(self.anslaget + datetime.timedelta(days=OVERKLAGANDE_DAGAR))


class Yrkande(models.Model):
    """A motion put at the meeting on an item (KL 5 kap. 67 §)."""

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="yrkanden")
    yrkande_av = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("yrkande av"))
    text = models.TextField(_("yrkande"))
    ordning = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("yrkande")
        verbose_name_plural = _("yrkanden")
        ordering = ["punkt", "ordning", "pk"]

    def __str__(self):
        return f"{self.yrkande_av}: {self.text[:60]}"


class Votering(models.Model):
    """A vote on an item: the propositions, the counts and which won. Open, by name (a
    :class:`Rost` per serving member, the counts derived from them) or by totals only; or
    sluten, in a val only (KL 5 kap. 55 §, 6 kap. 33 §), when only who took part
    (:class:`Omrostningsdeltagare`) and the totals are kept, never who voted how."""

    class Slag(models.TextChoices):
        OPPEN = "oppen", _("öppen")
        SLUTEN = "sluten", _("sluten")

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="voteringar")
    proposition = models.TextField(_("propositionsordning"))
    slag = models.CharField(_("omröstning"), max_length=10, choices=Slag.choices, default="oppen")
    val = models.BooleanField(_("gäller ett val"), default=False)
    ja = models.PositiveSmallIntegerField(_("ja"))
    nej = models.PositiveSmallIntegerField(_("nej"))
    avstar = models.PositiveSmallIntegerField(_("avstår"), default=0)
    resultat = models.CharField(_("resultat"), max_length=300)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("votering")
        verbose_name_plural = _("voteringar")

    def __str__(self):
        return f"{self.punkt}: {self.ja}–{self.nej}"


class Rost(models.Model):
    """One serving member's vote in an open votering by name (KL 5 kap. 54 §, 6 kap. 33 §)."""

    class Svar(models.TextChoices):
        JA = "ja", _("ja")
        NEJ = "nej", _("nej")
        AVSTAR = "avstar", _("avstår")

    votering = models.ForeignKey(Votering, on_delete=models.CASCADE, related_name="roster")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("ledamot"))
    rost = models.CharField(_("röst"), max_length=10, choices=Svar.choices)
    ordning = models.PositiveSmallIntegerField(_("ordning"), default=0)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("röst")
        verbose_name_plural = _("röster")
        ordering = ["votering", "ordning", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["votering", "person"], name="rost_en_gang"),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_rost_display()}"


class Omrostningsdeltagare(models.Model):
    """A member who took part in a sluten omröstning: that, and nothing about the vote."""

    votering = models.ForeignKey(Votering, on_delete=models.CASCADE, related_name="deltog")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("ledamot"))
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("deltagare i sluten omröstning")
        verbose_name_plural = _("deltagare i sluten omröstning")
        ordering = ["votering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["votering", "person"], name="deltog_en_gang"),
        ]

    def __str__(self):
        return str(self.person)


class Jav(models.Model):
    """A member who is jävig in an item takes no part in it (KL 6 kap. 28–32 §§)."""

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="jav")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("person"))
    grund = models.CharField(_("grund"), max_length=300, blank=True)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("jäv")
        verbose_name_plural = _("jäv")
        constraints = [
            models.UniqueConstraint(fields=["punkt", "person"], name="jav_en_gang"),
        ]

    def __str__(self):
        return f"{self.person} ({_('jäv')})"


class Tjanstgoring(models.Model):
    """An ersättare who serves in one item in the place of a member who does not take part
    in it (jävig, KL 5 kap. 47 §, 6 kap. 28 §; or absent from it): ersättare step in for a
    missing member in the tjänstgöringsordning decided (KL 5 kap. 17 §, 6 kap. 16 §), and
    the member replaced does not serve in that item. One ersättare per member and item, and
    an ersättare serves for one member at a time."""

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="tjanstgoringar")
    ersattare = models.ForeignKey(
        Deltagare,
        on_delete=models.PROTECT,
        related_name="tjanstgoringar",
        verbose_name=_("ersättare"),
    )
    ledamot = models.ForeignKey(
        Deltagare,
        on_delete=models.PROTECT,
        related_name="ersatt_i",
        verbose_name=_("tjänstgör för"),
    )
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("ersättare som tjänstgör i en punkt")
        verbose_name_plural = _("ersättare som tjänstgör i enskilda punkter")
        ordering = ["punkt", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["punkt", "ledamot"], name="tjanstgoring_en_ersattare_per_ledamot"
            ),
            models.UniqueConstraint(
                fields=["punkt", "ersattare"], name="tjanstgoring_ersattare_for_en_ledamot"
            ),
            models.CheckConstraint(
                condition=~models.Q(ersattare=models.F("ledamot")),
                name="tjanstgoring_inte_for_sig_sjalv",
            ),
        ]

    def __str__(self):
        return f"{self.ersattare} {_('tjänstgör för')} {self.ledamot} ({self.punkt.beteckning})"


class Reservation(models.Model):
    """A member's reservation against the beslut, announced before the meeting ended
    (KL 4 kap. 27 §)."""

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="reservationer")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("ledamot"))
    motivering = models.TextField(_("skriftlig motivering"), blank=True)
    anmald = models.DateTimeField(_("anmäld"), editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservationer")
        constraints = [
            models.UniqueConstraint(fields=["punkt", "person"], name="reservation_en_gang"),
        ]

    def __str__(self):
        return f"{self.person} ({_('reservation')})"


class Yttrande(models.Model):
    """A särskilt yttrande or a protokollsanteckning, by members or party groups (seed 003:
    "Moderaterna, Centerpartiet, Kristdemokraterna, Liberalerna")."""

    class Typ(models.TextChoices):
        SARSKILT_YTTRANDE = "sarskilt_yttrande", _("särskilt yttrande")
        PROTOKOLLSANTECKNING = "protokollsanteckning", _("protokollsanteckning")

    punkt = models.ForeignKey(Punkt, on_delete=models.CASCADE, related_name="yttranden")
    typ = models.CharField(_("typ"), max_length=30, choices=Typ.choices)
    avgivet_av = models.CharField(_("lämnat av"), max_length=300)
    text = models.TextField(_("text"))
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("särskilt yttrande eller protokollsanteckning")
        verbose_name_plural = _("särskilda yttranden och protokollsanteckningar")
        ordering = ["punkt", "pk"]

    def __str__(self):
        return f"{self.get_typ_display()}: {self.avgivet_av}"


class Kallelsemottagare(models.Model):
    """Whom the kallelse reached and how: one row per ledamot and ersättare kallad, with the
    address it goes to, or none (the sekreterare must then reach them another way).

    ``skickad`` is when the e-mail left the system, the mail server having taken it, and
    nothing earlier: the kallelse is made and e-mailed after the step (``utskick``, the
    outbox's row, once it is made), and an e-mail the mail server refuses to the end never
    reached anyone. Until then the row says it waits, and why, from its ``utskick``."""

    class Leverans(models.TextChoices):
        SKICKAD = "skickad", _("skickad")
        VANTAR = "vantar", _("väntar på att skickas")
        INGEN_ADRESS = "ingen_adress", _("ingen e-postadress")
        MISSLYCKAD = "misslyckad", _("kunde inte skickas")

    sammantrade = models.ForeignKey(
        Sammantrade, on_delete=models.PROTECT, related_name="kallelsemottagare"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("kallad"))
    epost = models.EmailField(_("e-postadress"), blank=True)
    utskick = models.ForeignKey(
        "arenden.Utskick",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kallade",
        verbose_name=_("e-postmeddelande"),
    )
    skickad = models.DateTimeField(_("skickad"), null=True, blank=True)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("mottagare av kallelsen")
        verbose_name_plural = _("mottagare av kallelsen")
        ordering = ["sammantrade", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sammantrade", "person"], name="kallelsemottagare_en_gang"
            ),
        ]

    def __str__(self):
        return f"{self.person.namn}: {self.epost or _('ingen e-postadress')}"

    @property
    def leverans(self) -> str:
        """Where the kallelse to this person is (read with ``utskick``)."""
        if self.skickad is not None:
            return self.Leverans.SKICKAD
        if not self.epost:
            return self.Leverans.INGEN_ADRESS
        if self.utskick is not None and self.utskick.forsok >= MAX_FORSOK:
            return self.Leverans.MISSLYCKAD
        return self.Leverans.VANTAR


class Justering(models.Model):
    """One signature of the protokoll by the ordförande or a justerare: who and when."""

    sammantrade = models.ForeignKey(
        Sammantrade, on_delete=models.PROTECT, related_name="justeringar"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("justerat av"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    tidpunkt = models.DateTimeField(_("tidpunkt"), editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("justering")
        verbose_name_plural = _("justeringar")
        ordering = ["tidpunkt", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sammantrade", "person"], name="justering_en_gang"),
        ]

    def __str__(self):
        return f"{self.person} {self.tidpunkt:%Y-%m-%d %H:%M}"


class Paragrafjustering(models.Model):
    """One signature of an omedelbar justering of a single paragraph by the ordförande or a
    justerare (KL 5 kap. 69 §, 6 kap. 35 §)."""

    punkt = models.ForeignKey(Punkt, on_delete=models.PROTECT, related_name="justeringar")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("justerat av"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    tidpunkt = models.DateTimeField(_("tidpunkt"), editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("omedelbar justering av paragraf")
        verbose_name_plural = _("omedelbara justeringar av paragrafer")
        ordering = ["tidpunkt", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["punkt", "person"], name="paragraf_justeras_en_gang"),
        ]

    def __str__(self):
        return f"{self.person} {self.tidpunkt:%Y-%m-%d %H:%M}"


class Rattelse(models.Model):
    """A correction of a justerat protokoll: never an edit, a new recorded event. It is a
    proposal by its author (``user``) that takes effect (``giltig``) only when the ordförande
    and the justerare who justerade the protokoll have signed it, as they signed the protokoll
    (FL 36 §, KL 5 kap. 69 §, 6 kap. 35 §)."""

    sammantrade = models.ForeignKey(Sammantrade, on_delete=models.PROTECT, related_name="rattelser")
    punkt = models.ForeignKey(
        Punkt, null=True, blank=True, on_delete=models.PROTECT, related_name="rattelser"
    )
    text = models.TextField(_("rättelse"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("skriven av"),
    )
    tidpunkt = models.DateTimeField(_("föreslagen"), editable=False)
    giltig = models.DateTimeField(_("gäller från"), null=True, blank=True, editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("rättelse")
        verbose_name_plural = _("rättelser")
        ordering = ["tidpunkt", "pk"]

    def __str__(self):
        return f"{self.sammantrade}: {self.text[:60]}"

    @property
    def forfattare(self) -> str:
        """The author's name, as the protokoll prints it."""
        person = getattr(self.user, "person", None)
        return person.namn if person else (self.user.get_full_name() or self.user.username)


class Rattelsesignatur(models.Model):
    """One signature of a rättelse by the ordförande or a justerare: who and when."""

    rattelse = models.ForeignKey(Rattelse, on_delete=models.PROTECT, related_name="signaturer")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("signerad av"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    tidpunkt = models.DateTimeField(_("tidpunkt"), editable=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("signatur av rättelse")
        verbose_name_plural = _("signaturer av rättelser")
        ordering = ["tidpunkt", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rattelse", "person"], name="rattelse_signeras_en_gang"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.tidpunkt:%Y-%m-%d %H:%M}"


def _protokoll_path(instance, filename):
    return f"protokoll/{instance.sammantrade_id}/{filename}"


class Protokollfil(models.Model):
    """The whole justerat protokoll, rendered once as PDF and kept as a fixed document of the
    sammanträde with its SHA-256, also when the meeting has no diarieärende. A rättelse that
    takes effect files a new version; the older ones stay. When an item is secret a second
    file of the same version has it masked (``publik``), for the anslagstavla (OSL 5 kap. 5 §)."""

    sammantrade = models.ForeignKey(
        Sammantrade, on_delete=models.PROTECT, related_name="protokollfiler"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    publik = models.BooleanField(_("sekretess maskerad"), default=False)
    fil = models.FileField(_("fil"), upload_to=_protokoll_path)
    filnamn = models.CharField(_("filnamn"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    skapad = models.DateTimeField(_("arkiverad"))
    rattelse = models.ForeignKey(
        Rattelse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("efter rättelse"),
    )
    # signed: the checksum that vouches for the file is itself vouched for, so a file swapped
    # with its row rewritten is found by the history's check
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    class Meta:
        verbose_name = _("arkiverat protokoll")
        verbose_name_plural = _("arkiverade protokoll")
        ordering = ["sammantrade", "-version", "publik"]
        constraints = [
            models.UniqueConstraint(
                fields=["sammantrade", "version", "publik"], name="protokollfil_en_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.filnamn} ({self.version})"
