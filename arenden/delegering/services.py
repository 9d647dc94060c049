"""Beslut taken on a nämnd's behalf outside its meetings (KL 6 kap. 37 §)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.delegering.models import Delegationspunkt
from arenden.diarium.models import Arende, Handling
from arenden.diarium.services import andras, arkivera_handling, kräv_skett, sekretessmarkering
from arenden.dokument import services as dokument
from arenden.handlaggning.models import Beslut
from arenden.organisation.models import Organ
from flows.arende import DELEGAT_BESLUTAR, ar_ledamot, delegat_beslutar
from flows.namn import ArendeSteg
from workflow.engine import do_transition


def _person(user):
    """The Person a logged-in user is, or None."""
    return getattr(user, "person", None) if user.is_authenticated else None


def ar_delegat(user, punkt: Delegationspunkt, datum: datetime.date) -> bool:
    """The user is the delegat, or the ersättare, named on a row valid on ``datum``."""
    person = _person(user)
    if person is None or not punkt.galler(datum):
        return False
    return person.pk in (punkt.delegat_id, punkt.ersattare_id)


#: the lagrum of a beslut in a brådskande ärende, when its row names none
BRADSKANDE_LAGRUM = "KL 6 kap. 39 §"


def fatta_delegationsbeslut(
    arende: Arende,
    *,
    user,
    punkt: Delegationspunkt,
    datum: datetime.date,
    text: str,
    lagrum: str = "",
    kommentar: str = "",
    version: int | None = None,
) -> Beslut:
    """The delegat decides on the nämnd's behalf (KL 6 kap. 37 §; the beslut is the nämnd's,
    KL 7 kap. 5 §) and the beslut waits to be anmält at the nämnd's next meeting (KL 6 kap.
    40 §). Under a row for brådskande ärenden (``bradskande``) the beslut is an
    ordförandebeslut (KL 6 kap. 39 §), anmält the same way. A delegated matter never goes to
    the nämnd: from *beredd*, or from *anmält* when no item of a föredragningslista waits for
    the nämnd's beslut on it, the ärende moves to *beslutat* by *besluta_pa_delegation*.
    Under the ärende's row lock, so of two delegater deciding at once the second finds it
    beslutat and is refused; nothing of theirs is kept. A form read at another ``version``
    of the ärende (a förslag till beslut rewritten, a handling added, a step back and forth
    since) is refused: the delegat decides on what was read."""
    kräv_skett(datum, _("Beslutsdagen"))
    if not text.strip():
        raise ValidationError(_("Skriv beslutet."), code="beslut")
    with transaction.atomic():
        # the ärende's row lock: one beslut at a time, and its version moves
        last = andras(arende, version=version)
        # the row's lock, taken after the ärende's as avsluta_delegationspunkt takes only this
        # one: a row being ended waits for this beslut and then sees it, and a beslut taken
        # while the row is ended reads the row as it ends, never as the caller read it before
        punkt = Delegationspunkt.objects.select_for_update().get(pk=punkt.pk)
        if punkt.organ_id != last.organ_id:
            raise ValidationError(
                _("Delegationspunkten hör till en annan nämnd än ärendets."), code="organ"
            )
        if not ar_delegat(user, punkt, datum):
            raise ValidationError(
                _("Du är inte delegat enligt punkt %(nummer)s den %(datum)s.")
                % {"nummer": punkt.nummer, "datum": f"{datum:%Y-%m-%d}"},
                code="delegat",
            )
        if punkt.bradskande:
            # the register as its keepers leave it (they write it under the organ's lock): a
            # seat ended at this moment is seen ended
            Organ.objects.select_for_update().get(pk=punkt.organ_id)
            if not ar_ledamot(user.person, punkt.organ, datum):
                raise ValidationError(
                    _(
                        "Du är inte ledamot i %(organ)s den %(datum)s. Beslut i brådskande "
                        "ärenden fattas av ordföranden eller en annan ledamot (kommunallagen "
                        "6 kap. 39 §)."
                    )
                    % {"organ": punkt.organ.namn, "datum": f"{datum:%Y-%m-%d}"},
                    code="bradskande",
                )
        if last.state not in DELEGAT_BESLUTAR:
            raise ValidationError(
                _(
                    "Ärendet %(arende)s är %(status)s. Ett delegationsbeslut fattas när "
                    "ärendet är berett; står det på en föredragningslista stryker "
                    "nämndsekreteraren det därifrån först, eller så beslutar nämnden."
                )
                % {"arende": last.diarienummer, "status": last.status_titel.lower()},
                code="status",
            )
        if datum < last.registrerat:
            # flows.arende.DELEGATIONSBESLUT: nobody decides a matter before it came in
            raise ValidationError(
                _("Beslutsdagen kan inte vara före dagen ärendet registrerades, %(dag)s.")
                % {"dag": last.registrerat.isoformat()},
                code="fore_registrering",
            )
        beslut = Beslut(
            arende=arende,
            organ=punkt.organ,
            datum=datum,
            text=text,
            slag=Beslut.Slag.ORDFORANDEBESLUT
            if punkt.bradskande
            else Beslut.Slag.DELEGATIONSBESLUT,
            fattat_av=user,
            delegationspunkt=punkt,
            lagrum=lagrum or punkt.lagrum or (BRADSKANDE_LAGRUM if punkt.bradskande else ""),
        )
        beslut.dokument = _diarifor(beslut, last, user)
        beslut._history_user = user
        beslut.save()
        do_transition(
            last, ArendeSteg.BESLUTA_PA_DELEGATION, user, kommentar or beslut.get_slag_display()
        )
    return beslut


def _diarifor(beslut: Beslut, arende: Arende, user) -> Handling:
    """File the beslut as the document the delegat signs, in the same transaction as the
    beslut and the step (flows.arende.BESLUTSDOKUMENT): never *beslutat* on the nämnd's behalf
    without the beslut in the diarium. Marked as the ärende is; upprättat when it is
    expedierat (TF 2 kap. 10 §)."""
    return arkivera_handling(
        arende,
        user=user,
        typ=Handling.Typ.BESLUT,
        datum=beslut.datum,
        **dokument.som_upprattad_handling(dokument.beslut_pa_vagnar(beslut), arende),
        **sekretessmarkering(arende.sekretess_lagrum, user),
    )


def mina_punkter(user, organ, datum: datetime.date):
    """The rows of ``organ``'s delegationsordning the user may decide under on ``datum``."""
    person = _person(user)
    if person is None:
        return Delegationspunkt.objects.none()
    return (
        Delegationspunkt.objects.filter(organ=organ, giltig_fran__lte=datum)
        .filter(Q(giltig_till__isnull=True) | Q(giltig_till__gte=datum))
        .filter(Q(delegat=person) | Q(ersattare=person))
    )


def att_besluta(user):
    """The delegat's worklist: the ärenden ``user`` may decide on the nämnd's behalf today
    (KL 6 kap. 37 §): beredd or anmält, in a nämnd where they are delegat or ersättare of a
    row valid today. One query, however many rows."""
    if not user.is_authenticated:
        return Arende.objects.none()
    idag = timezone.localdate()
    punkter = (
        Delegationspunkt.objects.filter(giltig_fran__lte=idag)
        .filter(Q(giltig_till__isnull=True) | Q(giltig_till__gte=idag))
        .filter(Q(delegat__anvandare=user) | Q(ersattare__anvandare=user))
    )
    return (
        Arende.objects.filter(state__in=DELEGAT_BESLUTAR, organ__in=punkter.values("organ"))
        # not on a föredragningslista, not a motion (flows.arende.INTE_MOTION_PA_DELEGATION):
        # the same filter decides which secret ärenden the delegat reads
        .filter(delegat_beslutar())
        .select_related("organ")
        .order_by("registrerat", "pk")
    )


def anmal_till(sammantrade, *, user):
    """KL 6 kap. 40 §, 7 kap. 8 §: the beslut taken on the nämnd's behalf are anmälda to it.
    When the föredragningslista goes out, a standing item lists every one of the nämnd's
    delegations- and ordförandebeslut not yet anmält; once only. The beslut is anmält where
    that item stands (its § once the protokoll is upprättat and justerat).

    Two meetings of the nämnd kallade at once list each beslut once: the beslut are read
    under their row locks, and the second meeting's kallelse waits for the first and then
    finds them anmälda."""
    from arenden.sammantraden.models import Punkt
    from arenden.sammantraden.staende import lagg_till_staende_punkt

    ej_anmalda = list(
        Beslut.objects.select_for_update()
        .filter(
            organ_id=sammantrade.organ_id,
            slag__in=Beslut.PA_NAMNDENS_VAGNAR,
            anmalt_punkt__isnull=True,
        )
        .order_by("pk")
    )
    if not ej_anmalda:
        return None
    punkt = lagg_till_staende_punkt(
        sammantrade,
        Punkt.Typ.ANMALAN_DELEGATIONSBESLUT,
        _("Anmälan av delegationsbeslut"),
        user=user,
    )
    if punkt is None:
        return None
    for beslut in ej_anmalda:
        beslut.anmalt_punkt = punkt
        beslut._history_user = user
        beslut.save(update_fields=["anmalt_punkt"])
    return punkt


def anmalt_vid(beslut: Beslut):
    """Where the beslut was anmält: the punkt of a justerat protokoll, else None."""
    punkt = beslut.anmalt_punkt
    if punkt is None or punkt.sammantrade.justerat is None:
        return None
    return punkt


# -- the delegationsordning kept on a page (KL 6 kap. 37–38 §§) -----------------------------


def far_fora_delegationsordning(user, organ) -> bool:
    """Who keeps the nämnd's delegationsordning: its nämndsekreterare, who keeps its other
    records (the ledamotsregister) and enters what the nämnd adopted."""
    from arenden.sammantraden.protokoll import ar_namndsekreterare

    return ar_namndsekreterare(user, organ)


def _krav_sekreterare(user, organ) -> None:
    if not far_fora_delegationsordning(user, organ):
        raise PermissionDenied(
            _("Bara nämndens nämndsekreterare för in och avslutar punkter i delegationsordningen.")
        )


def lagg_till_delegationspunkt(organ, *, user, **falt) -> Delegationspunkt:
    """A row the nämnd adopted (``antagen_genom``). KL 6 kap. 38 §: what may not be
    delegated never is; the row says it is not such a matter (``ej_undantaget``) or it is
    refused. A changed row is a new row: the old one ends (:func:`avsluta_delegationspunkt`)
    and keeps the beslut that adopted it.

    A number names one row on any day: a delegationsbeslut cites it ("enligt punkt 3.2"), so
    a row whose days meet those of another row of that number is refused, checked under the
    organ's row lock, so that two sekreterare, or one on two tabs, cannot both add it."""
    _krav_sekreterare(user, organ)
    if not falt.get("ej_undantaget"):
        raise ValidationError(
            _(
                "Bekräfta att beslutsområdet inte är ett sådant som enligt kommunallagen "
                "6 kap. 38 § inte får delegeras."
            ),
            code="kl_6_38",
        )
    if not (falt.get("antagen_genom") or "").strip():
        raise ValidationError(
            _("Ange nämndens beslut som antog punkten (t.ex. HSN 2025-02-12 § 14)."),
            code="antagen_genom",
        )
    if falt.get("delegat") is None and not (falt.get("befattning") or "").strip():
        raise ValidationError(
            _("Ange en delegat eller en befattning (kommunallagen 6 kap. 37 §)."), code="delegat"
        )
    till = falt.get("giltig_till")
    if till is not None and till < falt["giltig_fran"]:
        raise ValidationError(_("Punkten kan inte sluta gälla innan den börjar."), code="datum")
    if falt.get("bradskande"):
        _kräv_ledamoter(organ, falt)
    with transaction.atomic():
        Organ.objects.select_for_update().get(pk=organ.pk)
        _kräv_ledigt_nummer(organ, falt.get("nummer", ""), falt["giltig_fran"], till)
        punkt = Delegationspunkt(organ=organ, **falt)
        punkt._history_user = user
        punkt.save()
    return punkt


def _kräv_ledigt_nummer(organ, nummer: str, fran: datetime.date, till) -> None:
    """Refuse a row of ``nummer`` whose days (``fran`` to ``till``, None: for good) meet
    those of a row of that number the nämnd has."""
    samma = Delegationspunkt.objects.filter(organ=organ, nummer=nummer.strip()).filter(
        Q(giltig_till__isnull=True) | Q(giltig_till__gte=fran)
    )
    if till is not None:
        samma = samma.filter(giltig_fran__lte=till)
    annan = samma.order_by("giltig_fran").first()
    if annan is not None:
        raise ValidationError(
            _(
                "Punkt %(nummer)s gäller redan från %(fran)s%(till)s. Avsluta den först: en "
                "ändrad punkt är den gamla avslutad och en ny införd från dagen efter."
            )
            % {
                "nummer": annan.nummer,
                "fran": f"{annan.giltig_fran:%Y-%m-%d}",
                "till": _(" till %(till)s") % {"till": f"{annan.giltig_till:%Y-%m-%d}"}
                if annan.giltig_till
                else "",
            },
            code="nummer_upptaget",
        )


def _kräv_ledamoter(organ, falt) -> None:
    """KL 6 kap. 39 §: the uppdrag to decide in brådskande ärenden goes to the ordförande or
    another ledamot the nämnd has chosen, by name, never to a befattning; the ersättare of the
    row likewise. Each must hold a seat as ledamot in the nämnd's register on the day the row
    starts."""
    if falt.get("delegat") is None:
        raise ValidationError(
            _(
                "Beslut i brådskande ärenden delegeras till ordföranden eller en annan ledamot "
                "vid namn, inte till en befattning (kommunallagen 6 kap. 39 §)."
            ),
            code="bradskande",
        )
    for person in (falt.get("delegat"), falt.get("ersattare")):
        if person is not None and not ar_ledamot(person, organ, falt["giltig_fran"]):
            raise ValidationError(
                _(
                    "%(namn)s är inte ledamot i %(organ)s den %(datum)s. Beslut i brådskande "
                    "ärenden får bara delegeras till ordföranden eller en annan ledamot "
                    "(kommunallagen 6 kap. 39 §)."
                )
                % {
                    "namn": person.namn,
                    "organ": organ.namn,
                    "datum": f"{falt['giltig_fran']:%Y-%m-%d}",
                },
                code="bradskande",
            )


def avsluta_delegationspunkt(punkt: Delegationspunkt, *, user, datum: datetime.date, genom: str):
    """The row stops applying after ``datum`` (the last day it holds), by the nämnd's beslut
    ``genom``; it is never deleted, so the beslut taken under it keep their ground (KL 6 kap.
    37 §). Refused when a delegationsbeslut was taken under it after that day."""
    with transaction.atomic():
        punkt = Delegationspunkt.objects.select_for_update().get(pk=punkt.pk)
        _krav_sekreterare(user, punkt.organ)
        if not (genom or "").strip():
            raise ValidationError(
                _("Ange nämndens beslut som upphäver punkten (t.ex. HSN 2026-03-11 § 22)."),
                code="genom",
            )
        if punkt.giltig_till is not None:
            raise ValidationError(
                _("Punkt %(nummer)s slutar redan gälla %(datum)s.")
                % {"nummer": punkt.nummer, "datum": f"{punkt.giltig_till:%Y-%m-%d}"},
                code="avslutad",
            )
        if datum < punkt.giltig_fran:
            raise ValidationError(
                _("Punkten kan inte sluta gälla innan den börjar (%(fran)s).")
                % {"fran": f"{punkt.giltig_fran:%Y-%m-%d}"},
                code="datum",
            )
        senare = Beslut.objects.filter(delegationspunkt=punkt, datum__gt=datum)
        if senare.exists():
            raise ValidationError(
                _(
                    "Det finns delegationsbeslut enligt punkt %(nummer)s fattade efter "
                    "%(datum)s; punkten kan inte sluta gälla före dem."
                )
                % {"nummer": punkt.nummer, "datum": f"{datum:%Y-%m-%d}"},
                code="beslut_efter",
            )
        punkt.giltig_till = datum
        punkt.upphavd_genom = genom.strip()
        punkt._history_user = user
        punkt.save(update_fields=["giltig_till", "upphavd_genom"])
    return punkt
