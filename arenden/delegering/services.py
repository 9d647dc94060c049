"""Beslut taken on a nämnd's behalf outside its meetings (KL 6 kap. 37 §)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from arenden.delegering.models import Delegationspunkt
from arenden.diarium.models import Arende
from arenden.diarium.services import andras, kräv_skett
from arenden.handlaggning.models import Beslut
from flows.namn import ArendeSteg
from workflow.context import acting_as
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


def fatta_delegationsbeslut(
    arende: Arende,
    *,
    user,
    punkt: Delegationspunkt,
    datum: datetime.date,
    text: str,
    lagrum: str = "",
    kommentar: str = "",
) -> Beslut:
    """The delegat decides on the nämnd's behalf (KL 6 kap. 37 §; the beslut is the nämnd's,
    KL 7 kap. 5 §); the ärende moves to *beslutat* by the same step as at a meeting, and the
    beslut waits to be anmält at the nämnd's next meeting (KL 6 kap. 40 §)."""
    kräv_skett(datum, _("Beslutsdagen"))
    if not text.strip():
        raise ValidationError(_("Skriv beslutet."), code="beslut")
    if punkt.organ_id != arende.organ_id:
        raise ValidationError(
            _("Delegationspunkten hör till en annan nämnd än ärendets."), code="organ"
        )
    if not ar_delegat(user, punkt, datum):
        raise ValidationError(
            _("Du är inte delegat enligt punkt %(nummer)s den %(datum)s.")
            % {"nummer": punkt.nummer, "datum": f"{datum:%Y-%m-%d}"},
            code="delegat",
        )
    with transaction.atomic(), acting_as(user):
        andras(arende)  # the ärende's row lock: one beslut at a time, and its version moves
        beslut = Beslut(
            arende=arende,
            organ=punkt.organ,
            datum=datum,
            text=text,
            slag=Beslut.Slag.DELEGATIONSBESLUT,
            fattat_av=user,
            delegationspunkt=punkt,
            lagrum=lagrum or punkt.lagrum,
        )
        beslut._history_user = user
        beslut.save()
        do_transition(arende, ArendeSteg.BESLUTA, user, kommentar or _("Delegationsbeslut"))
    return beslut


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


UTANFOR_MOTET = (Beslut.Slag.DELEGATIONSBESLUT, Beslut.Slag.ORDFORANDEBESLUT)


def anmal_till(sammantrade, *, user):
    """KL 6 kap. 40 §, 7 kap. 8 §: the beslut taken on the nämnd's behalf are anmälda to it.
    When the föredragningslista goes out, a standing item lists every one of the nämnd's
    delegations- and ordförandebeslut not yet anmält; once only. The beslut is anmält where
    that item stands (its § once the protokoll is upprättat and justerat)."""
    from arenden.sammantraden.models import Punkt
    from arenden.sammantraden.staende import lagg_till_staende_punkt

    ej_anmalda = Beslut.objects.filter(
        organ_id=sammantrade.organ_id, slag__in=UTANFOR_MOTET, anmalt_punkt__isnull=True
    )
    if not ej_anmalda.exists():
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


def ar_ordforande(user, organ, datum: datetime.date) -> bool:
    """The user sat as ordförande or vice ordförande at the nämnd's last meeting up to
    ``datum``: the presidium the nämnd's own protokoll shows."""
    from arenden.sammantraden.models import Deltagare, Sammantrade

    person = _person(user)
    senaste = (
        Sammantrade.objects.filter(organ=organ, datum__lte=datum).order_by("-datum", "-pk").first()
    )
    if person is None or senaste is None:
        return False
    return senaste.deltagare.filter(
        person=person, roll__in=(Deltagare.Roll.ORDFORANDE, Deltagare.Roll.VICE_ORDFORANDE)
    ).exists()


def fatta_ordforandebeslut(
    arende: Arende, *, user, datum: datetime.date, text: str, lagrum: str = "KL 6 kap. 39 §"
) -> Beslut:
    """KL 6 kap. 39 §: in an ärende so brådskande that the nämnd's decision cannot be
    awaited, the ordförande (or the vice) may decide on its behalf; the beslut is anmält at
    the nämnd's next meeting like a delegationsbeslut (:func:`anmal_till`)."""
    kräv_skett(datum, _("Beslutsdagen"))
    if not text.strip():
        raise ValidationError(_("Skriv beslutet."), code="beslut")
    if not ar_ordforande(user, arende.organ, datum):
        raise ValidationError(
            _(
                "Bara nämndens ordförande eller vice ordförande får fatta beslut i brådskande "
                "ärenden (kommunallagen 6 kap. 39 §)."
            ),
            code="ordforande",
        )
    with transaction.atomic(), acting_as(user):
        andras(arende)  # the ärende's row lock: one beslut at a time, and its version moves
        beslut = Beslut(
            arende=arende,
            organ=arende.organ,
            datum=datum,
            text=text,
            slag=Beslut.Slag.ORDFORANDEBESLUT,
            fattat_av=user,
            lagrum=lagrum,
        )
        beslut._history_user = user
        beslut.save()
        do_transition(arende, ArendeSteg.BESLUTA, user, _("Ordförandebeslut i brådskande ärende"))
    return beslut
