"""The meeting's operations: plan, build the föredragningslista, record närvaro and beslut,
draw up, justera and anslå the protokoll. Each one is a transaction; the sammanträde and the
ärenden on its agenda change state only through the engine.

What may be changed is asked of the sammanträde's permission map
(``user.has_perm("arenden.change_sammantrade", sammantrade)``): the nämndsekreterare while the
meeting is planned, held and drawn up; nobody once the protokoll is justerat (KL 5 kap. 69 §),
when a correction is a new :class:`Rattelse`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.delegering import services as delegering
from arenden.diarium import services as diarium_services
from arenden.diarium.models import Arende, ArendeRelation, Handling
from arenden.dokument import arkivering, jobb
from arenden.dokument import services as dokument
from arenden.handlaggning.models import Beslut, Uppdrag
from arenden.motion import services as motioner
from arenden.organisation import roles
from arenden.organisation.models import Ledamotsuppdrag, Organ, Person
from arenden.sammantraden import beslutforhet
from arenden.sammantraden.ledamot import tjanstgor_i
from arenden.sammantraden.models import (
    DELTAR_I,
    Deltagare,
    Jav,
    Justering,
    Kallelsemottagare,
    Omrostningsdeltagare,
    Paragrafjustering,
    Protokollfil,
    Punkt,
    Rattelse,
    Rattelsesignatur,
    Reservation,
    Rost,
    Sammantrade,
    Tjanstgoring,
    Votering,
    Yrkande,
    Yttrande,
    tjanstgorande,
)
from flows.namn import ArendeSteg, SammantradeStatus, SammantradeSteg
from workflow import checkpoint, registry
from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import do_transition

CHANGE = "arenden.change_sammantrade"
JUSTERA = "arenden.justera_sammantrade"

#: the outcomes that are a beslut in the ärende, and the transition each one takes
_BESLUT_I_ARENDET = {
    Punkt.Utfall.BESLUTAT,
    Punkt.Utfall.BIFALL,
    Punkt.Utfall.AVSLAG,
    Punkt.Utfall.INFORMATION,
}
#: what leaves an item not handled by the meeting: put off (KL 5 kap. 50–51 §§), or not
#: handled for want of a quorum (KL 5 kap. 45 §, 6 kap. 27 §). A standing item of anmälan
#: (:data:`Punkt.STAENDE`) under one of these has anmält nothing: its delegationsbeslut and
#: motioner are anmälda at the next meeting (:func:`_anmalan_till_nasta`)
_INTE_BEHANDLAD = {
    Punkt.Utfall.ATERREMISS,
    Punkt.Utfall.BORDLAGGNING,
    Punkt.Utfall.EJ_BESLUTFORT,
}


def _spara(obj, user, orsak: str = "") -> None:
    obj._history_user = user
    if orsak:
        obj._change_reason = orsak
    obj.save()


def _kräv_andring(sammantrade: Sammantrade, user) -> None:
    if sammantrade.state == SammantradeStatus.GENOMFORT and sammantrade.justeringar.exists():
        raise PermissionDenied(
            _(
                "Protokollet har börjat justeras och kan inte ändras: det som justeras är det "
                "som skrevs under."
            )
        )
    if not user.has_perm(CHANGE, sammantrade):
        if sammantrade.justerat:
            raise PermissionDenied(
                _("Protokollet är justerat och kan inte ändras. Skriv en rättelse i stället.")
            )
        raise PermissionDenied(
            _("Du får inte ändra i %(mote)s i dess nuvarande status (%(status)s).")
            % {"mote": sammantrade, "status": sammantrade.status_titel}
        )


def far_andra(sammantrade: Sammantrade, user) -> bool:
    """May ``user`` write in the protokoll now (what the page offers forms for)?"""
    try:
        _kräv_andring(sammantrade, user)
    except PermissionDenied:
        return False
    return True


def far_lasa(user, punkt: Punkt, deltagare) -> bool:
    """May ``user`` read the sekretess-marked content of ``punkt``: whoever may read its
    ärende's (``view_sekretess``), and a member who serves in the item and so decides it
    (KL 5 kap. 47 §, 6 kap. 28 §: not a jävig one); ``deltagare`` is the närvaro, prefetched.
    Everyone else reading the meeting sees the item masked (OSL 5 kap. 5 §)."""
    if not punkt.ar_sekretess:
        return True
    if user.has_perm("arenden.view_sekretess", punkt.arende):
        return True
    return tjanstgor_i(user, punkt, deltagare)


def far_lasa_allt(user, punkt: Punkt, deltagare) -> bool:
    """May ``user`` read all that the unmasked documents (kallelse, protokoll, utdrag) say of
    ``punkt``: the item (:func:`far_lasa`) and each of its secret bilagor, which an open item
    may have too, and each secret motion it anmäler: whoever may read the bilaga's or the
    motion's ärende's secret content, and a member who serves in the item (as
    :func:`arenden.sammantraden.ledamot.far_lasa_handling`). Anyone else gets the documents
    masked (OSL 5 kap. 5 §)."""
    if not far_lasa(user, punkt, deltagare):
        return False
    hemliga = [h.arende for h in punkt.hemliga_bilagor()] + punkt.hemliga_anmalda()
    if not hemliga or tjanstgor_i(user, punkt, deltagare):
        return True
    return all(user.has_perm("arenden.view_sekretess", arende) for arende in hemliga)


def maskeras_for(user, punkter, deltagare) -> bool:
    """Does ``user`` get a meeting's document of ``punkter`` masked: unless they may read all
    of every item (:func:`far_lasa_allt`)."""
    return not all(far_lasa_allt(user, punkt, deltagare) for punkt in punkter)


def maskerade_grunder(user, punkter, deltagare) -> str:
    """The lagrum of what :func:`maskeras_for` masks for ``user`` in a meeting's document of
    ``punkter``, as a marking ("" when nothing is): where the whole document's checksum
    stands in for it, for it would confirm a copy (OSL 5 kap. 5 §)."""
    grunder = set()
    for punkt in punkter:
        if not far_lasa_allt(user, punkt, deltagare):
            grunder |= punkt.sekretessgrunder() or {_("sekretess")}
    return "; ".join(sorted(grunder))


#: the meeting's steps whose comment is a rättelse's text, written into the history when the
#: rättelse is made
RATTELSESTEG = frozenset(
    {SammantradeSteg.FORESLA_RATTELSE, SammantradeSteg.SIGNERA_RATTELSE, SammantradeSteg.RATTA}
)


def rattelser_maskeras_for(user, sammantrade: Sammantrade) -> bool:
    """Does ``user`` read the meeting's rättelse steps without their text: when they may not
    read every item a rättelse of the meeting corrects, as it is now (one marked since the
    text was written), OSL 5 kap. 5 §. The API's history and the granskningslogg ask it."""
    deltagare = list(sammantrade.deltagare.all())
    rattade = Punkt.objects.filter(rattelser__sammantrade_id=sammantrade.pk).select_related(
        "arende"
    )
    return not all(far_lasa(user, p, deltagare) for p in rattade.distinct())


def maskerad_rattelse() -> str:
    return _("Rättelsens text visas för den som får läsa paragrafen (sekretess).")


def ar_namndsekreterare(user, organ: Organ) -> bool:
    """The organ's nämndsekreterare, who plans its meetings and keeps its records (the
    ledamotsregister, the delegationsordning)."""
    return roles.NAMNDSEKRETERARE in workflow_roles.roles_in_context(user, organ)


def _sekreterare_i(organ: Organ, user) -> None:
    if not ar_namndsekreterare(user, organ):
        raise PermissionDenied(
            _("Bara nämndsekreteraren får planera sammanträden med %(organ)s.")
            % {"organ": organ.namn}
        )


def las(sammantrade: Sammantrade, *, version: int | None = None) -> None:
    """Lock the meeting's row until the caller's transaction ends and read it afresh, in one
    query: one change to a meeting at a time. A form read at another ``version`` (every form
    on the meeting page carries ``Sammantrade.version``) is refused
    (:class:`~arenden.diarium.services.Inaktuell`): what it says may rest on what someone
    else has changed since, a närvaro or an item moved, struck or decided. ``version`` None:
    code that reads and writes in one go.

    A signature (justering, a rättelse's) only locks: it is given to the meeting as read and
    leaves it as it was, so the next signer's page is not made stale by it."""
    sammantrade.refresh_from_db(from_queryset=Sammantrade.objects.select_for_update())
    _kräv_version(sammantrade, version)


def _kräv_version(sammantrade: Sammantrade, version: int | None) -> None:
    if version is not None and version != sammantrade.version:
        raise diarium_services.Inaktuell(
            _(
                "Någon annan har ändrat i sammanträdet sedan du läste sidan. Inget av det "
                "du skickade är sparat: sidan visar nu hur det ser ut, gör om det du ville."
            ),
            sammantrade.version,
        )


def andras(sammantrade: Sammantrade, *, version: int | None = None) -> None:
    """Begin a change to the meeting or one of its parts, inside the caller's transaction:
    locked and checked (:func:`las`), then its version moves, so every page read before is
    stale. The other place it moves: a step that changes the meeting's status
    (:func:`vid_ny_status`)."""
    las(sammantrade, version=version)
    _ny_version(sammantrade)


def _ny_version(sammantrade: Sammantrade) -> None:
    Sammantrade.objects.filter(pk=sammantrade.pk).update(version=F("version") + 1)
    sammantrade.version += 1


def vid_ny_status(sender, event, **kwargs) -> None:
    """Every step that changes the meeting's status moves its version, whoever takes it (the
    page's button, a command, the last justering): a page read before shows forms of the
    status it was in. Connected to the engine's ``before_transition`` for the sammanträde, so
    the version is written with the step, on the row the engine has locked."""
    if event.from_state != event.to_state:
        event.obj.version += 1


def _sammantrade_for(
    punkt: Punkt, *, version: int | None = None, justeras: bool = False
) -> Sammantrade:
    """The punkt's sammanträde, locked and its version moved (:func:`andras`), or only
    locked for a paragraph's justering (``justeras``, a signature). A paragraph that an
    ordförande or a justerare has begun to justera at once (KL 5 kap. 69 §) is no longer
    changed: each signature is given to what the paragraph said when it was read, so only the
    justering itself goes on."""
    sammantrade = Sammantrade.objects.select_for_update(of=("self",)).select_related("organ")
    sammantrade = sammantrade.get(pk=punkt.sammantrade_id)
    _kräv_version(sammantrade, version)
    justerad, paborjad = (
        Punkt.objects.filter(pk=punkt.pk)
        .values_list(
            "omedelbart_justerad", Exists(Paragrafjustering.objects.filter(punkt=OuterRef("pk")))
        )
        .get()
    )
    if justerad is not None:
        raise PermissionDenied(
            _(
                "Punkt %(n)s förklarades omedelbart justerad och kan inte ändras. Skriv en "
                "rättelse när protokollet är justerat."
            )
            % {"n": punkt.beteckning}
        )
    if justeras:
        return sammantrade
    if paborjad:
        raise PermissionDenied(
            _(
                "Punkt %(n)s har börjat justeras omedelbart och kan inte ändras: det som "
                "justeras är det som skrevs under."
            )
            % {"n": punkt.beteckning}
        )
    _ny_version(sammantrade)
    return sammantrade


# -- planning -------------------------------------------------------------------------------


def planera(
    *,
    organ: Organ,
    datum: datetime.date,
    plats: str,
    user,
    start: datetime.time | None = None,
    slut: datetime.time | None = None,
    arende: Arende | None = None,
) -> Sammantrade:
    """A meeting of ``organ``. ``arende``: the diarieärende where its kallelse and protokoll
    are filed (:func:`_kräv_protokollets_arende`)."""
    _sekreterare_i(organ, user)
    if not plats.strip():
        raise ValidationError(_("Ange var sammanträdet hålls (ett rum, eller Teams)."))
    if start and slut and slut <= start:
        raise ValidationError(_("Sammanträdet kan inte sluta innan det börjar."), code="slut")
    with transaction.atomic(), acting_as(user):
        if arende is not None:
            _kräv_protokollets_arende(organ, arende)
        sammantrade = Sammantrade(
            organ=organ, datum=datum, plats=plats, start=start, slut=slut, arende=arende
        )
        _spara(sammantrade, user)
    return sammantrade


def _kräv_protokollets_arende(organ: Organ, arende: Arende) -> None:
    """The ärende a meeting files its kallelse and protokoll in (allmänna handlingar, TF 2 kap.
    10 §) is one of the organ's own, as an item's ärende is (:func:`lagg_till_punkt`), and
    open: a makulerat ärende holds no allmänna handlingar (flows.arende.
    INGA_ALLMANNA_HANDLINGAR), an avslutat or avskrivet one is closed. Read under the ärende's
    lock, which the step Makulera takes too: the one that waits sees the other (the step
    then finds the meeting, flows.arende.INGET_SAMMANTRADE)."""
    last = Arende.objects.select_for_update().select_related("organ").get(pk=arende.pk)
    if last.organ_id != organ.pk:
        raise ValidationError(
            _("%(arende)s hör till %(organ)s, inte till %(mote)s.")
            % {"arende": last.diarienummer, "organ": last.organ.namn, "mote": organ.namn},
            code="annat_organ",
        )
    if registry.workflow_for(last).state(last.state).final:
        raise ValidationError(
            _(
                "%(arende)s är %(status)s. Sammanträdets kallelse och protokoll diarieförs i "
                "ett öppet ärende."
            )
            % {"arende": last.diarienummer, "status": last.status_titel.lower()},
            code="stangt_arende",
        )


def lagg_till_deltagare(
    sammantrade: Sammantrade, person: Person, *, roll: str, user, version: int | None = None, **falt
) -> Deltagare:
    """A line of the närvaro. The ordförande and the justerare get the local role Justerare
    on the sammanträde, through their user account, so they can sign the protokoll."""
    if roll not in Deltagare.Roll.values:
        raise ValidationError(_("Okänd roll: %(roll)s") % {"roll": roll})
    with transaction.atomic(), acting_as(user):
        andras(sammantrade, version=version)
        _kräv_andring(sammantrade, user)
        fore = _justeringsbild(sammantrade)
        beslutade = _beslutsbild(sammantrade)
        if sammantrade.deltagare.filter(person=person).exists():
            raise ValidationError(
                _("%(vem)s finns redan i närvaron.") % {"vem": person}, code="finns_redan"
            )
        _kräv_rimlig_narvaro(sammantrade, person, roll, falt)
        ordning = falt.pop("ordning", None)
        if ordning is None:
            ordning = (sammantrade.deltagare.aggregate(n=Max("ordning"))["n"] or 0) + 1
        deltagare = Deltagare(
            sammantrade=sammantrade, person=person, roll=roll, ordning=ordning, **falt
        )
        _spara(deltagare, user)
        _kräv_samma_justeringsbild(sammantrade, fore)
        _kräv_samma_beslutsbild(sammantrade, beslutade)
        if _ska_justera(deltagare) and person.anvandare_id:
            workflow_roles.grant(sammantrade, roles.JUSTERARE, user=person.anvandare)
    return deltagare


def lagg_till_uppdrag(organ: Organ, person: Person, *, user, **falt) -> Ledamotsuppdrag:
    """A seat in the organ's register of ledamöter and ersättare, kept by its
    nämndsekreterare."""
    _sekreterare_i(organ, user)
    with transaction.atomic(), acting_as(user):
        # one change to the organ's register at a time, so that the check below sees what a
        # concurrent request (a second tab, a second secretary) has just added
        Organ.objects.select_for_update().filter(pk=organ.pk).values_list("pk").get()
        uppdrag = Ledamotsuppdrag(organ=organ, person=person, **falt)
        _kräv_giltigt_uppdrag(uppdrag)
        _spara(uppdrag, user)
    return uppdrag


def _kräv_giltigt_uppdrag(uppdrag: Ledamotsuppdrag) -> None:
    """What every seat in the register must be, whether added or changed: a period that does
    not end before it begins, the party (the person's own unless given), and one seat per
    person and organ at a time (two uppdrag of the same person in the same organ may not have
    overlapping periods; an open end runs on)."""
    if uppdrag.till and uppdrag.till < uppdrag.fran:
        raise ValidationError(
            _("Uppdraget kan inte sluta innan det börjar."), code="till_fore_fran"
        )
    if not uppdrag.parti:
        uppdrag.parti = uppdrag.person.parti
    andra = Ledamotsuppdrag.objects.filter(organ_id=uppdrag.organ_id, person_id=uppdrag.person_id)
    if uppdrag.pk:
        andra = andra.exclude(pk=uppdrag.pk)
    andra = andra.filter(Q(till__isnull=True) | Q(till__gte=uppdrag.fran))
    if uppdrag.till is not None:
        andra = andra.filter(fran__lte=uppdrag.till)
    if andra.exists():
        raise ValidationError(
            _("%(person)s har redan ett uppdrag i organet som överlappar perioden.")
            % {"person": uppdrag.person.namn},
            code="overlappande_uppdrag",
        )


def andra_uppdrag(
    uppdrag: Ledamotsuppdrag, /, *, user, version: int | None = None, **falt
) -> Ledamotsuppdrag:
    """Correct a seat in the register or end it (``till`` is its sista dag). An uppdrag is
    never deleted: the kallelser and protokoll that named it keep their meaning, and every
    change is kept in its history with who made it. The form sends every field, so one read
    before another's change (``version``, :attr:`Ledamotsuppdrag.version`) would undo it
    unseen: it is refused."""
    _sekreterare_i(uppdrag.organ, user)
    tillatna = {"uppdrag", "parti", "fran", "till", "ordning"}
    okanda = set(falt) - tillatna
    if okanda:
        raise ValidationError(_("Okänt fält i uppdraget."), code="okant_falt")
    with transaction.atomic(), acting_as(user):
        Organ.objects.select_for_update().filter(pk=uppdrag.organ_id).values_list("pk").get()
        sats = Ledamotsuppdrag.objects.select_related("person").get(pk=uppdrag.pk)
        if version is not None and version != sats.version:
            raise diarium_services.Inaktuell(
                _(
                    "Någon annan har ändrat uppdraget sedan du läste sidan. Inget av det du "
                    "skickade är sparat: sidan visar nu hur det ser ut, gör om det du ville."
                ),
                sats.version,
            )
        fore = Ledamotsuppdrag(uppdrag=sats.uppdrag, fran=sats.fran, till=sats.till)
        for namn, varde in falt.items():
            setattr(sats, namn, varde)
        sats.version += 1
        _kräv_giltigt_uppdrag(sats)
        _kräv_samma_grund(fore, sats)
        _spara(sats, user, orsak="rättat i ledamotsregistret")
    return sats


def _uppdraget_den(sats: Ledamotsuppdrag, dag: datetime.date) -> str | None:
    """What ``sats`` made its person in the organ on ``dag``: its uppdrag, or None."""
    if sats.fran <= dag and (sats.till is None or dag <= sats.till):
        return sats.uppdrag
    return None


def _kräv_samma_grund(fore: Ledamotsuppdrag, efter: Ledamotsuppdrag) -> None:
    """Refuse a correction of a seat that changes what a recorded decision rests on: who was
    ledamot on the day of an ordförandebeslut the person took (KL 6 kap. 39 §: only a ledamot
    decides a brådskande ärende on the nämnd's behalf; the step checked the seat, flows.arende.
    DELEGATIONSBESLUT), or who sat in the organ on the day of a meeting with a beslut or a
    votering recorded (its beslutförhet was counted against the register then, KL 5 kap.
    45 §, 6 kap. 27 §). The ärende would stay *beslutat*, the protokoll say what it says, on
    ground the register no longer shows. Only the days the seat covered before or covers now
    can change; the person's other seats overlap neither. The caller's transaction is
    undone."""
    beslut = (
        Beslut.objects.filter(
            organ_id=efter.organ_id,
            slag=Beslut.Slag.ORDFORANDEBESLUT,
            fattat_av__person=efter.person_id,
        )
        .select_related("arende")
        .order_by("datum", "pk")
    )
    for rad in beslut:
        if _uppdraget_den(fore, rad.datum) != _uppdraget_den(efter, rad.datum):
            raise ValidationError(
                _(
                    "Uppdraget kan inte ändras så att det ändrar vad %(person)s var i "
                    "%(organ)s den %(dag)s: ordförandebeslutet i %(dnr)s fattades den dagen "
                    "med stöd av platsen som ledamot (kommunallagen 6 kap. 39 §)."
                )
                % {
                    "person": efter.person.namn,
                    "organ": efter.organ.namn,
                    "dag": f"{rad.datum:%Y-%m-%d}",
                    "dnr": rad.arende.diarienummer,
                },
                code="ordforandebeslut",
            )
    beslutat = Punkt.objects.filter(sammantrade=OuterRef("pk")).filter(
        ~Q(utfall="") | Exists(Votering.objects.filter(punkt=OuterRef("pk")))
    )
    dagar = (
        Sammantrade.objects.filter(organ_id=efter.organ_id)
        .filter(Exists(beslutat))
        .values_list("datum", flat=True)
        .distinct()
        .order_by("datum")
    )
    for dag in dagar:
        if _uppdraget_den(fore, dag) != _uppdraget_den(efter, dag):
            raise ValidationError(
                _(
                    "Uppdraget kan inte ändras så att det ändrar vad %(person)s var i "
                    "%(organ)s den %(dag)s: sammanträdet den dagen har beslut i protokollet, "
                    "och beslutförheten räknades mot registret som det var då (kommunallagen "
                    "5 kap. 45 §, 6 kap. 27 §)."
                )
                % {
                    "person": efter.person.namn,
                    "organ": efter.organ.namn,
                    "dag": f"{dag:%Y-%m-%d}",
                },
                code="beslutat_mote",
            )


def fyll_narvaro(sammantrade: Sammantrade, *, user, version: int | None = None) -> list[Deltagare]:
    """Fill the närvaro from the organ's register (:class:`Ledamotsuppdrag`): every ledamot
    and ersättare whose uppdrag is valid on the meeting day and who is not in it yet, the
    ledamöter first, then the ersättare in their tjänstgöringsordning. Who is absent, who
    presides and who justerar the sekreterare marks afterwards."""
    with transaction.atomic(), acting_as(user):
        andras(sammantrade, version=version)
        _kräv_andring(sammantrade, user)
        redan = set(sammantrade.deltagare.values_list("person_id", flat=True))
        nya = []
        for uppdrag in Ledamotsuppdrag.giltiga(sammantrade.organ, sammantrade.datum):
            if uppdrag.person_id in redan:
                continue
            redan.add(uppdrag.person_id)
            nya.append(
                lagg_till_deltagare(
                    sammantrade,
                    uppdrag.person,
                    roll=Deltagare.Roll.LEDAMOT
                    if uppdrag.uppdrag == Ledamotsuppdrag.Uppdrag.LEDAMOT
                    else Deltagare.Roll.ERSATTARE,
                    user=user,
                )
            )
    return nya


#: the seat in the organ's register each member's role in the närvaro is held by
_SATE = {
    Deltagare.Roll.ORDFORANDE: Ledamotsuppdrag.Uppdrag.LEDAMOT,
    Deltagare.Roll.VICE_ORDFORANDE: Ledamotsuppdrag.Uppdrag.LEDAMOT,
    Deltagare.Roll.LEDAMOT: Ledamotsuppdrag.Uppdrag.LEDAMOT,
    Deltagare.Roll.ERSATTARE: Ledamotsuppdrag.Uppdrag.ERSATTARE,
}


def _kräv_uppdrag(sammantrade: Sammantrade, person: Person, roll: str) -> None:
    """Who serves as a member is förtroendevald (KL 4 kap. 1 §), and, where the organ keeps
    its register of ledamöter and ersättare, holds the seat on the meeting day: the närvaro
    decides who decided and whether the organ could (KL 5 kap. 45 §, 6 kap. 27 §), so nobody
    outside the organ is counted in it. A tjänsteperson attends as one."""
    sate = _SATE.get(roll)
    if sate is None:
        return
    if person.typ != Person.Typ.FORTROENDEVALD:
        raise ValidationError(
            _(
                "%(vem)s är inte förtroendevald och kan inte vara %(roll)s; en tjänsteperson "
                "antecknas som tjänsteperson."
            )
            % {"vem": person.namn, "roll": Deltagare.Roll(roll).label},
            code="inte_fortroendevald",
        )
    dag = sammantrade.datum
    register = Ledamotsuppdrag.giltiga(sammantrade.organ, dag)
    if register.exists() and not register.filter(person=person, uppdrag=sate).exists():
        raise ValidationError(
            _(
                "%(vem)s har inget uppdrag som %(sate)s i %(organ)s den %(dag)s enligt "
                "ledamotsregistret."
            )
            % {
                "vem": person.namn,
                "sate": Ledamotsuppdrag.Uppdrag(sate).label,
                "organ": sammantrade.organ.namn,
                "dag": f"{dag:%Y-%m-%d}",
            },
            code="inget_uppdrag",
        )


def _kräv_rimlig_narvaro(sammantrade: Sammantrade, person: Person, roll: str, falt) -> None:
    """One ordförande; the ordförande and the justerare are members (KL 5 kap. 69 §: the
    protokoll is justerat by the ordförande and one or more ledamöter); an ersättare serves
    in the place of one member who is absent, and for no one else (KL 5 kap. 17 §, 6 kap.
    16 §)."""
    if roll == Deltagare.Roll.ORDFORANDE and sammantrade.deltagare.filter(roll=roll).exists():
        raise ValidationError(_("Sammanträdet har redan en ordförande."), code="en_ordforande")
    _kräv_uppdrag(sammantrade, person, roll)
    if falt.get("justerare") and roll == Deltagare.Roll.TJANSTEPERSON:
        raise ValidationError(
            _("En tjänsteperson kan inte justera protokollet; justerare väljs bland ledamöterna."),
            code="justerare_ledamot",
        )
    ersatter = falt.get("ersatter")
    if ersatter is None:
        return
    if roll != Deltagare.Roll.ERSATTARE:
        raise ValidationError(
            _("Bara en ersättare tjänstgör för någon annan."), code="bara_ersattare"
        )
    if ersatter == person:
        raise ValidationError(_("En ersättare tjänstgör inte för sig själv."))
    if sammantrade.deltagare.filter(ersatter=ersatter).exists():
        raise ValidationError(
            _("En ersättare tjänstgör redan för %(vem)s.") % {"vem": ersatter},
            code="redan_ersatt",
        )
    if sammantrade.deltagare.filter(person=ersatter, narvarande=True).exists():
        raise ValidationError(
            _(
                "%(vem)s är antecknad som närvarande; en ersättare tjänstgör bara för en "
                "ledamot som är frånvarande."
            )
            % {"vem": ersatter},
            code="ersatt_narvarande",
        )


def andra_narvaro(deltagare: Deltagare, *, user, version: int | None = None, **falt) -> Deltagare:
    """Presence that changes during the meeting: ``narvarande``; ``anslot_fran`` and
    ``lamnade_efter`` (an item of the meeting, or None); ``franvarande_pa`` (items of the
    meeting); ``anteckning`` (what the protokoll says besides, word for word)."""
    tillatna = {"narvarande", "anslot_fran", "lamnade_efter", "franvarande_pa", "anteckning"}
    if set(falt) - tillatna:
        raise ValidationError(
            _("Okända fält i närvaron: %(falt)s")
            % {"falt": ", ".join(sorted(set(falt) - tillatna))}
        )
    with transaction.atomic(), acting_as(user):
        andras(deltagare.sammantrade, version=version)
        _kräv_andring(deltagare.sammantrade, user)
        fore = _justeringsbild(deltagare.sammantrade)
        beslutade = _beslutsbild(deltagare.sammantrade)
        ersatt_av = deltagare.sammantrade.deltagare.filter(ersatter=deltagare.person_id).first()
        if falt.get("narvarande") and ersatt_av is not None:
            raise ValidationError(
                _("%(ersattare)s tjänstgör för %(vem)s, som därför inte kan vara närvarande.")
                % {"ersattare": ersatt_av.person, "vem": deltagare.person},
                code="ersatt_narvarande",
            )
        franvarande_pa = falt.pop("franvarande_pa", None)
        punkter = [p for p in (falt.get("anslot_fran"), falt.get("lamnade_efter")) if p]
        punkter += list(franvarande_pa or ())
        if any(p.sammantrade_id != deltagare.sammantrade_id for p in punkter):
            raise ValidationError(
                _("Närvaron kan bara avse punkter på sammanträdets föredragningslista."),
                code="annan_punkt",
            )
        anslot, lamnade = falt.get("anslot_fran"), falt.get("lamnade_efter")
        if anslot and lamnade and (lamnade.ordning, lamnade.pk) < (anslot.ordning, anslot.pk):
            raise ValidationError(
                _("%(vem)s kan inte ha lämnat före punkten där hen anslöt.")
                % {"vem": deltagare.person},
                code="lamnade_fore",
            )
        for namn, varde in falt.items():
            setattr(deltagare, namn, varde)
        if franvarande_pa is not None:
            # in the närvaro's own signed row: the many-to-many keeps no history
            deltagare.franvarande_punkter = _platser(franvarande_pa)
        _spara(deltagare, user)
        if franvarande_pa is not None:
            deltagare.franvarande_pa.set(franvarande_pa)
        _kräv_samma_justeringsbild(deltagare.sammantrade, fore)
        _kräv_samma_beslutsbild(deltagare.sammantrade, beslutade)
        if _ska_justera(deltagare) and deltagare.person.anvandare_id:
            # present now, an ordförande or justerare signs, as one noted present at once
            # (:func:`lagg_till_deltagare`): never a protokoll whose justerare cannot sign it
            workflow_roles.grant(
                deltagare.sammantrade, roles.JUSTERARE, user=deltagare.person.anvandare
            )
        elif (
            deltagare.person.anvandare_id
            and not deltagare.sammantrade.justeringar.filter(person=deltagare.person_id).exists()
        ):
            # not present now: signs nothing, and reads the meeting's secret items no more
            # for it (OSL: the role was given for the justering only); who has signed keeps
            # it for a rättelse they must sign
            workflow_roles.revoke(
                deltagare.sammantrade, roles.JUSTERARE, user=deltagare.person.anvandare
            )
    return deltagare


def _platser(punkter) -> str:
    """Items by their place on the föredragningslista, as the närvaro's row records them."""
    return ", ".join(str(p.ordning) for p in sorted(set(punkter), key=lambda p: p.ordning))


def _skriv_om_franvaron(sammantrade: Sammantrade, user, orsak: str) -> None:
    """After items moved on the list or one was struck: each närvaro row's signed record of
    the items its person was absent from names them by their places now, in a new row of
    its history where that changed; never a record that names another item than the one
    the absence was noted on."""
    for deltagare in sammantrade.deltagare.prefetch_related("franvarande_pa"):
        platser = _platser(deltagare.franvarande_pa.all())
        if platser != deltagare.franvarande_punkter:
            deltagare.franvarande_punkter = platser
            _spara(deltagare, user, orsak)


def narvaron(sammantrade: Sammantrade):
    """The närvaro with what :meth:`Deltagare.deltar_i` reads, in a fixed number of queries."""
    return sammantrade.deltagare.select_related(
        "person", "anslot_fran", "lamnade_efter"
    ).prefetch_related(*DELTAR_I)


def _justeringsbild(sammantrade: Sammantrade) -> dict:
    """What the paragraphs justerade at once, or being justerade (KL 5 kap. 69 §), say of the
    närvaro: who took part in each (:meth:`Deltagare.deltar_i`) and, while one is still
    being signed, who must sign it. Empty when none is."""
    punkter = list(
        sammantrade.punkter.filter(
            Q(omedelbart_justerad__isnull=False)
            | Exists(Paragrafjustering.objects.filter(punkt=OuterRef("pk")))
        ).prefetch_related("jav")
    )
    if not punkter:
        return {}
    narvaro = list(narvaron(sammantrade))
    bild = {p: frozenset(d.person_id for d in narvaro if d.deltar_i(p)) for p in punkter}
    if any(p.omedelbart_justerad is None for p in punkter):
        bild["justerar"] = frozenset(d.person_id for d in narvaro if _ska_justera(d))
    return bild


def _kräv_samma_justeringsbild(sammantrade: Sammantrade, fore: dict) -> None:
    """Refuse a change of the närvaro that changes who took part in a paragraph justerad
    at once, or being justerad, or who signs it: the signatures were given to the paragraph
    with the närvaro it had (KL 5 kap. 69 §). The caller's transaction is undone."""
    if not fore:
        return
    efter = _justeringsbild(sammantrade)
    andrade = [p for p in fore if p != "justerar" and fore[p] != efter.get(p)]
    if andrade:
        raise ValidationError(
            _(
                "Närvaron kan inte ändras så att den ändrar vilka som deltog i beslutet under "
                "punkt %(n)s: paragrafen har justerats, eller börjat justeras, omedelbart med "
                "den närvaro den hade."
            )
            % {"n": ", ".join(p.beteckning for p in andrade)},
            code="justerad_narvaro",
        )
    if fore.get("justerar") != efter.get("justerar"):
        raise ValidationError(
            _(
                "Närvaron kan inte ändras så att den ändrar vilka som ska justera, medan en "
                "paragraf justeras omedelbart: låt justeringen bli klar först."
            ),
            code="justerad_narvaro",
        )


def _beslutsbild(sammantrade: Sammantrade) -> dict:
    """Who served (:func:`tjanstgorande`) in each item already decided or voted on: an
    utfall recorded, or a votering. Empty when none is."""
    punkter = list(
        sammantrade.punkter.filter(
            ~Q(utfall="") | Exists(Votering.objects.filter(punkt=OuterRef("pk")))
        ).prefetch_related("jav")
    )
    if not punkter:
        return {}
    narvaro = list(narvaron(sammantrade))
    return {p: frozenset(d.person_id for d in tjanstgorande(p, narvaro)) for p in punkter}


def _kräv_samma_beslutsbild(sammantrade: Sammantrade, fore: dict) -> None:
    """Refuse a change of the närvaro, a jäv or an ersättare's tjänstgöring that changes who
    served in an item already decided or voted on: the beslut was made, the votes counted and
    the reservations made by those who served then (KL 5 kap. 47 och 53 §§, 6 kap. 28 och
    33 §§, 4 kap. 27 §); the protokoll records them as they were, never more votes than
    members serving. The caller's transaction is undone. As
    :func:`_kräv_samma_justeringsbild` for a paragraph justerad at once."""
    if not fore:
        return
    efter = _beslutsbild(sammantrade)
    andrade = [p for p in fore if fore[p] != efter.get(p)]
    if andrade:
        raise ValidationError(
            _(
                "Det kan inte ändras vem som deltog i beslutet under punkt %(n)s: beslutet är "
                "redan fört till protokollet, med de ledamöter som tjänstgjorde då, deras "
                "röster och reservationer. Jäv och närvaro förs in innan punkten beslutas."
            )
            % {"n": ", ".join(p.beteckning for p in andrade)},
            code="beslutad_narvaro",
        )


def _med_jav(punkt: Punkt) -> Punkt:
    """The item read afresh with its jäv, as :meth:`Deltagare.deltar_i` asks it."""
    return Punkt.objects.prefetch_related("jav").get(pk=punkt.pk)


def antal_tjanstgorande(punkt: Punkt, sammantrade: Sammantrade) -> int:
    """How many members decide under ``punkt`` (present, serving, not jävig)."""
    return len(tjanstgorande(_med_jav(punkt), narvaron(sammantrade)))


# -- an ersättare serving in one item (KL 5 kap. 17 §, 6 kap. 16 §) -------------------------


def ersattarregister(sammantrade: Sammantrade) -> dict[int, Ledamotsuppdrag]:
    """The organ's register on the meeting day, by person: party and tjänstgöringsordning."""
    return {u.person_id: u for u in Ledamotsuppdrag.giltiga(sammantrade.organ, sammantrade.datum)}


def _parti(deltagare: Deltagare, register: dict[int, Ledamotsuppdrag]) -> str:
    uppdrag = register.get(deltagare.person_id)
    return ((uppdrag.parti if uppdrag else "") or deltagare.person.parti).casefold()


def _ersattare_i_registret(deltagare: Deltagare, register) -> Ledamotsuppdrag | None:
    """The ersättare's uppdrag, when ``deltagare`` is an ersättare of the organ who does not
    already serve for someone for the whole meeting."""
    uppdrag = register.get(deltagare.person_id)
    if (
        deltagare.roll != Deltagare.Roll.ERSATTARE
        or deltagare.ersatter_id is not None
        or uppdrag is None
        or uppdrag.uppdrag != Ledamotsuppdrag.Uppdrag.ERSATTARE
    ):
        return None
    return uppdrag


def _saknas_i(ledamot: Deltagare, punkt: Punkt) -> bool:
    """A member serving at the meeting (present, a ledamot or an ersättare serving for the
    whole meeting) who does not take part in ``punkt``: jävig, absent from it, not yet come
    or gone."""
    return ledamot.narvarande and ledamot.tjanstgor and not ledamot.kan_delta_i(punkt)


def foreslagna_ersattare(
    punkt: Punkt, deltagare, register: dict[int, Ledamotsuppdrag]
) -> list[tuple[Deltagare, Deltagare]]:
    """A proposal, never a change: (ersättare, ledamot) for each seat missing in ``punkt``
    and not yet filled, the first ersättare of the seat's party in the tjänstgöringsordning
    fullmäktige decided (KL 5 kap. 17 §, 6 kap. 16 §) who is present in the item, not jävig
    in it and not already serving there; one ersättare per missing seat.

    ``deltagare``: the närvaro as :func:`narvaron` reads it; ``punkt`` with its jäv;
    ``register``: :func:`ersattarregister`. No query of its own."""
    rader = [t for d in deltagare for t in d.ersatt_i.all() if t.punkt_id == punkt.pk]
    ersatta = {t.ledamot_id for t in rader}
    upptagna = {t.ersattare_id for t in rader}
    ersattare = sorted(
        (
            (uppdrag.ordning, uppdrag.pk, d)
            for d in deltagare
            if (uppdrag := _ersattare_i_registret(d, register)) is not None
            and d.pk not in upptagna
            and d.kan_delta_i(punkt)
        ),
        key=lambda rad: rad[:2],
    )
    forslag = []
    for ledamot in deltagare:
        if ledamot.pk in ersatta or not _saknas_i(ledamot, punkt):
            continue
        parti = _parti(ledamot, register)
        for _ordning, _pk, d in ersattare:
            if parti and d.pk not in upptagna and _parti(d, register) == parti:
                upptagna.add(d.pk)
                forslag.append((d, ledamot))
                break
    return forslag


def _kräv_fore_upprattande(sammantrade: Sammantrade) -> None:
    if sammantrade.state not in (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT):
        raise ValidationError(
            _("Vem som tjänstgör under en punkt kan inte ändras när protokollet är upprättat."),
            code="upprattat",
        )


def tjanstgor_for(
    punkt: Punkt, ersattare: Deltagare, ledamot: Deltagare, *, user, version: int | None = None
) -> Tjanstgoring:
    """The ersättare serves in ``punkt`` in the place of the member who does not take part
    in it (jävig, KL 5 kap. 47 §, 6 kap. 28 §; or absent from it): KL 5 kap. 17 §, 6 kap.
    16 §. Before the protokoll is drawn up; the sekreterare confirms a proposal
    (:func:`foreslagna_ersattare`) or chooses another ersättare of the organ."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_fore_upprattande(sammantrade)
        beslutade = _beslutsbild(sammantrade)
        punkt = _med_jav(punkt)
        narvaro = {d.pk: d for d in narvaron(sammantrade)}
        e, led = narvaro.get(ersattare.pk), narvaro.get(ledamot.pk)
        if e is None or led is None:
            raise ValidationError(
                _("Ersättaren och ledamoten ska båda finnas i närvaron vid %(mote)s.")
                % {"mote": sammantrade},
                code="inte_i_narvaron",
            )
        n = punkt.beteckning
        if _ersattare_i_registret(e, ersattarregister(sammantrade)) is None:
            if e.roll == Deltagare.Roll.ERSATTARE and e.ersatter_id is not None:
                raise ValidationError(
                    _("%(vem)s tjänstgör redan för %(for)s under hela sammanträdet.")
                    % {"vem": e.person, "for": e.ersatter},
                    code="hela_motet",
                )
            raise ValidationError(
                _("%(vem)s är inte ersättare i %(organ)s på sammanträdesdagen.")
                % {"vem": e.person, "organ": sammantrade.organ.namn},
                code="inte_ersattare",
            )
        if not (led.narvarande and led.tjanstgor):
            raise ValidationError(
                _(
                    "%(vem)s tjänstgör inte vid sammanträdet. En ersättare för hela "
                    "sammanträdet förs in i närvaron."
                )
                % {"vem": led.person},
                code="tjanstgor_inte",
            )
        if any(t.punkt_id == punkt.pk for t in led.ersatt_i.all()):
            raise ValidationError(
                _("En ersättare tjänstgör redan för %(vem)s under punkt %(n)s.")
                % {"vem": led.person, "n": n},
                code="redan_ersatt",
            )
        if led.kan_delta_i(punkt):
            raise ValidationError(
                _(
                    "%(vem)s deltar under punkt %(n)s. En ersättare tjänstgör bara för en "
                    "ledamot som inte deltar: jävig eller frånvarande under punkten "
                    "(kommunallagen 5 kap. 17 §, 6 kap. 16 §)."
                )
                % {"vem": led.person, "n": n},
                code="ledamot_deltar",
            )
        if any(t.punkt_id == punkt.pk for t in e.tjanstgoringar.all()):
            raise ValidationError(
                _("%(vem)s tjänstgör redan för en annan ledamot under punkt %(n)s.")
                % {"vem": e.person, "n": n},
                code="ersattare_upptagen",
            )
        if any(j.person_id == e.person_id for j in punkt.jav.all()):
            raise ValidationError(
                _(
                    "%(vem)s är jävig under punkt %(n)s och kan inte tjänstgöra där "
                    "(kommunallagen 5 kap. 47 §, 6 kap. 28 §)."
                )
                % {"vem": e.person, "n": n},
                code="ersattare_javig",
            )
        if not e.kan_delta_i(punkt):
            raise ValidationError(
                _("%(vem)s är inte närvarande under punkt %(n)s.") % {"vem": e.person, "n": n},
                code="ersattare_franvarande",
            )
        rad = Tjanstgoring(punkt=punkt, ersattare=e, ledamot=led)
        try:
            with transaction.atomic():
                _spara(rad, user)
        except IntegrityError as err:
            # the lock on the sammanträde keeps this from happening; the constraints hold
            # it if something writes without the lock
            raise ValidationError(
                _("En ersättare tjänstgör redan för %(vem)s under punkt %(n)s.")
                % {"vem": led.person, "n": n},
                code="redan_ersatt",
            ) from err
        _kräv_samma_beslutsbild(sammantrade, beslutade)
    return rad


def ta_bort_tjanstgoring(tjanstgoring: Tjanstgoring, *, user, version: int | None = None) -> None:
    """The ersättare no longer serves in the item; the member replaced serves there again
    if present and able. Before the protokoll is drawn up; the history keeps who and when."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(tjanstgoring.punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_fore_upprattande(sammantrade)
        rad = (
            Tjanstgoring.objects.select_for_update()
            .filter(pk=tjanstgoring.pk)
            .select_related("ersattare__person", "ledamot__person")
            .first()
        )
        if rad is None:
            raise ValidationError(
                _("Ersättarens tjänstgöring under punkten är redan borttagen."),
                code="redan_borttagen",
            )
        beslutade = _beslutsbild(sammantrade)
        rad._history_user = user
        rad._change_reason = "borttagen"
        rad.delete()
        _kräv_samma_beslutsbild(sammantrade, beslutade)


def _ska_justera(deltagare: Deltagare) -> bool:
    return deltagare.narvarande and (
        deltagare.justerare or deltagare.roll == Deltagare.Roll.ORDFORANDE
    )


def lagg_till_punkt(
    sammantrade: Sammantrade,
    *,
    user,
    version: int | None = None,
    rubrik: str = "",
    arende: Arende | None = None,
    arende_version: int | None = None,
    typ: str = Punkt.Typ.ARENDE,
    ordning: int | None = None,
    bilagor=(),
    **falt,
) -> Punkt:
    """An item on the föredragningslista. An ärende must be ready for decision (beredd) or
    bordlagt at an earlier meeting; it becomes *anmält* through the engine. ``version`` is
    the meeting's a form was read at, ``arende_version`` the ärende's (a form read before
    the ärende was changed, its förslag rewritten and marked beredd again, is refused)."""
    if typ == Punkt.Typ.ARENDE and arende is None:
        raise ValidationError(_("En ärendepunkt behöver ett ärende."))
    if typ in Punkt.STAENDE:
        raise ValidationError(
            _(
                "Punkten %(typ)s läggs till av systemet när kallelsen skickas, med det som ska "
                "anmälas; den läggs inte till för hand."
            )
            % {"typ": Punkt.Typ(typ).label},
            code="staende_punkt",
        )
    if arende is not None and arende.organ_id != sammantrade.organ_id:
        raise ValidationError(
            _("%(arende)s hör till %(organ)s, inte till %(mote)s.")
            % {"arende": arende.diarienummer, "organ": arende.organ.namn, "mote": sammantrade.organ}
        )
    with transaction.atomic(), acting_as(user):
        andras(sammantrade, version=version)
        _kräv_andring(sammantrade, user)
        if sammantrade.state not in (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT):
            raise ValidationError(
                _("Föredragningslistan kan inte ändras när protokollet är upprättat.")
            )
        if arende is not None:
            # the meeting, then the ärende, as the meeting's pages and the flow's tasks lock
            # them (flows.uppgifter._motet_forst); the caller's ärende takes the step below
            # and carries the version as it is now
            arende.version = diarium_services.andras(arende, version=arende_version).version
        if arende is not None and sammantrade.punkter.filter(arende=arende).exists():
            # bordlagt (KL 5 kap. 50–51 §§) is taken up at a later meeting, never again at the
            # one that postponed it
            raise ValidationError(
                _(
                    "%(arende)s står redan på föredragningslistan till %(mote)s; ett bordlagt "
                    "ärende tas upp vid ett senare sammanträde."
                )
                % {"arende": arende.diarienummer, "mote": sammantrade},
                code="redan_pa_listan",
            )
        if ordning is None:
            ordning = (sammantrade.punkter.aggregate(n=Max("ordning"))["n"] or 0) + 1
        elif sammantrade.punkter.filter(ordning=ordning).exists():
            raise ValidationError(
                _("Punkt %(n)s finns redan på föredragningslistan.") % {"n": ordning}
            )
        numrerad = (
            sammantrade.punkter.filter(paragraf__isnull=False).order_by("-ordning", "-pk").first()
        )
        if numrerad is not None and ordning < numrerad.ordning:
            # the paragraphs up to one justerad at once have their numbers (KL 5 kap. 70 §,
            # :func:`_numrera_fram_till`); a new item goes after them
            raise ValidationError(
                _(
                    "Punkten kan inte föras in före § %(n)s: paragraferna fram till den har "
                    "redan fått sina nummer när en paragraf justerades omedelbart. Lägg den "
                    "sist på föredragningslistan."
                )
                % {"n": numrerad.paragraf},
                code="fore_numrerad",
            )
        punkt = Punkt(
            sammantrade=sammantrade,
            ordning=ordning,
            typ=typ,
            arende=arende,
            rubrik=rubrik or (arende.arendemening if arende else ""),
            **falt,
        )
        if not punkt.rubrik:
            raise ValidationError(_("Punkten behöver en rubrik."))
        # in the item's own signed row: the many-to-many keeps no history
        punkt.bilagor_beteckningar = ", ".join(h.beteckning for h in bilagor)
        _spara(punkt, user)
        if bilagor:
            punkt.bilagor.set(bilagor)
        if arende is not None:
            do_transition(
                arende,
                ArendeSteg.ANMAL,
                user,
                _("Anmält till %(mote)s") % {"mote": sammantrade},
            )
    return punkt


def _kräv_planerat(sammantrade: Sammantrade) -> None:
    if sammantrade.state != SammantradeStatus.PLANERAT:
        raise ValidationError(
            _(
                "Föredragningslistan ordnas och punkter stryks innan kallelsen skickas; nu är "
                "sammanträdet %(status)s."
            )
            % {"status": sammantrade.status_titel.lower()}
        )


def flytta_punkt(punkt: Punkt, *, user, version: int | None = None, upp: bool) -> Punkt:
    """Move an item one place up or down the föredragningslista, before the kallelse."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_planerat(sammantrade)
        punkter = list(sammantrade.punkter.order_by("ordning", "pk"))
        plats = next(i for i, p in enumerate(punkter) if p.pk == punkt.pk)
        granne = plats - 1 if upp else plats + 1
        if not 0 <= granne < len(punkter):
            raise ValidationError(
                _("Punkten står redan först.") if upp else _("Punkten står redan sist.")
            )
        a, b = punkter[plats], punkter[granne]
        nummer_a, nummer_b = a.ordning, b.ordning
        # the pair (sammanträde, ordning) is unique: through a number nobody has
        a.ordning = max(p.ordning for p in punkter) + 1
        _spara(a, user, "flyttad")
        b.ordning = nummer_a
        _spara(b, user, "flyttad")
        a.ordning = nummer_b
        _spara(a, user, "flyttad")
        _skriv_om_franvaron(sammantrade, user, "flyttad")
    return a


#: the longest motivering of a struck item (the page's limit too)
MOTIVERING_MAX = 2000


def stryk_punkt(punkt: Punkt, *, user, version: int | None = None, motivering: str) -> None:
    """Take an item off the föredragningslista before the kallelse; the items after it move
    up, and its ärende is ready for decision again (*Stryk från föredragningslistan*, with the
    motivering in the ärende's history)."""
    if not motivering.strip():
        raise ValidationError(_("Skriv varför punkten stryks."), code="motivering")
    if len(motivering) > MOTIVERING_MAX:
        # refused, never cut: the ärende's history keeps the motivering as it was written
        raise ValidationError(
            _("Motiveringen får ha högst %(n)d tecken.") % {"n": MOTIVERING_MAX},
            code="motivering_lang",
        )
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_planerat(sammantrade)
        punkt = sammantrade.punkter.select_related("arende").get(pk=punkt.pk)
        namner = sammantrade.deltagare.filter(Q(anslot_fran=punkt) | Q(lamnade_efter=punkt))
        if vem := [str(d.person) for d in namner.select_related("person")]:
            raise ValidationError(
                _(
                    "Närvaron anger att %(vem)s anslöt vid eller lämnade efter punkten. Ändra "
                    "närvaron först, så att den inte pekar på en punkt som stryks."
                )
                % {"vem": ", ".join(vem)},
                code="narvaron_namner_punkten",
            )
        arende = punkt.arende
        punkt.bilagor.clear()
        # absent from an item that is not dealt with: nothing to record (the delete takes the
        # absence with it, and the närvaro's record is written again below)
        punkt._history_user = user
        punkt._change_reason = "struken"
        punkt.delete()
        for senare in sammantrade.punkter.filter(ordning__gt=punkt.ordning).order_by("ordning"):
            senare.ordning -= 1
            _spara(senare, user, "flyttad")
        _skriv_om_franvaron(sammantrade, user, "struken")
        if arende is not None:
            do_transition(
                arende,
                ArendeSteg.STRYK,
                user,
                _("Struken från föredragningslistan till %(mote)s: %(varfor)s")
                % {"mote": sammantrade, "varfor": motivering.strip()},
            )


#: KL 5 kap. 11 §: fullmäktige's meetings are announced on the anslagstavla a week before
KUNGORELSE_DAGAR = 7


def kalla(
    sammantrade: Sammantrade,
    *,
    user,
    skal: str = "",
    tidpunkt: datetime.datetime | None = None,
) -> Sammantrade:
    """Send the kallelse with the föredragningslista to the ledamöter and ersättare who have
    an address, and file it in the sammanträde's ärende when it has one. Whom it goes to, and
    whom not, is recorded (:class:`Kallelsemottagare`) and said in the step's comment: the
    sekreterare must reach the others another way. The e-mail leaves after the step; each
    row says when it did (:func:`vid_skickat`), or that it waits or failed.

    A fullmäktige meeting is announced on the anslagstavla by the kallelse (time, place and
    ärenden, KL 5 kap. 11 §); later than a week before the meeting only with the reason
    (``skal``), which the history keeps.

    ``tidpunkt``: when a kallelse recorded afterwards was sent (a meeting held before the
    system, as the demo replays them; :func:`justera` takes the justering's the same way);
    never in the future nor after the meeting began (:func:`vid_kallelse`). Without it, now."""
    with transaction.atomic(), acting_as(user):
        nu = (
            Sammantrade.objects.select_for_update()
            .filter(pk=sammantrade.pk)
            .values_list("state", flat=True)
            .first()
        )
        if nu != SammantradeStatus.PLANERAT or sammantrade.state != nu:
            # kallat already, or read before it moved: the engine refuses in its own words,
            # before a row is written (a second kallelse would meet the first one's rows)
            do_transition(sammantrade, SammantradeSteg.KALLA, user)
        kallade = att_kalla(sammantrade)
        if not kallade:
            raise ValidationError(
                _(
                    "Det finns ingen att kalla till %(mote)s: närvaron har ingen ledamot eller "
                    "ersättare och ledamotsregistret ingen vars uppdrag gäller %(dag)s. För in "
                    "ledamöterna och ersättarna innan kallelsen skickas; den går till dem "
                    "(kommunallagen 5 kap. 12 §, 6 kap. 17 §)."
                )
                % {"mote": sammantrade, "dag": f"{sammantrade.datum:%Y-%m-%d}"},
                code="ingen_att_kalla",
            )
        delegering.anmal_till(sammantrade, user=user)  # KL 6 kap. 40 §
        motioner.anmal_till(sammantrade, user=user)  # KL 5 kap. 35 §
        rader = [
            Kallelsemottagare(
                sammantrade=sammantrade,
                person=person,
                epost=person.anvandare.email if person.anvandare else "",
            )
            for person in kallade
        ]
        # whom it goes to is recorded before the step, which needs it (flows.sammantrade.
        # KALLADE): a meeting is never kallat with nobody recorded as called
        for rad in rader:
            _spara(rad, user)
        kommentar = _kallelse_kommentar(rader)
        if skal.strip():
            kommentar += " " + _("Sent tillkännagivande: %(skal)s") % {"skal": skal.strip()}
        do_transition(
            sammantrade,
            SammantradeSteg.KALLA,
            user,
            kommentar,
            data={"skal": skal, "tidpunkt": tidpunkt},
        )
        # the kallelse as it reads now, filed in the meeting's ärende (marked with the secrecy
        # of what it holds) and e-mailed, made off the request (arenden.dokument.arkivering).
        # E-mail leaves the system: it carries the public version, with whatever the masking
        # masks (secret items, secret bilagor by their titles); who may read them does so in
        # the system (OSL 5 kap. 5 §)
        dok = dokument.kallelse(sammantrade)
        mal = []
        if sammantrade.arende_id:
            mal.append(
                arkivering.mal(
                    "handling",
                    dok,
                    arende=sammantrade.arende_id,
                    typ=Handling.Typ.KALLELSE,
                    lagrum=sekretess_i(sammantrade),
                    format="pdf",
                )
            )
        till = [r.pk for r in rader if r.epost]
        if till:
            mal.append(_kallelsens_brev(sammantrade, till))
        if mal:
            arkivering.bestall(sammantrade, arkivering.Arkivering.Slag.KALLELSE, mal, user=user)
    return sammantrade


def att_kalla(sammantrade: Sammantrade) -> list[Person]:
    """Whom the kallelse goes to (KL 5 kap. 12 §, 6 kap. 17 §): everyone in the närvaro but
    the tjänstepersoner, and every ledamot and ersättare of the register whose uppdrag is
    valid on the meeting day."""
    kallade = [
        d.person
        for d in sammantrade.deltagare.select_related("person__anvandare")
        if d.roll != Deltagare.Roll.TJANSTEPERSON
    ]
    for uppdrag in Ledamotsuppdrag.giltiga(sammantrade.organ, sammantrade.datum):
        if uppdrag.person not in kallade:  # once, whatever seats they hold
            kallade.append(uppdrag.person)
    return kallade


def sekretess_i(sammantrade: Sammantrade) -> str:
    """The lagrum of every secret thing the meeting's documents hold in full: its secret
    items and the secret bilagor of any item (OSL 5 kap. 5 §: marked where it is kept)."""
    lagrum = set()
    for punkt in sammantrade.punkter.select_related("arende").prefetch_related(
        "bilagor__arende", "anmalda_motioner__arende", "strukna_motioner__arende"
    ):
        lagrum |= punkt.sekretessgrunder()
    return "; ".join(sorted(lagrum))


def _kallelse_kommentar(rader: list[Kallelsemottagare]) -> str:
    nadda = [r for r in rader if r.epost]
    text = _("Kallelsen skickas med e-post till %(n)s av %(av)s kallade.") % {
        "n": len(nadda),
        "av": len(rader),
    }
    ej = [r.person.namn for r in rader if not r.epost]
    if ej:
        text += " " + _("Ingen e-postadress: %(vem)s.") % {"vem": ", ".join(ej)}
    return text


def ej_nadda(sammantrade: Sammantrade) -> list[Person]:
    """The kallade the kallelse will not reach by e-mail: no address, or the mail server
    refused it to the last attempt. The sekreterare must reach them another way."""
    return [
        r.person
        for r in sammantrade.kallelsemottagare.select_related("person", "utskick").only(
            "person__namn", "epost", "skickad", "utskick__forsok", "utskick__skickad"
        )
        if r.leverans
        in (Kallelsemottagare.Leverans.INGEN_ADRESS, Kallelsemottagare.Leverans.MISSLYCKAD)
    ]


def vid_skickat(sender, utskick, **kwargs) -> None:
    """The kallelse's e-mail has left: each of its mottagare is recorded as reached, then
    (:data:`arenden.gemensamt.utskick.skickat`, in the transaction that marks it sent)."""
    for rad in utskick.kallade.all():
        rad.skickad = utskick.skickad
        rad._change_reason = _("Kallelsen skickad med e-post")
        rad.save(update_fields=["skickad"])


def kungorelse_senast(sammantrade: Sammantrade) -> datetime.date | None:
    """KL 5 kap. 11 §: the last day to announce a fullmäktige meeting (none for others)."""
    if sammantrade.organ.typ != Organ.Typ.FULLMAKTIGE:
        return None
    return sammantrade.datum - datetime.timedelta(days=KUNGORELSE_DAGAR)


def sen_kungorelse(sammantrade: Sammantrade, dag: datetime.date | None = None) -> bool:
    """Is it later today (or on ``dag``, the day of a kallelse recorded afterwards) than KL 5
    kap. 11 § allows to announce the meeting?"""
    senast = kungorelse_senast(sammantrade)
    return senast is not None and (dag or timezone.localdate()) > senast


def vid_kallelse(event) -> None:
    """The kallelse's time: now, or the time given of one recorded afterwards, which has
    happened and came before the meeting (a kallelse calls to a meeting still to come, KL 5
    kap. 12 §, 6 kap. 17 §)."""
    tidpunkt = event.data.get("tidpunkt") or timezone.now()
    diarium_services.kräv_skett(tidpunkt, _("Tidpunkten för kallelsen"))
    if event.data.get("tidpunkt") and tidpunkt >= event.obj.borjar:
        raise ValidationError(
            _(
                "Kallelsen kan inte ha skickats %(tid)s: sammanträdet började %(borjar)s, och "
                "kallelsen skickas före sammanträdet (kommunallagen 5 kap. 12 §, 6 kap. 17 §)."
            )
            % {
                "tid": f"{timezone.localtime(tidpunkt):%Y-%m-%d %H.%M}",
                "borjar": f"{timezone.localtime(event.obj.borjar):%Y-%m-%d %H.%M}",
            },
            code="kallelse_efter_motet",
        )
    senast = kungorelse_senast(event.obj)
    dag = timezone.localtime(tidpunkt).date()
    if sen_kungorelse(event.obj, dag) and not event.data.get("skal", "").strip():
        raise ValidationError(
            _(
                "Fullmäktiges sammanträde ska tillkännages på anslagstavlan senast %(senast)s, "
                "en vecka före (KL 5 kap. 11 §). Ska kallelsen ändå skickas nu, skriv varför; "
                "skälet antecknas i historiken."
            )
            % {"senast": f"{senast:%Y-%m-%d}"},
            code="sen_kungorelse",
        )
    event.obj.kallad = tidpunkt


def installa(
    sammantrade: Sammantrade, *, user, skal: str, version: int | None = None
) -> Sammantrade:
    """*Ställ in* the meeting before it has begun, with the reason (``skal``): see
    :func:`vid_installelse` for what the step does."""
    with transaction.atomic(), acting_as(user):
        las(sammantrade, version=version)
        do_transition(sammantrade, SammantradeSteg.INSTALLA, user, skal)
    return sammantrade


def vid_installelse(event) -> None:
    """The step *Ställ in* (before the meeting has begun; its comment is the reason): the
    meeting will not be held, so nothing on its list waits for it any more. In the step's
    transaction, through the engine: each item not decided is struck, and stays on the list
    as the record of what was on it (:attr:`Punkt.struken`); its ärende is struck from the
    föredragningslista (*Stryk*, with the meeting and the reason in its history) and may be
    anmält to another meeting. The delegationsbeslut and motioner the kallelse listed for
    anmälan (KL 6 kap. 40 §, 5 kap. 35 §) are anmälda at the next meeting instead. Who was
    kallad gets a notice by e-mail, as the kallelse went: the organ, the day and that the
    meeting is inställt, never the reason or anything of the list (the e-mail leaves the
    system, OSL 5 kap. 5 §); the reason is on the meeting's page and in their portal.

    The kallelse's e-mail that has not left yet is withdrawn in the same transaction
    (:func:`aterkalla_kallelsen`): nobody gets a kallelse to a meeting that will not be held,
    least of all after the notice that it will not. What has left stays sent."""
    from arenden.gemensamt import utskick
    from arenden.motion.models import Motion

    sammantrade, user = event.obj, event.user
    skal = event.comment.strip()
    nu = timezone.now()
    sammantrade.installt = nu
    sammantrade.installt_skal = skal
    aterkalla_kallelsen(sammantrade)
    punkter = list(
        Punkt.objects.oavgjorda()
        .filter(sammantrade_id=sammantrade.pk)
        .select_related("arende")
        .order_by("ordning", "pk")
    )
    # KL 5 kap. 35 §: struck from the list, a motion waits to be anmäld at the next meeting,
    # so it is untied from the item below; the item keeps which it named, in its signed row
    # too, as its text still holds their mening and carries their secrecy (OSL 5 kap. 5 §)
    listade = list(
        Motion.objects.select_for_update(of=("self",))
        .filter(anmald_punkt__in=punkter)
        .select_related("arende")
    )
    for punkt in punkter:
        punkt.struken = nu
        namnda = [m for m in listade if m.anmald_punkt_id == punkt.pk]
        punkt.strukna_motioner_diarienummer = ", ".join(str(m.arende.diarienummer) for m in namnda)
        _spara(punkt, user, _("struken: sammanträdet ställdes in"))
        if namnda:
            punkt.strukna_motioner.set(namnda)
        if punkt.arende is not None:
            # the reason stays with the meeting (it may be a ledamot's illness): who may
            # read the ärende but not the meeting reads only that it was cancelled
            do_transition(
                punkt.arende,
                ArendeSteg.STRYK,
                user,
                _("Struken från föredragningslistan: %(mote)s är inställt.")
                % {"mote": sammantrade},
            )
    _anmalan_till_nasta(punkter, listade, user)
    adresser = sorted(
        {r.epost for r in sammantrade.kallelsemottagare.exclude(epost="").only("epost")}
    )
    if adresser:
        utskick.lagg_i_utskick(
            amne=_("Inställt: %(organ)s %(datum)s")
            % {"organ": sammantrade.organ.namn, "datum": f"{sammantrade.datum:%Y-%m-%d}"},
            text=_(
                "Sammanträdet med %(organ)s den %(datum)s är inställt. Du som var kallad ser "
                "mer under Mina sammanträden."
            )
            % {"organ": sammantrade.organ.namn, "datum": f"{sammantrade.datum:%Y-%m-%d}"},
            dold_kopia=adresser,
        )


def _anmalan_till_nasta(punkter, motioner, user) -> None:
    """The delegationsbeslut and the ``motioner`` listed under ``punkter``, items the meeting
    will not handle (struck with it) or did not (:data:`_INTE_BEHANDLAD`), are untied from
    them: nothing was anmält there, so they are not shown as anmälda there once the protokoll
    is justerat (arenden.delegering.services.anmalt_vid, arenden.motion.services.anmalt_vid),
    and the next kallelse lists them again (KL 6 kap. 40 §, 7 kap. 8 §; KL 5 kap. 35 §)."""
    for beslut in Beslut.objects.select_for_update().filter(anmalt_punkt__in=punkter):
        beslut.anmalt_punkt = None
        beslut._history_user = user
        beslut.save(update_fields=["anmalt_punkt"])
    for motion in motioner:
        motion.anmald_punkt = None
        motion._history_user = user
        motion.save(update_fields=["anmald_punkt"])


def ej_behandlade_anmalningar():
    """The standing items of anmälan (:data:`Punkt.STAENDE`) that the meeting did not handle
    (:data:`_INTE_BEHANDLAD`) and that still hold a delegationsbeslut or a motion: recorded
    before :func:`besluta` untied them (``manage.py ej_behandlade_anmalningar`` mends them)."""
    from arenden.motion.models import Motion

    return (
        Punkt.objects.filter(typ__in=Punkt.STAENDE, utfall__in=_INTE_BEHANDLAD)
        .filter(
            Exists(Beslut.objects.filter(anmalt_punkt=OuterRef("pk")))
            | Exists(Motion.objects.filter(anmald_punkt=OuterRef("pk")))
        )
        .select_related("sammantrade__organ")
        .order_by("pk")
    )


def lossa_anmalan(punkt: Punkt, *, user, orsak: str = "") -> tuple[list[Beslut], list]:
    """The standing item ``punkt`` was not handled (:data:`_INTE_BEHANDLAD`): nothing it
    listed was anmält there. Its delegationsbeslut and motioner are untied, to be listed by
    the next kallelse (:func:`_anmalan_till_nasta`); the item keeps which motioner it named
    (``strukna_motioner``, and their diarienummer in its signed row), as its text holds their
    mening and carries their secrecy (OSL 5 kap. 5 §). Returns what was untied."""
    from arenden.motion.models import Motion

    beslut = list(Beslut.objects.select_for_update().filter(anmalt_punkt=punkt).order_by("pk"))
    namnda = list(
        Motion.objects.select_for_update(of=("self",))
        .filter(anmald_punkt=punkt)
        .select_related("arende")
        .order_by("pk")
    )
    if namnda:
        alla = [*punkt.strukna_motioner.select_related("arende"), *namnda]
        punkt.strukna_motioner_diarienummer = ", ".join(str(m.arende.diarienummer) for m in alla)
        _spara(punkt, user, orsak)
        punkt.strukna_motioner.set(alla)
    _anmalan_till_nasta([punkt], namnda, user)
    return beslut, namnda


def _kallelsens_brev(sammantrade: Sammantrade, till: list[int]) -> dict:
    """The kallelse's e-mail to the Kallelsemottagare ``till``, as the worker makes it: the
    public version as it reads now (e-mail leaves the system, OSL 5 kap. 5 §)."""
    dok = dokument.kallelse(sammantrade, publik=True)
    return arkivering.mal(
        "epost",
        dok,
        kallelsemottagare=till,
        amne=f"{dok.titel} {sammantrade.datum:%Y-%m-%d}",
        text=_("Välkommen till sammanträdet. Kallelsen med föredragningslistan är bifogad."),
    )


def kallelsen_maskerad_pa_nytt(sammantrade: Sammantrade, *, user) -> list[int]:
    """Something on the kallelse was marked secret after it was sent (an item's ärende, a
    bilaga): the e-mail still waiting, in the outbox or still to be made by a worker, carries
    it unmasked. What waits to be made is made as the kallelse is masked now (the filed copy
    is marked by the worker as it would be filed now, as in every filing:
    :func:`arenden.dokument.arkivering._sekretess_nu`); what waits in the outbox is withdrawn,
    kept as the record, and the kallelse is sent again, masked as it reads now, to the same
    mottagare. An e-mail already sent cannot be called back. The ids withdrawn."""
    from arenden.gemensamt import utskick

    for rad in (
        arkivering.Arkivering.objects.vantar()
        .select_for_update()
        .filter(sammantrade=sammantrade, slag=arkivering.Arkivering.Slag.KALLELSE)
    ):
        rad.mal = [
            _kallelsens_brev(sammantrade, m["kallelsemottagare"]) if m["mal"] == "epost" else m
            for m in rad.mal
        ]
        rad.save(update_fields=["mal"])
    vantande = Kallelsemottagare.objects.filter(
        sammantrade=sammantrade, utskick__skickad=None, utskick__aterkallad=None
    )
    till = sorted(vantande.values_list("pk", flat=True))
    aterkallade = utskick.aterkalla(
        utskick.Utskick.objects.filter(kallade__in=till),
        skal=_(
            "Något på kallelsen sekretessmarkerades innan den hade skickats; kallelsen skickas "
            "på nytt, maskerad som den lyder nu."
        ),
    )
    if aterkallade:
        till = list(
            Kallelsemottagare.objects.filter(utskick_id__in=aterkallade).values_list(
                "pk", flat=True
            )
        )
        arkivering.bestall(
            sammantrade,
            arkivering.Arkivering.Slag.KALLELSE,
            [_kallelsens_brev(sammantrade, sorted(till))],
            user=user,
        )
    return aterkallade


def kallelsen_aterkallad(sammantrade: Sammantrade) -> str:
    """Why the kallelse's e-mail was withdrawn, as the outbox records it: the meeting was
    inställt, and when. In the system's words, never the nämndsekreterare's reason, which may
    be secret (a ledamot's illness) and stays out of the outbox, as it stays out of the
    notice (OSL 5 kap. 5 §)."""
    return _("Sammanträdet ställdes in %(tid)s innan kallelsen hade skickats.") % {
        "tid": f"{timezone.localtime(sammantrade.installt):%Y-%m-%d %H:%M}"
    }


def aterkalla_kallelsen(sammantrade: Sammantrade) -> list[int]:
    """Withdraw the kallelse's e-mail to the inställt ``sammantrade`` where it has not left:
    each row stays in the outbox, marked withdrawn with :func:`kallelsen_aterkallad`, and is
    never sent (:func:`arenden.gemensamt.utskick.aterkalla`); a row already sent is left as
    it is. In the inställelse's transaction, under the meeting's lock.

    A worker still making the kallelse (its :class:`~arenden.dokument.arkivering.Arkivering`
    is not done) is waited for under that row's lock, so the e-mail it puts in the outbox is
    seen here and withdrawn; one that comes after this commits finds the meeting inställt and
    puts the e-mail in withdrawn (``arkivering._epost``). The ids withdrawn now."""
    from arenden.gemensamt import utskick

    list(
        arkivering.Arkivering.objects.vantar()
        .select_for_update()
        .filter(sammantrade=sammantrade, slag=arkivering.Arkivering.Slag.KALLELSE)
        .values_list("pk", flat=True)
    )
    return utskick.aterkalla(
        utskick.Utskick.objects.filter(kallade__sammantrade=sammantrade),
        skal=kallelsen_aterkallad(sammantrade),
        nar=sammantrade.installt,
    )


# -- during the meeting ---------------------------------------------------------------------


def _kräv_beslutsskede(sammantrade: Sammantrade) -> None:
    """Beslut, yrkanden and voteringar are recorded while the meeting is held: once it is
    called and has begun, never before it happens, and not after the protokoll is drawn up
    (what was decided is then what the protokoll says)."""
    if sammantrade.state != SammantradeStatus.KALLAT:
        raise ValidationError(
            _("Beslut förs in när sammanträdet hålls, inte när det är %(status)s.")
            % {"status": sammantrade.status_titel.lower()}
        )
    if not sammantrade.har_borjat:
        raise ValidationError(
            _("Sammanträdet hålls %(tid)s; det som beslutas förs in när det hålls.")
            % {"tid": sammantrade.tid},
            code="inte_borjat",
        )


def _beslut_i_arendet(
    punkt: Punkt, sammantrade: Sammantrade, *, user, text: str, forslag_till, uppdrag
) -> Beslut:
    """The organ's beslut in the ärende of ``punkt``, as the protokoll records it: dated the
    meeting's day, numbered by the item's paragraf, with the uppdrag it gives (each a
    beskrivning, a förfallodag and the organ to report to, by default the deciding one)."""
    for beskrivning, forfaller, _till in uppdrag:
        # an uppdrag is watched until it is återrapporterat: what, and by when, after it was
        # given (the bevakning counts from here; flows.arende.ALLT_REDOVISAT)
        if not (beskrivning or "").strip():
            raise ValidationError(_("Beskriv uppdraget."), code="uppdrag_beskrivning")
        if not isinstance(forfaller, datetime.date):
            raise ValidationError(
                _("Ange när uppdraget ska återrapporteras."), code="uppdrag_forfaller"
            )
        if forfaller < sammantrade.datum:
            raise ValidationError(
                _(
                    "Uppdraget kan inte återrapporteras senast %(dag)s, före beslutet "
                    "%(beslutsdag)s."
                )
                % {"dag": forfaller.isoformat(), "beslutsdag": sammantrade.datum.isoformat()},
                code="uppdrag_forfaller",
            )
    arende = diarium_services.andras(punkt.arende)
    beslut = Beslut(
        arende=arende,
        organ=sammantrade.organ,
        datum=sammantrade.datum,
        sammantrade=sammantrade,
        paragraf=punkt.paragraf,
        text=text,
        forslag_till=forslag_till,
    )
    _spara(beslut, user)
    for beskrivning, forfaller, rapportera_till in uppdrag:
        _spara(
            Uppdrag(
                beslut=beslut,
                arende=arende,
                beskrivning=beskrivning,
                forfaller=forfaller,
                rapportera_till=rapportera_till or beslut.organ,
            ),
            user,
        )
    return beslut


def besluta(
    punkt: Punkt,
    *,
    user,
    version: int | None = None,
    utfall: str,
    beslut: str = "",
    motivering: str = "",
    forslag_till: Organ | None = None,
    uppdrag=(),
    minoritet: bool = False,
    begard_av: int | None = None,
    aterremiss_till: Organ | None = None,
) -> Punkt:
    """Record what the organ decided under ``punkt``. For an ärende, the outcome moves it
    through the engine: a beslut (bifall, avslag, beslutat, godkände informationen) makes it
    *beslutat*; a proposal to a higher organ makes it *överlämnat*; återremiss and
    bordläggning need a motivering (KL 5 kap. 50–51 §§).

    A proposal is registered where the matter goes on by that organ's registrator once the
    protokoll is justerat (:func:`arenden.diarium.services.fortsatt_i`, from the list *Förslag
    att registrera*), as any incoming matter, linked both ways.

    In fullmäktige a bordläggning or återremiss may be the minority's right (``minoritet``):
    at least a third of the members present ask for it (``begard_av``), and only once per
    ärende (KL 5 kap. 51 §). An återremiss names the organ the ärende goes back to
    (``aterremiss_till``; by default the organ that prepared it)."""
    if utfall not in Punkt.Utfall.values:
        raise ValidationError(_("Okänt utfall: %(utfall)s") % {"utfall": utfall})
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_beslutsskede(sammantrade)
        punkt = Punkt.objects.select_for_update().get(pk=punkt.pk)
        if punkt.utfall:
            raise ValidationError(
                _("Beslut under punkt %(n)s är redan fört till protokollet.")
                % {"n": punkt.beteckning},
                code="redan",
            )
        ej_beslutfort = utfall == Punkt.Utfall.EJ_BESLUTFORT
        if ej_beslutfort:
            # what cannot be handled is noted, with the counts, and the ärende goes back to
            # beredd for another meeting: never a meeting stuck on an item it cannot decide
            motivering, beslut = beslutforhet.varfor_inte(punkt), ""
            if not motivering:
                raise ValidationError(
                    _("%(organ)s är beslutfört under punkt %(n)s: för in det som beslutades.")
                    % {"organ": sammantrade.organ.namn, "n": punkt.beteckning},
                    code="beslutfort",
                )
        kravs_motivering = utfall in (Punkt.Utfall.ATERREMISS, Punkt.Utfall.BORDLAGGNING)
        if kravs_motivering and not motivering.strip():
            raise ValidationError(
                _("Återremiss och bordläggning kräver en motivering."), code="motivering"
            )
        if utfall == Punkt.Utfall.FORSLAG and forslag_till is None:
            raise ValidationError(_("Ange vilket organ förslaget går till."))
        if utfall == Punkt.Utfall.FORSLAG and uppdrag:
            # flows.arende.FORSLAG_UTAN_UPPDRAG: the ärende would be held överlämnat for ever
            raise ValidationError(
                _(
                    "Ett förslag till ett högre organ ger inga uppdrag; uppdrag ges i beslutet "
                    "där ärendet avgörs."
                ),
                code="uppdrag_i_forslag",
            )
        if not (kravs_motivering or ej_beslutfort) and not beslut.strip():
            raise ValidationError(_("Skriv beslutet."), code="beslut")
        if minoritet:
            _kräv_minoritetens_ratt(punkt, sammantrade, utfall, begard_av)
        punkt.utfall, punkt.beslut, punkt.motivering = utfall, beslut, motivering
        punkt.forslag_till = forslag_till
        punkt.minoritet, punkt.begard_av = minoritet, begard_av if minoritet else None
        if utfall == Punkt.Utfall.ATERREMISS:
            punkt.aterremiss_till = aterremiss_till or _beredande_organ(punkt, sammantrade)
        arende = punkt.arende
        if arende is not None:
            if utfall in _BESLUT_I_ARENDET or utfall == Punkt.Utfall.FORSLAG:
                forslag = forslag_till if utfall == Punkt.Utfall.FORSLAG else None
                punkt.beslutet = _beslut_i_arendet(
                    punkt,
                    sammantrade,
                    user=user,
                    text=beslut,
                    forslag_till=forslag,
                    uppdrag=uppdrag,
                )
                # the item holds its beslut before the step: what flows.arende.BESLUT asks
                _spara(punkt, user)
                steg = ArendeSteg.OVERLAMNA if forslag else ArendeSteg.BESLUTA
                do_transition(arende, steg, user, _("Beslutat %(mote)s") % {"mote": sammantrade})
                return punkt
            elif ej_beslutfort:
                # the item holds its utfall, so the ärende is off the list (flows.arende.
                # PUNKTEN_STRUKEN), ready for decision at another meeting
                _spara(punkt, user)
                do_transition(
                    arende,
                    ArendeSteg.STRYK,
                    user,
                    _("Inte behandlat vid %(mote)s: %(skal)s")
                    % {"mote": sammantrade, "skal": motivering},
                )
                return punkt
            else:
                # the item's utfall is the record the step needs (flows.arende.ATERREMISS,
                # BORDLAGGNING): saved first, then the step
                _spara(punkt, user)
                transition = "aterremittera" if utfall == Punkt.Utfall.ATERREMISS else "bordlagga"
                do_transition(arende, transition, user, motivering)
                return punkt
        # an item without an ärende (a val, an informationsärende) has no step to ask it:
        # the organ decides there too only when beslutfört (KL 5 kap. 45 §, 6 kap. 27 §)
        if not ej_beslutfort and (skal := beslutforhet.varfor_inte(punkt)):
            raise ValidationError(
                _("Beslutet kan inte föras in: %(skal)s.") % {"skal": skal},
                code="inte_beslutfort",
            )
        _spara(punkt, user)
        if punkt.typ in Punkt.STAENDE and utfall in _INTE_BEHANDLAD:
            # an anmälan bordlagd, återremitterad or not handled has anmält nothing (KL 6 kap.
            # 40 §, 5 kap. 35 §): what it listed waits for the next meeting
            lossa_anmalan(punkt, user=user)
    return punkt


def _kräv_minoritetens_ratt(punkt, sammantrade, utfall, begard_av) -> None:
    """KL 5 kap. 51 §: in fullmäktige a bordläggning or återremiss is the minority's right
    when at least a third of the members present ask for it; once per ärende (a second time
    only if fullmäktige decides it, by majority)."""
    if sammantrade.organ.typ != Organ.Typ.FULLMAKTIGE:
        raise ValidationError(
            _(
                "Minoritetens rätt till bordläggning och återremiss gäller bara i fullmäktige "
                "(KL 5 kap. 51 §); i %(organ)s avgör majoriteten."
            )
            % {"organ": sammantrade.organ.namn},
            code="bara_fullmaktige",
        )
    if utfall not in (Punkt.Utfall.ATERREMISS, Punkt.Utfall.BORDLAGGNING):
        raise ValidationError(_("Bara bordläggning och återremiss kan begäras av en minoritet."))
    narvarande = antal_tjanstgorande(punkt, sammantrade)
    if begard_av is None or begard_av * 3 < narvarande or begard_av > narvarande:
        raise ValidationError(
            _(
                "En minoritet är minst en tredjedel av de %(n)s närvarande ledamöterna "
                "(KL 5 kap. 51 §); %(begard)s begärde det."
            )
            % {"n": narvarande, "begard": begard_av if begard_av is not None else 0},
            code="for_fa",
        )
    tidigare = Punkt.objects.filter(arende_id=punkt.arende_id, minoritet=True).exclude(pk=punkt.pk)
    if punkt.arende_id and tidigare.exists():
        raise ValidationError(
            _(
                "Ärendet har redan bordlagts eller återremitterats på begäran av en minoritet "
                "(KL 5 kap. 51 §); en gång till kräver att fullmäktige beslutar det."
            ),
            code="redan_minoritet",
        )


def _beredande_organ(punkt: Punkt, sammantrade: Sammantrade) -> Organ:
    """The organ an ärende goes back to: the one whose ärende continues in this one (RS for a
    matter RS proposed to RF), or else the meeting's own organ (back to its beredning)."""
    if punkt.arende_id:
        fran = (
            Arende.objects.filter(
                relationer__till_id=punkt.arende_id,
                relationer__typ=ArendeRelation.Typ.FORTSATTER_I,
            )
            .select_related("organ")
            .first()
        )
        if fran is not None:
            return fran.organ
    return sammantrade.organ


def _deltagare_i(punkt: Punkt, person: Person) -> Deltagare:
    deltagare = (
        Deltagare.objects.filter(sammantrade_id=punkt.sammantrade_id, person=person)
        .exclude(roll=Deltagare.Roll.TJANSTEPERSON)
        .first()
    )
    if deltagare is None:
        raise ValidationError(
            _("%(vem)s är inte ledamot eller ersättare vid sammanträdet.") % {"vem": person}
        )
    return deltagare


def anmal_jav(
    punkt: Punkt, person: Person, *, user, version: int | None = None, grund: str = ""
) -> Jav:
    """The member is jävig and takes no part in the item: in fullmäktige under KL 5 kap.
    47 § (a matter that concerns the member personally, or a close relative), in a nämnd
    under KL 6 kap. 28–32 §§. Jäv may be noted until the protokoll is justerat, but not of a
    member who served in an item already decided or voted on (:func:`_kräv_samma_beslutsbild`):
    the beslut, the votes and the reservations were those of the members serving then."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _deltagare_i(punkt, person)
        if Jav.objects.filter(punkt=punkt, person=person).exists():
            raise ValidationError(
                _("%(person)s är redan anmäld som jävig under punkt %(n)s.")
                % {"person": person.namn, "n": punkt.beteckning},
                code="redan_jav",
            )
        beslutade = _beslutsbild(sammantrade)
        if person.pk in beslutade.get(punkt, ()):
            raise ValidationError(
                _(
                    "%(person)s deltog i beslutet under punkt %(n)s, som redan är fört till "
                    "protokollet, och kan inte anmälas som jävig i efterhand: protokollet ska "
                    "visa vilka som beslutade, röstade och reserverade sig. Jäv anmäls innan "
                    "punkten beslutas."
                )
                % {"person": person.namn, "n": punkt.beteckning},
                code="jav_efter_beslut",
            )
        jav = Jav(punkt=punkt, person=person, grund=grund)
        _spara(jav, user)
        _kräv_samma_beslutsbild(sammantrade, beslutade)
    return jav


def reservera(
    punkt: Punkt, person: Person, *, user, version: int | None = None, motivering: str = ""
) -> Reservation:
    """A member's reservation against the beslut. It must be announced before the meeting
    ends (KL 4 kap. 27 §): while the sammanträde is being held, and only by a member who
    took part in the beslut."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        if sammantrade.state != SammantradeStatus.KALLAT:
            raise ValidationError(
                _(
                    "En reservation ska anmälas innan sammanträdet avslutas "
                    "(KL 4 kap. 27 §); den kan inte föras in efteråt."
                ),
                code="for_sent",
            )
        punkt = _med_jav(punkt)
        if not punkt.utfall:
            raise ValidationError(_("Det finns inget beslut att reservera sig mot ännu."))
        if not _deltagare_i(punkt, person).deltar_i(punkt):
            raise ValidationError(
                _("%(vem)s deltog inte i beslutet under punkt %(n)s och kan inte reservera sig.")
                % {"vem": person, "n": punkt.beteckning},
                code="deltog_inte",
            )
        if punkt.reservationer.filter(person=person).exists():
            raise ValidationError(
                _("%(vem)s har redan reserverat sig under punkt %(n)s.")
                % {"vem": person, "n": punkt.beteckning},
                code="finns_redan",
            )
        reservation = Reservation(
            punkt=punkt, person=person, motivering=motivering, anmald=timezone.now()
        )
        _spara(reservation, user)
    return reservation


def motivera_reservation(
    reservation: Reservation, *, user, version: int | None = None, motivering: str
) -> Reservation:
    """KL 4 kap. 27 §: a reservation announced at the meeting may be motivated in writing
    afterwards, until the protokoll is justerat (and before the justering begins: what is
    signed is what was written)."""
    if not motivering.strip():
        raise ValidationError(_("Skriv motiveringen."), code="tom")
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(reservation.punkt, version=version)
        _kräv_andring(sammantrade, user)
        rad = Reservation.objects.select_for_update().get(pk=reservation.pk)
        rad.motivering = motivering
        _spara(rad, user, "skriftlig motivering")
    return rad


def lagg_till_yttrande(
    punkt: Punkt, *, user, version: int | None = None, typ: str, avgivet_av: str, text: str
) -> Yttrande:
    """A särskilt yttrande or a protokollsanteckning, which the organ allows into the
    protokoll (seed 003: four parties)."""
    if typ not in Yttrande.Typ.values:
        raise ValidationError(_("Okänd typ: %(typ)s") % {"typ": typ})
    with transaction.atomic(), acting_as(user):
        _kräv_andring(_sammantrade_for(punkt, version=version), user)
        yttrande = Yttrande(punkt=punkt, typ=typ, avgivet_av=avgivet_av, text=text)
        _spara(yttrande, user)
    return yttrande


def lagg_till_yrkande(
    punkt: Punkt, person: Person, *, user, version: int | None = None, text: str
) -> Yrkande:
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_beslutsskede(sammantrade)
        deltagare = _deltagare_i(punkt, person)
        if not deltagare.deltar_i(_med_jav(punkt)):
            raise ValidationError(
                _(
                    "%(vem)s deltar inte i beslutet under punkt %(n)s (jäv, frånvaro, eller "
                    "ersättare som inte tjänstgör) och kan inte yrka."
                )
                % {"vem": person, "n": punkt.beteckning},
                code="deltar_inte",
            )
        ordning = (punkt.yrkanden.aggregate(n=Max("ordning"))["n"] or 0) + 1
        yrkande = Yrkande(punkt=punkt, yrkande_av=person, text=text, ordning=ordning)
        _spara(yrkande, user)
    return yrkande


def registrera_votering(
    punkt: Punkt,
    *,
    user,
    version: int | None = None,
    proposition,
    resultat,
    ja=0,
    nej=0,
    avstar=0,
    roster: dict | None = None,
    sluten: bool = False,
    val: bool = False,
    deltog=None,
) -> Votering:
    """A vote (KL 5 kap. 53–57 §§ in fullmäktige, 6 kap. 33 § in a nämnd): one vote each, and
    only the members who serve in the item vote (a jävig one does not, KL 5 kap. 47 §, 6 kap.
    28 §).

    - by name (``roster``: person → "ja", "nej" or "avstar"): every serving member answers
      once, and the counts are derived from the answers; the protokoll prints the
      voteringslista;
    - by totals (``ja``, ``nej``, ``avstar``): they add up to those serving;
    - sluten (``sluten``), in a val only (``val``, KL 5 kap. 55 §, 6 kap. 33 §): who took part
      (``deltog``, serving members) and the totals, which add up to them; never who voted
      how."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version)
        _kräv_andring(sammantrade, user)
        _kräv_beslutsskede(sammantrade)
        tjanstgor = [d.person for d in tjanstgorande(_med_jav(punkt), narvaron(sammantrade))]
        if sluten and not val:
            raise ValidationError(
                _(
                    "Sluten omröstning får bara användas vid val (kommunallagen 5 kap. 55 §, "
                    "6 kap. 33 §). Andra beslut fattas med öppen omröstning."
                ),
                code="sluten_utan_val",
            )
        if sluten and roster:
            raise ValidationError(
                _("Vid sluten omröstning antecknas inte hur någon har röstat."), code="sluten"
            )
        if roster is not None:
            ja, nej, avstar = _rakna(roster, tjanstgor, punkt)
            rostande = len(roster)
        elif sluten:
            deltog = list(deltog or [])
            _kräv_tjanstgorande(deltog, tjanstgor, punkt)
            rostande = len(deltog)
        else:
            rostande = len(tjanstgor)
        if min(ja, nej, avstar) < 0:
            raise ValidationError(_("Antalet röster kan inte vara negativt."))
        if ja + nej + avstar != rostande:
            raise ValidationError(
                _(
                    "Rösterna (%(ja)s ja, %(nej)s nej, %(avstar)s avstår) är %(summa)s, men "
                    "%(antal)s ledamöter tjänstgör under punkt %(n)s."
                )
                % {
                    "ja": ja,
                    "nej": nej,
                    "avstar": avstar,
                    "summa": ja + nej + avstar,
                    "antal": rostande,
                    "n": punkt.beteckning,
                },
                code="fel_antal",
            )
        _kräv_ny_votering(punkt, proposition)
        votering = Votering(
            punkt=punkt,
            proposition=proposition,
            slag=Votering.Slag.SLUTEN if sluten else Votering.Slag.OPPEN,
            val=val,
            ja=ja,
            nej=nej,
            avstar=avstar,
            resultat=resultat,
        )
        _spara(votering, user)
        ordning = {p.pk: i for i, p in enumerate(tjanstgor)}
        for person, svar in sorted((roster or {}).items(), key=lambda r: ordning[r[0].pk]):
            _spara(
                Rost(votering=votering, person=person, rost=svar, ordning=ordning[person.pk]),
                user,
            )
        for person in deltog if sluten else []:
            _spara(Omrostningsdeltagare(votering=votering, person=person), user)
    return votering


def _kräv_ny_votering(punkt: Punkt, proposition: str) -> None:
    """A propositionsordning is voted on once: each member has one vote on it (KL 5 kap.
    53 §, 6 kap. 33 §). Several voteringar under one item (a kontraproposition first, then
    the huvudvotering) each have their own propositionsordning. Asked under the lock on the
    sammanträde (:func:`_sammantrade_for`), so two secretaries, or two tabs, recording the
    same votering at once record it once."""
    if punkt.voteringar.filter(proposition=proposition).exists():
        raise ValidationError(
            _(
                "En votering med samma propositionsordning är redan förd till protokollet "
                "under punkt %(n)s."
            )
            % {"n": punkt.beteckning},
            code="votering_finns",
        )


def _kräv_tjanstgorande(personer, tjanstgor, punkt: Punkt) -> None:
    """Only members who serve in the item vote, each once."""
    if len({p.pk for p in personer}) != len(personer):
        raise ValidationError(_("Varje ledamot har en röst."), code="dubbel_rost")
    tillatna = {p.pk for p in tjanstgor}
    utanfor = [str(p) for p in personer if p.pk not in tillatna]
    if utanfor:
        raise ValidationError(
            _(
                "%(vem)s tjänstgör inte under punkt %(n)s (jäv, frånvaro, eller ersättare som "
                "inte tjänstgör) och röstar inte."
            )
            % {"vem": ", ".join(utanfor), "n": punkt.beteckning},
            code="rostar_inte",
        )


def _rakna(roster: dict, tjanstgor, punkt: Punkt) -> tuple[int, int, int]:
    """The counts of a votering by name, once every serving member has answered."""
    _kräv_tjanstgorande(list(roster), tjanstgor, punkt)
    fel = [svar for svar in roster.values() if svar not in Rost.Svar.values]
    if fel:
        raise ValidationError(_("En röst är ja, nej eller avstår."), code="fel_rost")
    saknas = [str(p) for p in tjanstgor if p not in roster]
    if saknas:
        raise ValidationError(
            _("Röst saknas för %(vem)s, som tjänstgör under punkt %(n)s.")
            % {"vem": ", ".join(saknas), "n": punkt.beteckning},
            code="rost_saknas",
        )
    svar = list(roster.values())
    return svar.count(Rost.Svar.JA), svar.count(Rost.Svar.NEJ), svar.count(Rost.Svar.AVSTAR)


# -- the protokoll ----------------------------------------------------------------------------


def paragrafserie(organ: Organ) -> str:
    """The numbering series of an organ's paragraphs (shares the diarium's counters)."""
    return f"§{organ.pk}"


def tidigare_paragrafer(organ: Organ, ar: int, senaste: int, *, user) -> None:
    """Paragraphs up to ``senaste`` were given in ``ar`` before this system (an earlier
    meeting of the year, an older system): the next protokoll goes on from there."""
    _sekreterare_i(organ, user)
    diarium_services.hoj_serie(paragrafserie(organ), ar, senaste)


def numrera_paragrafer(event) -> None:
    """Hook of ``genomfor``: the protokoll is drawn up. Every item needs its beslut (an
    informationsärende "godkände informationen"); then the items get the next paragraph
    numbers of the organ and year, in their order, once and for all: those numbered when a
    paragraph was justerad at once keep their numbers, and the rest go on after them."""
    sammantrade = event.obj
    punkter = list(sammantrade.punkter.select_related("beslutet").order_by("ordning", "pk"))
    utan = [
        p.beteckning
        for p in punkter
        if not p.utfall and (p.arende_id or p.slag == Punkt.Slag.BESLUTSARENDE)
    ]
    if utan:
        raise ValidationError(
            _("Protokollet kan inte upprättas: beslut saknas under punkt %(punkter)s.")
            % {"punkter": ", ".join(utan)},
            code="beslut_saknas",
        )
    # the paragraphs numbered when one was justerad at once keep their numbers
    # (:func:`_numrera_fram_till`); the others go on from there
    _numrera(punkter, sammantrade, user=event.user, orsak=event.transition.id)


def _numrera(punkter, sammantrade: Sammantrade, *, user, orsak: str) -> None:
    """Give each of ``punkter`` (in the order given, each with its ``beslutet`` selected)
    that has no number yet the next paragraph number of the organ and year, and the beslut
    in its ärende the same paragraf. Under the lock on the sammanträde; the series itself
    (:func:`arenden.diarium.services.nasta_lopnummer`) gives no number twice and skips none."""
    ar = sammantrade.datum.year
    for punkt in punkter:
        if punkt.paragraf is not None:
            continue
        punkt.paragraf = diarium_services.nasta_lopnummer(paragrafserie(sammantrade.organ), ar)
        punkt.paragraf_organ_id, punkt.paragraf_ar = sammantrade.organ_id, ar
        _spara(punkt, user, orsak)
        if punkt.beslutet is not None:
            punkt.beslutet.paragraf = punkt.paragraf
            _spara(punkt.beslutet, user, orsak)


def _numrera_fram_till(punkt: Punkt, sammantrade: Sammantrade, *, user) -> None:
    """A paragraph justerad at once gets its number when its justering begins, and keeps it.

    KL 5 kap. 70 § (for a nämnd 6 kap. 35 §) lets a paragraph be justerad at once, before the
    rest of the protokoll is drawn up and justerat (5 kap. 69 §); it is then a finished part
    of the protokoll: its utdrag is filed in the ärende, anslaget and expedierat with its
    paragraph number, and the beslut in the ärende is cited by it. So the number cannot wait
    for the protokoll to be drawn up (``genomfor``), and once given it is never changed:
    what was justerat, anslaget and sent says it.

    Which number: the protokoll's paragraphs follow the order the meeting handled them, the
    order of the föredragningslista, and are numbered in that order (as a nämndsekreterare
    reads the protokoll: § 41, § 42, § 43 down the pages). A later item justerad at once
    before an earlier one may not take a lower number than it, nor leave the earlier one a
    number after it. So every item before it on the list that has no number yet is numbered
    with it, in the list's order: each item on the list becomes a paragraph of this protokoll
    anyway (none is struck once the kallelse is sent, :func:`stryk_punkt`), and an item added
    later goes after them (:func:`lagg_till_punkt`). When the protokoll is drawn up
    (:func:`numrera_paragrafer`) the remaining items continue the organ's series: no number
    twice and none skipped in the series, though another meeting of the organ upprättad in
    between takes the numbers in between (the series is the organ's, not the meeting's).
    Under the lock on the sammanträde, as numrera_paragrafer."""
    plats = (punkt.ordning, punkt.pk)
    fore = [
        p
        for p in sammantrade.punkter.select_related("beslutet")
        .filter(paragraf__isnull=True)
        .order_by("ordning", "pk")
        if (p.ordning, p.pk) <= plats
    ]
    _numrera(fore, sammantrade, user=user, orsak=SammantradeSteg.JUSTERA_PARAGRAF)


def uppratta(sammantrade: Sammantrade, *, user) -> Sammantrade:
    """The meeting is over and the protokoll drawn up: the paragraphs are numbered."""
    with acting_as(user):
        return do_transition(sammantrade, SammantradeSteg.GENOMFOR, user)


def saknar_justering(sammantrade: Sammantrade) -> list[Person]:
    """The ordförande and justerare present who have not signed yet."""
    signerat = set(sammantrade.justeringar.values_list("person_id", flat=True))
    return [
        d.person
        for d in sammantrade.deltagare.select_related("person")
        if _ska_justera(d) and d.person_id not in signerat
    ]


def har_justerande(sammantrade: Sammantrade) -> bool:
    """KL 5 kap. 69 §, 6 kap. 35 §: the protokoll is justerat by the ordförande and a
    justerare. The närvaro names an ordförande present and a justerare present besides him;
    without them no signature could make it justerat, or one signature alone would."""
    narvarande = [d for d in sammantrade.deltagare.all() if d.narvarande]
    ordforande = {d.person_id for d in narvarande if d.roll == Deltagare.Roll.ORDFORANDE}
    justerare = {d.person_id for d in narvarande if d.justerare} - ordforande
    return bool(ordforande) and bool(justerare)


def _kräv_justerande(sammantrade: Sammantrade) -> None:
    """Refuse the first signature of a protokoll or paragraph nobody else could complete:
    once signing has begun the närvaro is fixed, so it is put right first."""
    if not har_justerande(sammantrade):
        raise ValidationError(
            _(
                "Närvaron har ingen närvarande ordförande och justerare. För in dem i närvaron "
                "innan protokollet justeras: det justeras av ordföranden och en justerare "
                "(kommunallagen 5 kap. 69 §)."
            ),
            code="utan_justerare",
        )


def justera(
    sammantrade: Sammantrade,
    *,
    user,
    version: int | None = None,
    tidpunkt: datetime.datetime | None = None,
):
    """The user signs the protokoll as the ordförande or a justerare. When the last one has
    signed, the protokoll is justerat (and so upprättat, TF 2 kap. 10 §): it is filed as a
    handling, with a protokollsutdrag in each ärende it decided."""
    with transaction.atomic(), acting_as(user):
        las(sammantrade, version=version)
        if not user.has_perm(JUSTERA, sammantrade):
            raise PermissionDenied(
                _("Du får inte justera protokollet från %(mote)s nu.") % {"mote": sammantrade}
            )
        _kräv_justerande(sammantrade)
        person = Person.objects.filter(anvandare=user).first()
        if person is None or person not in saknar_justering(sammantrade):
            raise ValidationError(
                _("Du är inte ordförande eller justerare som ännu inte har justerat."),
                code="inte_justerare",
            )
        tidpunkt = tidpunkt or timezone.now()
        diarium_services.kräv_skett(tidpunkt, _("Tidpunkten för justeringen"))
        if tidpunkt < sammantrade.borjar:
            raise ValidationError(
                _("Protokollet kan inte ha justerats före sammanträdet."), code="fore_motet"
            )
        justering = Justering(sammantrade=sammantrade, person=person, user=user, tidpunkt=tidpunkt)
        _spara(justering, user)
        if not saknar_justering(sammantrade):
            steg = "justera" if sammantrade.organ.anslar_protokoll else "justera_utan_anslag"
            do_transition(sammantrade, steg, user)
            arkivera_protokoll(sammantrade, user=user)
            # the justerat protokoll sealed outside the database once it is committed
            checkpoint.after_commit(f"justering av protokollet från {sammantrade}")
    return justering


def vid_justering(event) -> None:
    event.obj.justerat = event.obj.justeringar.aggregate(t=Max("tidpunkt"))["t"]


def _protokollfiler(laddat: Sammantrade, rattelse: Rattelse | None) -> list[dict]:
    """The whole protokoll as it reads now, and, when anything in it is masked (a secret item,
    a secret bilaga of an open one), the masked version beside it for the anslagstavla (OSL 5
    kap. 5 §): the code that masks decides, by whether the texts differ."""
    hela = dokument.protokoll(laddat)
    maskerat = dokument.protokoll(laddat, publik=True)
    rattad = rattelse.pk if rattelse else None
    mal = [arkivering.mal("protokollfil", hela, publik=False, rattelse=rattad)]
    if not maskerat.samma_innehall(hela):
        mal.append(arkivering.mal("protokollfil", maskerat, publik=True, rattelse=rattad))
    return mal


def arkivera_protokollfil(sammantrade: Sammantrade, *, user, rattelse: Rattelse | None = None):
    """File the whole justerat protokoll as a fixed document of the sammanträde (TF 2 kap.
    10 §: upprättat when justerat), also when the meeting has no diarieärende: as it reads at
    this step, in its next version, rendered once as PDF and stored with its SHA-256, off the
    request (arenden.dokument.arkivering). A rättelse in effect files the next version; the
    older ones are kept. A rättelse of an item with an ärende files, in the same filing, the
    rättat protokollsutdrag in that ärende (:func:`_rattat_utdrag`)."""
    laddat = dokument.med_allt(sammantrade)
    mal = _protokollfiler(laddat, rattelse)
    if rattelse is not None:
        mal += _rattat_utdrag(rattelse, laddat)
    return arkivering.bestall(
        sammantrade,
        arkivering.Arkivering.Slag.RATTELSE if rattelse else arkivering.Arkivering.Slag.PROTOKOLL,
        mal,
        user=user,
        version=arkivering.nasta_version(sammantrade),
    )


def maskeras_nu(sammantrade: Sammantrade) -> bool:
    """Is anything in the protokoll, as it reads now, masked for who may not read it all? A
    filed protokoll without a masked version beside it had nothing secret when it was filed;
    an ärende on its agenda marked secret since makes its whole file one to hand only to who
    may read it all."""
    laddat = dokument.med_allt(sammantrade)
    return not dokument.protokoll(laddat, publik=True).samma_innehall(dokument.protokoll(laddat))


def protokollfil_ar_intakt(rad: Protokollfil) -> bool:
    """Does the filed protokoll still have the checksum recorded when it was filed?"""
    return diarium_services.filens_summa(rad.fil) == rad.sha256


def arkivera_protokoll(sammantrade: Sammantrade, *, user):
    """File the justerat protokoll as it reads at justering: as a fixed document of the
    sammanträde (:func:`arkivera_protokollfil`), in the sammanträde's ärende when it has one
    (the same PDF, and a DOCX, marked with the secrecy of what it holds) and a protokollsutdrag
    in each ärende on the agenda, with checksums; one filing, made off the request."""
    laddat = dokument.med_allt(sammantrade)
    mal = _protokollfiler(laddat, None)
    if sammantrade.arende_id:
        hela = jobb.fran_data(mal[0]["dokument"])
        for format in ("pdf", "docx"):
            mal.append(
                arkivering.mal(
                    "handling",
                    hela,
                    arende=sammantrade.arende_id,
                    typ=Handling.Typ.PROTOKOLL,
                    lagrum=sekretess_i(sammantrade),
                    format=format,
                )
            )
    for punkt in laddat.punkter.all():
        if punkt.arende_id is None:
            continue
        mal.append(
            arkivering.mal(
                "handling",
                dokument.protokollsutdrag(punkt, sammantrade=laddat),
                arende=punkt.arende_id,
                typ=Handling.Typ.PROTOKOLLSUTDRAG,
                lagrum=punkt.sekretess_lagrum,
                format="pdf",
            )
        )
    return arkivering.bestall(
        sammantrade,
        arkivering.Arkivering.Slag.PROTOKOLL,
        mal,
        user=user,
        version=arkivering.nasta_version(sammantrade),
    )


def ansla(
    sammantrade: Sammantrade, *, user, dag: datetime.date | None = None, skal: str = ""
) -> Sammantrade:
    """Put the justerat protokoll on the digital anslagstavla (KL 8 kap. 12 §), today: ``dag``,
    when given (the page's form), is the day the caller means, and it must be today. The
    last day for laglighetsprövning follows from it (KL 13 kap. 5 §). ``skal``: why the
    anslag comes later than the law allows, when it does (it is kept in the history)."""
    with acting_as(user):
        return do_transition(sammantrade, SammantradeSteg.ANSLA, user, skal, data={"dag": dag})


def vid_anslag(event) -> None:
    """The day of anslag is the day the step is taken: the digital anslagstavla shows the
    protokoll from that moment, and the time for överklagande runs from that day (KL 13 kap.
    1, 5 §§). A day before would shorten that time and pass a late anslag off as one in time;
    a day to come is not a day it was put up. Later than KL 8 kap. 12 § allows (the second
    day after justering) it is still put up, since the time for överklagande runs only from
    it, but the sekreterare confirms it with the reason, which the history keeps."""
    idag = timezone.localdate()
    dag = event.data.get("dag") or idag
    if dag != idag:
        raise ValidationError(
            _(
                "Protokollet anslås den dag det sätts upp på anslagstavlan, i dag %(idag)s, "
                "inte %(dag)s: tiden för överklagande räknas från den dagen (KL 8 kap. 12 §, "
                "13 kap. 5 §)."
            )
            % {"idag": f"{idag:%Y-%m-%d}", "dag": f"{dag:%Y-%m-%d}"},
            code="fel_dag",
        )
    senast = event.obj.anslag_senast
    if senast and dag > senast and not event.comment.strip():
        raise ValidationError(
            _(
                "Sista dag för anslaget var %(senast)s (KL 8 kap. 12 §). Ska protokollet ändå "
                "anslås %(dag)s, skriv varför; skälet antecknas i historiken."
            )
            % {"senast": f"{senast:%Y-%m-%d}", "dag": f"{dag:%Y-%m-%d}"},
            code="sent_anslag",
        )
    event.obj.anslaget = dag


# -- omedelbar justering of a paragraph (KL 5 kap. 69 §, 6 kap. 35 §) ------------------------


def saknar_paragrafjustering(punkt: Punkt) -> list[Person]:
    """The ordförande and justerare present who have not signed the paragraph yet."""
    signerat = set(punkt.justeringar.values_list("person_id", flat=True))
    return [
        d.person
        for d in punkt.sammantrade.deltagare.select_related("person")
        if _ska_justera(d) and d.person_id not in signerat
    ]


def justera_paragraf(punkt: Punkt, *, user, version: int | None = None) -> Paragrafjustering:
    """The ordförande or a justerare signs one paragraph at once, at or right after the meeting
    (KL 5 kap. 69 §, 6 kap. 35 §), before the rest of the protokoll. With the first signature
    the paragraph gets its number, and keeps it (:func:`_numrera_fram_till`); with the last it
    is justerad: it can no longer be changed, the protokoll says so, and its utdrag, headed by
    its §, is filed in the ärende so that the beslut can be anslaget and expedierat."""
    with transaction.atomic(), acting_as(user):
        sammantrade = _sammantrade_for(punkt, version=version, justeras=True)
        punkt = Punkt.objects.select_related("arende").get(pk=punkt.pk)
        if (
            sammantrade.state not in (SammantradeStatus.KALLAT, SammantradeStatus.GENOMFORT)
            or sammantrade.justeringar.exists()
        ):
            raise ValidationError(
                _(
                    "En paragraf justeras omedelbart vid eller strax efter sammanträdet, innan "
                    "protokollet justeras."
                ),
                code="inte_nu",
            )
        if not sammantrade.har_borjat:
            raise ValidationError(_("Sammanträdet har inte börjat än."), code="fore_motet")
        if not punkt.utfall:
            raise ValidationError(
                _("Punkt %(n)s har inget beslut att justera.") % {"n": punkt.beteckning},
                code="utan_beslut",
            )
        _kräv_justerande(sammantrade)
        person = Person.objects.filter(anvandare=user).first()
        if person is None or person not in saknar_paragrafjustering(punkt):
            raise PermissionDenied(
                _("Bara ordföranden och justerarna justerar, var och en en gång.")
            )
        if punkt.paragraf is None:
            # the paragraph is justerad with its number (KL 5 kap. 70 §): given with the
            # first signature, kept by its utdrag, its anslag and its beslut
            _numrera_fram_till(punkt, sammantrade, user=user)
            punkt = Punkt.objects.select_related("arende").get(pk=punkt.pk)
        nu = timezone.now()
        signatur = Paragrafjustering(punkt=punkt, person=person, user=user, tidpunkt=nu)
        _spara(signatur, user)
        kvar = saknar_paragrafjustering(punkt)
        text = _("Punkt %(n)s justerad av %(vem)s.") % {"n": punkt.beteckning, "vem": person}
        if not kvar:
            punkt.omedelbart_justerad = nu
            text += " " + _("Paragrafen förklarades omedelbart justerad.")
            if sammantrade.organ.anslar_protokoll:
                # KL 8 kap. 12 §: its justering is tillkännagiven on the anslagstavla on its
                # own, the same day, well within the two days; the appeal time runs from it
                punkt.anslaget = timezone.localdate(nu)
                text += " " + _(
                    "Justeringen anslogs på anslagstavlan %(dag)s; sista dag för överklagande "
                    "är %(sista)s (kommunallagen 8 kap. 12 §, 13 kap. 5 §)."
                ) % {
                    "dag": f"{punkt.anslaget:%Y-%m-%d}",
                    "sista": f"{punkt.overklagande_senast:%Y-%m-%d}",
                }
            _spara(punkt, user, "justera_paragraf")
        do_transition(sammantrade, SammantradeSteg.JUSTERA_PARAGRAF, user, text)
        if not kvar and punkt.arende_id:
            mal = arkivering.mal(
                "handling",
                dokument.protokollsutdrag(punkt),
                arende=punkt.arende_id,
                typ=Handling.Typ.PROTOKOLLSUTDRAG,
                lagrum=punkt.sekretess_lagrum,
                format="pdf",
            )
            arkivering.bestall(sammantrade, arkivering.Arkivering.Slag.UTDRAG, [mal], user=user)
    return signatur


# -- rättelse (FL 36 §) ------------------------------------------------------------------------


def _kräv_rattelseforfattare(sammantrade: Sammantrade, user) -> None:
    """The nämndsekreterare, or the ordförande or a justerare who justerade the protokoll,
    may propose a rättelse."""
    if roles.NAMNDSEKRETERARE in workflow_roles.roles_in_context(user, sammantrade.organ):
        return
    if any(
        j.person.anvandare_id == user.pk for j in sammantrade.justeringar.select_related("person")
    ):
        return
    raise PermissionDenied(
        _(
            "Bara nämndsekreteraren, ordföranden och justerarna får föreslå en rättelse av "
            "protokollet från %(mote)s."
        )
        % {"mote": sammantrade}
    )


def _var(rattelse: Rattelse) -> str:
    if rattelse.punkt_id is None:
        return ""
    return _("Rättelse under %(punkt)s: ") % {"punkt": rattelse.punkt.beteckning}


def _i_historiken(rattelse: Rattelse) -> str:
    """What the sammanträde's history says of the rättelse: where and what; of a secret
    paragraph only where and under which lagrum. Everyone who reads the meeting reads its
    history (the API, the granskningslogg); the text itself is the rättelse's, shown to who
    may read the paragraph (OSL 5 kap. 5 §)."""
    punkt = rattelse.punkt
    if punkt is not None and punkt.ar_sekretess:
        text = _("Rättelsen omfattas av sekretess enligt %(lagrum)s.") % {
            "lagrum": punkt.arende.sekretess_lagrum
        }
    else:
        text = rattelse.text
    return f"{_var(rattelse)}{text}"


def foresla_rattelse(
    sammantrade: Sammantrade,
    *,
    user,
    version: int | None = None,
    text: str,
    punkt: Punkt | None = None,
) -> Rattelse:
    """Propose a correction of a justerat protokoll (FL 36 §: an obvious mistake in a beslut
    may be corrected). The user is its author; it takes effect only when the ordförande and
    the justerare who justerade the protokoll have signed it (:func:`signera_rattelse`), each
    step a link in the sammanträde's hash-chained history."""
    if not sammantrade.justerat:
        raise ValidationError(_("Protokollet är inte justerat; ändra i det i stället."))
    _kräv_rattelseforfattare(sammantrade, user)
    if not text.strip():
        raise ValidationError(_("Skriv vad rättelsen gäller."))
    if punkt is not None and punkt.sammantrade_id != sammantrade.pk:
        raise ValidationError(
            _("Punkten hör till ett annat sammanträde än %(mote)s.") % {"mote": sammantrade}
        )
    if punkt is None and sammantrade.arendeparagrafer().exists():
        # a rättelse of the whole protokoll reaches no ärende: the one of a beslut names its
        # paragraph, so that the ärende records it, files the rättat utdrag and tells who got
        # the beslut (FL 36 §, :func:`_fora_in_i_arendet`)
        raise ValidationError(
            _(
                "Ange vilken paragraf rättelsen gäller. Protokollet från %(mote)s har beslut "
                "i ärenden, och en rättelse av ett beslut (FL 36 §) förs in i ärendet under "
                "sin paragraf."
            )
            % {"mote": sammantrade},
            code="paragraf_saknas",
        )
    with transaction.atomic(), acting_as(user):
        andras(sammantrade, version=version)
        rattelse = Rattelse(
            sammantrade=sammantrade,
            punkt=punkt,
            text=text.strip(),
            user=user,
            tidpunkt=timezone.now(),
        )
        _spara(rattelse, user)
        do_transition(
            sammantrade,
            SammantradeSteg.FORESLA_RATTELSE,
            user,
            _("Rättelse föreslagen av %(vem)s. %(rattelse)s")
            % {"vem": rattelse.forfattare, "rattelse": _i_historiken(rattelse)},
        )
    return rattelse


def _rattat_utdrag(rattelse: Rattelse, laddat: Sammantrade) -> list[dict]:
    """The utdrag of the rättat paragraph, to file in its ärende as a new handling that says it
    is rättat: as :func:`arkivera_protokoll` files the first one (the same document, marked with
    the item's secrecy), never in place of it; both are the ärende's records."""
    punkt = rattelse.punkt
    if punkt is None or punkt.arende_id is None:
        return []
    return [
        arkivering.mal(
            "handling",
            dokument.protokollsutdrag(punkt, sammantrade=laddat, rattad=rattelse.giltig),
            arende=punkt.arende_id,
            typ=Handling.Typ.PROTOKOLLSUTDRAG,
            lagrum=punkt.sekretess_lagrum,
            format="pdf",
        )
    ]


def _fora_in_i_arendet(rattelse: Rattelse, sammantrade: Sammantrade, *, user) -> None:
    """The rättelse in effect, in the ärende of its item: a step of the ärende's hash-chained
    history (*Rättelse av beslut*) with the rättelse as comment, taken by who signed last.
    Its rättat utdrag is filed with the protokoll (:func:`_rattat_utdrag`); who got the beslut
    before is sent it (arenden.handlaggning.services.skicka_rattelse).

    ``Beslut.text`` is left as it was: a justerat protokoll is never changed, a rättelse (FL
    36 §) is a record of its own beside it, and the Rattelse carries what was wrong and how it
    reads, not a replacement text for the beslut. Rewriting the Beslut row would lose what the
    beslut said when it was justerat and expedierat; the rättat utdrag and this step are
    where the ärende reads the correction."""
    punkt = rattelse.punkt
    if punkt is None or punkt.arende_id is None:
        return
    arende = Arende.objects.get(pk=punkt.arende_id)
    steg = registry.workflow_for(arende).transitions[ArendeSteg.RATTELSE]
    if arende.state not in steg.sources:
        # makulerat: registered by mistake, never decided, so never an item of a protokoll
        return
    do_transition(
        arende,
        ArendeSteg.RATTELSE,
        user,
        _("Beslutet under § %(n)s i protokollet från %(mote)s är rättat (FL 36 §): %(text)s")
        % {"n": punkt.beteckning, "mote": sammantrade, "text": rattelse.text},
    )


def _las_arendet(rattelse: Rattelse) -> None:
    """Lock the ärende of the rättelse's item, if it has one, until the caller's transaction
    ends, before the rättelse is dated (``giltig``). Who is owed the rättat utdrag is who was
    sent the beslut before that moment (``Mottagare.expedierad < Rattelse.giltig``,
    arenden.handlaggning.services.fick_fore_rattelsen), and an expediering dates its sending
    under this lock (``expediera_till``, by ``diarium.services.andras``): so one in flight
    commits first and is dated before the rättelse, and one after it waits for the rättelse
    and is dated after. Taken after the sammanträde's lock, as every step of the meeting
    that touches an ärende takes them (:func:`_beslut_i_arendet`); the expediering locks the
    ärende only, and never the sammanträde, so the two cannot wait for each other. Only the
    row is locked (as ``diarium.services._låst``): the ärende's version moves with what the
    rättelse then records in it (:func:`_fora_in_i_arendet`)."""
    if rattelse.punkt_id is None:
        return
    arende_id = Punkt.objects.filter(pk=rattelse.punkt_id).values_list("arende_id", flat=True)
    list(Arende.objects.select_for_update().filter(pk__in=arende_id).values_list("pk"))


def saknar_signatur(rattelse: Rattelse) -> list[Person]:
    """Those who justerade the protokoll and have not signed the rättelse yet."""
    signerat = set(rattelse.signaturer.values_list("person_id", flat=True))
    return [
        j.person
        for j in rattelse.sammantrade.justeringar.select_related("person")
        if j.person_id not in signerat
    ]


def signera_rattelse(rattelse: Rattelse, *, user, version: int | None = None) -> Rattelsesignatur:
    """The ordförande or a justerare signs a proposed rättelse. With the last signature it
    takes effect: the protokoll prints it and is filed anew, the older file kept."""
    with transaction.atomic(), acting_as(user):
        sammantrade = rattelse.sammantrade
        las(sammantrade, version=version)
        rattelse.refresh_from_db()
        if rattelse.giltig is not None:
            raise ValidationError(
                _("Rättelsen är redan signerad och gäller."), code="redan_signerad"
            )
        person = Person.objects.filter(anvandare=user).first()
        kvar = saknar_signatur(rattelse)
        if person is None or person not in kvar:
            raise PermissionDenied(
                _(
                    "Bara ordföranden och justerarna som justerade protokollet signerar "
                    "rättelsen, var och en en gång."
                )
            )
        if kvar == [person]:
            # the last signature: the rättelse takes effect at its moment, so that moment is
            # taken under the ärende's lock (:func:`_las_arendet`)
            _las_arendet(rattelse)
        signatur = Rattelsesignatur(
            rattelse=rattelse, person=person, user=user, tidpunkt=timezone.now()
        )
        _spara(signatur, user)
        if saknar_signatur(rattelse):
            do_transition(
                sammantrade,
                SammantradeSteg.SIGNERA_RATTELSE,
                user,
                _("Rättelsen föreslagen %(tid)s signerad av %(vem)s.")
                % {"tid": f"{timezone.localtime(rattelse.tidpunkt):%Y-%m-%d %H:%M}", "vem": person},
            )
        else:
            rattelse.giltig = signatur.tidpunkt
            _spara(rattelse, user, "ratta")
            # the protokoll now says something else: a page read before is stale
            _ny_version(sammantrade)
            do_transition(sammantrade, SammantradeSteg.RATTA, user, _i_historiken(rattelse))
            _fora_in_i_arendet(rattelse, sammantrade, user=user)
            arkivera_protokollfil(sammantrade, user=user, rattelse=rattelse)
            checkpoint.after_commit(f"rättelse av protokollet från {sammantrade}")
    return signatur
