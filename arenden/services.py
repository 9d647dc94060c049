"""The domain's operations. Each one is a transaction; state changes go through the engine."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import roles as workflow_roles
from workflow.context import acting_as
from workflow.engine import TransitionNotAllowed, do_transition

from . import roles
from .models import Arende, Beredningsansvarig, Nummerserie, Organ

_NEXT_NUMBER_SQL = f"""
    INSERT INTO {Nummerserie._meta.db_table} (prefix, ar, senaste) VALUES (%s, %s, 1)
    ON CONFLICT (prefix, ar) DO UPDATE SET senaste = {Nummerserie._meta.db_table}.senaste + 1
    RETURNING senaste
"""


def nasta_lopnummer(prefix: str, ar: int) -> int:
    """The next running number in a series and year: one atomic statement, so simultaneous
    registrations never get the same number and none is skipped (the row lock taken by the
    upsert is held until the registering transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [prefix, ar])
        return cursor.fetchone()[0]


def registrera_arende(
    *,
    organ: Organ,
    arendemening: str,
    typ: str,
    user,
    registrerat: datetime.date | None = None,
    **falt,
) -> Arende:
    """Register a new ärende in the organ's diarium series (Registrator, or whoever the
    registering organ lets register)."""
    if not (
        roles.REGISTRATOR in workflow_roles.roles_in_context(user, organ)
        or roles.STABSCHEF in workflow_roles.roles_in_context(user, organ)
    ):
        raise TransitionNotAllowed(
            _("Du får inte registrera ärenden i %(organ)s.") % {"organ": organ.namn}
        )
    registrerat = registrerat or timezone.localdate()
    with transaction.atomic(), acting_as(user):
        lopnummer = nasta_lopnummer(organ.diarieprefix, registrerat.year)
        arende = Arende(
            organ=organ,
            serie=organ.diarieprefix,
            ar=registrerat.year,
            lopnummer=lopnummer,
            arendemening=arendemening,
            typ=typ,
            registrerat=registrerat,
            **falt,
        )
        arende._history_user = user
        arende.save()
    return arende


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
        return do_transition(arende, "tilldela", user, kommentar)
