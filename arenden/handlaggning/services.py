"""The handläggning's operations: tilldela, tjänsteskrivelse, beslut, sändlista, expediering,
återrapportering, bevakning. Each is a transaction; state changes go through the engine."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.diarium.models import Arende, Handling
from arenden.diarium.services import (
    andras,
    arkivera_handling,
    kontrollera_behorighet,
    kräv_skett,
    sekretessmarkering,
)
from arenden.dokument import services as dokument
from arenden.gemensamt import utskick
from arenden.handlaggning.models import (
    Beredningsansvarig,
    Beslut,
    Mottagare,
    Rattelseexpediering,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.organisation import roles
from arenden.organisation.models import Enhet, Person
from flows.arende import BESLUTET_JUSTERAT, SANDLISTAN_SKICKAD, rattelser_i_kraft
from flows.namn import ArendeArbetslista, ArendeStatus, ArendeSteg
from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import do_transition, worklist


def tilldela(
    arende: Arende,
    *,
    handlaggare,
    beredningsansvariga=(),
    user,
    kommentar="",
    version: int | None = None,
) -> Arende:
    """The stabschef assigns a handläggare and names the beredningsansvariga (person, part);
    each gets a local role on the ärende, then the ärende moves to *tilldelat*. ``version``:
    what the stabschef's form carried (see :func:`andras`).

    An ärende assigned again after Återöppna keeps who prepared it the first time: a person
    named then and now keeps their row, with the part given now (the change is in its
    history); the others named now follow them in order."""
    namngivna = [person.pk for person, _del in beredningsansvariga]
    if len(set(namngivna)) != len(namngivna):
        raise ValidationError(
            _("Samma person är namngiven två gånger bland beredningsansvariga."),
            code="beredningsansvarig_tva_ganger",
        )
    with transaction.atomic(), acting_as(user):
        # who may assign is the step's guard, asked by the engine below
        last = andras(arende, version=version)
        last.handlaggare = handlaggare
        last._history_user = user
        last.save(update_fields=["handlaggare"])
        workflow_roles.grant(arende, roles.HANDLAGGARE, user=handlaggare, granted_by=user)
        tidigare = {b.person_id: b for b in Beredningsansvarig.objects.filter(arende_id=arende.pk)}
        ordning = max((b.ordning for b in tidigare.values()), default=-1)
        for person, del_i_beredningen in beredningsansvariga:
            rad = tidigare.get(person.pk)
            if rad is None:
                ordning += 1
                Beredningsansvarig.objects.create(
                    arende=arende,
                    person=person,
                    del_i_beredningen=del_i_beredningen,
                    ordning=ordning,
                )
            elif rad.del_i_beredningen != del_i_beredningen:
                rad.del_i_beredningen = del_i_beredningen
                rad.save(update_fields=["del_i_beredningen"])
            if person.anvandare_id:
                workflow_roles.grant(
                    arende, roles.BEREDNINGSANSVARIG, user=person.anvandare, granted_by=user
                )
        # last, so that a refused assignment leaves nothing of the above behind
        do_transition(arende, ArendeSteg.TILLDELA, user, kommentar)
        meddela(
            [handlaggare, *(p.anvandare for p, _del in beredningsansvariga)],
            TILLDELNING,
            {
                "arende": arende.pk,
                "vem": user.get_full_name() or user.get_username(),
                "handlaggare": handlaggare.get_full_name() or handlaggare.get_username(),
            },
        )
    return arende


#: the mall of the e-mail :func:`tilldela` sends (:func:`tilldelningens_brev`)
TILLDELNING = "arenden.handlaggning.services.tilldelningens_brev"


def tilldelningens_brev(data: dict) -> utskick.Brev:
    """The e-mail telling who was assigned the ärende ``data["arende"]``, as it reads now:
    its diarienummer and public rubrik (e-mail leaves the system: never the mening of a secret
    ärende, OSL 5 kap. 5 §; made again if the ärende is marked before it leaves)."""
    arende = Arende.objects.get(pk=data["arende"])
    return utskick.Brev(
        amne=_("Du har fått ärendet %(nummer)s") % {"nummer": arende.diarienummer},
        text=_("%(vem)s har tilldelat %(nummer)s %(rubrik)s. Handläggare: %(handlaggare)s.")
        % {
            "vem": data["vem"],
            "nummer": arende.diarienummer,
            "rubrik": arende.publik_rubrik,
            "handlaggare": data["handlaggare"],
        },
        arenden=[arende.pk],
    )


def meddela(anvandare, mall: str, data: dict, bilaga: tuple | None = None) -> None:
    """E-mail the users who have an address (blind copies) through the outbox
    (:mod:`arenden.gemensamt.utskick`): written with the step, sent once it commits; a step that is
    rolled back tells nobody. ``mall`` (a dotted path) makes the text of ``data`` and names the
    ärenden it is about (:func:`arenden.gemensamt.utskick.lagg_i_utskick`), so that it is made
    again, masked, if one of them is marked before it leaves. ``bilaga`` is (filename,
    content, media type). Never secret content: the row is kept and the e-mail leaves the
    system (OSL)."""
    adresser = sorted({u.email for u in anvandare if u is not None and u.email})
    if adresser:
        utskick.lagg_i_utskick(mall=mall, data=data, dold_kopia=adresser, bilaga=bilaga)


def spara_tjansteskrivelse(
    arende: Arende, *, user, version: int | None = None, **falt
) -> Tjansteskrivelse:
    """Write the tjänsteskrivelse (the fields of ``Tjansteskrivelse``: datum, forfattare,
    enhet and the text sections); only who the state lets edit it (handläggare and
    beredningsansvariga, while the ärende is being prepared).

    ``version``: the ärende's version the writer's form was read at (:func:`andras`). When
    someone else has changed the ärende since, the tjänsteskrivelse included, nothing is
    written and the writer is told what, who and when: the last save never silently wins."""
    kontrollera_behorighet(
        user, "arenden.change_tjansteskrivelse", arende, _("ändra tjänsteskrivelsen")
    )
    tillatna = {f.name for f in Tjansteskrivelse._meta.concrete_fields} - {"id", "arende"}
    okanda = set(falt) - tillatna - {"enhet_id", "forfattare_id"}
    if okanda:
        raise ValidationError(
            _("Okända fält i tjänsteskrivelsen: %(falt)s") % {"falt": ", ".join(sorted(okanda))}
        )
    with transaction.atomic(), acting_as(user):
        andras(
            arende,
            user=user,
            perm="arenden.change_tjansteskrivelse",
            vad=_("ändra tjänsteskrivelsen"),
            version=version,
        )
        skrivelse = Tjansteskrivelse.objects.filter(arende=arende).first()
        if skrivelse is None:
            falt.setdefault("datum", timezone.localdate())
            skrivelse = Tjansteskrivelse(arende=arende)
        for namn, varde in falt.items():
            setattr(skrivelse, namn, varde)
        skrivelse._history_user = user
        skrivelse.full_clean(exclude=["arende"])
        skrivelse.save()
    return skrivelse


def arkivera_tjansteskrivelse(arende: Arende, *, user, version: int | None = None) -> Handling:
    """File the tjänsteskrivelse, as it reads now, as a PDF handling in the ärende. It is under
    arbete until the ärende is expedierat or slutbehandlat (TF 2 kap. 10 §). ``version``: what
    the page carried (see :func:`andras`): what is filed is the text its sender read, or
    nothing."""
    vad = _("arkivera tjänsteskrivelsen")
    kontrollera_behorighet(user, "arenden.change_tjansteskrivelse", arende, vad)
    with transaction.atomic():
        arende = andras(
            arende, user=user, perm="arenden.change_tjansteskrivelse", vad=vad, version=version
        )
        if not Tjansteskrivelse.objects.filter(arende=arende).exists():
            raise ValidationError(_("Ärendet har ingen tjänsteskrivelse ännu."), code="saknas")
        # drawn up from the ärende's content: as secret as the ärende or the secret underlag it
        # lists
        return arkivera_handling(
            arende,
            user=user,
            typ=Handling.Typ.TJANSTESKRIVELSE,
            **dokument.som_upprattad_handling(dokument.tjansteskrivelse(arende), arende),
            **sekretessmarkering(dokument.tjansteskrivelsens_sekretess(arende), user),
        )


#: the longest motivering of a change to the sändlista (the form's limit too)
MOTIVERING_MAX = 2000


def satt_sandlista(
    arende: Arende, mottagare, *, user, version: int | None = None, motivering: str = ""
) -> list[Mottagare]:
    """Set "Beslutet expedieras till": each entry a Person, an Enhet, a (Person, Enhet) pair
    or an address. While the ärende is prepared, and while the beslut is expedierat (by who
    expedierar it); entries already sent to are kept. ``version``: what the form carried
    (see :func:`andras`).

    Once the beslut is taken, the list is who is to be told of it (FL 33 §): taking someone
    off it then needs a ``motivering``, kept whole with the removal in the recipient's field
    history (and with the step, when it completes the expediering)."""
    kontrollera_behorighet(user, "arenden.change_sandlista", arende, _("ändra sändlistan"))
    rader = []
    # a line break counts once, as the form's limit counts it (a browser sends CR LF)
    motivering = motivering.replace("\r\n", "\n").strip()
    if len(motivering) > MOTIVERING_MAX or "\x00" in motivering:
        raise ValidationError(
            _("Motiveringen får ha högst %(n)d tecken och inga nolltecken.")
            % {"n": MOTIVERING_MAX},
            code="motivering_lang",
        )
    with transaction.atomic(), acting_as(user):
        last = andras(
            arende,
            user=user,
            perm="arenden.change_sandlista",
            vad=_("ändra sändlistan"),
            version=version,
        )
        for ordning, adressat in enumerate(mottagare):
            rad = Mottagare(arende=arende, ordning=ordning)
            if isinstance(adressat, tuple):
                rad.person, rad.enhet = adressat
            elif isinstance(adressat, Person):
                rad.person = adressat
            elif isinstance(adressat, Enhet):
                rad.enhet = adressat
            else:
                rad.adress = str(adressat).strip()
            rad._history_user = user
            rad.full_clean(exclude=["arende"])
            rader.append(rad)
        kvar = {_vem(rad) for rad in rader}
        ej_skickade = list(arende.mottagare.filter(expedierad=None))
        bort = [rad for rad in ej_skickade if _vem(rad) not in kvar]
        beslutat = last.state == ArendeStatus.BESLUTAT
        if bort and beslutat and not motivering:
            raise ValidationError(
                _(
                    "Beslutet är fattat och ska skickas till dem som står på sändlistan "
                    "(förvaltningslagen 33 §). Skriv varför den som tas bort inte ska få det."
                ),
                code="motivering",
            )
        for rad in ej_skickade:  # set anew: the unsent rows go, the list's rows come
            rad._history_user = user
            if rad in bort and motivering:
                rad._change_reason = motivering
            rad.delete()
        for rad in rader:
            rad.save()
        if beslutat and expediering_klar(arende):
            # the unsent recipients removed while the beslut is expedierat: everyone left on
            # the list has it, so the expediering is complete, as when the last one is sent to
            # (expediera_till), under the same lock. Else the ärende stays beslutat with
            # nobody left to send to and no way on
            do_transition(arende, ArendeSteg.EXPEDIERA, user, motivering)
    return rader


def _vem(rad: Mottagare) -> tuple:
    """Who a row of the sändlista names, whatever its place on the list."""
    return (rad.person_id, rad.enhet_id, rad.adress)


def inte_justerat(arende: Arende) -> str:
    """Why the beslut may not be sent yet ("" when it may): its protokoll is not justerat."""
    return BESLUTET_JUSTERAT.unmet(arende) or ""


def expediering_klar(arende: Arende) -> bool:
    """Everyone on the sändlista has the newest beslut, and someone is on it: the
    expediering is done (the step's own requirements)."""
    return BESLUTET_JUSTERAT.check(arende) and SANDLISTAN_SKICKAD.check(arende)


def _kräv_efter_beslutet(beslut: Beslut, tidpunkt: datetime.datetime) -> None:
    """Refuse an expediering dated before the beslut could leave the house: the record would
    say it was sent before it existed. A beslut of a meeting may be sent once its protokoll is
    justerat, or its paragraph justerad at once (KL 5 kap. 69 §, 6 kap. 35 §; before that it
    may not be verkställt, KL 13 kap. 14 §); one taken on the nämnd's behalf (KL 6 kap. 37,
    39 §§) from the day it was taken. The caller has checked that the beslut may be sent
    (:func:`inte_justerat`)."""
    from arenden.sammantraden.models import Punkt

    if beslut.slag in Beslut.PA_NAMNDENS_VAGNAR:
        forst = timezone.make_aware(datetime.datetime.combine(beslut.datum, datetime.time.min))
        nar = _("beslutet fattades %(dag)s") % {"dag": f"{beslut.datum:%Y-%m-%d}"}
    else:
        omedelbart = (
            Punkt.objects.filter(beslutet=beslut)
            .values_list("omedelbart_justerad", flat=True)
            .first()
        )
        justerat = beslut.sammantrade.justerat if beslut.sammantrade else None
        if omedelbart is not None and (justerat is None or omedelbart < justerat):
            forst, vad = omedelbart, _("paragrafen justerades omedelbart")
        else:
            forst, vad = justerat, _("protokollet justerades")
        nar = f"{vad} {timezone.localtime(forst):%Y-%m-%d %H.%M}"
    if tidpunkt < forst:
        raise ValidationError(
            _("Beslutet kan inte ha expedierats %(tid)s: det kunde skickas först när %(nar)s.")
            % {"tid": f"{timezone.localtime(tidpunkt):%Y-%m-%d %H.%M}", "nar": nar},
            code="fore_beslutet",
        )


def expediera_till(
    mottagare: Mottagare,
    *,
    user,
    metod: str,
    tidpunkt: datetime.datetime | None = None,
    version: int | None = None,
) -> Mottagare:
    """Record that the beslut was sent to one recipient. When the last one on the list has
    been sent to, the ärende becomes *expedierat* (and, if the beslut gave uppdrag, goes on to
    *bevakas*: the lifecycle's automatic step). The ärende is locked first, so that two people
    sending to the last two recipients at once cannot both miss that the list is done.
    ``tidpunkt``: when it was sent, if not now; never in the future, nor before the beslut
    could be sent (:func:`_kräv_efter_beslutet`). ``version``: what the form carried (see
    :func:`andras`)."""
    if metod not in Mottagare.Metod.values:
        raise ValidationError(_("Okänt sätt att expediera: %(metod)s") % {"metod": metod})
    kräv_skett(tidpunkt, _("Tidpunkten för expedieringen"))
    with transaction.atomic(), acting_as(user):
        arende = mottagare.arende
        andras(
            arende,
            user=user,
            perm="arenden.expediera_arende",
            vad=_("expediera beslutet"),
            version=version,
        )
        if vantar := inte_justerat(arende):
            # the step's own requirement, asked before any recipient is sent the beslut
            raise ValidationError(
                _("Beslutet kan inte expedieras: %(vad)s.") % {"vad": vantar},
                code="inte_justerat",
            )
        kräv_utdraget_diariefort(arende)
        beslut = (
            Beslut.objects.filter(arende_id=arende.pk)
            .select_related("sammantrade")
            .order_by("-pk")
            .first()
        )
        if tidpunkt is not None:
            _kräv_efter_beslutet(beslut, tidpunkt)
        rad = Mottagare.objects.select_for_update().get(pk=mottagare.pk)
        if rad.expedierad is not None:
            raise ValidationError(
                _("Beslutet är redan expedierat till %(vem)s.") % {"vem": rad}, code="redan"
            )
        rad.expedierad = tidpunkt or timezone.now()
        rad.metod = metod
        rad.expedierad_av = user
        rad.beslut = beslut
        rad._history_user = user
        rad.save()
        if expediering_klar(arende):
            do_transition(arende, ArendeSteg.EXPEDIERA, user)
    return rad


# -- a rättelse (FL 36 §) after the beslut was expedierat ------------------------------------


def utdrag_som_diariefors(arende: Arende):
    """The filing still under way (a worker files after the commit, arenden.dokument.
    arkivering) of the justerat protokoll, of a paragraph justerad at once, or of a rättelse
    of a meeting that holds one of the ärende's beslut: its row, else None. Until it is
    done, the ärende lacks the utdrag that is sent: the first one after the justering, the
    rättat one after a rättelse."""
    from arenden.dokument.arkivering import Arkivering

    return (
        Arkivering.objects.vantar()
        .filter(
            slag__in=(
                Arkivering.Slag.PROTOKOLL,
                Arkivering.Slag.UTDRAG,
                Arkivering.Slag.RATTELSE,
            ),
            sammantrade_id__in=Beslut.objects.filter(
                arende_id=arende.pk, sammantrade__isnull=False
            ).values("sammantrade_id"),
        )
        .only("slag", "forsok", "klar")
        .first()
    )


def kräv_utdraget_diariefort(arende: Arende) -> None:
    """Refuse sending the beslut, or the rättat utdrag, while the utdrag to send is not filed
    in the ärende yet (:func:`utdrag_som_diariefors`). After a rättelse, who is sent the old
    utdrag would count as sent the rättat one (:func:`fick_fore_rattelsen`). The worker files
    under the ärende's row lock, which the caller holds."""
    from arenden.dokument.arkivering import Arkivering

    rad = utdrag_som_diariefors(arende)
    if rad is not None and rad.misslyckad:
        raise ValidationError(
            _(
                "Protokollsutdraget med beslutet kunde inte diarieföras: arkiveringen har "
                "misslyckats %(forsok)s gånger. Inget har gått förlorat; kontakta "
                "systemförvaltaren och skicka när utdraget finns i ärendet."
            ),
            code="utdrag_misslyckades",
            params={"forsok": rad.forsok},
        )
    if rad is not None and rad.slag == Arkivering.Slag.RATTELSE:
        raise ValidationError(
            _(
                "Protokollet har rättats och det rättade protokollsutdraget diarieförs just nu; "
                "skicka när det finns i ärendet, om en liten stund."
            ),
            code="rattelse_diariefors",
        )
    if rad is not None:
        raise ValidationError(
            _(
                "Protokollet är justerat och protokollsutdraget med beslutet diarieförs just "
                "nu; expediera när det finns i ärendet, om en liten stund."
            ),
            code="utdrag_diariefors",
        )


def fick_fore_rattelsen(arende: Arende, rattelse):
    """The recipients sent the beslut of the rättat protokoll before the rättelse took effect:
    they have the uncorrected utdrag."""
    return arende.mottagare.filter(
        Q(beslut__sammantrade_id=rattelse.sammantrade_id) | Q(beslut__isnull=True),
        expedierad__lt=rattelse.giltig,
    )


def rattat_utdrag_kvar(arende: Arende) -> list[tuple]:
    """What is owed of the rättat protokollsutdrag (FL 36 §: a rättat beslut reaches who got
    it): each rättelse in effect of the ärende's paragraphs, oldest first, with the recipients
    still owed its utdrag, for those owed to someone (empty: nothing is owed). Owed are those
    sent the beslut of its protokoll before it took effect (:func:`fick_fore_rattelsen`) and
    sent no rättat utdrag of the paragraph since that carries it: the one of this rättelse,
    or of a later one of the same paragraph (the utdrag carries every rättelse of it in
    effect when it is filed). Each rättelse counts on its own: a later one, of this or of
    another meeting's paragraph, leaves what an earlier one owes.

    The one rule for the ärende's notice, the expediering page, :func:`skicka_rattelse` and
    the requirement that keeps the ärende open (flows.arende.INGET_RATTAT_UTDRAG_KVAR)."""
    rattelser = list(
        rattelser_i_kraft(arende)
        .select_related("punkt", "sammantrade__organ")
        .order_by("giltig", "pk")
    )
    if not rattelser:
        return []
    # three queries whatever the history holds: the ärende's page asks this on every visit
    sanda = list(
        arende.mottagare.filter(expedierad__isnull=False)
        .select_related("person__enhet", "enhet")
        .annotate(beslutets_mote=F("beslut__sammantrade_id"))
        .order_by("ordning", "pk")
    )
    rattade_utdrag = list(
        Rattelseexpediering.objects.filter(
            mottagare__arende_id=arende.pk, rattelse__giltig__isnull=False
        ).values_list("mottagare_id", "rattelse__punkt_id", "rattelse__giltig")
    )
    kvar = []
    for rattelse in rattelser:
        # fick_fore_rattelsen, and no rättat utdrag of the paragraph sent since that
        # carries this rättelse
        mottagare = [
            m
            for m in sanda
            if m.expedierad < rattelse.giltig
            and (m.beslut_id is None or m.beslutets_mote == rattelse.sammantrade_id)
            and not any(
                vem == m.pk and punkt == rattelse.punkt_id and giltig >= rattelse.giltig
                for vem, punkt, giltig in rattade_utdrag
            )
        ]
        if mottagare:
            kvar.append((rattelse, mottagare))
    return kvar


def skicka_rattelse(
    mottagare: Mottagare, *, user, metod: str, version: int | None = None
) -> list[Rattelseexpediering]:
    """Record that the rättat protokollsutdrag was sent to a recipient owed it (FL 36 §), by
    the same methods as the expediering: one row for each rättelse owed them
    (:func:`rattat_utdrag_kvar`), which the utdrag filed last of the paragraph carries.
    ``version``: what the form carried."""
    if metod not in Mottagare.Metod.values:
        raise ValidationError(_("Okänt sätt att skicka: %(metod)s") % {"metod": metod})
    with transaction.atomic(), acting_as(user):
        arende = mottagare.arende
        andras(arende, version=version)
        if not user.has_perm("arenden.skicka_rattelse", arende):
            raise PermissionDenied(
                _("Bara den som expedierar beslutet skickar det rättade protokollsutdraget.")
            )
        kräv_utdraget_diariefort(arende)
        # under the ärende's lock, which a rättelse takes before it is dated
        skyldig = [r for r, vilka in rattat_utdrag_kvar(arende) if mottagare in vilka]
        if not skyldig:
            if mottagare.rattelser_skickade.exists():
                raise ValidationError(
                    _("Det rättade protokollsutdraget är redan skickat till %(vem)s.")
                    % {"vem": mottagare},
                    code="redan",
                )
            raise ValidationError(
                _("%(vem)s har inte fått beslutet före rättelsen.") % {"vem": mottagare},
                code="inte_fore",
            )
        skickad = timezone.now()
        rader = []
        for rattelse in skyldig:
            rad = Rattelseexpediering(
                mottagare=mottagare,
                rattelse=rattelse,
                skickad=skickad,
                metod=metod,
                skickad_av=user,
            )
            rad._history_user = user
            rad.save()
            rader.append(rad)
    return rader


def aterrapportera(
    uppdrag: Uppdrag,
    *,
    handling: Handling,
    redovisat: datetime.date,
    user,
    version: int | None = None,
):
    """The återrapport ``handling`` was presented to the organ on ``redovisat``: the uppdrag
    is fulfilled. When it was the last open uppdrag, the ärende is closed (seed 002).
    ``version``: what the form carried (see :func:`andras`)."""
    arende = uppdrag.arende
    kontrollera_behorighet(user, "arenden.redovisa_uppdrag", arende, _("redovisa uppdrag"))
    if handling.arende_id != uppdrag.arende_id or handling.typ != Handling.Typ.ATERRAPPORT:
        raise ValidationError(
            _("Återrapporten ska vara en handling av typen återrapport i %(arende)s.")
            % {"arende": arende.diarienummer},
            code="fel_handling",
        )
    kräv_skett(redovisat, _("Dagen uppdraget redovisades"))
    if redovisat < uppdrag.beslut.datum:
        raise ValidationError(
            _("Uppdraget kan inte ha redovisats %(dag)s, före beslutet %(beslut)s.")
            % {"dag": f"{redovisat:%Y-%m-%d}", "beslut": f"{uppdrag.beslut.datum:%Y-%m-%d}"},
            code="fore_beslutet",
        )
    with transaction.atomic(), acting_as(user):
        # the ärende first (as in expediera_till): the last two uppdrag reported at once
        # must not both miss that nothing is left open
        andras(
            arende,
            user=user,
            perm="arenden.redovisa_uppdrag",
            vad=_("redovisa uppdrag"),
            version=version,
        )
        rad = Uppdrag.objects.select_for_update().get(pk=uppdrag.pk)
        if rad.redovisat is not None:
            raise ValidationError(_("Uppdraget är redan redovisat."), code="redan")
        rad.aterrapport = handling
        rad.redovisat = redovisat
        rad._history_user = user
        rad.save()
        if not arende.uppdrag.filter(redovisat=None).exists():
            do_transition(
                arende,
                ArendeSteg.AVSLUTA_ATERRAPPORTERAT,
                user,
                _("Återrapporterat till %(organ)s %(datum)s")
                % {"organ": rad.rapportera_till.kod, "datum": f"{redovisat:%Y-%m-%d}"},
            )
    return rad


def bevakningar(user, *, idag: datetime.date | None = None, horisont: int | None = 30):
    """Open uppdrag on ärenden the user watches (worklist "Återrapportering förfaller") that
    fall due within ``horisont`` days (``None``: whenever) or are overdue, soonest first; each
    has ``forsenat``."""
    idag = idag or timezone.localdate()
    bevakade = worklist(user, ArendeArbetslista.ATERRAPPORTERING_BEVAKAS).values("pk")
    inom = Q() if horisont is None else Q(forfaller__lte=idag + datetime.timedelta(days=horisont))
    return (
        Uppdrag.objects.filter(inom, arende__in=bevakade, redovisat=None)
        .annotate(forsenat=ExpressionWrapper(Q(forfaller__lt=idag), output_field=BooleanField()))
        .select_related("arende", "rapportera_till")
        .order_by("forfaller", "pk")
    )
