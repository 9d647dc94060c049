"""The domain's operations. Each one is a transaction; state changes go through the engine."""

from __future__ import annotations

import datetime
import hashlib
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import do_transition, worklist

from . import dokument, filer, roles
from .diarienummer import Diarienummer
from .models import (
    Arende,
    ArendeRelation,
    Beredningsansvarig,
    Beslut,
    Enhet,
    Handling,
    Klass,
    Mottagare,
    Nummerserie,
    Organ,
    Person,
    Tjansteskrivelse,
    Uppdrag,
)

_SERIE = Nummerserie._meta.db_table
_NEXT_NUMBER_SQL = f"""
    INSERT INTO {_SERIE} (prefix, ar, senaste) VALUES (%s, %s, 1)
    ON CONFLICT (prefix, ar) DO UPDATE SET senaste = {_SERIE}.senaste + 1
    RETURNING senaste
"""
#: an ärende registered with a number it already had (older records, seed cases) moves the
#: series on, so that the next new ärende never collides with it
_RAISE_SERIES_SQL = f"""
    INSERT INTO {_SERIE} (prefix, ar, senaste) VALUES (%s, %s, %s)
    ON CONFLICT (prefix, ar) DO UPDATE SET senaste = CASE
        WHEN {_SERIE}.senaste < excluded.senaste THEN excluded.senaste ELSE {_SERIE}.senaste END
"""


def hoj_serie(prefix: str, ar: int, nummer: int) -> None:
    """Move a series on to at least ``nummer`` (a number taken over from an older record)."""
    with connection.cursor() as cursor:
        cursor.execute(_RAISE_SERIES_SQL, [prefix, ar, nummer])


def nasta_lopnummer(prefix: str, ar: int) -> int:
    """The next running number in a series and year: one atomic statement, so simultaneous
    registrations never get the same number and none is skipped (the row lock taken by the
    upsert is held until the registering transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [prefix, ar])
        return cursor.fetchone()[0]


_HISTORIK = Arende.history.model._meta.db_table
_ARENDE = Arende._meta.db_table
#: PostgreSQL: the number, the ärende and its creation record in the field history, in one
#: statement (data-modifying CTEs run once each, whether or not the query reads them)
_NUMRERA_SQL = f"""
    WITH n AS ({_NEXT_NUMBER_SQL}),
    a AS (UPDATE {_ARENDE} SET lopnummer = (SELECT senaste FROM n) WHERE id = %s),
    h AS (
        UPDATE {_HISTORIK} SET lopnummer = (SELECT senaste FROM n)
        WHERE id = %s AND lopnummer IS NULL
    )
    SELECT senaste FROM n
"""


def _numrera(arende: Arende) -> None:
    """Give the just-inserted ``arende`` the next number of its series, as the registering
    transaction's last write: the series' row stays locked from here to the commit, so that
    no number is given twice or skipped, and everything else the registration does (the
    ärende's row, its history, its process) is done before, while other registrars go on.
    The field history's creation record gets the number too: it is the same transaction,
    so nobody ever sees the ärende, or its record, without one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_NUMRERA_SQL, [arende.serie, arende.ar, arende.pk, arende.pk])
            arende.lopnummer = cursor.fetchone()[0]
        return
    arende.lopnummer = nasta_lopnummer(arende.serie, arende.ar)
    Arende.objects.filter(pk=arende.pk).update(lopnummer=arende.lopnummer)
    Arende.history.filter(id=arende.pk, lopnummer=None).update(lopnummer=arende.lopnummer)


def kräv_skett(tid, vad: str) -> None:
    """What is recorded as having happened has happened: a day or a time (``tid``) of a
    handling, a beslut, an expediering or a redovisning cannot lie after today. ``vad`` names
    it for the user ("Beslutsdagen")."""
    if tid is None:
        return
    if isinstance(tid, datetime.datetime):
        sent = tid > timezone.now()
        visas = f"{timezone.localtime(tid):%Y-%m-%d %H.%M}"
    else:
        sent = tid > timezone.localdate()
        visas = f"{tid:%Y-%m-%d}"
    if sent:
        raise ValidationError(
            _("%(vad)s kan inte ligga i framtiden (%(tid)s).") % {"vad": vad, "tid": visas},
            code="i_framtiden",
        )


def registrera_arende(
    *,
    organ: Organ,
    arendemening: str,
    typ: str,
    user,
    registrerat: datetime.date | None = None,
    diarienummer: str | None = None,
    **falt,
) -> Arende:
    """Register a new ärende in the organ's diarium series (Registrator, or whoever the
    registering organ lets register).

    ``diarienummer`` keeps a number the ärende already has (records taken over from an older
    diarium); only a registrator may give one, it must belong to the organ's series, and the
    series moves on past it."""
    i_organet = workflow_roles.roles_in_context(user, organ)
    if not {roles.REGISTRATOR, roles.STABSCHEF} & i_organet:
        raise PermissionDenied(
            _("Du får inte registrera ärenden i %(organ)s.") % {"organ": organ.namn}
        )
    registrerat = registrerat or timezone.localdate()
    kräv_skett(registrerat, _("Registreringsdagen"))
    falt["klassificering"] = klass_for(typ, falt.get("klassificering", "")).kod
    if falt.get("sekretess_lagrum"):
        kräv_offentlig_rubrik(falt.get("offentlig_rubrik", ""), _("ett sekretessmarkerat ärende"))
        for namn, varde in sekretessmarkering(falt["sekretess_lagrum"], user).items():
            falt.setdefault(namn, varde)
    kräv_skett(falt.get("inkommet"), _("Dagen ärendet kom in"))
    nummer = None
    if diarienummer:
        nummer = Diarienummer.parse(diarienummer)
        if roles.REGISTRATOR not in i_organet:
            raise PermissionDenied(
                _("Bara registratorn får registrera med ett givet diarienummer.")
            )
        if nummer.serie != organ.diarieprefix:
            raise ValidationError(
                _("%(nummer)s hör inte till %(organ)s diarieserie %(serie)s.")
                % {"nummer": nummer, "organ": organ.namn, "serie": organ.diarieprefix},
                code="fel_serie",
            )
        if Arende.objects.filter(
            serie=nummer.serie,
            ar=nummer.ar,
            lopnummer=nummer.nummer,
            delnummer=nummer.delnummer or 0,
        ).exists():
            raise ValidationError(
                _("Diarienumret %(nummer)s finns redan.") % {"nummer": nummer}, code="finns_redan"
            )
    with transaction.atomic(), acting_as(user):
        if nummer:
            hoj_serie(nummer.serie, nummer.ar, nummer.nummer)
            serie, ar, lopnummer, delnummer = (
                nummer.serie,
                nummer.ar,
                nummer.nummer,
                nummer.delnummer,
            )
        else:  # the number is given by _numrera, last
            serie, ar, lopnummer, delnummer = organ.diarieprefix, registrerat.year, None, None
        arende = Arende(
            organ=organ,
            serie=serie,
            ar=ar,
            lopnummer=lopnummer,
            delnummer=delnummer or 0,
            arendemening=arendemening,
            typ=typ,
            registrerat=registrerat,
            **falt,
        )
        arende._history_user = user
        arende.save()
        if nummer is None:
            _numrera(arende)
    return arende


def klass_for(typ: str, kod: str = "") -> Klass:
    """The klass an ärende is registered under: the one named, which must be in the
    klassificeringsstruktur, or the one the structure gives the ärendetyp."""
    if kod:
        klass = Klass.objects.filter(kod=kod.strip()).first()
        if klass is None:
            raise ValidationError(
                _("%(kod)s finns inte i klassificeringsstrukturen.") % {"kod": kod},
                code="okand_klass",
            )
        return klass
    for klass in Klass.objects.order_by("kod"):
        if typ in klass.arendetyper:
            return klass
    raise ValidationError(
        _("Ange klassificering: strukturen ger ingen klass för ärendetypen %(typ)s.")
        % {"typ": typ},
        code="klass_saknas",
    )


def tilldela(arende: Arende, *, handlaggare, beredningsansvariga=(), user, kommentar="") -> Arende:
    """The stabschef assigns a handläggare and names the beredningsansvariga (person, part);
    each gets a local role on the ärende, then the ärende moves to *tilldelat*."""
    with transaction.atomic(), acting_as(user):
        arende.handlaggare = handlaggare
        arende._history_user = user
        arende.save()
        workflow_roles.grant(arende, roles.HANDLAGGARE, user=handlaggare, granted_by=user)
        for ordning, (person, del_i_beredningen) in enumerate(beredningsansvariga):
            Beredningsansvarig.objects.create(
                arende=arende,
                person=person,
                del_i_beredningen=del_i_beredningen,
                ordning=ordning,
            )
            if person.anvandare_id:
                workflow_roles.grant(
                    arende, roles.BEREDNINGSANSVARIG, user=person.anvandare, granted_by=user
                )
        # last, so that a refused assignment leaves nothing of the above behind
        do_transition(arende, "tilldela", user, kommentar)
        meddela(
            [handlaggare, *(p.anvandare for p, _del in beredningsansvariga)],
            _("Du har fått ärendet %(nummer)s") % {"nummer": arende.diarienummer},
            _("%(vem)s har tilldelat %(nummer)s %(rubrik)s. Handläggare: %(handlaggare)s.")
            % {
                "vem": user.get_full_name() or user.get_username(),
                "nummer": arende.diarienummer,
                # e-mail leaves the system: never the text of a secret ärende (OSL)
                "rubrik": arende.publik_rubrik,
                "handlaggare": handlaggare.get_full_name() or handlaggare.get_username(),
            },
        )
    return arende


def meddela(anvandare, amne: str, text: str, bilaga: tuple | None = None) -> None:
    """E-mail the users who have an address (blind copies), when the transaction commits:
    a step that is rolled back tells nobody. ``bilaga`` is (filename, content, media type)."""
    adresser = sorted({u.email for u in anvandare if u is not None and u.email})
    if not adresser:
        return
    meddelande = EmailMessage(subject=amne, body=text, bcc=adresser)
    if bilaga:
        meddelande.attach(*bilaga)
    transaction.on_commit(meddelande.send)


def _kräv(user, perm: str, arende: Arende, vad: str) -> None:
    """The one question (``user.has_perm(perm, obj)``), with a refusal that says what."""
    if not user.has_perm(perm, arende):
        raise PermissionDenied(
            _("Du får inte %(vad)s i %(arende)s i dess nuvarande status.")
            % {"vad": vad, "arende": arende.diarienummer}
        )


def _låst(arende: Arende) -> Arende:
    """The ärende's row, locked until the transaction ends (numbering within the ärende)."""
    return Arende.objects.select_for_update().get(pk=arende.pk)


def _kräv_låst(user, perm: str, arende: Arende, vad: str) -> None:
    """``_kräv`` against the ärende as it is once locked (inside a transaction): a step taken
    by someone else a moment before (Markera som beredd) is seen, not the state the caller
    read, so nothing lands in a state where it is not allowed."""
    _kräv(user, perm, _låst(arende), vad)


def lagg_till_handling(
    arende: Arende,
    *,
    user,
    typ: str,
    riktning: str,
    titel: str,
    datum: datetime.date | None = None,
    fil=None,
    filnamn: str = "",
    **falt,
) -> Handling:
    """File a handling in the ärende under the next number. An inkommen handling is
    inkommen at once; an upprättad or intern one is under arbete until the ärende is
    expedierat or slutbehandlat (TF 2 kap. 10 §). ``fil`` (an uploaded or opened file) is
    checked for size and type and its SHA-256 checksum stored."""
    if falt.get("sekretess_lagrum"):
        kräv_offentlig_rubrik(falt.get("offentlig_titel", ""), _("en sekretessmarkerad handling"))
        for namn, varde in sekretessmarkering(falt["sekretess_lagrum"], user).items():
            falt.setdefault(namn, varde)
    with transaction.atomic():
        _kräv_låst(user, "arenden.add_handling", arende, _("lägga till handlingar"))
        return arkivera_handling(
            arende,
            user=user,
            typ=typ,
            riktning=riktning,
            titel=titel,
            datum=datum,
            fil=fil,
            filnamn=filnamn,
            **falt,
        )


def kräv_offentlig_rubrik(rubrik: str, vad: str) -> None:
    """Whatever is sekretess-marked carries a public rubrik, so that the postlista, the
    kallelse and everyone outside the need-to-know group can name it without the protected
    text (OSL 5 kap. 2 och 5 §§)."""
    if not (rubrik or "").strip():
        raise ValidationError(
            _(
                "Ange en offentlig rubrik för %(vad)s: den visas i postlistan i stället för "
                "det som omfattas av sekretess."
            )
            % {"vad": vad},
            code="offentlig_rubrik",
        )


def sekretessmarkering(lagrum: str, user) -> dict:
    """The fields of a handling's sekretess marking made now by ``user`` (OSL 5 kap. 5 §:
    the lagrum, the date and who marked it); empty when there is no lagrum."""
    if not lagrum:
        return {}
    return {
        "sekretess_lagrum": lagrum,
        "sekretess_datum": timezone.localdate(),
        "sekretess_markerad_av": user.get_full_name() or user.get_username(),
    }


def andra_sekretess(
    obj: Arende | Handling, *, user, lagrum: str, motivering: str, offentlig_rubrik: str = ""
) -> Arende | Handling:
    """Mark an ärende or one of its handlingar as secret under ``lagrum``, or lift the marking
    (``lagrum`` empty). Both are a prövning of the content by who prepares the ärende
    (OSL 5 kap. 5 §): the date, who made it and the motivering are kept, the motivering as the
    reason of the change in the field history, where the revisor reads the whole story."""
    if not motivering.strip():
        raise ValidationError(_("Skriv varför sekretessmarkeringen ändras."), code="motivering")
    arende = obj if isinstance(obj, Arende) else obj.arende
    rubrikfalt = "offentlig_rubrik" if isinstance(obj, Arende) else "offentlig_titel"
    with transaction.atomic(), acting_as(user):
        _kräv_låst(user, "arenden.sekretessmarkera", arende, _("ändra sekretessmarkeringen"))
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        lagrum, fore = lagrum.strip(), obj.sekretess_lagrum
        vad = _("Ärendet") if isinstance(obj, Arende) else _("Handling %(nr)s") % {"nr": obj.nummer}
        if lagrum:
            rubrik = offentlig_rubrik.strip() or getattr(obj, rubrikfalt)
            kräv_offentlig_rubrik(rubrik, _("det som sekretessmarkeras"))
            setattr(obj, rubrikfalt, rubrik)
            for namn, varde in sekretessmarkering(lagrum, user).items():
                setattr(obj, namn, varde)
            steg = _("%(vad)s sekretessmarkerat enligt %(lagrum)s") % {"vad": vad, "lagrum": lagrum}
        elif not fore:
            raise ValidationError(_("Det är inte sekretessmarkerat."), code="inte_markerat")
        else:
            obj.sekretess_lagrum, obj.sekretess_datum, obj.sekretess_markerad_av = "", None, ""
            steg = _("%(vad)s: sekretessmarkeringen (%(lagrum)s) hävd") % {
                "vad": vad,
                "lagrum": fore,
            }
        obj._change_reason = "andra_sekretess"
        obj._history_user = user
        obj.save()
        do_transition(arende, "andra_sekretess", user, f"{steg}. {motivering.strip()}")
    return obj


def arkivera_handling(
    arende: Arende,
    *,
    user,
    typ: str,
    riktning: str,
    titel: str,
    datum: datetime.date | None = None,
    fil=None,
    filnamn: str = "",
    status: str | None = None,
    **falt,
) -> Handling:
    """File a handling without asking for ``add_handling``: for :func:`lagg_till_handling`
    once it has asked, and for the documents the system itself draws up as the result of a
    step the user was allowed to take (the protokoll when it is justerat)."""
    kräv_skett(datum, _("Handlingens datum"))
    fakta = None
    if fil is not None:
        filnamn = filnamn or os.path.basename(getattr(fil, "name", "") or "") or "fil"
        fakta = filer.granska(fil, filnamn)
    status = status or (
        Handling.Status.INKOMMEN
        if riktning == Handling.Riktning.INKOMMEN
        else Handling.Status.UTKAST
    )
    handling = None
    try:
        with transaction.atomic(), acting_as(user):
            _låst(arende)
            senaste = arende.handlingar.aggregate(n=Max("nummer"))["n"] or 0
            handling = Handling(
                arende=arende,
                nummer=senaste + 1,
                typ=typ,
                riktning=riktning,
                titel=titel,
                datum=datum or timezone.localdate(),
                status=status,
                registrerad_av=user,
                **falt,
            )
            if fakta:
                handling.filnamn = filnamn
                handling.sha256, handling.mediatyp, handling.storlek = (
                    fakta.sha256,
                    fakta.mediatyp,
                    fakta.storlek,
                )
                handling.fil.save(filnamn, File(fil, name=filnamn), save=False)
            handling._history_user = user
            handling.save()
    except BaseException:
        # the row was not kept: nor is its file (a file whose row is lost later, with an
        # outer transaction or a killed worker, is found by manage.py filkontroll)
        if handling is not None and handling.fil.name:
            handling.fil.storage.delete(handling.fil.name)
        raise
    return handling


def fil_ar_intakt(handling: Handling) -> bool:
    """Does the stored file still have the checksum recorded when it was filed?"""
    if not handling.fil:
        return True
    with handling.fil.open("rb") as fil:
        digest = hashlib.sha256()
        for chunk in iter(lambda: fil.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest() == handling.sha256


def spara_tjansteskrivelse(
    arende: Arende, *, user, version: int | None = None, **falt
) -> Tjansteskrivelse:
    """Write the tjänsteskrivelse (the fields of ``Tjansteskrivelse``: datum, forfattare,
    enhet and the text sections); only who the state lets edit it (handläggare and
    beredningsansvariga, while the ärende is being prepared).

    ``version``: the version the writer's form was read at (0 before the first save). When
    someone else has saved since, nothing is written and the writer is told who and when:
    the last save never silently wins."""
    _kräv(user, "arenden.change_tjansteskrivelse", arende, _("ändra tjänsteskrivelsen"))
    tillatna = {f.name for f in Tjansteskrivelse._meta.concrete_fields} - {"id", "arende"}
    okanda = set(falt) - tillatna - {"enhet_id", "forfattare_id"}
    if okanda:
        raise ValidationError(
            _("Okända fält i tjänsteskrivelsen: %(falt)s") % {"falt": ", ".join(sorted(okanda))}
        )
    with transaction.atomic(), acting_as(user):
        _kräv_låst(user, "arenden.change_tjansteskrivelse", arende, _("ändra tjänsteskrivelsen"))
        skrivelse = Tjansteskrivelse.objects.filter(arende=arende).first()
        if skrivelse is None:
            falt.setdefault("datum", timezone.localdate())
            skrivelse = Tjansteskrivelse(arende=arende)
        if version is not None and version != skrivelse.version:
            raise ValidationError(_inaktuell_skrivelse(skrivelse), code="inaktuell")
        for namn, varde in falt.items():
            setattr(skrivelse, namn, varde)
        skrivelse.version += 1
        skrivelse._history_user = user
        skrivelse.full_clean(exclude=["arende"])
        skrivelse.save()
    return skrivelse


def _inaktuell_skrivelse(skrivelse: Tjansteskrivelse) -> str:
    senast = skrivelse.history.select_related("history_user").first()
    vem = ""
    if senast is not None and senast.history_user is not None:
        vem = senast.history_user.get_full_name() or senast.history_user.get_username()
    return _(
        "Tjänsteskrivelsen har sparats av %(vem)s %(tid)s sedan du öppnade den. Dina ändringar "
        "är inte sparade: jämför med den sparade texten nedan och spara igen."
    ) % {
        "vem": vem or _("någon annan"),
        "tid": f"{timezone.localtime(senast.history_date):%Y-%m-%d %H.%M}" if senast else "",
    }


def arkivera_tjansteskrivelse(arende: Arende, *, user) -> Handling:
    """File the tjänsteskrivelse, as it reads now, as a PDF handling in the ärende. It is under
    arbete until the ärende is expedierat or slutbehandlat (TF 2 kap. 10 §)."""
    _kräv(user, "arenden.change_tjansteskrivelse", arende, _("arkivera tjänsteskrivelsen"))
    if not Tjansteskrivelse.objects.filter(arende=arende).exists():
        raise ValidationError(_("Ärendet har ingen tjänsteskrivelse ännu."), code="saknas")
    dok = dokument.tjansteskrivelse(arende)
    filnamn = f"{dok.filnamn}.pdf"
    # drawn up from the ärende's content: as secret as the ärende, and titled so that the
    # diarium never shows the protected rubrik
    return arkivera_handling(
        arende,
        user=user,
        typ=Handling.Typ.TJANSTESKRIVELSE,
        riktning=Handling.Riktning.UPPRATTAD,
        titel=f"{dok.titel} {arende.publik_rubrik}",
        fil=ContentFile(dokument.som_pdf(dok), name=filnamn),
        filnamn=filnamn,
        **sekretessmarkering(arende.sekretess_lagrum, user),
    )


def satt_sandlista(arende: Arende, mottagare, *, user) -> list[Mottagare]:
    """Set "Beslutet expedieras till": each entry a Person, an Enhet, a (Person, Enhet) pair
    or an address. While the ärende is prepared, and while the beslut is expedierat (by who
    expedierar it); entries already sent to are kept."""
    _kräv(user, "arenden.change_sandlista", arende, _("ändra sändlistan"))
    rader = []
    with transaction.atomic(), acting_as(user):
        _kräv_låst(user, "arenden.change_sandlista", arende, _("ändra sändlistan"))
        arende.mottagare.filter(expedierad=None).delete()
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
            rad.save()
            rader.append(rad)
    return rader


def registrera_beslut(
    arende: Arende,
    *,
    user,
    datum: datetime.date,
    text: str,
    organ: Organ | None = None,
    paragraf: int | None = None,
    forslag_till: Organ | None = None,
    uppdrag=(),
    kommentar: str = "",
) -> Beslut:
    """Record what the organ decided; the ärende moves to *beslutat*, or to *överlämnat*
    when the decision is a proposal to a higher organ. ``uppdrag`` is a list of
    (beskrivning, förfallodag, organ to report to) that the decision gives."""
    kräv_skett(datum, _("Beslutsdagen"))
    with transaction.atomic(), acting_as(user):
        beslut = Beslut(
            arende=arende,
            organ=organ or arende.organ,
            datum=datum,
            paragraf=paragraf,
            text=text,
            forslag_till=forslag_till,
        )
        beslut._history_user = user
        beslut.save()
        for beskrivning, forfaller, rapportera_till in uppdrag:
            rad = Uppdrag(
                beslut=beslut,
                arende=arende,
                beskrivning=beskrivning,
                forfaller=forfaller,
                rapportera_till=rapportera_till or beslut.organ,
            )
            rad._history_user = user
            rad.save()
        # the transition checks the guard; refused, the beslut above is rolled back with it
        do_transition(arende, "overlamna" if forslag_till else "besluta", user, kommentar)
    return beslut


def fortsatt_i(arende: Arende, *, organ: Organ, user, diarienummer: str | None = None, **falt):
    """The matter continues in another organ's diarium (HSN → RS → RF): register it there,
    linked both ways (``fortsatter_i`` from here; ``relationer_hit`` from there)."""
    with transaction.atomic():
        falt.setdefault("typ", arende.typ)
        falt.setdefault("offentlig_rubrik", arende.offentlig_rubrik)
        # the same matter: the same klass in the structure
        falt.setdefault("klassificering", arende.klassificering)
        # the marking goes with the matter: the higher organ's diarium is as public as ours
        for namn in ("sekretess_lagrum", "sekretess_datum", "sekretess_markerad_av"):
            falt.setdefault(namn, getattr(arende, namn))
        fortsattning = registrera_arende(
            organ=organ,
            arendemening=falt.pop("arendemening", arende.arendemening),
            user=user,
            diarienummer=diarienummer,
            **falt,
        )
        with acting_as(user):
            ArendeRelation.objects.create(
                fran=arende, till=fortsattning, typ=ArendeRelation.Typ.FORTSATTER_I
            )
    return fortsattning


def alla_expedierade(arende: Arende) -> bool:
    return not Mottagare.objects.filter(arende_id=arende.pk, expedierad=None).exists()


def expediera_till(
    mottagare: Mottagare, *, user, metod: str, tidpunkt: datetime.datetime | None = None
) -> Mottagare:
    """Record that the beslut was sent to one recipient. When the last one on the list has
    been sent to, the ärende becomes *expedierat* (and, if the beslut gave uppdrag, goes on to
    *bevakas*: the lifecycle's automatic step). The ärende is locked first, so that two people
    sending to the last two recipients at once cannot both miss that the list is done."""
    if metod not in Mottagare.Metod.values:
        raise ValidationError(_("Okänt sätt att expediera: %(metod)s") % {"metod": metod})
    kräv_skett(tidpunkt, _("Tidpunkten för expedieringen"))
    with transaction.atomic(), acting_as(user):
        arende = mottagare.arende
        # the right must hold in the state the ärende is in once it is locked
        _kräv(user, "arenden.expediera_arende", _låst(arende), _("expediera beslutet"))
        rad = Mottagare.objects.select_for_update().get(pk=mottagare.pk)
        if rad.expedierad is not None:
            raise ValidationError(
                _("Beslutet är redan expedierat till %(vem)s.") % {"vem": rad}, code="redan"
            )
        rad.expedierad = tidpunkt or timezone.now()
        rad.metod = metod
        rad.expedierad_av = user
        rad._history_user = user
        rad.save()
        if alla_expedierade(arende):
            do_transition(arende, "expediera", user)
    return rad


def aterrapportera(uppdrag: Uppdrag, *, handling: Handling, redovisat: datetime.date, user):
    """The återrapport ``handling`` was presented to the organ on ``redovisat``: the uppdrag
    is fulfilled. When it was the last open uppdrag, the ärende is closed (seed 002)."""
    arende = uppdrag.arende
    _kräv(user, "arenden.redovisa_uppdrag", arende, _("redovisa uppdrag"))
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
        _kräv(user, "arenden.redovisa_uppdrag", _låst(arende), _("redovisa uppdrag"))
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
                "avsluta_aterrapporterat",
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
    bevakade = worklist(user, "aterrapportering_bevakas").values("pk")
    inom = Q() if horisont is None else Q(forfaller__lte=idag + datetime.timedelta(days=horisont))
    return (
        Uppdrag.objects.filter(inom, arende__in=bevakade, redovisat=None)
        .annotate(forsenat=ExpressionWrapper(Q(forfaller__lt=idag), output_field=BooleanField()))
        .select_related("arende", "rapportera_till")
        .order_by("forfaller", "pk")
    )
