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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from arenden.arkiv.models import Bevarande, GallradHandling, Gallringsbeslut, utan_arkivvard
from arenden.begaran.models import Begaran, BegardHandling
from arenden.diarium.models import Arende, Handling
from flows.namn import BegaranStatus
from workflow.context import acting_as

#: the states of an ärende whose handlingar the plan's frist runs from (slutbehandlat)
STANGDA = ("avslutat", "avskrivet")


def _ar_senare(dag: datetime.date, ar: int) -> datetime.date:
    if dag.year + ar > datetime.MAXYEAR:
        # a frist past the calendar (a row saved before Bevarande's limit) never runs out
        return datetime.date.max
    try:
        return dag.replace(year=dag.year + ar)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year + ar, day=28)


#: how long a refusal to hand out an allmän handling, in whole or in part, is taken to be open
#: to appeal, counted from the day of the decision: three weeks from the day the sökande got
#: del of it (förvaltningslagen 2017:900 44 §; the appeal to kammarrätten, OSL 6 kap. 7–8 §§),
#: and a week more for the decision to reach them and a timely appeal to reach the diarium
#: (it is given in to the myndighet, FL 45 §). The court tries the handling as it is, so
#: until then it is not gallrad.
OVERKLAGANDETID = datetime.timedelta(weeks=3 + 1)

#: the answers to a begäran that can be appealed: a refusal, in whole or in part
OVERKLAGBARA = (BegaranStatus.AVSLAGEN, BegaranStatus.DELVIS_UTLAMNAD)


def overklagandetid_ut(begaran: Begaran) -> datetime.date | None:
    """The last day a refusal of ``begaran`` is held to be open to appeal
    (:data:`OVERKLAGANDETID` from the day it was decided); None when the day of the decision
    is not recorded."""
    if begaran.provad is not None:
        dag = timezone.localdate(begaran.provad)
    elif begaran.beslut_id is not None:
        dag = begaran.beslut.datum
    else:
        return None
    return dag + OVERKLAGANDETID


def _skal(begaran: Begaran, idag: datetime.date) -> str | None:
    """Why ``begaran`` holds the handlingar it concerns on ``idag``, or None."""
    inkommen = f"{begaran.inkommen:%Y-%m-%d}"
    if begaran.state == BegaranStatus.INKOMMEN:
        # TF 2 kap. 15 §: tried "skyndsamt", and the handling as it is
        return _("begäran om utlämnande inkommen %(dag)s är inte prövad") % {"dag": inkommen}
    if begaran.state not in OVERKLAGBARA:
        return None
    ut = overklagandetid_ut(begaran)
    if ut is not None and ut < idag:
        return None
    beslutad = begaran.provad and f"{timezone.localdate(begaran.provad):%Y-%m-%d}"
    avslogs = (
        _("avslogs delvis") if begaran.state == BegaranStatus.DELVIS_UTLAMNAD else _("avslogs")
    )
    if ut is None:
        return _(
            "begäran om utlämnande inkommen %(dag)s %(avslogs)s; dagen för beslutet är inte "
            "registrerad, så överklagandetiden kan inte räknas"
        ) % {"dag": inkommen, "avslogs": avslogs}
    return _(
        "begäran om utlämnande inkommen %(dag)s %(avslogs)s %(beslutad)s; "
        "överklagandetiden löper ut %(ut)s"
    ) % {
        "dag": inkommen,
        "avslogs": avslogs,
        "beslutad": beslutad or f"{ut - OVERKLAGANDETID:%Y-%m-%d}",
        "ut": f"{ut:%Y-%m-%d}",
    }


def _innehalls(idag: datetime.date) -> dict[int, str]:
    """The handlingar a begäran om allmän handling holds on ``idag``, by pk, with the reason:
    those asked for while the begäran is not yet tried, and, while a refusal in whole or in
    part can still be appealed, those asked for and the decision and the copy it produced."""
    skal: dict[int, str] = {}
    # the newest begäran first: where several hold one handling, its reason is the one given
    aktuella = (
        Begaran.objects.filter(
            Q(state=BegaranStatus.INKOMMEN)
            | Q(state__in=OVERKLAGBARA, provad__isnull=True)
            | Q(
                state__in=OVERKLAGBARA,
                provad__date__gte=idag - OVERKLAGANDETID - datetime.timedelta(days=1),
            )
        )
        .select_related("beslut")
        .order_by("-inkommen", "-pk")
    )
    begaranden = {}
    for begaran in aktuella:
        varfor = _skal(begaran, idag)
        if varfor is not None:
            begaranden[begaran.pk] = varfor
            for pk in (begaran.beslut_id, begaran.kopia_id):
                if pk is not None:
                    skal.setdefault(pk, varfor)
    if begaranden:
        for rad in BegardHandling.objects.filter(begaran_id__in=begaranden).order_by(
            "-begaran__inkommen", "-begaran_id"
        ):
            skal.setdefault(rad.handling_id, begaranden[rad.begaran_id])
    return skal


def genomga(idag: datetime.date | None = None) -> tuple[list[Handling], list[tuple[Handling, str]]]:
    """What the plan makes due for gallring on ``idag``: the handlingar due, and those that
    would be due but are held by a begäran om allmän handling, each with the reason."""
    idag = idag or timezone.localdate()
    plan: dict[tuple[str, str], Bevarande] = {
        (rad.klass.kod, rad.handlingstyp): rad for rad in Bevarande.objects.select_related("klass")
    }
    innehalls = _innehalls(idag)
    due, held = [], []
    kandidater = (
        Handling.objects.filter(
            arende__state__in=STANGDA, arende__avslutat__isnull=False, gallrad__isnull=True
        )
        .exclude(fil="")
        .select_related("arende")
        .order_by("arende__avslutat", "arende_id", "nummer")
    )
    for handling in kandidater:
        kod = handling.arende.klassificering
        rad = plan.get((kod, handling.typ)) or plan.get((kod, ""))
        if rad is None or rad.bevaras:
            continue
        if _ar_senare(handling.arende.avslutat, rad.gallringsfrist_ar) > idag:
            continue
        if handling.pk in innehalls:
            held.append((handling, innehalls[handling.pk]))
        else:
            due.append(handling)
    return due, held


def forfallna(idag: datetime.date | None = None) -> list[Handling]:
    """The handlingar due for gallring on ``idag``: in a closed ärende, with a file not yet
    gallrad, whose plan row (for its type, else for every type of its klass) says gallras and
    whose frist after the ärende was closed has run, and which no begäran om allmän handling
    holds (:func:`genomga`): a handling someone has asked for stays until the begäran is tried
    (TF 2 kap. 15 §), and while a refusal to hand it out, in whole or in part, can be appealed
    (:data:`OVERKLAGANDETID`), for the court tries the handling as it is."""
    return genomga(idag)[0]


def gallra(handlingar, *, beslut: str, user, idag: datetime.date | None = None) -> Gallringsbeslut:
    """Carry out a gallring decision on ``handlingar`` (each must be due): one decision record,
    a record per handling, the files removed once the records are committed."""
    if not beslut.strip():
        raise ValidationError(
            _("Ange beslutet som gallringen stöds av (arkivlagen 10 §)."), code="beslut"
        )
    if avslag := utan_arkivvard(user, _("genomföra gallring")):
        raise ValidationError(avslag, code="behorighet")
    # the day the frist is counted to is the day the files go: what the plan makes due on
    # another day is listed (genomga), never gallrat, which would remove files whose frist
    # has not run and record the gallring under a day it did not happen on
    if idag is not None and idag != timezone.localdate():
        raise ValidationError(
            _(
                "Gallring genomförs i dag, %(idag)s, med det som är gallringsbart i dag; "
                "%(dag)s kan bara användas för att lista."
            )
            % {"idag": timezone.localdate().isoformat(), "dag": idag.isoformat()},
            code="inte_i_dag",
        )
    idag = timezone.localdate()
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
        # one gallrad meanwhile (a second run at the same time, the same list sent twice) is
        # said as what it is, not as one the plan does not make due
        redan = set(
            Handling.objects.filter(pk__in=[h.pk for h in ej], gallrad__isnull=False)
            .values_list("pk", flat=True)
        )
        if redan:
            raise ValidationError(
                ngettext(
                    "%(vilka)s är redan gallrad; inget mer gallras.",
                    "%(vilka)s är redan gallrade; inget mer gallras.",
                    len(redan),
                )
                % {"vilka": ", ".join(h.beteckning for h in ej if h.pk in redan)},
                code="redan_gallrad",
            )
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
                # a checksum and a size confirm a copy someone holds of a protected file
                sha256="" if handling.hemlig else handling.sha256,
                storlek=None if handling.hemlig else handling.storlek,
            )
            filer.append((handling.fil.storage, handling.fil.name))
            handling.fil = ""
            # the words read out of the file go with it: gallrad is gone, from the search too
            # (the field is kept out of the handling's history, arenden.diarium.models)
            handling.text = ""
            handling.gallrad = idag
            handling._history_user = user
            handling._change_reason = "gallring"
            handling.save()
        # a file goes only when its records are kept: a rolled-back gallring removes nothing
        transaction.on_commit(lambda: [lagring.delete(namn) for lagring, namn in filer])
    return record


def maskera_gallrade(handling_ids, user) -> list[GallradHandling]:
    """The records of the gallringar of ``handling_ids`` rewritten as a gallring of a secret
    handling writes them (:func:`genomfor`): marked after the gallring, the handling, or its
    ärende, no longer lets its record show its title or its file's name, checksum and size
    (OSL 5 kap. 5 §), read in the admin by who may not read secret content. Each change in
    the record's field history with who and why (``harledd_sekretess``); the earlier values
    stay there, masked on the tidslinje as the handling's are. Called in the marking's
    transaction (``diarium.services.andra_sekretess``); returns the records changed."""
    from arenden.dokument import harledd

    andrade = []
    rader = (
        GallradHandling.objects.select_for_update()
        .filter(handling_id__in=list(handling_ids))
        .select_related("handling__arende")
        .order_by("pk")
    )
    for rad in rader:
        handling = rad.handling
        if not handling.hemlig:
            continue
        maskerad = (handling.publik_titel, "", "", None)
        if (rad.titel, rad.filnamn, rad.sha256, rad.storlek) == maskerad:
            continue
        rad.titel, rad.filnamn, rad.sha256, rad.storlek = maskerad
        rad._history_user = user
        rad._change_reason = harledd.SKAL
        rad.save()
        andrade.append(rad)
    return andrade
