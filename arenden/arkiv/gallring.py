"""Gallring: removing, under a recorded decision, the files of handlingar that the
dokumenthanteringsplan says are not kept (arkivlagen 1990:782 10 §: allmänna handlingar are
gallrade only by decision). What is due is computed from the plan: the handlingar of closed
ärenden whose klass and type the plan marks as gallras, once the frist after the ärende was
closed has run. A gallring removes the files and keeps everything else: the handling's
registration in the diarium (marked gallrad), a record of what each file was (title, date,
checksum, size) under the decision, and the whole workflow history, which is never gallrad.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut
from arenden.begaran.models import BegardHandling
from arenden.diarium.models import Arende, Handling
from flows.namn import BegaranStatus
from workflow.context import acting_as

#: the states of an ärende whose handlingar the plan's frist runs from (slutbehandlat)
STANGDA = ("avslutat", "avskrivet")


def _ar_senare(dag: datetime.date, ar: int) -> datetime.date:
    try:
        return dag.replace(year=dag.year + ar)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year + ar, day=28)


def forfallna(idag: datetime.date | None = None) -> list[Handling]:
    """The handlingar due for gallring on ``idag``: in a closed ärende, with a file not yet
    gallrad, whose plan row (for its type, else for every type of its klass) says gallras and
    whose frist after the ärende was closed has run."""
    idag = idag or timezone.localdate()
    plan: dict[tuple[str, str], Bevarande] = {
        (rad.klass.kod, rad.handlingstyp): rad for rad in Bevarande.objects.select_related("klass")
    }
    due = []
    # a handling someone has asked for and not yet been answered about stays until the
    # begäran is tried (TF 2 kap. 15 §: it is to be handed out "skyndsamt", and a refusal can
    # be appealed against the handling as it is)
    begard = BegardHandling.objects.filter(begaran__state=BegaranStatus.INKOMMEN)
    kandidater = (
        Handling.objects.filter(
            arende__state__in=STANGDA, arende__avslutat__isnull=False, gallrad__isnull=True
        )
        .exclude(fil="")
        .exclude(pk__in=begard.values("handling"))
        .select_related("arende")
        .order_by("arende__avslutat", "arende_id", "nummer")
    )
    for handling in kandidater:
        kod = handling.arende.klassificering
        rad = plan.get((kod, handling.typ)) or plan.get((kod, ""))
        if rad is None or rad.bevaras:
            continue
        if _ar_senare(handling.arende.avslutat, rad.gallringsfrist_ar) <= idag:
            due.append(handling)
    return due


def gallra(handlingar, *, beslut: str, user, idag: datetime.date | None = None) -> Gallringsbeslut:
    """Carry out a gallring decision on ``handlingar`` (each must be due): one decision record,
    a record per handling, the files removed once the records are committed."""
    if not beslut.strip():
        raise ValidationError(
            _("Ange beslutet som gallringen stöds av (arkivlagen 10 §)."), code="beslut"
        )
    idag = idag or timezone.localdate()
    handlingar = list(handlingar)
    filer = []
    with transaction.atomic(), acting_as(user):
        # their ärenden locked, as a step on them locks them, and what is due read under the
        # locks: an ärende reopened (an överklagande came in) or a handling asked for while the
        # list was being read is seen, and its files stay
        list(
            Arende.objects.select_for_update()
            .filter(pk__in={h.arende_id for h in handlingar})
            .order_by("pk")
            .values_list("pk")
        )
        forfallet = {h.pk for h in forfallna(idag)}
        ej = [h for h in handlingar if h.pk not in forfallet]
        if ej:
            raise ValidationError(
                _("%(vilka)s får inte gallras nu enligt dokumenthanteringsplanen.")
                % {"vilka": ", ".join(h.beteckning for h in ej)},
                code="inte_forfallen",
            )
        record = Gallringsbeslut.objects.create(beslut=beslut.strip(), genomfort_av=user)
        for handling in Handling.objects.select_for_update().filter(
            pk__in=[h.pk for h in handlingar]
        ):
            GallradHandling.objects.create(
                gallring=record,
                handling=handling,
                beteckning=handling.beteckning,
                # the record of the gallring is read by the registrator, the admin and the
                # command's log: a secret handling by its masked title, without its file's
                # name (OSL 5 kap. 5 §)
                titel=handling.publik_titel,
                typ=handling.typ,
                datum=handling.datum,
                filnamn="" if handling.hemlig else handling.filnamn,
                sha256=handling.sha256,
                storlek=handling.storlek,
            )
            filer.append((handling.fil.storage, handling.fil.name))
            handling.fil = ""
            handling.gallrad = idag
            handling._history_user = user
            handling._change_reason = "gallring"
            handling.save()
        # a file goes only when its records are kept: a rolled-back gallring removes nothing
        transaction.on_commit(lambda: [lagring.delete(namn) for lagring, namn in filer])
    return record
