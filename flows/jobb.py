"""The timed jobs, as plain functions: the management commands (cron), the Celery beat
tasks (config/celery.py, when configured) and the tests all call these same functions, in
the process that runs them; nothing is started behind anyone's back.

- :func:`kor_timers`: viewflow's dispatcher for the flows' database-backed timers (the
  återrapportering's due date opens the Återrapportera task); ``manage.py workflow_timers``.
- :func:`skicka_paminnelser`: the bevakning of återrapportering: each handläggare gets one
  e-mail listing their ärenden's uppdrag that are overdue or fall due soon
  (``arenden.handlaggning.services.bevakningar``); ``manage.py bevakning``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from viewflow.workflow.timers import fire_due_timers

from arenden.gemensamt import utskick
from arenden.handlaggning.services import bevakningar
from flows.namn import ArendeStatus

from .models import SkickadPaminnelse

#: how many days ahead the bevakning looks
HORISONT = 30


def kor_timers() -> int:
    """Fire every due flow timer; returns how many fired."""
    return fire_due_timers()


@dataclass
class Paminnelse:
    """What one handläggare is reminded of."""

    mottagare: object
    uppdrag: list = field(default_factory=list)
    skickad: bool = False
    #: the uppdrag not yet reminded of in their present situation (due soon, or overdue)
    nya: list = field(default_factory=list)
    #: the e-mail in the outbox (arenden.gemensamt.utskick.Utskick), when one was written
    utskick: object = None

    @property
    def forsenade(self) -> list:
        return [u for u in self.uppdrag if u.forsenat]

    @property
    def amne(self) -> str:
        forsenade = len(self.forsenade)
        snart = len(self.uppdrag) - forsenade
        delar = []
        if forsenade:
            delar.append(
                ngettext("%(n)d försenad", "%(n)d försenade", forsenade) % {"n": forsenade}
            )
        if snart:
            delar.append(
                ngettext("%(n)d förfaller snart", "%(n)d förfaller snart", snart) % {"n": snart}
            )
        return _("Återrapportering: %(delar)s") % {"delar": ", ".join(delar)}

    def text(self, idag: datetime.date) -> str:
        rader = [
            _("Hej %(namn)s,") % {"namn": self.mottagare.get_full_name() or self.mottagare},
            "",
            _("Uppdrag i dina ärenden ska återrapporteras (läget %(idag)s):")
            % {"idag": f"{idag:%Y-%m-%d}"},
            "",
        ]
        for uppdrag in self.uppdrag:
            lage = _("FÖRSENAT") if uppdrag.forsenat else _("förfaller")
            arende = uppdrag.arende
            # e-mail leaves the system: a secret ärende by its marking only (OSL)
            beskrivning = (
                _("uppdrag i ett sekretessmarkerat ärende, se ärendet")
                if arende.ar_sekretessmarkerat
                else uppdrag.beskrivning
            )
            rader.append(
                f"- {arende.diarienummer} {arende.publik_rubrik}: "
                f"{beskrivning} — {lage} {uppdrag.forfaller:%Y-%m-%d}, "
                + _("återrapporteras till %(organ)s")
                % {"organ": uppdrag.rapportera_till.namn}
            )
        return "\n".join(rader) + "\n"


#: the mall of the reminder's e-mail (:func:`paminnelsens_brev`)
PAMINNELSE = "flows.jobb.paminnelsens_brev"


def paminnelsens_brev(data: dict) -> utskick.Brev:
    """The reminder to ``data["mottagare"]`` of the uppdrag ``data["uppdrag"]`` (id, overdue
    then) as of ``data["idag"]``, as the ärenden read now: a secret one by its diarienummer,
    public rubrik and marking only (OSL 5 kap. 5 §; made again if one is marked before it
    leaves, :mod:`arenden.gemensamt.utskick`)."""
    from arenden.models import Uppdrag

    forsenade = dict(data["uppdrag"])
    alla = Uppdrag.objects.select_related("arende", "rapportera_till").in_bulk(list(forsenade))
    uppdrag = []
    for pk, forsenat in data["uppdrag"]:
        if pk in alla:
            alla[pk].forsenat = forsenat
            uppdrag.append(alla[pk])
    paminnelse = Paminnelse(
        mottagare=get_user_model().objects.get(pk=data["mottagare"]), uppdrag=uppdrag
    )
    return utskick.Brev(
        amne=paminnelse.amne,
        text=paminnelse.text(datetime.date.fromisoformat(data["idag"])),
        arenden=sorted({u.arende_id for u in uppdrag}),
    )


def paminnelser(*, idag: datetime.date | None = None, horisont: int = HORISONT):
    """One :class:`Paminnelse` per handläggare with open uppdrag overdue or due within
    ``horisont`` days on ärenden they handle (and watch: worklist "Återrapportering
    förfaller"), soonest first."""
    idag = idag or timezone.localdate()
    grans = idag + datetime.timedelta(days=horisont)
    handlaggare = (
        get_user_model()
        .objects.filter(
            is_active=True,
            handlagda_arenden__state=ArendeStatus.BEVAKAS,
            handlagda_arenden__uppdrag__redovisat=None,
            handlagda_arenden__uppdrag__forfaller__lte=grans,
        )
        .distinct()
        .order_by("username")
    )
    resultat = []
    for user in handlaggare:
        uppdrag = list(
            bevakningar(user, idag=idag, horisont=horisont).filter(arende__handlaggare=user)
        )
        if uppdrag:
            resultat.append(Paminnelse(mottagare=user, uppdrag=uppdrag))
    return resultat


def _lage(uppdrag) -> str:
    return SkickadPaminnelse.Lage.FORSENAT if uppdrag.forsenat else SkickadPaminnelse.Lage.SNART


def skicka_paminnelser(
    *, idag: datetime.date | None = None, horisont: int = HORISONT, skicka: bool = True
):
    """Send each handläggare their reminder by e-mail when it has something new: an uppdrag
    not yet reminded of in its present situation. What was reminded of is recorded together
    with the e-mail in the outbox (:mod:`arenden.gemensamt.utskick`), which sends it once that
    commits
    (and ``manage.py skicka_utskick`` later if the mail server was down), so a second run
    sends nothing new and a run that fails sends nothing. Those without an e-mail address
    are returned unsent. Returns every :class:`Paminnelse`."""
    idag = idag or timezone.localdate()
    resultat = paminnelser(idag=idag, horisont=horisont)
    for paminnelse in resultat:
        tidigare = set(
            SkickadPaminnelse.objects.filter(
                mottagare=paminnelse.mottagare, uppdrag__in=paminnelse.uppdrag
            ).values_list("uppdrag_id", "lage")
        )
        paminnelse.nya = [u for u in paminnelse.uppdrag if (u.pk, _lage(u)) not in tidigare]
        if not (skicka and paminnelse.mottagare.email and paminnelse.nya):
            continue
        try:
            with transaction.atomic():
                SkickadPaminnelse.objects.bulk_create(
                    SkickadPaminnelse(mottagare=paminnelse.mottagare, uppdrag=u, lage=_lage(u))
                    for u in paminnelse.nya
                )
                paminnelse.utskick = utskick.lagg_i_utskick(
                    mall=PAMINNELSE,
                    data={
                        "mottagare": paminnelse.mottagare.pk,
                        "idag": idag.isoformat(),
                        "uppdrag": [[u.pk, bool(u.forsenat)] for u in paminnelse.uppdrag],
                    },
                    till=[paminnelse.mottagare.email],
                )
        except IntegrityError:  # another run reminded of the same at the same moment
            continue
        paminnelse.skickad = True
    return resultat
