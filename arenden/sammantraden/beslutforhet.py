"""Beslutförhet (quorum): whether a meeting may handle the ärende of an item.

- Fullmäktige (KL 5 kap. 45 §) handles ärenden only when more than half of the ledamöter
  are present.
- A nämnd (KL 6 kap. 27 §; the styrelse, an utskott and every other organ that is not
  fullmäktige are held to the same rule here) likewise; but when it is needed for the ärende
  to be decided, it may handle it with at least one third of the ledamöter present, if so
  many of the others are prevented by jäv (second sentence): read here as "the seats missing
  for a majority are missing because of jäv", that is, those present and those kept out by
  jäv together are more than half.

*Present* is who serves in the item (:func:`arenden.sammantraden.models.tjanstgorande`, the
rule the protokoll and the votering count by): a ledamot (the ordförande among them) or an
ersättare serving for the whole meeting, or an ersättare serving in the item for a ledamot who
does not take part there (KL 5 kap. 17 §, 6 kap. 16 §), present at the meeting, joined by then,
not gone, not absent from the item and not jävig in it. An ersättare who only attends does not
count. *Kept out by jäv* is a member serving at the meeting, jävig in the item, whose seat no
ersättare fills there.

*The number of ledamöter* is the organ's register: the seats as ledamot
(:class:`~arenden.organisation.models.Ledamotsuppdrag`) valid on the meeting day. An organ
whose register holds no ledamot on that day (a small organ whose register is not kept, an
organ of the tests) has no number to count from; the rule then is that at least one ledamot
or ersättare serves in the item, so that the protokoll names who decided. Never a beslut of
nobody.

Pure in its arithmetic (:func:`bedom_tal`); :func:`bedom` reads the närvaro already recorded
in a fixed number of queries. The ärende's steps that record the meeting's decision on the item
(besluta, överlämna, återremittera, bordlägga) require it (flows.arende.BESLUTFORT).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from arenden.organisation.models import Ledamotsuppdrag, Organ
from arenden.sammantraden.models import DELTAR_I, Deltagare, Punkt, tjanstgorande


@dataclass(frozen=True)
class Beslutforhet:
    """What beslutförhet under an item is judged on, and the judgement."""

    #: seats as ledamot in the organ's register on the meeting day (0: none registered)
    ledamoter: int
    #: ledamöter and ersättare who serve in the item
    tjanstgorande: int
    #: members serving at the meeting who are kept out of the item by jäv, their seat unfilled
    javiga: int
    #: fullmäktige (KL 5 kap. 45 §, no rule for jäv) or a nämnd (KL 6 kap. 27 §)
    fullmaktige: bool
    #: what the refusal names: the item's beteckning and the organ's name
    punkt: str = ""
    organ: str = ""

    @property
    def majoritet(self) -> int:
        """How many must serve for more than half: half the seats, rounded down, plus one."""
        return self.ledamoter // 2 + 1 if self.ledamoter else 1

    @property
    def tredjedel(self) -> int:
        """At least one third of the seats (KL 6 kap. 27 § second sentence), rounded up."""
        return -(-self.ledamoter // 3)

    @property
    def genom_jav(self) -> bool:
        """A nämnd, with at least a third present, the majority missing because of jäv."""
        return (
            not self.fullmaktige
            and self.ledamoter > 0
            and self.tjanstgorande * 3 >= self.ledamoter
            and (self.tjanstgorande + self.javiga) * 2 > self.ledamoter
        )

    @property
    def beslutfor(self) -> bool:
        if self.ledamoter == 0:
            return self.tjanstgorande >= 1
        return self.tjanstgorande * 2 > self.ledamoter or self.genom_jav

    def skal(self) -> str:
        """Why the meeting may not handle the item, with the counts; "" when it may."""
        if self.beslutfor:
            return ""
        varden = {
            "organ": self.organ or _("organet"),
            "n": self.punkt,
            "p": self.tjanstgorande,
            "l": self.ledamoter,
            "k": self.majoritet,
            "t": self.tredjedel,
            "j": self.javiga,
        }
        if self.ledamoter == 0:
            return (
                _(
                    "ingen ledamot eller tjänstgörande ersättare deltar under punkt %(n)s, och "
                    "protokollet ska visa vilka som beslutade (organets ledamotsregister har inga "
                    "ledamöter på sammanträdesdagen; kommunallagen 5 kap. 45 §, 6 kap. 27 §)"
                )
                % varden
            )
        if self.fullmaktige:
            return (
                _(
                    "%(organ)s är inte beslutfört under punkt %(n)s: %(p)s av %(l)s ledamöter "
                    "deltar, och fullmäktige får handlägga ärenden bara när mer än hälften av "
                    "ledamöterna (minst %(k)s) är närvarande (kommunallagen 5 kap. 45 §)"
                )
                % varden
            )
        text = (
            _(
                "%(organ)s är inte beslutför under punkt %(n)s: %(p)s av %(l)s ledamöter "
                "deltar, och en nämnd får handlägga ärenden bara när mer än hälften av "
                "ledamöterna (minst %(k)s) är närvarande (kommunallagen 6 kap. 27 §)"
            )
            % varden
        )
        if self.javiga:
            text += (
                _(
                    "; med %(j)s jäviga får ärendet handläggas med minst en tredjedel (%(t)s) "
                    "närvarande bara om så många av de övriga är förhindrade på grund av jäv "
                    "(6 kap. 27 § andra meningen)"
                )
                % varden
            )
        return text


def bedom_tal(
    ledamoter: int, tjanstgorande: int, javiga: int = 0, *, fullmaktige: bool = False
) -> Beslutforhet:
    """The judgement on the counts alone (no query)."""
    return Beslutforhet(ledamoter, tjanstgorande, javiga, fullmaktige)


def _narvaron(sammantrade):
    """The närvaro with what :meth:`Deltagare.deltar_i` reads (as protokoll.narvaron)."""
    return sammantrade.deltagare.select_related(
        "person", "anslot_fran", "lamnade_efter"
    ).prefetch_related(*DELTAR_I)


def _hindrad_av_jav(deltagare: Deltagare, punkt: Punkt, javiga: set[int]) -> bool:
    """A member serving at the meeting (a ledamot, or an ersättare for the whole meeting),
    jävig in the item and kept out of it by that alone (present at the meeting, joined by
    then, not gone, not absent from the item: one absent is not prevented by jäv), whose seat
    no ersättare fills there."""
    if not (deltagare.narvarande and deltagare.tjanstgor and deltagare.person_id in javiga):
        return False
    if any(t.punkt_id == punkt.pk for t in deltagare.ersatt_i.all()):
        return False
    if any(p.pk == punkt.pk for p in deltagare.franvarande_pa.all()):
        return False
    plats = (punkt.ordning, punkt.pk)
    fran, efter = deltagare.anslot_fran, deltagare.lamnade_efter
    if fran and plats < (fran.ordning, fran.pk):
        return False
    return not (efter and plats > (efter.ordning, efter.pk))


def med_narvaron(punkter):
    """``punkter`` (a queryset of items) read as :func:`bedom` reads an item: with its
    meeting, the organ and its jäv."""
    return punkter.select_related("sammantrade__organ").prefetch_related("jav")


def bedom(punkt: Punkt, *, laddad: bool = False) -> Beslutforhet:
    """Beslutförhet under ``punkt`` from the närvaro, jäv and tjänstgöring recorded and the
    organ's register on the meeting day: a fixed number of queries (five, or seven when the
    item is read afresh: ``laddad`` says it was just read through :func:`med_narvaron`)."""
    if not laddad:
        punkt = med_narvaron(Punkt.objects).get(pk=punkt.pk)
    sammantrade = punkt.sammantrade
    organ = sammantrade.organ
    ledamoter = (
        Ledamotsuppdrag.giltiga(organ, sammantrade.datum)
        .filter(uppdrag=Ledamotsuppdrag.Uppdrag.LEDAMOT)
        .count()
    )
    narvaro = list(_narvaron(sammantrade))
    javiga = {j.person_id for j in punkt.jav.all()}
    return Beslutforhet(
        ledamoter=ledamoter,
        tjanstgorande=len(tjanstgorande(punkt, narvaro)),
        javiga=sum(1 for d in narvaro if _hindrad_av_jav(d, punkt, javiga)),
        fullmaktige=organ.typ == Organ.Typ.FULLMAKTIGE,
        punkt=punkt.beteckning,
        organ=organ.namn,
    )


def beslutfor(punkt: Punkt) -> bool:
    """May the meeting handle the item (KL 5 kap. 45 §, 6 kap. 27 §)?"""
    return bedom(punkt).beslutfor


def varfor_inte(punkt: Punkt) -> str:
    """Why the meeting may not handle the item, with the counts; "" when it may."""
    return bedom(punkt).skal()
