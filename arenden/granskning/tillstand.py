"""States without the records they mean, for the whole check of the history
(``WORKFLOW_LIVE_CHECKS``, workflow.history.verify).

The steps refuse a state whose records are missing (flows.arende, flows.sammantrade: the
requirements of each transition): an ärende is beslutat only with a beslut that is a
paragraph of a protokoll or a beslut taken on the nämnd's behalf by its decision-maker,
expedierat only when everyone on the sändlista was sent it, and so on. Rows made before a
requirement was added, or changed in the database beside the system, may still hold a state
without them; the whole check names each such ärende and meeting, with what is missing, so
that a revisor finds them. Each kind is one query.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from arenden.arkiv.models import GallradHandling
from arenden.diarium.models import Arende, Handling
from arenden.handlaggning.models import Beslut, Mottagare, Uppdrag
from arenden.sammantraden.models import (
    Deltagare,
    Justering,
    Kallelsemottagare,
    Punkt,
    Sammantrade,
)
from flows.namn import ArendeStatus as A
from flows.namn import SammantradeStatus as S
from workflow import registry

#: the states of an ärende that rest on a beslut of the organ (or on its behalf)
BESLUTADE = (A.BESLUTAT, A.EXPEDIERAT, A.BEVAKAS, A.OVERLAMNAT, A.AVSLUTAT)
EXPEDIERADE = (A.EXPEDIERAT, A.BEVAKAS)
AVSLUTADE = (A.AVSLUTAT, A.AVSKRIVET)
#: the states of a meeting once the kallelse went (KL 5 kap. 12 §, 6 kap. 17 §)
KALLADE = (S.KALLAT, S.GENOMFORT, S.JUSTERAT, S.JUSTERAT_UTAN_ANSLAG, S.ANSLAGET)
#: the states of a justerat protokoll (KL 5 kap. 69 §, 6 kap. 35 §; TF 2 kap. 10 §)
JUSTERADE = (S.JUSTERAT, S.JUSTERAT_UTAN_ANSLAG, S.ANSLAGET)


def _titel(workflow_id: str, state: str) -> str:
    """The state's title in its workflow's definition ("Beslutat")."""
    wf = registry.get_workflow(workflow_id)
    return wf.states[state].title if state in wf.states else state


#: what the finding calls an object of each workflow
VEM = {"arende": "ärendet", "sammantrade": "sammanträdet"}


def _utan_poster(workflow_id: str, state: str, vad: str) -> str:
    """The finding: an object of ``workflow_id`` in ``state`` without ``vad``."""
    return (
        f"{VEM[workflow_id]} har status {_titel(workflow_id, state)} men {vad}: ändrat i "
        "databasen eller från före regeln, utan de poster statusen bygger på"
    )


def _arenden() -> list[tuple]:
    beslut = Beslut.objects.filter(arende_id=OuterRef("pk"))
    # a beslut of a meeting that is no paragraph of its protokoll, or one taken on the nämnd's
    # behalf with no decision-maker (FL 31 §)
    utan_grund = beslut.filter(
        (Q(slag=Beslut.Slag.SAMMANTRADE) & ~Exists(Punkt.objects.filter(beslutet=OuterRef("pk"))))
        | (Q(slag__in=Beslut.PA_NAMNDENS_VAGNAR) & Q(fattat_av__isnull=True))
    )
    # the sändlista (flows.arende.SANDLISTAN_SKICKAD): someone on it not yet sent the beslut,
    # or nobody on it
    mottagare = Mottagare.objects.filter(arende_id=OuterRef("pk"))
    vantar = Punkt.objects.oavgjorda().filter(arende=OuterRef("pk"))
    fragor = [
        (Q(state__in=BESLUTADE) & ~Exists(beslut), "har inget beslut"),
        (
            Q(state__in=BESLUTADE) & Exists(utan_grund),
            "har ett beslut som varken är en paragraf i ett protokoll eller fattat på "
            "nämndens vägnar av en beslutsfattare",
        ),
        (Q(state=A.BESLUTAT, beslutat__isnull=True), "saknar beslutsdag"),
        (
            Q(state=A.OVERLAMNAT) & ~Exists(beslut.filter(forslag_till__isnull=False)),
            "har inget beslut om förslag till ett högre organ",
        ),
        (
            Q(state__in=EXPEDIERADE)
            & (
                Q(expedierat__isnull=True)
                | Exists(mottagare.filter(expedierad=None))
                | ~Exists(mottagare)
            ),
            "beslutet är inte expedierat till alla på sändlistan (eller den är tom)",
        ),
        (
            Q(state=A.BEVAKAS) & ~Exists(Uppdrag.objects.filter(arende_id=OuterRef("pk"))),
            "beslutet gav inga uppdrag att bevaka",
        ),
        (Q(state__in=AVSLUTADE, avslutat__isnull=True), "saknar dag för avslutet"),
        (Q(state=A.AVSKRIVET) & Exists(beslut), "har ett beslut och är inte avskrivet"),
        (Q(state=A.ANMALT) & ~Exists(vantar), "står inte på någon föredragningslista"),
    ]
    found = []
    for fraga, vad in fragor:
        for pk, state in Arende.objects.filter(fraga).order_by("pk").values_list("pk", "state"):
            found.append(("arenden.arende", pk, 0, 0, _utan_poster("arende", state, vad)))
    return found


def _moten() -> list[tuple]:
    kallade = Kallelsemottagare.objects.filter(sammantrade_id=OuterRef("pk"))
    justeringar = Justering.objects.filter(sammantrade_id=OuterRef("pk"))
    # an ordförande or justerare present who did not sign (protokoll.saknar_justering)
    osignerad = Deltagare.objects.filter(
        Q(justerare=True) | Q(roll=Deltagare.Roll.ORDFORANDE),
        sammantrade_id=OuterRef("pk"),
        narvarande=True,
    ).exclude(
        Exists(
            Justering.objects.filter(
                sammantrade_id=OuterRef("sammantrade_id"), person_id=OuterRef("person_id")
            )
        )
    )
    ordforande = Deltagare.objects.filter(
        sammantrade_id=OuterRef("pk"), narvarande=True, roll=Deltagare.Roll.ORDFORANDE
    )
    justerare = Deltagare.objects.filter(
        sammantrade_id=OuterRef("pk"), narvarande=True, justerare=True
    ).exclude(roll=Deltagare.Roll.ORDFORANDE)
    fragor = [
        (
            Q(state__in=KALLADE) & (Q(kallad__isnull=True) | ~Exists(kallade)),
            "ingen kallelse är antecknad som skickad till ledamöterna och ersättarna "
            "(kommunallagen 5 kap. 12 §, 6 kap. 17 §)",
        ),
        (
            Q(state__in=JUSTERADE)
            & (
                Q(justerat__isnull=True)
                | ~Exists(justeringar)
                | ~Exists(ordforande)
                | ~Exists(justerare)
                | Exists(osignerad)
            ),
            "protokollet är inte justerat av ordföranden och justerarna med dag och tid "
            "(kommunallagen 5 kap. 69 §, 6 kap. 35 §)",
        ),
        (
            Q(state=S.ANSLAGET, anslaget__isnull=True),
            "saknar dag för anslaget (kommunallagen 8 kap. 12 §)",
        ),
    ]
    found = []
    for fraga, vad in fragor:
        for pk, state in (
            Sammantrade.objects.filter(fraga).order_by("pk").values_list("pk", "state")
        ):
            found.append(("arenden.sammantrade", pk, 0, 0, _utan_poster("sammantrade", state, vad)))
    return found


def _gallrade() -> list[tuple]:
    """A handling marked gallrad with no record of the gallring that removed its file: what
    it was, under which gallringsbeslut (arenden.arkiv.gallring), is the proof of a lawful
    gallring of an allmän handling (arkivlagen 10 §)."""
    utan_beslut = Handling.objects.filter(gallrad__isnull=False).exclude(
        Exists(GallradHandling.objects.filter(handling_id=OuterRef("pk")))
    )
    return [
        (
            "arenden.handling",
            pk,
            0,
            0,
            "handlingen är markerad som gallrad men ingen gallring med gallringsbeslut har "
            "tagit bort den: ändrat i databasen utan gallringens poster",
        )
        for pk in utan_beslut.order_by("pk").values_list("pk", flat=True)
    ]


def avvikelser() -> list[tuple]:
    """Each ärende, meeting and handling whose state lacks a record it means, as
    workflow.fieldhistory.compare_live gives findings."""
    return _arenden() + _moten() + _gallrade()
