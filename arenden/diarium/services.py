"""The diarium's operations: registering an ärende and its handlingar, numbering, sekretess marking.
Each is a transaction."""

from __future__ import annotations

import datetime
import hashlib
import logging
import os

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arenden.arkiv import gallring
from arenden.arkiv.models import Klass
from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende, ArendeRelation, Handling, Nummerserie
from arenden.dokument import filer, harledd
from arenden.dokument import text as dokumenttext
from arenden.gemensamt import utskick
from arenden.handlaggning.models import (
    Beredningsansvarig,
    Beslut,
    Mottagare,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.organisation import roles
from arenden.organisation.models import Organ
from flows.arende import FORTSATTER_I_ANNAT_ORGAN
from flows.namn import ArendeArbetslista, ArendeStatus, ArendeSteg
from workflow import fieldhistory, registry
from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import do_transition, history, worklist
from workflow.engine import version as antal_steg
from workflow.models import LocalRole, WorkflowHistory

_SERIE = Nummerserie._meta.db_table

logger = logging.getLogger(__name__)


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


_ARENDE = Arende._meta.db_table


#: PostgreSQL: the number and the ärende in one statement (data-modifying CTEs run once
#: each, whether or not the query reads them)
_NUMRERA_SQL = f"""
    WITH n AS ({_NEXT_NUMBER_SQL}),
    a AS (UPDATE {_ARENDE} SET lopnummer = (SELECT senaste FROM n) WHERE id = %s)
    SELECT senaste FROM n
"""


def _numrera(arende: Arende) -> None:
    """Give the just-inserted ``arende`` the next number of its series, as the registering
    transaction's last write: the series' row stays locked from here to the commit, so that
    no number is given twice or skipped, and everything else the registration does (the
    ärende's row, its history, its process) is done before, while other registrars go on.
    The field history's creation record gets the number too, and is signed again
    (workflow.fieldhistory): it is the same transaction, so nobody ever sees the ärende, or
    its record, without one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_NUMRERA_SQL, [arende.serie, arende.ar, arende.pk])
            arende.lopnummer = cursor.fetchone()[0]
    else:
        arende.lopnummer = nasta_lopnummer(arende.serie, arende.ar)
        Arende.objects.filter(pk=arende.pk).update(lopnummer=arende.lopnummer)
    fieldhistory.amend_record(arende, lopnummer=arende.lopnummer)


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
        if "sekretess_datum" not in falt:  # made now; one carried on was tried when made
            kräv_lagrum(falt["sekretess_lagrum"])
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
    with transaction.atomic(), acting_as(user):
        if nummer:
            # the series' row lock first, then the check: of two registrations of one given
            # number at once, the second sees the first's ärende and is told so (not a
            # database error)
            hoj_serie(nummer.serie, nummer.ar, nummer.nummer)
            if Arende.objects.filter(
                serie=nummer.serie,
                ar=nummer.ar,
                lopnummer=nummer.nummer,
                delnummer=nummer.delnummer or 0,
            ).exists():
                raise ValidationError(
                    _("Diarienumret %(nummer)s finns redan.") % {"nummer": nummer},
                    code="finns_redan",
                )
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
        # a list, as Klass.clean keeps it: in a word, "in" would find a part of one
        if isinstance(klass.arendetyper, list) and typ in klass.arendetyper:
            return klass
    raise ValidationError(
        _("Ange klassificering: strukturen ger ingen klass för ärendetypen %(typ)s.")
        % {"typ": typ},
        code="klass_saknas",
    )


#: the ärende's own fields a form may correct (the diarienummer, the dates the steps set and
#: the marking, which is a prövning of its own, andra_sekretess, are not among them)
ANDRINGSBARA = ("arendemening", "offentlig_rubrik", "avsandare", "inkommet")


def andra_arende(arende: Arende, *, user, version: int | None = None, **falt) -> Arende:
    """Correct the ärende's own fields (:data:`ANDRINGSBARA`), for who the state lets change
    the ärende. A sekretess-marked ärende only for who may read it, and it keeps an offentlig
    rubrik (OSL 5 kap. 5 §). ``version``: what the form carried (see :func:`andras`)."""
    okanda = set(falt) - set(ANDRINGSBARA)
    if okanda:
        raise ValidationError(
            _("Okända fält i ärendet: %(falt)s") % {"falt": ", ".join(sorted(okanda))}
        )
    kräv_skett(falt.get("inkommet"), _("Dagen ärendet kom in"))
    with transaction.atomic(), acting_as(user):
        last = andras(
            arende,
            user=user,
            perm="arenden.change_arende",
            vad=_("ändra ärendets uppgifter"),
            version=version,
        )
        if last.ar_sekretessmarkerat:
            kontrollera_behorighet(
                user, "arenden.view_sekretess", last, _("ändra ärendets uppgifter")
            )
            rubrik = falt.get("offentlig_rubrik", last.offentlig_rubrik)
            kräv_offentlig_rubrik(rubrik, _("ett sekretessmarkerat ärende"))
        for namn, varde in falt.items():
            setattr(last, namn, varde)
        last._history_user = user
        last.save(update_fields=list(falt))
    return last


def kontrollera_behorighet(user, perm: str, arende: Arende, vad: str) -> None:
    """The one question (``user.has_perm(perm, obj)``), with a refusal that says what."""
    if not user.has_perm(perm, arende):
        raise PermissionDenied(
            _("Du får inte %(vad)s i %(arende)s i dess nuvarande status.")
            % {"vad": vad, "arende": arende.diarienummer}
        )


def _låst(arende: Arende) -> Arende:
    """The ärende's row, locked until the transaction ends (numbering within the ärende)."""
    return Arende.objects.select_for_update().get(pk=arende.pk)


class Inaktuell(ValidationError):
    """A form read at an older version of the ärende than it has now: someone else changed
    the ärende or one of its parts since. ``version`` is the ärende's version now, the one the
    form is to carry when it is shown again."""

    def __init__(self, message: str, version: int):
        super().__init__(message, code="inaktuell")
        self.version = version


def arendets_version(arende: Arende) -> int:
    """The version a form on the ärende carries: its changes (``Arende.version``, see
    :func:`andras`) and its workflow steps (``engine.version``) together. Both only grow, so
    any change since the form was read, a step back to the same state included, shows."""
    return arende.version + antal_steg(arende)


def arendenas_versioner(arenden) -> dict[int, int]:
    """:func:`arendets_version` of each of ``arenden`` (a queryset), in two queries however
    many: for a form that offers a choice of ärenden."""
    versioner = dict(arenden.values_list("pk", "version"))
    steg = (
        WorkflowHistory.objects.filter(
            content_type=ContentType.objects.get_for_model(Arende), object_id__in=list(versioner)
        )
        .values("object_id")
        .annotate(n=Max("seq"))
        .values_list("object_id", "n")
    )
    for pk, n in steg:
        versioner[pk] += n
    return versioner


def andras(
    arende: Arende, *, user=None, perm: str = "", vad: str = "", version: int | None = None
) -> Arende:
    """Begin a change to ``arende`` or one of its parts, inside the caller's transaction: the
    one place the ärende's version moves. Its row is locked until the transaction ends;
    ``perm`` is asked of ``user`` in the state it is in once locked (a step taken a moment
    before, Markera som beredd, is seen, so nothing lands in a state where it is not
    allowed); a form read at another ``version`` (:func:`arendets_version`) is refused
    (:class:`Inaktuell`), saying what changed; then the version goes up by one. ``version``
    None: code that reads and writes in one go, with nothing to be stale. Returns the
    locked ärende."""
    last = _låst(arende)
    if perm:
        kontrollera_behorighet(user, perm, last, vad)
    kräv_version(last, version)
    Arende.objects.filter(pk=last.pk).update(version=F("version") + 1)
    last.version += 1
    return last


def kräv_version(arende: Arende, version: int | None) -> None:
    """Refuse (:class:`Inaktuell`) a form read at another ``version`` than ``arende`` (as
    read, locked by :func:`andras`) has now; None: nothing to check."""
    if version is None:
        return
    nu = arendets_version(arende)
    if version != nu:
        raise Inaktuell(_inaktuell_text(arende, antal=max(1, min(nu - version, 3))), nu)


#: the ärende's parts by their field history, and what a user calls each
_DELAR = (
    (Tjansteskrivelse, "arende_id", gettext_lazy("tjänsteskrivelsen")),
    (Mottagare, "arende_id", gettext_lazy("sändlistan och expedieringen")),
    (Handling, "arende_id", gettext_lazy("handlingarna")),
    (Uppdrag, "arende_id", gettext_lazy("uppdragen")),
    (Beslut, "arende_id", gettext_lazy("beslutet")),
    (Beredningsansvarig, "arende_id", gettext_lazy("beredningsansvariga")),
    (ArendeRelation, "fran_id", gettext_lazy("ärendets relationer")),
    (Arende, "id", gettext_lazy("ärendets uppgifter")),
)


def _inaktuell_text(arende: Arende, antal: int) -> str:
    """What a stale form is told: the ``antal`` latest changes to the ärende, newest first,
    each as what (a part, or a step), who and when, from the workflow history and the field
    histories. Never content: it names parts and people."""
    wf = registry.workflow_for(arende)
    handelser = []
    for entry in history(arende).order_by("-seq")[:antal]:
        steg = wf.transitions.get(entry.transition)
        vad = _("steget %(steg)s") % {"steg": steg.title} if steg else _("registreringen")
        handelser.append((entry.timestamp, _namn(entry.actor) or entry.actor_name, vad))
    for model, falt, vad in _DELAR:
        rader = model.history.filter(**{falt: arende.pk})
        if model is Arende:
            # what registering and the steps wrote into the ärende's row, the steps tell
            rader = rader.exclude(history_type="+").exclude(
                history_change_reason__in=list(wf.transitions)
            )
        for rad in rader.select_related("history_user").order_by("-history_date")[:antal]:
            handelser.append((rad.history_date, _namn(rad.history_user), str(vad)))
    handelser.sort(key=lambda h: h[0], reverse=True)
    andringar = []  # one part changed by one person at once is one change
    for tid, vem, vad in handelser:
        if andringar and andringar[-1][1:] == (vem, vad):
            continue
        andringar.append((tid, vem, vad))
    delar = [
        _("%(vad)s (%(vem)s, %(tid)s)")
        % {
            "vad": vad,
            "vem": vem or _("någon annan"),
            "tid": f"{timezone.localtime(tid):%Y-%m-%d %H.%M}",
        }
        for tid, vem, vad in andringar[:antal]
    ]
    return _(
        "Ärendet har ändrats sedan du öppnade sidan, senast: %(andringar)s. Det du skickade är "
        "inte sparat: se efter vad som ändrats och skicka igen om det fortfarande ska gälla."
    ) % {"andringar": "; ".join(delar) or _("av någon annan")}


def _namn(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def ta_steg(arende: Arende, overgang: str, *, user, kommentar: str = "", version=None) -> Arende:
    """Take a step from the ärende page's button, refused when the page was read at another
    version of the ärende (:func:`arendets_version`): checked under the ärende's row lock, which
    the engine then takes again, so nothing can come in between."""
    with transaction.atomic():
        kräv_version(_låst(arende), version)
        return do_transition(arende, overgang, user, kommentar)


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
    version: int | None = None,
    **falt,
) -> Handling:
    """File a handling in the ärende under the next number. An inkommen handling is
    inkommen at once; an upprättad or intern one is under arbete until the ärende is
    expedierat or slutbehandlat (TF 2 kap. 10 §). ``fil`` (an uploaded or opened file) is
    checked for size and type and its SHA-256 checksum stored. ``version``: what the form
    carried (see :func:`andras`)."""
    if falt.get("sekretess_lagrum"):
        kräv_offentlig_rubrik(falt.get("offentlig_titel", ""), _("en sekretessmarkerad handling"))
        kräv_lagrum(falt["sekretess_lagrum"])
        for namn, varde in sekretessmarkering(falt["sekretess_lagrum"], user).items():
            falt.setdefault(namn, varde)
    return arkivera_handling(
        arende,
        user=user,
        typ=typ,
        riktning=riktning,
        titel=titel,
        datum=datum,
        fil=fil,
        filnamn=filnamn,
        version=version,
        behorighet=("arenden.add_handling", _("lägga till handlingar")),
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


def kräv_lagrum(lagrum: str) -> None:
    """A marking names the paragraph it rests on (OSL 5 kap. 5 §: the lagrum is shown with
    it, in the diarium and to the public): a word without a paragraph ("sekretess", "LOU")
    says nobody which ground was tried. Asked where a user makes a marking (registration, a
    handling, a prövning), whichever door they use; a marking the system carries on from one
    already made (a protokollsutdrag, a continuation) is not tried again."""
    if "§" not in lagrum or not any(tecken.isdigit() for tecken in lagrum):
        raise ValidationError(
            _("Ange lagrummet som sekretessen grundas på, med paragraf, t.ex. OSL 25 kap. 1 §."),
            code="lagrum",
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
    obj: Arende | Handling,
    *,
    user,
    lagrum: str,
    motivering: str,
    offentlig_rubrik: str = "",
    version: int | None = None,
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
        andras(
            arende,
            user=user,
            perm="arenden.sekretessmarkera",
            vad=_("ändra sekretessmarkeringen"),
            version=version,
        )
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        lagrum, fore = lagrum.strip(), obj.sekretess_lagrum
        vad = _("Ärendet") if isinstance(obj, Arende) else _("Handling %(nr)s") % {"nr": obj.nummer}
        if lagrum:
            rubrik = offentlig_rubrik.strip() or getattr(obj, rubrikfalt)
            kräv_offentlig_rubrik(rubrik, _("det som sekretessmarkeras"))
            kräv_lagrum(lagrum)
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
        obj._change_reason = str(ArendeSteg.ANDRA_SEKRETESS)  # flows.arende.NY_SEKRETESSPROVNING
        obj._history_user = user
        obj.save()
        text = f"{steg}. {motivering.strip()}"
        if lagrum:
            # the documents drawn up from it before (an utdrag, the protokoll, the
            # tjänsteskrivelse) are marked as they would be filed now
            harledda = harledd.marka(obj, user)
            if harledda:
                text += " " + _(
                    "Markeringen gäller också de upprättade handlingar som återger det: %(vilka)s."
                ) % {"vilka": ", ".join(h.beteckning for h in harledda)}
            samma_sak = _marka_samma_sak(obj, user) if isinstance(obj, Arende) else []
            fortsattningar = [a for a in samma_sak if isinstance(a, Arende)]
            harledda += [h for h in samma_sak if isinstance(h, Handling)]
            if fortsattningar:
                text += " " + _(
                    "Markeringen gäller också samma ärende i andra organs diarier: %(vilka)s."
                ) % {"vilka": ", ".join(str(a.diarienummer) for a in fortsattningar)}
            # the record of a gallring of what is marked now names it by its marking
            markerade = Handling.objects.filter(
                Q(arende_id__in=[arende.pk, *(a.pk for a in fortsattningar)])
                if isinstance(obj, Arende)
                else Q(pk=obj.pk)
            ).values_list("pk", flat=True)
            gallring.maskera_gallrade([*markerade, *(h.pk for h in harledda)], user)
            # an e-mail still in the outbox that names what is marked now (the ärende's
            # mening as its public rubrik while it was open) does not leave as it was
            # written: it is withdrawn and made again, masked
            utskick.maskera_pa_nytt(
                {arende.pk, *(h.arende_id for h in harledda), *(a.pk for a in fortsattningar)}
            )
        do_transition(arende, ArendeSteg.ANDRA_SEKRETESS, user, text)
    return obj


def _samma_sak(arende: Arende) -> list[Arende]:
    """The ärenden that are the same matter as ``arende`` in other organs' diarier: where it
    continued (:func:`fortsatt_i`), where it came from, and so on both ways."""
    kanda, kvar = {arende.pk}, [arende.pk]
    while kvar:
        lankar = ArendeRelation.objects.filter(typ=ArendeRelation.Typ.FORTSATTER_I).filter(
            Q(fran_id__in=kvar) | Q(till_id__in=kvar)
        )
        nya = {pk for par in lankar.values_list("fran_id", "till_id") for pk in par} - kanda
        kanda |= nya
        kvar = sorted(nya)
    return list(Arende.objects.filter(pk__in=kanda - {arende.pk}).order_by("pk"))


def _marka_samma_sak(arende: Arende, user) -> list[Arende]:
    """Mark the same matter in the other organs' diarier (:func:`_samma_sak`) as ``arende``
    was just marked, where it is not marked: its mening is the same, and the higher organ's
    diarium and postlista are as public as this one's (the marking went with the matter when
    it continued, :func:`fortsatt_i`; one made afterwards must follow it too, OSL 5 kap.
    5 §). Each change in its field history with who and why (``harledd.SKAL``), and what was
    drawn up from it marked as for the ärende itself; returns the marked, ärenden and
    handlingar."""
    markerade: list[Arende | Handling] = []
    for annat in _samma_sak(arende):
        annat = Arende.objects.select_for_update().get(pk=annat.pk)
        if annat.sekretess_lagrum:
            continue
        for namn, varde in sekretessmarkering(arende.sekretess_lagrum, user).items():
            setattr(annat, namn, varde)
        annat.offentlig_rubrik = arende.offentlig_rubrik
        annat._change_reason = harledd.SKAL
        annat._history_user = user
        annat.save()
        markerade.append(annat)
        markerade += harledd.marka(annat, user)
    return markerade


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
    version: int | None = None,
    behorighet: tuple[str, str] | None = None,
    **falt,
) -> Handling:
    """File a handling, asking ``behorighet`` (permission, what for the refusal) of ``user``
    once the ärende is locked, if given: :func:`lagg_till_handling` asks for
    ``add_handling``; the documents the system itself draws up as the result of a step the
    user was allowed to take (the protokoll when it is justerat) ask nothing."""
    kräv_skett(datum, _("Handlingens datum"))
    # a title the system makes (a document's name and the ärende's rubrik, which may be as
    # long as the field) is shortened to what the diarium holds, never refused: the step
    # that files it must not fail on it; what users write is held to the limit by the forms
    grans = Handling._meta.get_field("titel").max_length
    if len(titel) > grans:
        titel = titel[: grans - 1].rstrip() + "…"
    fakta = None
    if fil is not None:
        filnamn = filnamn or os.path.basename(getattr(fil, "name", "") or "") or "fil"
        fakta = filer.granska(fil, filnamn)
    handling = None
    try:
        with transaction.atomic(), acting_as(user):
            perm, vad = behorighet or ("", "")
            last = andras(arende, user=user, perm=perm, vad=vad, version=version)
            if status is None and riktning == Handling.Riktning.INKOMMEN:
                status = Handling.Status.INKOMMEN
            elif status is None:
                # TF 2 kap. 10 §: upprättad when its ärende is slutbehandlat; filed in one
                # already closed, it is upprättad now (no step is left to make it so)
                slutbehandlat = registry.workflow_for(last).state(last.state).final
                status = Handling.Status.UPPRATTAD if slutbehandlat else Handling.Status.UTKAST
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
    if fakta and fakta.mediatyp in (dokumenttext.PDF, dokumenttext.DOCX):
        # its text, for the search, is read off the request by a worker when there is one
        # (8 s for a 100-page PDF), told only the handling's id; without one, here, after the
        # ärende's lock is released so that a long document holds no one up
        from config import celery

        celery.utfor("arenden.dokument.text", handling.pk)
    return handling


def fil_ar_intakt(handling: Handling) -> bool:
    """Does the stored file still have the checksum recorded when it was filed?"""
    if not handling.fil:
        return True
    return filens_summa(handling.fil) == handling.sha256


def filens_summa(fil) -> str:
    """The SHA-256 of a stored file, read in parts."""
    with fil.open("rb") as las:
        digest = hashlib.sha256()
        for chunk in iter(lambda: las.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def oppna_intakt(fil, sha256: str, vad: str):
    """The stored ``fil`` opened to be handed out, once its checksum is found to be the
    ``sha256`` recorded when it was filed. A file swapped or damaged in the storage is never
    handed out as the record (``vad`` names it in the refusal, ValidationError, and in the
    log, for whoever keeps the storage)."""
    if sha256 and filens_summa(fil) != sha256:
        logger.error("Lagrad fil %s stämmer inte med sin kontrollsumma (%s).", fil.name, vad)
        raise ValidationError(
            _(
                "Filen till %(vad)s stämmer inte med kontrollsumman som sparades när den "
                "arkiverades, och lämnas därför inte ut. Kontakta registrator."
            )
            % {"vad": vad},
            code="fil_andrad",
        )
    return fil.open("rb")


def fortsatt_i(arende: Arende, *, organ: Organ, user, diarienummer: str | None = None, **falt):
    """The matter continues in another organ's diarium (HSN → RS → RF): register it there,
    linked both ways (``fortsatter_i`` from here; ``relationer_hit`` from there). Only an
    ärende överlämnat with a förslag, once per förslag: the ärende's lock makes a second
    sending (a double click, a colleague at the same moment) see the first and be refused."""
    with transaction.atomic():
        arende = andras(arende)
        if arende.state != ArendeStatus.OVERLAMNAT:
            raise ValidationError(
                _(
                    "Bara ett ärende som är överlämnat med ett förslag till ett högre organ "
                    "fortsätter i ett annat organs diarium."
                ),
                code="inte_overlamnat",
            )
        if FORTSATTER_I_ANNAT_ORGAN.check(arende):
            senaste = arende.relationer.filter(typ=ArendeRelation.Typ.FORTSATTER_I).last()
            raise ValidationError(
                _("Förslaget är redan registrerat i diariet hos %(organ)s som %(dnr)s.")
                % {"organ": senaste.till.organ.namn, "dnr": senaste.till.diarienummer},
                code="redan_registrerat",
            )
        mottagare = dit_forslaget_gar(arende)
        if organ.pk not in {o.pk for o in mottagare}:
            raise ValidationError(
                _("Förslaget går till %(till)s och registreras där, inte i %(organ)s.")
                % {"till": " eller ".join(o.namn for o in mottagare) or "–", "organ": organ.namn},
                code="fel_organ",
            )
        # a decided matter goes on once its förslag is justerat (KL 13 kap. 14 §)
        from arenden.handlaggning.services import inte_justerat

        if vantar := inte_justerat(arende):
            raise ValidationError(
                _("Ärendet kan inte gå vidare till %(organ)s ännu: %(vad)s.")
                % {"organ": organ.namn, "vad": vantar},
                code="inte_justerat",
            )
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


def dit_forslaget_gar(arende: Arende) -> list[Organ]:
    """Where the ärende's newest förslag is registered (:func:`mottagande_organ`)."""
    forslag = (
        Beslut.objects.filter(arende_id=arende.pk, forslag_till__isnull=False)
        .select_related("forslag_till")
        .order_by("-pk")
        .first()
    )
    if forslag is None:
        return []
    return mottagande_organ(forslag.forslag_till, arende.organ_id, Organ.objects.order_by("namn"))


def mottagande_organ(till: Organ, fran_id: int, alla) -> list[Organ]:
    """Where a förslag to ``till`` from the organ ``fran_id`` is registered, among ``alla``:
    the organ it goes to, and for one to fullmäktige first the styrelse, which is heard on
    what fullmäktige decides and bereder it (KL 5 kap. 26–28 §§)."""
    if till.typ != Organ.Typ.FULLMAKTIGE:
        return [till]
    styrelser = [o for o in alla if o.typ == Organ.Typ.STYRELSE and o.pk != fran_id]
    return [*styrelser, till]


def registrator_i(user) -> Q:
    """The organs ``user`` registers in (a registrator globally, or on the organ), as a
    condition on Organ."""
    if roles.REGISTRATOR in workflow_roles.global_roles(user):
        return Q()
    return Q(
        pk__in=LocalRole.objects.in_force()
        .filter(
            user=user,
            role=roles.REGISTRATOR,
            content_type=ContentType.objects.get_for_model(Organ),
        )
        .values("object_id")
    )


def forslag_att_registrera(user):
    """Ärenden överlämnade with a förslag not yet registered where the matter goes on, and
    that ``user`` registers (its förslag goes to an organ whose registrator the user is, or to
    fullmäktige and the user registers for a styrelse; :func:`dit_forslaget_gar`): the list a
    registrator works from (:func:`fortsatt_i`), counted as :data:`flows.arende.
    FORTSATTER_I_ANNAT_ORGAN` counts them, in one query."""
    mina = Organ.objects.filter(registrator_i(user))
    gar_till_mig = Exists(
        Beslut.objects.filter(arende_id=OuterRef("pk"), forslag_till__in=mina)
    ) | (
        Exists(
            Beslut.objects.filter(arende_id=OuterRef("pk"), forslag_till__typ=Organ.Typ.FULLMAKTIGE)
        )
        & Exists(mina.filter(typ=Organ.Typ.STYRELSE).exclude(pk=OuterRef("organ_id")))
    )
    overlamnade = (
        WorkflowHistory.objects.filter(
            content_type=ContentType.objects.get_for_model(Arende),
            object_id=OuterRef("pk"),
            transition=ArendeSteg.OVERLAMNA,
        )
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Arende.objects.filter(gar_till_mig, state=ArendeStatus.OVERLAMNAT)
        .annotate(
            overlamnade=Subquery(overlamnade),
            fortsatt=Count("relationer", filter=Q(relationer__typ=ArendeRelation.Typ.FORTSATTER_I)),
        )
        .filter(overlamnade__gt=F("fortsatt"))
    )


def sent_grans() -> int:
    """Days between arrival and registration beyond which a handling counts as registered late
    ("utan dröjsmål", OSL 5 kap. 1 §). Three calendar days let a Friday's post be registered on
    Monday; a region may set DIARIUM_SENT_REGISTRERAD_DAGAR."""
    return int(getattr(settings, "DIARIUM_SENT_REGISTRERAD_DAGAR", 3))


def sent_registrerade_qs(user):
    """Inkomna handlingar registered more than :func:`sent_grans` days after they arrived,
    in the ärenden whose diarium ``user`` keeps or oversees."""
    grans = sent_grans()
    diariet = worklist(user, ArendeArbetslista.ALLA_I_DIARIET).filter(pk=OuterRef("arende_id"))
    return (
        Handling.objects.filter(riktning=Handling.Riktning.INKOMMEN)
        .annotate(registrerad_dag=TruncDate("registrerad", tzinfo=timezone.get_current_timezone()))
        .filter(registrerad_dag__gt=F("datum") + datetime.timedelta(days=grans))
        .filter(Exists(diariet))
    )
