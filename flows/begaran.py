"""A request for allmänna handlingar (TF 2 kap.; OSL 6 kap.): inkommen → prövad.

The registrator registers the request in the ärende it concerns (``arenden.begaran.services``). The
one
who decides (the ärende's handläggare, or the stabschef of the organ) tries it "skyndsamt"
(TF 2 kap. 15 §) and answers in one of three ways, each a step of its own in the history:
release in whole, release with masking (the system produces the copy with the withheld pages
removed and the decision with its lagrum), or refusal, a decision with
överklagandehänvisning (OSL 6 kap. 7–8 §§). The steps are taken by the prövning
(``arenden.begaran.services.prova``), which records what was decided for each handling first; the
requirements below read those records, so the state never says more than they do.
"""

from django.db.models import Count, Q

from arenden.models import BegardHandling
from arenden.organisation.roles import (
    BEREDNINGSANSVARIG,
    HANDLAGGARE,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    STABSCHEF,
)
from flows.namn import BegaranArbetslista, BegaranStatus, BegaranSteg
from workflow import registry
from workflow.definitions import METHOD, Guard, Requirement, State, Transition, Workflow, Worklist
from workflow.vocabulary import Vocabulary

ID = "begaran"

VIEW = "arenden.view_begaran"
PROVA = "arenden.prova_begaran"

#: who decides: the handläggare of the ärende, or the stabschef of its organ
BESLUTAR = (HANDLAGGARE, STABSCHEF)
EVERYONE = (REGISTRATOR, STABSCHEF, HANDLAGGARE, BEREDNINGSANSVARIG, NAMNDSEKRETERARE, REVISOR)


def _utfall(begaran) -> dict:
    return BegardHandling.objects.filter(begaran_id=begaran.pk).aggregate(
        alla=Count("pk"),
        ut=Count("pk", filter=Q(utfall=BegardHandling.Utfall.LAMNAS_UT)),
        maskeras=Count("pk", filter=Q(utfall=BegardHandling.Utfall.MASKERAS)),
        undantas=Count("pk", filter=Q(utfall=BegardHandling.Utfall.UNDANTAS)),
        utan_lagrum=Count(
            "pk",
            filter=Q(
                utfall__in=(BegardHandling.Utfall.MASKERAS, BegardHandling.Utfall.UNDANTAS),
                lagrum="",
            ),
        ),
    )


def _allt_lamnas_ut(begaran) -> bool:
    rader = _utfall(begaran)
    return rader["alla"] > 0 and rader["ut"] == rader["alla"]


def _delvis_med_lagrum(begaran) -> bool:
    rader = _utfall(begaran)
    hemligt = rader["maskeras"] + rader["undantas"]
    return (
        rader["alla"] > 0
        and hemligt > 0
        and rader["ut"] + rader["maskeras"] > 0
        and rader["ut"] + hemligt == rader["alla"]
        and rader["utan_lagrum"] == 0
    )


def _allt_undantas_med_lagrum(begaran) -> bool:
    rader = _utfall(begaran)
    return rader["alla"] > 0 and rader["undantas"] == rader["alla"] and rader["utan_lagrum"] == 0


def _inget_gallrat_lamnas_ut(begaran) -> bool:
    """A handling gallrad is no longer there to hand out (arkivlagen 10 §): what is released
    exists. The registration refuses a gallrad handling (arenden.begaran.services.registrera)
    and the gallring one that is asked for and not yet prövad (arenden.arkiv.gallring)."""
    return not BegardHandling.objects.filter(
        begaran_id=begaran.pk,
        utfall__in=(BegardHandling.Utfall.LAMNAS_UT, BegardHandling.Utfall.MASKERAS),
        handling__gallrad__isnull=False,
    ).exists()


def _har_beslut(begaran) -> bool:
    return begaran.beslut_id is not None


def _har_kopia(begaran) -> bool:
    return begaran.kopia_id is not None


ALLT_LAMNAS_UT = Requirement(_allt_lamnas_ut, "inte varje begärd handling ska lämnas ut")
DELVIS_MED_LAGRUM = Requirement(
    _delvis_med_lagrum,
    "prövningen lämnar inte ut något, eller saknar lagrum för det som inte lämnas ut",
)
ALLT_UNDANTAS = Requirement(
    _allt_undantas_med_lagrum, "inte varje begärd handling undantas med angivet lagrum"
)
INGET_GALLRAT = Requirement(
    _inget_gallrat_lamnas_ut, "en handling som ska lämnas ut är gallrad och finns inte längre"
)
BESLUT_UPPRATTAT = Requirement(_har_beslut, "beslutet med överklagandehänvisning är inte upprättat")
KOPIA_FRAMSTALLD = Requirement(_har_kopia, "den maskerade kopian är inte framställd")


def definition() -> Workflow:
    def state(id, title, description, *, prova=(), final=False):
        permissions = {VIEW: EVERYONE}
        if prova:
            permissions[PROVA] = prova
        return State(id, title, description, permissions=permissions, final=final)

    return Workflow(
        id=ID,
        title="Begäran om allmän handling",
        roles=EVERYONE,
        initial_state=BegaranStatus.INKOMMEN,
        states=[
            state(
                BegaranStatus.INKOMMEN,
                "Inkommen",
                "Registrerad; prövas skyndsamt av den som beslutar.",
                prova=BESLUTAR,
            ),
            state(
                BegaranStatus.UTLAMNAD,
                "Utlämnad",
                "Handlingarna är utlämnade i sin helhet.",
                final=True,
            ),
            state(
                BegaranStatus.DELVIS_UTLAMNAD,
                "Utlämnad med maskering",
                "Det som omfattas av sekretess är borttaget ur kopian; beslut med "
                "överklagandehänvisning är upprättat.",
                final=True,
            ),
            state(
                BegaranStatus.AVSLAGEN,
                "Avslagen",
                "Inget lämnas ut; beslut med överklagandehänvisning är upprättat.",
                final=True,
            ),
        ],
        transitions=[
            Transition(
                BegaranSteg.LAMNA_UT,
                "Lämna ut",
                BegaranStatus.INKOMMEN,
                BegaranStatus.UTLAMNAD,
                guard=Guard(permissions=(PROVA,)),
                requires=(ALLT_LAMNAS_UT, INGET_GALLRAT),
                trigger=METHOD,  # arenden.begaran.services.prova
            ),
            Transition(
                BegaranSteg.LAMNA_UT_MASKERAT,
                "Lämna ut med maskering",
                BegaranStatus.INKOMMEN,
                BegaranStatus.DELVIS_UTLAMNAD,
                guard=Guard(permissions=(PROVA,)),
                requires=(DELVIS_MED_LAGRUM, INGET_GALLRAT, KOPIA_FRAMSTALLD, BESLUT_UPPRATTAT),
                trigger=METHOD,
            ),
            Transition(
                BegaranSteg.AVSLA,
                "Avslå",
                BegaranStatus.INKOMMEN,
                BegaranStatus.AVSLAGEN,
                guard=Guard(permissions=(PROVA,)),
                requires=(ALLT_UNDANTAS, BESLUT_UPPRATTAT),
                comment_required=True,
                trigger=METHOD,
            ),
        ],
        worklists=[
            Worklist(
                BegaranArbetslista.BEGARANDEN,
                "Begäran om allmän handling",
                (BegaranStatus.INKOMMEN,),
                (REGISTRATOR, *BESLUTAR),
            ),
        ],
    )


def install():
    registry.register(
        definition(),
        vocabulary=Vocabulary(
            states=BegaranStatus, transitions=BegaranSteg, worklists=BegaranArbetslista
        ),
    )
    registry.bind("arenden.Begaran", ID)
