"""The one-year clock of KL 5 kap. 35 §: an ärende väckt by motion or medborgarförslag is to
be berett so that fullmäktige can decide within a year of when it was väckt; if it cannot, this
and what the beredning has found are anmälda to fullmäktige within the same year, and
fullmäktige may then avskriva it from further handling."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.diarium.models import Arende, ArendeRelation
from arenden.diarium.services import kräv_skett, registrera_arende
from arenden.motion.models import TYPER, Motion
from arenden.organisation.models import Organ
from flows.namn import ArendeArbetslista, ArendeStatus
from workflow.context import acting_as
from workflow.engine import worklist

#: where the ärende is decided or closed: the clock has stopped, unless the matter was handed
#: on and is still open where it went on (:func:`fristen_lopar`)
AVGJORDA = (
    ArendeStatus.BESLUTAT,
    ArendeStatus.EXPEDIERAT,
    ArendeStatus.BEVAKAS,
    ArendeStatus.AVSLUTAT,
    ArendeStatus.AVSKRIVET,
    ArendeStatus.MAKULERAT,
)

#: how far :func:`fristen_lopar` follows a matter handed on (a nämnd's förslag to the
#: styrelse, the styrelse's to fullmäktige, and a step to spare)
KEDJA = 4


def fristen_lopar(arende: str = "arende", *, djup: int = KEDJA) -> Q:
    """The motion's clock runs (KL 5 kap. 35 §): its ärende is not decided or closed
    (:data:`AVGJORDA`), or it was closed after it was handed on with a förslag (*överlämnat*,
    flows.arende.FORTSATTER_I_ANNAT_ORGAN) and the matter is still open where it went on, the
    diarium of the styrelse or fullmäktige, where fullmäktige decides it (flows.arende.
    MOTION_AV_FULLMAKTIGE). ``arende``: the path to the ärende from the model filtered (a
    :class:`Motion`: ``"arende"``; an :class:`Arende`: ``""``). No query of its own: a
    filter for the caller's."""
    prefix = f"{arende}__" if arende else ""
    q = ~Q(**{f"{prefix}state__in": AVGJORDA})
    if djup:
        vidare = ArendeRelation.objects.filter(
            fristen_lopar("till", djup=djup - 1),
            fran_id=OuterRef(f"{prefix}pk"),
            typ=ArendeRelation.Typ.FORTSATTER_I,
        )
        q |= Exists(vidare)
    return q


def fristen_lopar_for(arende: Arende) -> bool:
    """:func:`fristen_lopar` asked of one ärende: no query while it is not decided or closed."""
    if arende.state not in AVGJORDA:
        return True
    return Arende.objects.filter(fristen_lopar(""), pk=arende.pk).exists()


#: KL 5 kap. 35 §: when no later meeting of fullmäktige is planned, the next one is assumed to
#: lie this far after the one being called (fullmäktige meets about every other month)
ANTAGET_MOTESAVSTAND = datetime.timedelta(days=61)


def sista_dag(vackt: datetime.date) -> datetime.date:
    """KL 5 kap. 35 §: the last day fullmäktige can decide within a year of the day the
    motion or medborgarförslag was väckt: the same date next year; a 29 February gives
    28 February."""
    try:
        return vackt.replace(year=vackt.year + 1)
    except ValueError:  # 29 February, and next year is no leap year
        return vackt.replace(year=vackt.year + 1, day=28)


def dagar_kvar(vackt: datetime.date, idag: datetime.date | None = None) -> int:
    """Days from today to :func:`sista_dag`; negative when the year has run out."""
    return (sista_dag(vackt) - (idag or timezone.localdate())).days


def registrera(
    *,
    user,
    organ: Organ,
    arendemening: str,
    typ: str,
    fullmaktige: Organ,
    vackt: datetime.date,
    ledamot=None,
    namn: str = "",
    parti: str = "",
    vackt_vid=None,
    **falt,
) -> Arende:
    """Register an ärende väckt by motion (KL 5 kap. 22 §: by a ledamot of fullmäktige) or by
    medborgarförslag (KL 8 kap. 1 §: by someone registered in the kommun or region), with when
    and by whom it was väckt: what the one-year clock of KL 5 kap. 35 § runs from."""
    if typ not in TYPER:
        raise ValidationError(
            _("Bara motioner och medborgarförslag har väckandedag."), code="inte_motion"
        )
    if vackt is None:
        raise ValidationError(_("Ange dagen då ärendet väcktes."), code="vackt")
    kräv_skett(vackt, _("Dagen ärendet väcktes"))
    if fullmaktige is None or fullmaktige.typ != Organ.Typ.FULLMAKTIGE:
        raise ValidationError(_("Välj det fullmäktige där ärendet väcktes."), code="fullmaktige")
    namn = (namn or "").strip()
    if typ == Arende.Typ.MOTION and ledamot is None and not namn:
        raise ValidationError(
            _("Ange ledamoten som väckte motionen (kommunallagen 5 kap. 22 §)."), code="vackt_av"
        )
    if typ == Arende.Typ.MEDBORGARFORSLAG:
        ledamot = None
        if not namn:
            raise ValidationError(_("Ange förslagsställarens namn."), code="vackt_av")
    if vackt_vid is not None and (vackt_vid.organ_id != fullmaktige.pk or vackt_vid.datum != vackt):
        raise ValidationError(
            _("Sammanträdet där ärendet väcktes ska vara det fullmäktige och den dag som angetts."),
            code="vackt_vid",
        )
    with transaction.atomic(), acting_as(user):
        arende = registrera_arende(
            user=user, organ=organ, arendemening=arendemening, typ=typ, **falt
        )
        motion = Motion(
            arende=arende,
            fullmaktige=fullmaktige,
            vackt=vackt,
            vackt_vid=vackt_vid,
            ledamot=ledamot,
            namn=namn,
            parti=(parti or "").strip(),
        )
        motion._history_user = user
        motion.save()
    return arende


#: the registration form's fields that only a motion or medborgarförslag has
FORMULARFALT = ("vackt", "fullmaktige", "ledamot", "vackt_av", "parti")


def registrera_fran_formular(*, user, **falt) -> Arende:
    """Register what the registration form (the page's, and the API's which is the same)
    accepted: a motion or medborgarförslag with when and by whom it was väckt
    (:func:`registrera`), any other ärende without those fields."""
    falt = {k: v for k, v in falt.items() if v not in ("", None)}
    motion = {k: falt.pop(k) for k in FORMULARFALT if k in falt}
    if falt.get("typ") in TYPER:
        motion["namn"] = motion.pop("vackt_av", "")
        return registrera(user=user, **motion, **falt)
    return registrera_arende(user=user, **falt)


def oppna(user):
    """The open motioner and medborgarförslag ``user`` may see, the one whose year runs out
    first at the top. One query, whatever their number."""
    return (
        Motion.objects.filter(
            fristen_lopar(),
            arende__in=worklist(user, ArendeArbetslista.ALLA_ARENDEN).values("pk"),
        )
        .select_related(
            "arende__organ", "fullmaktige", "ledamot", "anmald_punkt__sammantrade__organ"
        )
        .order_by("vackt", "pk")
    )


def horisont(sammantrade) -> datetime.date:
    """The day of fullmäktige's next meeting after ``sammantrade``: the planned one, else the
    meeting's day plus :data:`ANTAGET_MOTESAVSTAND`."""
    from arenden.sammantraden.models import Sammantrade

    nasta = (
        Sammantrade.objects.filter(organ_id=sammantrade.organ_id, datum__gt=sammantrade.datum)
        .order_by("datum")
        .values_list("datum", flat=True)
        .first()
    )
    return nasta or sammantrade.datum + ANTAGET_MOTESAVSTAND


def att_anmala(sammantrade, *, las: bool = False) -> list[Motion]:
    """KL 5 kap. 35 § second sentence: the open motioner and medborgarförslag of the
    fullmäktige that meets, not yet anmälda, whose year runs out before fullmäktige's next
    meeting (:func:`horisont`) could decide them. They must be anmälda at this one.
    ``las``: read under the motioner's row locks (:func:`anmal_till`)."""
    if sammantrade.organ.typ != Organ.Typ.FULLMAKTIGE:
        return []
    grans = horisont(sammantrade)
    oppna_har = (
        Motion.objects.filter(
            fristen_lopar(), fullmaktige_id=sammantrade.organ_id, anmald_punkt__isnull=True
        )
        .select_related("arende")
        .order_by("vackt", "pk")
    )
    if las:
        oppna_har = oppna_har.select_for_update(of=("self",))
    return [m for m in oppna_har if sista_dag(m.vackt) < grans]


def anmal_till(sammantrade, *, user):
    """When the kallelse to fullmäktige goes out, a standing item lists the motioner and
    medborgarförslag that cannot be berett within their year (:func:`att_anmala`), once. Each
    is anmält where that item stands, once the protokoll is justerat (:func:`anmalt_vid`).
    Two meetings kallade at once list each once: the second waits at the motioner's row
    locks and then finds them anmälda."""
    from arenden.sammantraden.models import Punkt
    from arenden.sammantraden.staende import lagg_till_staende_punkt

    motioner = att_anmala(sammantrade, las=True)
    if not motioner:
        return None
    punkt = lagg_till_staende_punkt(
        sammantrade,
        Punkt.Typ.ANMALAN_MOTIONER,
        _("Anmälan av motioner och medborgarförslag som inte har beretts färdigt"),
        user=user,
    )
    if punkt is None:
        return None
    punkt.beskrivning = anmalan_text(motioner)
    punkt._history_user = user
    punkt.save(update_fields=["beskrivning"])
    for motion in motioner:
        motion.anmald_punkt = punkt
        motion._history_user = user
        motion.save(update_fields=["anmald_punkt"])
    return punkt


def anmalan_text(motioner) -> str:
    """What the standing item says of the motioner it anmäler: each by its diarienummer and
    its public rubrik as it reads now (a motion marked secret since the kallelse is named by
    its marking in a protokoll drawn up later, OSL 5 kap. 5 §), and the day it was väckt.
    The item keeps the text as the kallelse said it; the documents read it anew
    (arenden.dokument.services)."""
    return _(
        "Ärenden som inte kan beredas så att fullmäktige kan besluta inom ett år från att de "
        "väcktes (kommunallagen 5 kap. 35 §):"
    ) + "".join(
        f"\n{m.arende.diarienummer} {m.arende.publik_rubrik}, "
        + _("väckt %(vackt)s") % {"vackt": f"{m.vackt:%Y-%m-%d}"}
        for m in motioner
    )


def anmalt_vid(motion: Motion):
    """Where the motion was anmält under KL 5 kap. 35 §: the item of a justerat protokoll,
    else None."""
    punkt = motion.anmald_punkt
    if punkt is None or punkt.sammantrade.justerat is None:
        return None
    return punkt


def for_sidan(arende: Arende) -> dict | None:
    """What the ärende page shows of a motion or medborgarförslag: who väckte it when, the
    last day of its year (KL 5 kap. 35 §), days left, and where it was anmält. No
    query for other ärenden."""
    if arende.typ not in TYPER:
        return None
    motion = (
        Motion.objects.filter(arende=arende)
        .select_related(
            "fullmaktige",
            "ledamot",
            "vackt_vid",
            "anmald_punkt__sammantrade__organ",
        )
        .first()
    )
    if motion is None:
        return None
    sista = sista_dag(motion.vackt)
    kvar = dagar_kvar(motion.vackt)
    return {
        "motion": motion,
        "sista": sista,
        "kvar": kvar,
        "over": -kvar,
        "forsenad": kvar < 0 and fristen_lopar_for(arende),
        "anmald": anmalt_vid(motion),
    }
