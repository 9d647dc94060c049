"""The ärende lifecycle (DESIGN.md section 5) as an engine workflow.

Who does what: the registrator registers and makulerar; the stabschef assigns, pauses and
writes off; the handläggare and the beredningsansvariga prepare; the nämndsekreterare puts
the ärende on the agenda and records beslut and expediering; the revisor only reads.
Återremiss, bordläggning, avskrivning and makulering require a motivering.

Each state also says which tasks the ärende's process (flows/processer.py) holds open in it
(``tasks``): the process is routed by that, is checked against it after every step, and
offers each task to those whom the guards below let take its steps where it is open.
"""

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from arenden.models import Beslut, Handling, Mottagare, Tjansteskrivelse, Uppdrag
from arenden.organisation.roles import (
    BEREDNINGSANSVARIG,
    DELEGAT,
    HANDLAGGARE,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    STABSCHEF,
)
from flows.namn import ArendeArbetslista, ArendeStatus, ArendeSteg, SammantradeStatus
from workflow import registry
from workflow import roles as workflow_roles
from workflow.definitions import (
    AUTOMATIC,
    METHOD,
    Guard,
    NewRecord,
    Requirement,
    State,
    Tasks,
    Transition,
    Workflow,
    Worklist,
)
from workflow.models import WorkflowHistory
from workflow.vocabulary import Vocabulary

ID = "arende"

VIEW = "arenden.view_arende"
CHANGE = "arenden.change_arende"
TJANSTESKRIVELSE = "arenden.change_tjansteskrivelse"
SANDLISTA = "arenden.change_sandlista"
HANDLING = "arenden.add_handling"
SEKRETESS = "arenden.view_sekretess"
EXPEDIERA = "arenden.expediera_arende"
REDOVISA = "arenden.redovisa_uppdrag"
SEKRETESSMARKERA = "arenden.sekretessmarkera"
RATTELSE = "arenden.skicka_rattelse"

PREPARERS = (HANDLAGGARE, BEREDNINGSANSVARIG)
#: who sends the organ's beslut out to the parties (FL 33 §): the registrator, or the
#: nämndsekreterare who kept the protokoll
EXPEDIERAR = (NAMNDSEKRETERARE, REGISTRATOR)
EVERYONE = (
    STABSCHEF,
    HANDLAGGARE,
    BEREDNINGSANSVARIG,
    NAMNDSEKRETERARE,
    REGISTRATOR,
    REVISOR,
    DELEGAT,
)
#: Who may read sekretess-marked content (OSL: need to know, narrower than seeing that the
#: ärende exists): those named on the ärende to prepare it, the stabschef of its organ, who
#: assigns and answers for it, and the revisor, whose right to information (KL 12 kap. 12 §)
#: secrecy does not bar (OSL 10 kap. 28 §). The nämndsekreterare reads it while the ärende is
#: on a föredragningslista and its beslut is recorded and sent (:data:`PA_MOTET`); the
#: registrator, who registers but does not handle the content, sees the offentlig rubrik.
INSIDERS = (STABSCHEF, HANDLAGGARE, BEREDNINGSANSVARIG, REVISOR)
PA_MOTET = (ArendeStatus.ANMALT, ArendeStatus.BESLUTAT)
#: the delegater of the nämnd read it where they may decide it on the nämnd's behalf (KL 6 kap.
#: 37 §, 39 §): they decide on the utredning on record (FL 23 §), so they need what it says;
#: before the beredning is done, while the ärende is on a föredragningslista for the nämnd to
#: decide (anmält), and after the beslut they have no part in it (OSL need to know)
DELEGAT_BESLUTAR = (ArendeStatus.BEREDD,)


def _state(
    id,
    title,
    description="",
    *,
    tasks,
    edit=(),
    tjansteskrivelse=(),
    sandlista=(),
    handling=(),
    expediera=(),
    redovisa=(),
    final=False,
):
    permissions = {
        VIEW: EVERYONE,
        SEKRETESS: (
            *INSIDERS,
            *((NAMNDSEKRETERARE,) if id in PA_MOTET else ()),
            *((DELEGAT,) if id in DELEGAT_BESLUTAR else ()),
        ),
    }
    if id != ArendeStatus.MAKULERAT:
        # marking and lifting a marking is a prövning of the content, for who prepares the
        # ärende and reads it (OSL 5 kap. 5 §); never the registrator or the stabschef, who do
        # not read it
        permissions[SEKRETESSMARKERA] = (HANDLAGGARE,)
        # a rättelse of the beslut's paragraph takes effect whatever state the ärende has
        # reached since; who expedierade the beslut sends the rättat protokollsutdrag to who
        # got it before (FL 36 §). That there is one to send is the record's to say (the
        # service asks); a makulerat ärende never held a beslut
        permissions[RATTELSE] = EXPEDIERAR
    for perm, roles in (
        (CHANGE, edit),
        (TJANSTESKRIVELSE, tjansteskrivelse),
        (SANDLISTA, sandlista),
        (HANDLING, handling),
        (EXPEDIERA, expediera),
        (REDOVISA, redovisa),
    ):
        if roles:
            permissions[perm] = roles
    only_where = {SEKRETESS: {DELEGAT: _delegat_far_besluta}} if id in DELEGAT_BESLUTAR else {}
    return State(
        id,
        title,
        description,
        permissions=permissions,
        final=final,
        tasks=tasks,
        only_where=only_where,
    )


def delegat_beslutar() -> Q:
    """The ärenden a delegat of the nämnd may decide on its behalf (KL 6 kap. 37 §), of those
    in a state that allows it (:data:`DELEGAT_BESLUTAR`): never a motion or medborgarförslag
    (KL 5 kap. 35 §, 6 kap. 38 § 4), nor one on a föredragningslista, which is the nämnd's to
    decide there. A filter of ärenden: the delegat's worklist (arenden.delegering.services.
    att_besluta) and what they read of a secret one (:func:`_delegat_far_besluta`) ask it."""
    from arenden.motion.models import TYPER
    from arenden.sammantraden.models import Punkt

    pa_listan = Punkt.objects.oavgjorda().filter(arende=OuterRef("pk"))
    return ~Q(typ__in=TYPER) & ~Exists(pa_listan)


def _delegat_far_besluta(arende) -> bool:
    """The delegat reads the secret content only of an ärende they may decide (OSL need to
    know): never a motion's (no query for it)."""
    from arenden.motion.models import TYPER

    if arende.typ in TYPER:
        return False
    return type(arende).objects.filter(delegat_beslutar(), pk=arende.pk).exists()


# -- what each state means: the records a step needs (checked when the step is taken) --------


def _har_handlaggare(arende) -> bool:
    """A handläggare is named, and is one: an active account of a tjänsteperson, never an
    administrator's (who is above no workflow and reads no secret content) nor a
    förtroendevald's. Who prepares the matter is the förvaltning's (KL 6 kap. 6 §)."""
    from django.contrib.auth import get_user_model

    from arenden.organisation.models import Person

    return (
        arende.handlaggare_id is not None
        and get_user_model()
        .objects.filter(
            pk=arende.handlaggare_id,
            is_active=True,
            is_superuser=False,
            person__typ=Person.Typ.TJANSTEPERSON,
        )
        .exists()
    )


def _har_forslag_till_beslut(arende) -> bool:
    return Tjansteskrivelse.objects.filter(
        arende_id=arende.pk, forslag_till_beslut__regex=r"\S"
    ).exists()


#: a paragraph of a meeting's protokoll; a beslut taken on the nämnd's behalf outside its
#: meetings, with its decision-maker (KL 6 kap. 37, 39 §§). No Beslut with neither counts
MOTETS = Q(slag=Beslut.Slag.SAMMANTRADE, sammantrade__isnull=False)
PA_VAGNAR = Q(slag__in=Beslut.PA_NAMNDENS_VAGNAR, fattat_av__isnull=False)


def _nytt_beslut(transition: str, *, forslag: bool = False, slag: Q = MOTETS):
    """A Beslut of the kind ``slag`` that no earlier step of ``transition`` accounts for:
    each besluta takes one beslut of the meeting, each besluta_pa_delegation one taken on the
    nämnd's behalf, each överlämna one förslag to a higher organ."""

    def beslut(arende):
        return Beslut.objects.filter(slag, arende_id=arende.pk, forslag_till__isnull=not forslag)

    ny = NewRecord(beslut, transition)
    if slag is not MOTETS:
        return ny

    def check(arende) -> bool:
        from arenden.sammantraden.models import Punkt

        # the protokoll's (KL 8 kap. 12 §): held by the ärende's item of a meeting
        # (arenden.sammantraden.protokoll.besluta saves it there before the step), and the new
        # one recorded while that meeting is held: never a beslut beside the item, nor one
        # written into a protokoll already upprättat or justerat
        protokollets = beslut(arende).filter(
            Exists(Punkt.objects.filter(beslutet_id=OuterRef("pk")))
        )
        moten = list(protokollets.order_by("-pk").values_list("sammantrade__state", flat=True))
        return len(moten) > ny.taken(arende).count() and moten[0] == SammantradeStatus.KALLAT

    check.__name__ = check.__qualname__ = f"nytt_beslut_for_{transition}"
    return check


def _utfall_under_punkten(utfall: str):
    """The ärende's newest item, the one its anmälan put on a föredragningslista, has the
    utfall ``utfall`` (återremiss, bordläggning) recorded in the meeting's protokoll. Asked of
    the item, not counted against the history: steps taken before items were required (an
    ärende bordlagt by a button) have none."""

    def check(arende) -> bool:
        from arenden.sammantraden.models import Punkt

        senaste = Punkt.objects.filter(arende_id=arende.pk).order_by("-pk")
        return senaste.values_list("utfall", flat=True).first() == utfall

    check.__name__ = check.__qualname__ = f"utfall_{utfall}_under_punkten"
    return check


def _senaste_beslut(arende):
    return (
        Beslut.objects.filter(arende_id=arende.pk)
        .select_related("delegationspunkt", "fattat_av__person")
        .order_by("-pk")
        .first()
    )


def _delegationsbeslut_pa_giltig_punkt(arende) -> bool:
    """The newest beslut of the ärende was taken on the nämnd's behalf (FL 31 §: with its
    decision-maker) on a row of the ärende's own nämnd's delegationsordning, valid on the day
    of the beslut, taken by that row's delegat or ersättare: a delegationsbeslut, or an
    ordförandebeslut under a row for brådskande ärenden (KL 6 kap. 39 §), never one kind under
    the other's row. The record the step *besluta_pa_delegation* needs: a nämnd's delegat
    decides only in its own matters (KL 6 kap. 37 §, 7 kap. 5 §) and only under a row that was
    in force when they decided, and still is when the beslut is recorded."""
    beslut = _senaste_beslut(arende)
    if beslut is None or beslut.slag not in Beslut.PA_NAMNDENS_VAGNAR:
        return False
    if beslut.datum < arende.registrerat:
        return False  # nobody decides a matter before it came in
    punkt = beslut.delegationspunkt
    if punkt is None or punkt.organ_id != arende.organ_id or not punkt.galler(beslut.datum):
        return False
    if not punkt.galler(timezone.localdate()):
        # recorded while the row is in force: a delegat whose row has ended cannot date a
        # beslut back to a day it was (KL 6 kap. 37 §: who holds the delegation decides)
        return False
    if (beslut.slag == Beslut.Slag.ORDFORANDEBESLUT) != punkt.bradskande:
        return False
    person = getattr(beslut.fattat_av, "person", None) if beslut.fattat_av_id else None
    if person is None or person.pk not in (punkt.delegat_id, punkt.ersattare_id):
        return False
    # KL 6 kap. 39 §: a ledamot decides a brådskande ärende, and only while he is one: on the
    # day of the beslut and on the day it is recorded (no seat ended dated back)
    return not punkt.bradskande or (
        ar_ledamot(person, arende.organ, beslut.datum)
        and ar_ledamot(person, arende.organ, timezone.localdate())
    )


def ar_ledamot(person, organ, dag) -> bool:
    """``person`` holds a seat as ledamot of ``organ`` on ``dag`` (its register)."""
    from arenden.organisation.models import Ledamotsuppdrag

    return (
        Ledamotsuppdrag.giltiga(organ, dag)
        .filter(person_id=person.pk, uppdrag=Ledamotsuppdrag.Uppdrag.LEDAMOT)
        .exists()
    )


def _inte_pa_foredragningslistan(arende) -> bool:
    """No item of a föredragningslista waits for the nämnd to decide the ärende."""
    from arenden.sammantraden.models import Punkt

    return not Punkt.objects.oavgjorda().filter(arende_id=arende.pk).exists()


def _pa_foredragningslistan(arende) -> bool:
    return not _inte_pa_foredragningslistan(arende)


def _far_besluta_pa_delegation(arende, user) -> bool:
    """Who is offered the step: a delegat (or ersättare) of a row of the ärende's nämnd valid
    today; once a delegationsbeslut not yet taken to *beslutat* is recorded, only who took
    it (the beslut is theirs, FL 31 §)."""
    from arenden.delegering.services import mina_punkter

    beslut = _senaste_beslut(arende)
    if (
        beslut is not None
        and beslut.slag in Beslut.PA_NAMNDENS_VAGNAR
        and DELEGATIONSBESLUT_OTAGET.check(arende)
    ):
        return beslut.fattat_av_id == user.pk
    return mina_punkter(user, arende.organ, timezone.localdate()).exists()


def _sandlistan_skickad(arende) -> bool:
    """A sändlista, and every recipient on it sent the newest beslut (one query)."""
    rader = Mottagare.expediering(arende.pk).aggregate(
        alla=Count("pk"), kvar=Count("pk", filter=Q(expedierad=None))
    )
    return rader["alla"] > 0 and rader["kvar"] == 0


def _beslutet_justerat(arende) -> bool:
    """The newest beslut may leave the house: a beslut of a meeting once its protokoll is
    justerat, or its paragraph justerad at once (KL 5 kap. 69 §, 6 kap. 35 §); until then the
    protokoll can still be changed and the beslut may not be verkställt (KL 13 kap. 14 §). A
    beslut taken on the nämnd's behalf (KL 6 kap. 37, 39 §§) is final when it is taken."""
    from arenden.sammantraden.models import Punkt

    beslut = (
        Beslut.objects.filter(arende_id=arende.pk)
        .select_related("sammantrade")
        .only("pk", "slag", "sammantrade__justerat")
        .order_by("-pk")
        .first()
    )
    if beslut is None:
        return False
    if beslut.slag in Beslut.PA_NAMNDENS_VAGNAR:
        return True
    if beslut.sammantrade is not None and beslut.sammantrade.justerat is not None:
        return True
    return Punkt.objects.filter(beslutet=beslut, omedelbart_justerad__isnull=False).exists()


def _aldrig_avgjort(arende) -> bool:
    """No beslut, and never closed: back in *registrerat* only by Återöppna."""
    if Beslut.objects.filter(arende_id=arende.pk).exists():
        return False
    tagna = WorkflowHistory.objects.for_object(arende)
    return not tagna.filter(transition=ArendeSteg.ATEROPPNA).exists()


def _fortsatter_i_annat_organ(arende) -> bool:
    """Överlämnat: each förslag to a higher organ registered in an organ's diarium as the
    matter's continuation (arenden.diarium.services.fortsatt_i). Any other state: nothing to
    carry on."""
    if arende.state != ArendeStatus.OVERLAMNAT:
        return True
    from arenden.diarium.models import ArendeRelation

    fortsatt = ArendeRelation.objects.filter(
        fran_id=arende.pk, typ=ArendeRelation.Typ.FORTSATTER_I
    ).count()
    tagna = WorkflowHistory.objects.for_object(arende).filter(transition=ArendeSteg.OVERLAMNA)
    return fortsatt >= tagna.count()


def _inte_en_fortsattning(arende) -> bool:
    """The ärende does not carry on another organ's förslag (arenden.diarium.services.
    fortsatt_i): that one is closed on the strength of this one (:data:`FORTSATTER_I_ANNAT_
    ORGAN`), so this one is never makulerat as if it had never been."""
    from arenden.diarium.models import ArendeRelation

    return not ArendeRelation.objects.filter(
        till_id=arende.pk, typ=ArendeRelation.Typ.FORTSATTER_I
    ).exists()


def _inga_allmanna_handlingar(arende) -> bool:
    from arenden.diarium.models import ALLMAN_HANDLING

    return not Handling.objects.filter(ALLMAN_HANDLING, arende_id=arende.pk).exists()


def _ingen_begaran(arende) -> bool:
    from arenden.begaran.models import Begaran

    return not Begaran.objects.filter(arende_id=arende.pk).exists()


def _inte_motion(arende) -> bool:
    from arenden.motion.models import TYPER

    return arende.typ not in TYPER


def motionens_fullmaktige(arende):
    """The fullmäktige where the motion or medborgarförslag ``arende`` was väckt: its own
    record (:class:`arenden.motion.models.Motion`), or, for the matter registered where it
    goes on (a nämnd's förslag registered in the styrelse's or fullmäktige's diarium, which
    keeps the ärendetyp and has no record of its own), the record of the ärende it continues,
    followed back. None when no record is found."""
    from arenden.diarium.models import ArendeRelation
    from arenden.motion.models import Motion

    sett = set()
    pk = arende.pk
    while pk is not None and pk not in sett:
        sett.add(pk)
        motion = Motion.objects.filter(arende_id=pk).select_related("fullmaktige").first()
        if motion is not None:
            return motion.fullmaktige
        pk = (
            ArendeRelation.objects.filter(till_id=pk, typ=ArendeRelation.Typ.FORTSATTER_I)
            .order_by("-pk")
            .values_list("fran_id", flat=True)
            .first()
        )
    return None


def _motion_avgors_av_fullmaktige(arende) -> bool:
    """KL 5 kap. 35 §, 6 kap. 38 § p. 4: a motion is decided by fullmäktige, and so is a
    medborgarförslag here: fullmäktige may hand one over to a nämnd (KL 5 kap. 23 § first
    paragraph 3), but no record says one was, so none is decided anywhere else. The newest
    beslut of a meeting (the one the step records) is the motion's fullmäktige's (any
    fullmäktige's when no record names it); a nämnd, the styrelse among them, överlämnar the
    matter with a förslag (:data:`FORSLAG_TILL_HOGRE_ORGAN`), återremitterar or bordlägger
    it, and never decides it."""
    if _inte_motion(arende):
        return True
    beslut = (
        Beslut.objects.filter(MOTETS, arende_id=arende.pk, forslag_till__isnull=True)
        .select_related("organ")
        .order_by("-pk")
        .first()
    )
    if beslut is None:
        return True  # nothing decided: BESLUT says what is missing
    fullmaktige = motionens_fullmaktige(arende)
    if fullmaktige is not None:
        return beslut.organ_id == fullmaktige.pk
    from arenden.organisation.models import Organ

    return beslut.organ.typ == Organ.Typ.FULLMAKTIGE


def _beslutforhet(arende):
    """The quorum (KL 5 kap. 45 §, 6 kap. 27 §) under the ärende's item, the newest (where
    its anmälan put it, and where besluta, återremiss, bordläggning and the förslag are
    recorded before the step): ledamöter and ersättare serving in it, counted against the
    organ's register (:mod:`arenden.sammantraden.beslutforhet`). None without an item."""
    from arenden.sammantraden import beslutforhet
    from arenden.sammantraden.models import Punkt

    punkter = Punkt.objects.filter(arende_id=arende.pk).order_by("-pk")
    punkt = beslutforhet.med_narvaron(punkter).first()
    return None if punkt is None else beslutforhet.bedom(punkt, laddad=True)


def _beslutfort(arende) -> bool:
    """Beslutfört under the item. No item: nothing to judge here (the step's other
    requirement says what is missing)."""
    bedomning = _beslutforhet(arende)
    return bedomning is None or bedomning.beslutfor


def _inte_beslutfort(arende) -> str:
    """Why not, with the counts."""
    return _beslutforhet(arende).skal()


def _allt_redovisat(arende) -> bool:
    return not Uppdrag.objects.filter(arende_id=arende.pk, redovisat=None).exists()


def _uppdrag_att_bevaka(arende) -> bool:
    return not _allt_redovisat(arende)


HANDLAGGARE_UTSEDD = Requirement(
    _har_handlaggare,
    "ärendet har ingen handläggare som är en aktiv tjänsteperson i organisationen",
)
FORSLAG_TILL_BESLUT = Requirement(
    _har_forslag_till_beslut, "tjänsteskrivelsen med förslag till beslut saknas"
)
BESLUT = Requirement(
    _nytt_beslut(ArendeSteg.BESLUTA),
    "inget beslut är fört till protokollet under ärendets punkt medan sammanträdet hålls",
)
DELEGATIONSBESLUT_OTAGET = Requirement(
    _nytt_beslut(ArendeSteg.BESLUTA_PA_DELEGATION, slag=PA_VAGNAR),
    "inget beslut är fattat på nämndens vägnar",
)
DELEGATIONSBESLUT = Requirement(
    _delegationsbeslut_pa_giltig_punkt,
    "inget delegationsbeslut är fattat av en delegat enligt en giltig punkt i nämndens "
    "delegationsordning",
)


def _beslutsdokument(arende) -> bool:
    """The newest beslut, taken on the nämnd's behalf, is filed in the ärende as its own
    document (arenden.delegering.services): it has no protokoll to be read in."""
    senaste = Beslut.objects.filter(arende_id=arende.pk).order_by("-pk").values("dokument_id")
    return Handling.objects.filter(
        pk__in=senaste[:1], arende_id=arende.pk, typ=Handling.Typ.BESLUT
    ).exists()


#: a beslut outside a meeting is a document in the diarium (FL 31 §: what was decided, by
#: whom, on what grounds), what is expedierat and anmält (KL 6 kap. 40 §): never *beslutat*
#: on the nämnd's behalf without it
BESLUTSDOKUMENT = Requirement(
    _beslutsdokument, "beslutet på nämndens vägnar är inte diariefört som en handling i ärendet"
)
#: a matter on a föredragningslista is the nämnd's to decide there: a delegationsbeslut
#: beside it would leave an item of the protokoll with no beslut that can ever be recorded
#: (the ärende is beslutat already). Struck from the list first, the delegat decides it.
INTE_PA_FOREDRAGNINGSLISTAN = Requirement(
    _inte_pa_foredragningslistan,
    "ärendet står på en föredragningslista; nämndsekreteraren stryker det därifrån först, "
    "eller så beslutar nämnden",
)
#: struck from the list is the item struck (deleted before the kallelse, or marked struken
#: when the meeting is inställt) and then the state: the item and the state agree
PUNKTEN_STRUKEN = Requirement(
    _inte_pa_foredragningslistan,
    "ärendets punkt står kvar på föredragningslistan; punkten stryks där",
)
#: anmält means an item on a meeting's föredragningslista (arenden.sammantraden.protokoll.
#: lagg_till_punkt saves it, then takes the step): where the nämnd's beslut will be recorded,
#: and what lets the nämndsekreterare read the ärende's secret content (PA_MOTET)
PA_FOREDRAGNINGSLISTAN = Requirement(
    _pa_foredragningslistan,
    "ärendet står inte på någon föredragningslista; det anmäls genom att sättas upp på ett "
    "sammanträde",
)
#: återremiss and bordläggning are the nämnd's, recorded under the ärende's item of the
#: protokoll (KL 5 kap. 50–51 §§): never the state without its item's utfall
ATERREMISS = Requirement(
    _utfall_under_punkten("aterremiss"),
    "ingen återremiss är förd till protokollet under ärendets punkt",
)
BORDLAGGNING = Requirement(
    _utfall_under_punkten("bordlaggning"),
    "ingen bordläggning är förd till protokollet under ärendets punkt",
)
FORSLAG_TILL_HOGRE_ORGAN = Requirement(
    _nytt_beslut(ArendeSteg.OVERLAMNA, forslag=True),
    "inget beslut om förslag till ett högre organ är fört till protokollet under ärendets "
    "punkt medan sammanträdet hålls",
)


def _forslag_utan_uppdrag(arende) -> bool:
    """The newest förslag to a higher organ gives no uppdrag: överlämnat is left only by
    Avsluta, which needs every uppdrag redovisat, and nobody may redovisa there (only
    *bevakas* grants it), so one would hold the ärende for ever. Uppdrag are given where the
    matter is decided."""
    from arenden.handlaggning.models import Uppdrag

    senaste = (
        Beslut.objects.filter(arende_id=arende.pk, forslag_till__isnull=False)
        .order_by("-pk")
        .values("pk")[:1]
    )
    return not Uppdrag.objects.filter(beslut_id__in=senaste).exists()


FORSLAG_UTAN_UPPDRAG = Requirement(
    _forslag_utan_uppdrag,
    "ett förslag till ett högre organ ger inga uppdrag; uppdrag ges i beslutet där ärendet avgörs",
)


def _inget_rattat_utdrag_kvar(arende) -> bool:
    """FL 36 §: everyone who got a beslut before a rättelse of its paragraph took effect has
    been sent the rättat protokollsutdrag, for every rättelse in effect (arenden.handlaggning.
    services.rattat_utdrag_kvar, the rule the ärende's notice shows)."""
    from arenden.handlaggning.services import rattat_utdrag_kvar

    return not rattat_utdrag_kvar(arende)


#: an ärende is not closed while the rättat protokollsutdrag is owed (FL 36 §)
INGET_RATTAT_UTDRAG_KVAR = Requirement(
    _inget_rattat_utdrag_kvar,
    "det rättade protokollsutdraget är inte skickat till alla som fick beslutet före "
    "rättelsen (förvaltningslagen 36 §)",
)


def _utdraget_diariefort(arende) -> bool:
    from arenden.handlaggning.services import utdrag_som_diariefors

    return utdrag_som_diariefors(arende) is None


#: what is sent is the protokollsutdrag filed in the ärende: not before it is there (a worker
#: files it after the justering, arenden.dokument.arkivering)
UTDRAGET_DIARIEFORT = Requirement(
    _utdraget_diariefort,
    "protokollsutdraget med beslutet är ännu inte diariefört i ärendet (sammanträdets sida "
    "säger hur arkiveringen går); försök igen när det finns i ärendet",
)
SANDLISTAN_SKICKAD = Requirement(
    _sandlistan_skickad, "beslutet är inte skickat till alla på sändlistan (eller den är tom)"
)
BESLUTET_JUSTERAT = Requirement(
    _beslutet_justerat,
    "protokollet med beslutet är inte justerat; beslutet expedieras när det är justerat",
)
#: makulera is for an ärende registered by mistake (arenden.diarium): never one decided or
#: closed and reopened, whose beslut and handlingar are allmänna and stay in the diarium and
#: the postlista (TF 2 kap. 4 §)
ALDRIG_AVGJORT = Requirement(
    _aldrig_avgjort,
    "ärendet har beslutats eller avslutats och är inte registrerat av misstag",
)
#: överlämnat: the matter is closed here once the förslag is registered where it goes on (the
#: higher organ, or the styrelse heard before fullmäktige, KL 5 kap. 26–28 §§); closed before,
#: it would reach no diarium and no beslut
FORTSATTER_I_ANNAT_ORGAN = Requirement(
    _fortsatter_i_annat_organ,
    "förslaget är inte registrerat i diariet där ärendet fortsätter; registratorn registrerar "
    "det under Förslag att registrera",
)
#: a handling that came in, or was upprättad and final, is allmän (TF 2 kap. 9–10 §§) and stays
#: registered and in the postlista: an ärende holding one is avskrivet, never makulerat
INTE_EN_FORTSATTNING = Requirement(
    _inte_en_fortsattning,
    "ärendet är fortsättningen på ett annat organs förslag, och det ärendet är avslutat i "
    "förlitan på det här; förslaget ska beslutas här, eller skrivas av av stabschefen",
)


def _inget_sammantrade(arende) -> bool:
    from arenden.sammantraden.models import Sammantrade

    return not Sammantrade.objects.filter(arende_id=arende.pk).exists()


#: a meeting files its kallelse and protokoll in its ärende (arenden.dokument.arkivering): a
#: makulerat ärende would receive allmänna handlingar
INGET_SAMMANTRADE = Requirement(
    _inget_sammantrade,
    "ärendet är ett sammanträdes diarieärende, där kallelsen och protokollet diarieförs",
)
INGA_ALLMANNA_HANDLINGAR = Requirement(
    _inga_allmanna_handlingar,
    "ärendet har allmänna handlingar (inkomna eller upprättade), som ska finnas kvar i diariet "
    "och på postlistan; stabschefen skriver av ärendet i stället",
)

#: a begäran om allmän handling is itself an inkommen handling (TF 2 kap. 9 §), and its
#: prövning is a beslut on record: a makulerat ärende would hide both from the postlista
INGEN_BEGARAN = Requirement(
    _ingen_begaran,
    "en begäran om allmän handling är registrerad i ärendet, och den och dess prövning ska "
    "finnas kvar; stabschefen skriver av ärendet i stället",
)


def _har_beslut(arende) -> bool:
    return Beslut.objects.filter(arende_id=arende.pk).exists()


def _inget_beslut(arende) -> bool:
    return not _har_beslut(arende)


#: avskrivet says the matter ended without a beslut in sak: never said of an ärende that holds
#: one (a closed ärende reopened, for an överklagande to answer or a new handling, that needs
#: no new beslut is closed as avslutat again, :data:`TIDIGARE_BESLUT`)
INGET_BESLUT = Requirement(
    _inget_beslut,
    "ärendet har ett beslut och avskrivs inte; ett återöppnat ärende som inte behöver ett nytt "
    "beslut avslutas utan nytt beslut",
)
TIDIGARE_BESLUT = Requirement(
    _har_beslut,
    "ärendet har inget beslut att avslutas med; ett ärende som aldrig beslutats avskrivs",
)
#: KL 5 kap. 35 §: a motion or medborgarförslag is decided by fullmäktige, or fullmäktige
#: decides to write it off; never written off by a tjänsteperson
INTE_MOTION = Requirement(
    _inte_motion,
    "en motion eller ett medborgarförslag avgörs av fullmäktige och kan inte avskrivas här",
)
#: KL 5 kap. 35 §, 6 kap. 38 § p. 4: never decided on the nämnd's behalf, by a delegat or by
#: the ordförande in a brådskande ärende: a motion is fullmäktige's, and a medborgarförslag
#: fullmäktige handed over to a nämnd may not be delegated
INTE_MOTION_PA_DELEGATION = Requirement(
    _inte_motion,
    "en motion eller ett medborgarförslag avgörs av fullmäktige och får inte beslutas på "
    "delegation (kommunallagen 5 kap. 35 §, 6 kap. 38 § 4)",
)
#: a beslut i sak in a motion or medborgarförslag is fullmäktige's
MOTION_AV_FULLMAKTIGE = Requirement(
    _motion_avgors_av_fullmaktige,
    "en motion eller ett medborgarförslag avgörs av fullmäktige, inte av en nämnd "
    "(kommunallagen 5 kap. 35 §, 6 kap. 38 § 4); nämnden överlämnar ärendet med ett förslag "
    "till beslut till fullmäktige, eller återremitterar eller bordlägger det",
)
#: the meeting handles the ärende only when beslutfört under its item (KL 5 kap. 45 §, 6 kap.
#: 27 §); the refusal gives the counts
BESLUTFORT = Requirement(
    _beslutfort,
    "sammanträdet är inte beslutfört under ärendets punkt: mer än hälften av ledamöterna "
    "ska delta (kommunallagen 5 kap. 45 §, 6 kap. 27 §)",
    explain=_inte_beslutfort,
)
ALLT_REDOVISAT = Requirement(_allt_redovisat, "alla uppdrag är inte återrapporterade")
UPPDRAG_ATT_BEVAKA = Requirement(_uppdrag_att_bevaka, "beslutet gav inga uppdrag att bevaka")


# -- the tasks the process holds open in each state (names of flows/processer.py's nodes) ---

#: nothing to do: the process ends (paused, handed on, closed)
INGA: tuple[Tasks, ...] = ()
#: the handläggare prepares (Bered); the split opens one Yttrande per organ asked, joined in
#: Samla before Granska
BEREDNING = (Tasks(("bered",), besides=("yttrande", "samla"), start="beredning"),)
#: beredd: the stabschef reviews (Granska); the ärende stays beredd when approved, so Anmäl
#: follows Granska in the same state, and the yttranden still awaited come before it
GRANSKNING = (
    Tasks(("granska",)),
    Tasks(("yttrande", "samla"), entry=False),
    Tasks(("anmal",), entry=False),
)
#: expedierad: wait for the återrapportering's due date (Vänta, then Återrapportera) while
#: uppdrag are open, else close the ärende (Avsluta)
EFTER_EXPEDIERING = (
    Tasks(("vanta",), when=_uppdrag_att_bevaka),
    Tasks(("avsluta",)),
    Tasks(("aterrapportera",), entry=False),
)


# -- a rättelse (FL 36 §) of the protokoll that holds the ärende's paragraph ----------------


def rattelser_i_kraft(arende):
    """The rättelser in effect (signed by all who justerade, FL 36 §) of the ärende's items."""
    from arenden.sammantraden.models import Rattelse

    return Rattelse.objects.filter(punkt__arende_id=arende.pk, giltig__isnull=False)


def _har_signerat_rattelsen(arende, user) -> bool:
    """Who records it in the ärende: one who signed a rättelse in effect of its paragraph, as
    the last signature takes it (arenden.sammantraden.protokoll.signera_rattelse, which checks
    they justerade the protokoll). Nobody else, whatever their roles."""
    return rattelser_i_kraft(arende).filter(signaturer__user_id=user.pk).exists()


#: each rättelse in effect once
RATTELSE_I_KRAFT = Requirement(
    NewRecord(rattelser_i_kraft, ArendeSteg.RATTELSE),
    "ingen rättelse av ärendets paragraf i protokollet har trätt i kraft (FL 36 §)",
)


# -- the steps taken by a service with a record of their own: each step needs a record the
# history does not yet account for, so that one called directly, or twice, writes no entry
# with nothing behind it


def _yttranden(arende) -> list[dict]:
    """The organs asked for a yttrande in every run of the ärende's process (flows.models.
    ArendeProcess.data), each once: a run taken up after vilande carries its predecessor's
    (``foregaende``), which is then not counted again."""
    from flows.models import ArendeProcess

    korningar = dict(ArendeProcess.objects.filter(arende_id=arende.pk).values_list("pk", "data"))
    efterfoljda = {(d or {}).get("foregaende") for d in korningar.values()}
    return [
        y
        for pk, d in korningar.items()
        if pk not in efterfoljda
        for y in (d or {}).get("yttranden", [])
    ]


def _begaran_att_fora_in(arende) -> bool:
    """An organ asked (flows.uppgifter.tilldela, begar_yttranden) whose request the history
    does not yet name; requests made before the mark was kept count as named."""
    return any(not y.get("i_historiken", True) for y in _yttranden(arende))


def _svar(arende) -> int:
    """The yttranden marked as come in (flows.synk.markera_besvarat)."""
    return sum(1 for y in _yttranden(arende) if y.get("besvarat"))


def _provningar(arende) -> int:
    """The sekretessmarkeringar made, changed or lifted, by arenden.diarium.services.
    andra_sekretess with the step as reason: the field history of the ärende and its
    handlingar. The step itself writes one row of the ärende's field history with its id as
    reason too (the engine saves the state, workflow.engine): those rows are not markings."""
    skal = str(ArendeSteg.ANDRA_SEKRETESS)
    arendets = type(arende).history.filter(id=arende.pk, history_change_reason=skal).count()
    steg = WorkflowHistory.objects.for_object(arende).filter(transition=skal).count()
    handlingars = Handling.history.filter(arende_id=arende.pk, history_change_reason=skal)
    return arendets - steg + handlingars.count()


def _beredningar(arende):
    """The ärende's arrivals in *beredd* (markera_beredd, or struck back from a list): each
    opens the stabschef's granskning (flows.processer, Granska) once."""
    return WorkflowHistory.objects.for_object(arende).filter(
        Q(to_state=ArendeStatus.BEREDD) & ~Q(from_state=ArendeStatus.BEREDD)
    )


#: the stabschef approves each beredning once: a second approval, by a double click or
#: straight through the engine, writes no entry with nothing new behind it
NY_BEREDNING = Requirement(
    NewRecord(_beredningar, ArendeSteg.GODKANNA_BEREDNING),
    "beredningen är redan godkänd; nästa godkännande gäller nästa gång ärendet blir berett",
)
NY_BEGARAN = Requirement(
    _begaran_att_fora_in,
    "ingen begäran om yttrande finns i ärendets beredning som historiken inte redan har; "
    "yttranden begärs i tilldelningen eller under beredningen",
)
NYTT_YTTRANDE = Requirement(
    NewRecord(_svar, ArendeSteg.YTTRANDE_INKOMMET),
    "inget begärt yttrande är markerat som inkommet som historiken inte redan har",
)
NY_SEKRETESSPROVNING = Requirement(
    NewRecord(_provningar, ArendeSteg.ANDRA_SEKRETESS),
    "ingen sekretessmarkering av ärendet eller en handling är gjord, ändrad eller hävd som "
    "historiken inte redan har (offentlighets- och sekretesslagen 5 kap. 5 §)",
)


def _datum(falt):
    def satt(event):
        setattr(event.obj, falt, timezone.localdate())

    satt.__name__ = f"satt_{falt}"
    return satt


def _expedierat(event):
    """The day the beslut was expedierat: the day its last recipient was sent it (an
    expediering recorded afterwards carries its time, arenden.handlaggning.services.
    expediera_till), never the day it was recorded; the ärende's page, the API and the
    archive's Expedierad say it."""
    sist = Mottagare.expediering(event.obj.pk).aggregate(t=Max("expedierad"))["t"]
    event.obj.expedierat = timezone.localdate(sist) if sist else timezone.localdate()


def _oppnat(event):
    """Reopened, the ärende waits for the stabschef to assign it anew (Tilldela): the
    handläggare of the closed round is no longer named and holds no role on it. Who it was
    stays in this step's history (the field's change) and in the role's."""
    arende = event.obj
    arende.avslutat = None
    if arende.handlaggare_id is not None:
        workflow_roles.revoke(arende, HANDLAGGARE, user=arende.handlaggare)
        arende.handlaggare = None


def _beslutsdatum(event):
    senaste = (
        Beslut.objects.filter(arende_id=event.obj.pk)
        .order_by("-datum", "-pk")
        .values_list("datum", flat=True)
        .first()
    )
    event.obj.beslutat = senaste  # the BESLUT requirement holds: there is one


def _upprattade(event):
    """TF 2 kap. 10 §: the ärende's own handlingar become upprättade when it is expedierat or
    slutbehandlat. Saved one by one so each change has its field history."""
    for handling in event.obj.handlingar.filter(status=Handling.Status.UTKAST):
        handling.status = Handling.Status.UPPRATTAD
        handling._change_reason = event.transition.id
        handling._history_user = event.user
        handling.save()


def definition() -> Workflow:
    beredning = dict(
        edit=(STABSCHEF, REGISTRATOR, *PREPARERS),
        tjansteskrivelse=PREPARERS,
        sandlista=PREPARERS,
        handling=(REGISTRATOR, *PREPARERS),
    )
    states = [
        _state(
            ArendeStatus.REGISTRERAT,
            "Registrerat",
            "I diariet med diarienummer och ärendemening; ingen handläggare ännu.",
            tasks=(Tasks(("tilldela",)),),
            edit=(REGISTRATOR, STABSCHEF),
            handling=(REGISTRATOR,),
        ),
        _state(
            ArendeStatus.TILLDELAT,
            "Tilldelat",
            "Stabschefen har utsett handläggare och beredningsansvariga.",
            tasks=BEREDNING,
            **beredning,
        ),
        _state(
            ArendeStatus.UNDER_BEREDNING,
            "Under beredning",
            "Handläggaren tar fram tjänsteskrivelse och beslutsunderlag.",
            tasks=BEREDNING,
            **beredning,
        ),
        _state(
            ArendeStatus.BEREDD,
            "Beredd",
            "Beredningen är klar; förslag till beslut finns.",
            tasks=GRANSKNING,
            edit=(STABSCHEF, REGISTRATOR),
            handling=(REGISTRATOR,),
        ),
        _state(
            ArendeStatus.ANMALT,
            "Anmält",
            "På föredragningslistan till ett sammanträde.",
            tasks=(Tasks(("besluta",)),),
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
        ),
        _state(
            ArendeStatus.BESLUTAT,
            "Beslutat",
            "Beslutat som en paragraf i protokollet.",
            tasks=(Tasks(("expediera",)),),
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
            # who expedierar may complete "Beslutet expedieras till" (a beslut without one,
            # or a recipient the organ added)
            sandlista=EXPEDIERAR,
            expediera=EXPEDIERAR,
        ),
        _state(
            ArendeStatus.EXPEDIERAT,
            "Expedierat",
            "Beslutet är skickat till alla på sändlistan.",
            tasks=EFTER_EXPEDIERING,
            handling=(REGISTRATOR,),
        ),
        _state(
            ArendeStatus.BEVAKAS,
            "Bevakas",
            "Väntar på återrapportering till ett förfallodatum.",
            tasks=EFTER_EXPEDIERING,
            handling=(REGISTRATOR, NAMNDSEKRETERARE, *PREPARERS),
            redovisa=(STABSCHEF, NAMNDSEKRETERARE, *PREPARERS),
        ),
        _state(
            ArendeStatus.ATERREMITTERAT,
            "Återremitterat",
            "Organet har skickat tillbaka ärendet för mer beredning.",
            tasks=BEREDNING,
            **beredning,
        ),
        _state(
            ArendeStatus.BORDLAGT,
            "Bordlagt",
            "Skjutet till ett senare sammanträde.",
            tasks=(Tasks(("anmal",)),),
            handling=(REGISTRATOR, NAMNDSEKRETERARE),
        ),
        _state(
            ArendeStatus.OVERLAMNAT,
            "Överlämnat",
            "Beslutet är ett förslag till ett högre organ, där ärendet fortsätter.",
            tasks=INGA,
            handling=(REGISTRATOR,),
        ),
        _state(ArendeStatus.VILANDE, "Vilande", "Pausat.", tasks=INGA, handling=(REGISTRATOR,)),
        # a handling that arrives after the ärende is closed (an överklagande, a court's
        # notice, a komplettering) is registered in it all the same (OSL 5 kap. 1 §)
        _state(
            ArendeStatus.AVSLUTAT,
            "Avslutat",
            "Slutbehandlat; klart för arkiv.",
            tasks=INGA,
            handling=(REGISTRATOR,),
            final=True,
        ),
        _state(
            ArendeStatus.AVSKRIVET,
            "Avskrivet",
            "Avslutat utan beslut i sak.",
            tasks=INGA,
            handling=(REGISTRATOR,),
            final=True,
        ),
        _state(
            ArendeStatus.MAKULERAT, "Makulerat", "Registrerat av misstag.", tasks=INGA, final=True
        ),
    ]
    return Workflow(
        id=ID,
        title="Ärendets livscykel",
        roles=EVERYONE,
        initial_state=ArendeStatus.REGISTRERAT,
        states=states,
        transitions=[
            Transition(
                ArendeSteg.TILLDELA,
                "Tilldela",
                ArendeStatus.REGISTRERAT,
                ArendeStatus.TILLDELAT,
                guard=Guard(roles=(STABSCHEF,)),
                requires=(HANDLAGGARE_UTSEDD,),
                form="arenden:tilldela",
            ),
            Transition(
                ArendeSteg.PABORJA_BEREDNING,
                "Påbörja beredning",
                (ArendeStatus.TILLDELAT, ArendeStatus.ATERREMITTERAT),
                ArendeStatus.UNDER_BEREDNING,
                guard=Guard(roles=PREPARERS),
            ),
            Transition(
                # organs asked for a yttrande (the comment names them); a step of its own in
                # the history, the ärende stays where it is
                ArendeSteg.BEGARA_YTTRANDE,
                "Begär yttrande",
                (ArendeStatus.TILLDELAT, ArendeStatus.UNDER_BEREDNING, ArendeStatus.ATERREMITTERAT),
                None,
                guard=Guard(roles=(STABSCHEF, *PREPARERS)),
                comment_required=True,
                requires=(NY_BEGARAN,),
                trigger=METHOD,  # with the yttrande tasks (flows.uppgifter.begar_yttranden)
            ),
            Transition(
                # an organ's yttrande came in (the comment names the organ and the handling);
                # one asked for may come late, after the ärende went on to the nämnd without
                # it: it is recorded all the same, in every state its process may be open
                ArendeSteg.YTTRANDE_INKOMMET,
                "Yttrande inkommet",
                (
                    ArendeStatus.TILLDELAT,
                    ArendeStatus.UNDER_BEREDNING,
                    ArendeStatus.ATERREMITTERAT,
                    ArendeStatus.BEREDD,
                    ArendeStatus.ANMALT,
                    ArendeStatus.BORDLAGT,
                    ArendeStatus.BESLUTAT,
                    ArendeStatus.EXPEDIERAT,
                    ArendeStatus.BEVAKAS,
                    ArendeStatus.OVERLAMNAT,
                ),
                None,
                guard=Guard(roles=(STABSCHEF, REGISTRATOR, *PREPARERS)),
                comment_required=True,
                requires=(NYTT_YTTRANDE,),
                trigger=METHOD,  # with the yttrande task (flows.synk.markera_besvarat)
            ),
            Transition(
                ArendeSteg.MARKERA_BEREDD,
                "Markera som beredd",
                ArendeStatus.UNDER_BEREDNING,
                ArendeStatus.BEREDD,
                guard=Guard(roles=PREPARERS),
                requires=(FORSLAG_TILL_BESLUT,),
            ),
            Transition(
                # the stabschef's granskning: approved, the ärende stays beredd and goes on
                # to the agenda; the approval and its comment are in the history
                ArendeSteg.GODKANNA_BEREDNING,
                "Godkänn beredningen",
                ArendeStatus.BEREDD,
                ArendeStatus.BEREDD,
                guard=Guard(roles=(STABSCHEF,)),
                trigger=METHOD,  # the Granska task (flows.uppgifter.granska)
                requires=(NY_BEREDNING,),
            ),
            Transition(
                ArendeSteg.ATERUPPTA_BEREDNING,
                "Återuppta beredningen",
                ArendeStatus.BEREDD,
                ArendeStatus.UNDER_BEREDNING,
                guard=Guard(roles=(STABSCHEF, *PREPARERS)),
            ),
            Transition(
                ArendeSteg.ANMAL,
                "Anmäl till sammanträde",
                (ArendeStatus.BEREDD, ArendeStatus.BORDLAGT),
                ArendeStatus.ANMALT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(PA_FOREDRAGNINGSLISTAN,),
                form="arenden:anmal",
            ),
            Transition(
                # the item is taken off the föredragningslista before the kallelse (arenden.
                # protokoll.stryk_punkt): ready for decision again, at another meeting
                ArendeSteg.STRYK,
                "Stryk från föredragningslistan",
                ArendeStatus.ANMALT,
                ArendeStatus.BEREDD,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
                requires=(PUNKTEN_STRUKEN,),
                trigger=METHOD,
            ),
            Transition(
                # the nämndsekreterare records the meeting's beslut, a § of its protokoll; a
                # beslut taken on the nämnd's behalf outside the meeting takes the delegated step
                ArendeSteg.BESLUTA,
                "Registrera beslut",
                ArendeStatus.ANMALT,
                ArendeStatus.BESLUTAT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(BESLUT, MOTION_AV_FULLMAKTIGE, BESLUTFORT),
                form="arenden:beslut",
                before=(_beslutsdatum,),
            ),
            Transition(
                # KL 6 kap. 37 §, 7 kap. 5 §: a matter the nämnd has delegated is decided by the
                # delegat and never goes to the nämnd; the beslut is anmält to it afterwards (KL
                # 6 kap. 40 §). From *beredd*: a finished beredning with its förslag till
                # beslut on record (FL 23 §: the matter is utrett as its nature requires),
                # never from under_beredning, which has no such record, nor from *anmält*,
                # where it is on a föredragningslista for the nämnd to decide (struck from it,
                # it is beredd again). An ordförandebeslut in a brådskande ärende (KL 6 kap.
                # 39 §) takes the same step.
                ArendeSteg.BESLUTA_PA_DELEGATION,
                "Besluta på delegation",
                DELEGAT_BESLUTAR,
                ArendeStatus.BESLUTAT,
                guard=Guard(
                    condition=_far_besluta_pa_delegation,
                    condition_message="kräver att du är delegat enligt nämndens delegationsordning",
                ),
                requires=(
                    INTE_MOTION_PA_DELEGATION,
                    INTE_PA_FOREDRAGNINGSLISTAN,
                    DELEGATIONSBESLUT_OTAGET,
                    DELEGATIONSBESLUT,
                    BESLUTSDOKUMENT,
                ),
                form="arenden:delegationsbeslut",
                before=(_beslutsdatum,),
            ),
            Transition(
                ArendeSteg.ATERREMITTERA,
                "Återremittera",
                ArendeStatus.ANMALT,
                ArendeStatus.ATERREMITTERAT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
                requires=(ATERREMISS, BESLUTFORT),
                form="arenden:beslut",
            ),
            Transition(
                ArendeSteg.BORDLAGGA,
                "Bordlägg",
                ArendeStatus.ANMALT,
                ArendeStatus.BORDLAGT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                comment_required=True,
                requires=(BORDLAGGNING, BESLUTFORT),
                form="arenden:beslut",
            ),
            Transition(
                ArendeSteg.OVERLAMNA,
                "Överlämna till högre organ",
                ArendeStatus.ANMALT,
                ArendeStatus.OVERLAMNAT,
                guard=Guard(roles=(NAMNDSEKRETERARE,)),
                requires=(FORSLAG_TILL_HOGRE_ORGAN, FORSLAG_UTAN_UPPDRAG, BESLUTFORT),
                form="arenden:beslut",
                before=(_beslutsdatum,),
            ),
            Transition(
                ArendeSteg.EXPEDIERA,
                "Expediera",
                ArendeStatus.BESLUTAT,
                ArendeStatus.EXPEDIERAT,
                guard=Guard(permissions=(EXPEDIERA,)),
                requires=(BESLUTET_JUSTERAT, UTDRAGET_DIARIEFORT, SANDLISTAN_SKICKAD),
                form="arenden:expediera",
                before=(_expedierat,),
                after=(_upprattade,),
            ),
            Transition(
                ArendeSteg.BEVAKA,
                "Bevaka återrapportering",
                ArendeStatus.EXPEDIERAT,
                ArendeStatus.BEVAKAS,
                # when the beslut gave uppdrag, the ärende is watched as soon as it is
                # expedierat, whoever sent to the last recipient
                trigger=AUTOMATIC,
                requires=(UPPDRAG_ATT_BEVAKA,),
            ),
            Transition(
                ArendeSteg.AVSLUTA,
                "Avsluta",
                (ArendeStatus.EXPEDIERAT, ArendeStatus.BEVAKAS, ArendeStatus.OVERLAMNAT),
                ArendeStatus.AVSLUTAT,
                guard=Guard(roles=(STABSCHEF, NAMNDSEKRETERARE, REGISTRATOR)),
                # överlämnat: the förslag goes on to the higher organ once it is justerat, and
                # the matter closes here once it is registered there
                requires=(
                    BESLUTET_JUSTERAT,
                    ALLT_REDOVISAT,
                    FORTSATTER_I_ANNAT_ORGAN,
                    INGET_RATTAT_UTDRAG_KVAR,
                ),
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                ArendeSteg.AVSLUTA_ATERRAPPORTERAT,
                "Avsluta efter återrapportering",
                ArendeStatus.BEVAKAS,
                ArendeStatus.AVSLUTAT,
                guard=Guard(permissions=(REDOVISA,)),
                requires=(ALLT_REDOVISAT, INGET_RATTAT_UTDRAG_KVAR),
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                ArendeSteg.VILA,
                "Gör vilande",
                (ArendeStatus.TILLDELAT, ArendeStatus.UNDER_BEREDNING),
                ArendeStatus.VILANDE,
                guard=Guard(roles=(STABSCHEF,)),
                comment_required=True,
            ),
            Transition(
                ArendeSteg.ATERUPPTA,
                "Återuppta",
                ArendeStatus.VILANDE,
                ArendeStatus.UNDER_BEREDNING,
                guard=Guard(roles=(STABSCHEF,)),
            ),
            Transition(
                ArendeSteg.AVSKRIVA,
                "Avskriv",
                (
                    ArendeStatus.REGISTRERAT,
                    ArendeStatus.TILLDELAT,
                    ArendeStatus.UNDER_BEREDNING,
                    ArendeStatus.VILANDE,
                ),
                ArendeStatus.AVSKRIVET,
                guard=Guard(roles=(STABSCHEF,)),
                requires=(INTE_MOTION, INGET_BESLUT),
                comment_required=True,
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                # a closed ärende reopened (an överklagande answered, a handling that came
                # late) that needs no new beslut: closed again with the beslut it holds, and
                # why in the history; never avskrivet, which would say it had none
                ArendeSteg.AVSLUTA_UTAN_NYTT_BESLUT,
                "Avsluta utan nytt beslut",
                (
                    ArendeStatus.REGISTRERAT,
                    ArendeStatus.TILLDELAT,
                    ArendeStatus.UNDER_BEREDNING,
                    ArendeStatus.VILANDE,
                ),
                ArendeStatus.AVSLUTAT,
                guard=Guard(roles=(STABSCHEF,)),
                requires=(TIDIGARE_BESLUT, INGET_RATTAT_UTDRAG_KVAR),
                comment_required=True,
                before=(_datum("avslutat"),),
                after=(_upprattade,),
            ),
            Transition(
                # a sekretessmarkering made, changed or lifted, on the ärende or a handling:
                # the prövning and its motivering in the history (arenden.handlaggning.services.
                # andra_sekretess changes the marking in the same transaction)
                ArendeSteg.ANDRA_SEKRETESS,
                "Pröva sekretessmarkering",
                tuple(state.id for state in states if state.id != ArendeStatus.MAKULERAT),
                None,
                guard=Guard(permissions=(SEKRETESSMARKERA,)),
                comment_required=True,
                requires=(NY_SEKRETESSPROVNING,),
                trigger=METHOD,
            ),
            Transition(
                # a rättelse (FL 36 §) of the justerat protokoll's paragraph on the ärende took
                # effect: the corrected utdrag is filed in the ärende in the same step, and the
                # history says so, with the rättelse as comment. In every state but makulerat
                # (the paragraph may be a beslut, an återremiss or a bordläggning, and the
                # ärende has moved on since); the ärende stays where it is
                ArendeSteg.RATTELSE,
                "Rättelse av beslut",
                tuple(state.id for state in states if state.id != ArendeStatus.MAKULERAT),
                None,
                guard=Guard(
                    condition=_har_signerat_rattelsen,
                    condition_message="kräver att du har signerat rättelsen av protokollet",
                ),
                requires=(RATTELSE_I_KRAFT,),
                trigger=METHOD,  # with the last signature (protokoll.signera_rattelse)
            ),
            Transition(
                # something that arrived after the end needs handling again (an överklagande
                # to answer, a beslut upphävt by the court): the stabschef reopens the ärende,
                # with a motivering, and assigns it anew
                ArendeSteg.ATEROPPNA,
                "Återöppna",
                (ArendeStatus.AVSLUTAT, ArendeStatus.AVSKRIVET),
                ArendeStatus.REGISTRERAT,
                guard=Guard(roles=(STABSCHEF,)),
                comment_required=True,
                before=(_oppnat,),
            ),
            Transition(
                ArendeSteg.MAKULERA,
                "Makulera",
                ArendeStatus.REGISTRERAT,
                ArendeStatus.MAKULERAT,
                guard=Guard(roles=(REGISTRATOR,)),
                requires=(
                    ALDRIG_AVGJORT,
                    INTE_EN_FORTSATTNING,
                    INGET_SAMMANTRADE,
                    INGA_ALLMANNA_HANDLINGAR,
                    INGEN_BEGARAN,
                ),
                comment_required=True,
            ),
        ],
        worklists=[
            Worklist(
                ArendeArbetslista.ALLA_ARENDEN,
                "Alla ärenden",
                tuple(state.id for state in states),
                EVERYONE,
            ),
            Worklist(
                ArendeArbetslista.ALLA_SEKRETESSBEHORIGA,
                "Ärenden vars sekretessmarkerade innehåll användaren får läsa",
                tuple(state.id for state in states),
                INSIDERS,
            ),
            Worklist(
                # whose diarium the user keeps or oversees: the handlingar registered late
                # (arenden.diarium.views.sent_registrerade)
                ArendeArbetslista.ALLA_I_DIARIET,
                "Ärenden i diariet som användaren för eller granskar",
                tuple(state.id for state in states),
                (REGISTRATOR, STABSCHEF, REVISOR),
            ),
            Worklist(
                # "Mina ärenden": every ärende the user prepares, in any state (the page
                # narrows it by state; arenden.handlaggning.views.mina_arenden)
                ArendeArbetslista.ALLA_MINA_ARENDEN,
                "Ärenden användaren bereder",
                tuple(state.id for state in states),
                PREPARERS,
            ),
            Worklist(
                ArendeArbetslista.ATT_TILLDELA,
                "Att tilldela",
                (ArendeStatus.REGISTRERAT,),
                (STABSCHEF,),
            ),
            Worklist(
                ArendeArbetslista.MINA_ARENDEN,
                "Mina ärenden",
                (ArendeStatus.TILLDELAT, ArendeStatus.UNDER_BEREDNING, ArendeStatus.ATERREMITTERAT),
                PREPARERS,
            ),
            Worklist(
                ArendeArbetslista.KLARA_FOR_BESLUT,
                "Klara för beslut",
                (ArendeStatus.BEREDD, ArendeStatus.BORDLAGT),
                (NAMNDSEKRETERARE,),
            ),
            Worklist(
                ArendeArbetslista.ATT_EXPEDIERA,
                "Att expediera",
                (ArendeStatus.BESLUTAT,),
                (NAMNDSEKRETERARE, REGISTRATOR),
            ),
            Worklist(
                ArendeArbetslista.ATERRAPPORTERING_BEVAKAS,
                "Återrapportering förfaller",
                (ArendeStatus.BEVAKAS,),
                (STABSCHEF, *PREPARERS),
            ),
        ],
    )


def install():
    registry.register(
        definition(),
        vocabulary=Vocabulary(
            states=ArendeStatus, transitions=ArendeSteg, worklists=ArendeArbetslista
        ),
    )
    registry.bind("arenden.Arende", ID)
