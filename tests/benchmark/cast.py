"""The people of one organ, as the lifecycle expects them, and ärenden ready for the main path.

Roles are real: the registrator and revisor hold global roles (Django groups), the stabschef
and the nämndsekreterare local roles on the organ (inherited by its ärenden), the
handläggare a local role on each ärende, exactly as ``arenden.handlaggning.services.tilldela`` gives
it.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from arenden.diarium.services import registrera_arende
from arenden.models import (
    Arende,
    Beslut,
    Deltagare,
    Mottagare,
    Organ,
    Person,
    Punkt,
    Sammantrade,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.organisation import roles
from flows.namn import ArendeSteg
from workflow import roles as workflow_roles
from workflow.models import LocalRole

#: The eight user transitions of the main path, registrerat → avslutat, and who takes each.
MAIN_PATH = [
    ("tilldela", "stabschef", "tilldelat"),
    ("paborja_beredning", "handlaggare", "under_beredning"),
    ("markera_beredd", "handlaggare", "beredd"),
    ("anmal", "sekreterare", "anmalt"),
    ("besluta", "sekreterare", "beslutat"),
    ("expediera", "sekreterare", "expedierat"),
    ("bevaka", "sekreterare", "bevakas"),
    ("avsluta", "stabschef", "avslutat"),
]
#: the steps of the main path the lifecycle takes by itself, inside the step before them
#: (bevaka: a beslut with uppdrag is watched as soon as it is expedierat)
AUTOMATIC_STEPS = frozenset({"bevaka"})
#: the main path as users take it
BY_HAND = [step for step in MAIN_PATH if step[0] not in AUTOMATIC_STEPS]

REGISTRERAT = datetime.date(2025, 10, 16)


def _user(username: str, group: str | None = None) -> User:
    user = User.objects.create(username=username, password="!")  # no login by password
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


class Cast:
    """An organ and its people; ``prefix`` names the diarium series (unique per run)."""

    def __init__(self, prefix: str = "BEN"):
        self.organ = Organ.objects.create(
            kod=prefix, namn=f"Mätnämnden {prefix}", typ=Organ.Typ.NAMND, diarieprefix=prefix
        )
        self.registrator = _user(f"registrator-{prefix}", roles.REGISTRATOR)
        self.revisor = _user(f"revisor-{prefix}", roles.REVISOR)
        self.stabschef = _user(f"stabschef-{prefix}")
        self.sekreterare = _user(f"sekreterare-{prefix}")
        self.handlaggare = _user(f"handlaggare-{prefix}")
        # a tjänsteperson, as the step tilldela requires (flows.arende.HANDLAGGARE_UTSEDD)
        Person.objects.create(
            namn=f"Handläggare {prefix}", anvandare=self.handlaggare, typ=Person.Typ.TJANSTEPERSON
        )
        workflow_roles.grant(self.organ, roles.STABSCHEF, user=self.stabschef)
        workflow_roles.grant(self.organ, roles.NAMNDSEKRETERARE, user=self.sekreterare)

    def actor(self, who: str) -> User:
        return getattr(self, who)

    def register(self, count: int, text: str = "Mätärende") -> list[int]:
        """``count`` ärenden registered through the domain service, each with the handläggare
        given locally (as ``tilldela`` does) so that the main path can run on them."""
        ids = [
            registrera_arende(
                organ=self.organ,
                arendemening=f"{text} {i}",
                typ=Arende.Typ.INITIATIVARENDE,
                user=self.registrator,
                registrerat=REGISTRERAT,
            ).pk
            for i in range(count)
        ]
        ct = ContentType.objects.get_for_model(Arende)
        now = timezone.now()
        LocalRole.objects.bulk_create(
            LocalRole(
                content_type=ct,
                object_id=pk,
                role=roles.HANDLAGGARE,
                user=self.handlaggare,
                granted_at=now,
                granted_by=self.stabschef,
            )
            for pk in ids
        )
        Arende.objects.filter(pk__in=ids).update(handlaggare=self.handlaggare)
        self._records(ids, now)
        return ids

    def _records(self, ids: list[int], now) -> None:
        """What the main path's states mean, written beforehand (the steps that write them
        are not what is measured): a tjänsteskrivelse with a förslag till beslut, an item on
        a föredragningslista, a beslut giving one uppdrag, and a sändlista already sent to."""
        forfattare = Person.objects.create(namn=f"Författare {self.organ.kod}")
        Tjansteskrivelse.objects.bulk_create(
            Tjansteskrivelse(
                arende_id=pk, datum=REGISTRERAT, forfattare=forfattare, forslag_till_beslut="Bifall"
            )
            for pk in ids
        )
        # the beslut is the meeting's (a beslut outside one needs its delegat, KL 6 kap. 37 §):
        # each ärende an item on the föredragningslista of a meeting of its own, held (kallat)
        moten = Sammantrade.objects.bulk_create(
            Sammantrade(organ=self.organ, datum=REGISTRERAT, plats="Sal A", state="kallat")
            for _pk in ids
        )
        Punkt.objects.bulk_create(
            Punkt(sammantrade=mote, ordning=1, arende_id=pk, rubrik="Kostnad")
            for mote, pk in zip(moten, ids, strict=True)
        )
        # beslutfört (KL 6 kap. 27 §): its ordförande present, serving in the item
        ordforande = Person.objects.create(namn=f"Ordförande {self.organ.kod}")
        Deltagare.objects.bulk_create(
            Deltagare(sammantrade=mote, person=ordforande, roll=Deltagare.Roll.ORDFORANDE)
            for mote in moten
        )
        beslut = Beslut.objects.bulk_create(
            Beslut(
                arende_id=pk, organ=self.organ, datum=REGISTRERAT, text="Bifall", sammantrade=mote
            )
            for mote, pk in zip(moten, ids, strict=True)
        )
        Uppdrag.objects.bulk_create(
            Uppdrag(
                beslut=b,
                arende_id=b.arende_id,
                beskrivning="Återrapportera",
                forfaller=REGISTRERAT,
                rapportera_till=self.organ,
            )
            for b in beslut
        )
        Mottagare.objects.bulk_create(
            Mottagare(
                arende_id=b.arende_id,
                adress="Kommunförbundet",
                expedierad=now,
                metod=Mottagare.Metod.E_POST,
                expedierad_av=self.sekreterare,
                beslut=b,
            )
            for b in beslut
        )


def before_step(transition: str, pk: int) -> None:
    """Between the measured steps: the nämnd's beslut goes under the ärende's item before it
    is beslutat, its protokoll is justerat before it is expedierat (nothing changes in a
    justerat protokoll), and the uppdrag is reported before the ärende is closed."""
    if transition == ArendeSteg.BESLUTA:
        beslut = Beslut.objects.get(arende_id=pk)
        Punkt.objects.filter(arende_id=pk).update(utfall=Punkt.Utfall.BIFALL, beslutet=beslut)
    elif transition == ArendeSteg.EXPEDIERA:
        Sammantrade.objects.filter(punkter__arende_id=pk).update(justerat=timezone.now())
    elif transition == ArendeSteg.AVSLUTA:
        Uppdrag.objects.filter(arende_id=pk).update(redovisat=REGISTRERAT)
