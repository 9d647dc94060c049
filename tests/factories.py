"""Small factories for the domain's tests."""

import datetime
import zoneinfo
from unittest import mock

from django.contrib.auth.models import Group, User
from django.utils import timezone

from arenden.diarium.services import registrera_arende
from arenden.handlaggning.services import satt_sandlista, spara_tjansteskrivelse, tilldela
from arenden.models import Organ, Person, Sammantrade
from arenden.organisation import roles as r
from workflow import roles as workflow_roles
from workflow.engine import do_transition


def organ(kod="HSN", namn="Hälso- och sjukvårdsnämnden", typ=Organ.Typ.NAMND, **extra):
    extra.setdefault("diarieprefix", kod)
    found, _ = Organ.objects.get_or_create(kod=kod, defaults={"namn": namn, "typ": typ, **extra})
    return found


def user(username, *, global_role=None, organ_role=None, on=None):
    made = User.objects.create_user(username=username, password="lösenord-123")
    if global_role:
        made.groups.add(Group.objects.get_or_create(name=global_role)[0])
    if organ_role:
        workflow_roles.grant(on, organ_role, user=made)
    return made


def person(namn, anvandare=None, **extra):
    extra.setdefault("typ", Person.Typ.TJANSTEPERSON)
    return Person.objects.create(namn=namn, anvandare=anvandare, **extra)


def rollernas_rattigheter():
    """Give the roles' global rights back as the migrations give them: a transactional test
    (``django_db(transaction=True)``) starts from an emptied database."""
    from django.contrib.auth.models import Permission

    for role, ratter in r.RATTIGHETER.items():
        for app_label, codename in ratter:
            Group.objects.get_or_create(name=role)[0].permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Cast:
    """The people of one organ's administration."""

    def __init__(self, kod="HSN"):
        self.organ = organ(kod)
        self.registrator = user(f"registrator-{kod}", global_role=r.REGISTRATOR)
        self.stabschef = user(f"stabschef-{kod}", organ_role=r.STABSCHEF, on=self.organ)
        self.sekreterare = user(f"sekreterare-{kod}", organ_role=r.NAMNDSEKRETERARE, on=self.organ)
        self.handlaggare = user(f"handlaggare-{kod}")
        # one of the organisation's staff: the tilldela page offers tjänstepersoner
        person(f"Handläggare {kod}", anvandare=self.handlaggare, titel="handläggare")
        self.revisor = user(f"revisor-{kod}", global_role=r.REVISOR)

    def registrera(self, arendemening="Ett ärende", **extra):
        extra.setdefault("typ", "initiativarende")
        extra.setdefault("registrerat", datetime.date(2025, 10, 16))
        if extra.get("sekretess_lagrum"):
            # a secret ärende is registered with a public rubrik (services.registrera_arende)
            extra.setdefault("offentlig_rubrik", "Ärende med sekretess")
        return registrera_arende(
            organ=self.organ, arendemening=arendemening, user=self.registrator, **extra
        )

    def berett(self, arendemening="Ett ärende", sandlista=("Kommunförbundet",), **extra):
        """An ärende the way it reaches a beslut: registered, assigned by the stabschef to
        the handläggare, prepared with a förslag till beslut and ``sandlista``, and beredd."""
        arende = self.registrera(arendemening, **extra)
        tilldela(arende, handlaggare=self.handlaggare, user=self.stabschef)
        do_transition(arende, "paborja_beredning", self.handlaggare)
        forslag_till_beslut(arende, self.handlaggare, sandlista=sandlista)
        do_transition(arende, "markera_beredd", self.handlaggare)
        return arende


def forslag_till_beslut(
    arende, user, forslag="Att bifalla förslaget.", sandlista=("Kommunförbundet",)
):
    """What *Markera som beredd* needs: a tjänsteskrivelse with a förslag till beslut; and
    the sändlista the beslut will be expedierat to."""
    forfattare = Person.objects.filter(anvandare=user).first() or person(
        user.get_full_name() or user.get_username(), anvandare=user
    )
    spara_tjansteskrivelse(arende, user=user, forfattare=forfattare, forslag_till_beslut=forslag)
    if sandlista:
        satt_sandlista(arende, list(sandlista), user=user)


def mote(arende, datum=datetime.date(2025, 11, 12), *, justerat=True):
    """A meeting of the ärende's organ, for a test that records its beslut directly: the
    ärende an item of its protokoll, waiting for the beslut (a beslut is the meeting's where
    the ärende stands on the list, flows.arende.BESLUT), and the protokoll justerat a week after
    the meeting unless ``justerat`` is false, as it is when its beslut are expedierade
    (flows.arende.BESLUTET_JUSTERAT)."""
    from arenden.models import Punkt

    tidpunkt = None
    if justerat:
        dag = datum + datetime.timedelta(days=7)
        tidpunkt = datetime.datetime.combine(dag, datetime.time(9), tzinfo=datetime.UTC)
    sammantrade = Sammantrade.objects.create(organ=arende.organ, datum=datum, plats="Sal A")
    Punkt.objects.create(sammantrade=sammantrade, ordning=1, arende=arende, rubrik="Beslut")
    # justerat last: nothing is added to a justerat protokoll (PostgreSQL's trigger refuses)
    Sammantrade.objects.filter(pk=sammantrade.pk).update(justerat=tidpunkt)
    sammantrade.justerat = tidpunkt
    return sammantrade


def planerat(arende, sekreterare, datum=datetime.date(2025, 11, 12)):
    """A meeting of the ärende's organ, planned by its nämndsekreterare, with the närvaro
    (:func:`narvaro`) that makes it beslutfört: nothing is decided, bordlagt or återremitterat
    at a meeting where nobody serves (KL 5 kap. 45 §, 6 kap. 27 §)."""
    from arenden.sammantraden import protokoll

    sammantrade = protokoll.planera(
        organ=arende.organ, datum=datum, plats="Sal A", user=sekreterare
    )
    narvaro(sammantrade, sekreterare)
    return sammantrade


def anmal(arende, sekreterare, sammantrade=None, datum=datetime.date(2025, 11, 12)):
    """*Anmäl*: the ärende put on the föredragningslista of ``sammantrade`` (a meeting of its
    organ on ``datum``, planned here, when none is given), as the nämndsekreterare does it;
    the item is what the step needs. Returns the item."""
    from arenden.models import Punkt
    from arenden.sammantraden import protokoll

    arende.refresh_from_db()  # as the page reads it now
    if sammantrade is None:
        sammantrade = planerat(arende, sekreterare, datum)
    punkt = protokoll.lagg_till_punkt(
        sammantrade, user=sekreterare, arende=arende, slag=Punkt.Slag.BESLUTSARENDE
    )
    arende.refresh_from_db()
    return punkt


def besluta(
    arende, sekreterare, text="Bifall.", *, forslag_till=None, uppdrag=(), justera=True, **mote
):
    """The nämnd's beslut ``text`` in ``arende``, recorded as the nämndsekreterare records it:
    under the ärende's item of a meeting held now (put on a föredragningslista first when it
    is on none; ``mote`` passes the meeting's ``datum`` or ``sammantrade`` to :func:`anmal`),
    the meeting kallat when only planned (its närvaro noted first when nobody is to be called),
    and its protokoll justerat unless ``justera`` is false
    (:func:`justera_protokollet`; the other items must be decided first). A ``forslag_till``
    makes it a förslag to that higher organ. Returns the beslut."""
    from arenden.models import Punkt
    from arenden.sammantraden import beslutforhet, protokoll

    arende.refresh_from_db()
    punkt = arende.punkter.oavgjorda().order_by("-pk").first()
    if punkt is None:
        punkt = anmal(arende, sekreterare, **mote)
    sammantrade = punkt.sammantrade
    if justera or (sammantrade.state == "planerat" and not protokoll.att_kalla(sammantrade)):
        # who serves is noted before the item is decided; and before the kallelse, which goes
        # to them, when nobody else is to be called (KL 5 kap. 12 §, 6 kap. 17 §)
        narvaro(sammantrade, sekreterare)
    if sammantrade.state == "planerat":
        protokoll.kalla(sammantrade, user=sekreterare)
    if not beslutforhet.beslutfor(punkt):
        narvaro(sammantrade, sekreterare)  # KL 5 kap. 45 §, 6 kap. 27 §: a meeting beslutfört
    punkt = protokoll.besluta(
        punkt,
        user=sekreterare,
        utfall=Punkt.Utfall.FORSLAG if forslag_till else Punkt.Utfall.BIFALL,
        beslut=text,
        forslag_till=forslag_till,
        uppdrag=uppdrag,
    )
    if justera:
        justera_protokollet(punkt.sammantrade, sekreterare)
    arende.refresh_from_db()
    return punkt.beslutet


def narvaro(sammantrade, sekreterare):
    """The meeting's närvaro as the nämndsekreterare notes it before the items are decided: an
    ordförande and a ledamot who justerar (each an account of its own, named by the meeting).
    Once noted, nothing more."""
    from arenden.models import Deltagare
    from arenden.sammantraden import protokoll

    for roll, justerare in ((Deltagare.Roll.ORDFORANDE, False), (Deltagare.Roll.LEDAMOT, True)):
        namn = f"{roll}-{sammantrade.pk}"
        if User.objects.filter(username=namn).exists():
            continue
        ny = person(
            f"{roll.label.capitalize()} {sammantrade.pk}",
            anvandare=user(namn),
            typ=Person.Typ.FORTROENDEVALD,
        )
        sate_om_registret_fors(sammantrade, ny)
        protokoll.lagg_till_deltagare(
            sammantrade, ny, roll=roll, user=sekreterare, justerare=justerare
        )


def sate_om_registret_fors(sammantrade, person) -> None:
    """In an organ that keeps its register of ledamöter, who serves at ``sammantrade`` holds
    a seat as ledamot on its day (``protokoll._kräv_uppdrag``): given from that day when
    ``person`` holds none. An organ without a register takes any förtroendevald."""
    from arenden.organisation.models import Ledamotsuppdrag

    dag = sammantrade.datum
    register = Ledamotsuppdrag.giltiga(sammantrade.organ, dag)
    if register.exists() and not register.filter(person=person, uppdrag="ledamot").exists():
        ledamot(sammantrade.organ, person, fran=dag)


def justera_protokollet(sammantrade, sekreterare, tidpunkt=None):
    """The meeting's protokoll upprättat and justerat, as its beslut are before they are
    expedierade: the närvaro (:func:`narvaro`, noted first unless it is) names an ordförande
    and a justerare, who sign."""
    from arenden.sammantraden import protokoll

    narvaro(sammantrade, sekreterare)
    protokoll.uppratta(sammantrade, user=sekreterare)
    for signerar in protokoll.saknar_justering(sammantrade):
        protokoll.justera(sammantrade, user=signerar.anvandare, tidpunkt=tidpunkt)
    sammantrade.refresh_from_db()
    return sammantrade


def delegationspunkt(**falt):
    """A row of a nämnd's delegationsordning as the nämnd adopted it (give ``organ`` and a
    ``delegat`` person or a ``befattning``); saved the way the page saves it, so its delegat
    gets the role the row gives."""
    from arenden.models import Delegationspunkt

    falt.setdefault("nummer", "3.2")
    falt.setdefault("beslutsomrade", "Yttranden i remisser av mindre vikt")
    falt.setdefault("giltig_fran", datetime.date(2025, 1, 1))
    falt.setdefault("antagen_genom", "HSN 2025-02-12 § 14")
    falt.setdefault("ej_undantaget", True)
    return Delegationspunkt.objects.create(**falt)


def ledamot(organ, person, **falt):
    """A seat as ledamot in ``organ``'s register, from 2023 and still held."""
    from arenden.models import Ledamotsuppdrag

    falt.setdefault("uppdrag", Ledamotsuppdrag.Uppdrag.LEDAMOT)
    falt.setdefault("fran", datetime.date(2023, 1, 1))
    return Ledamotsuppdrag.objects.create(organ=organ, person=person, **falt)


def hemlig_bilaga(punkt, registrator, titel="Avvikelserapport om patient NN"):
    """A secret beslutsunderlag (OSL 25 kap. 1 §) added to an open item of a meeting: its
    title is secret, its public title "Avvikelserapport"."""
    from arenden.diarium.services import lagg_till_handling

    bilaga = lagg_till_handling(
        punkt.arende,
        user=registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel=titel,
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    punkt.bilagor.add(bilaga)
    return bilaga


def fran_motessidan(sammantrade, data=None) -> dict:
    """``data`` as a form on the meeting page sends it: with the meeting's version as the
    page shows it now (``sammantrade`` a meeting or its pk)."""
    pk = getattr(sammantrade, "pk", sammantrade)
    return {**(data or {}), "version": Sammantrade.objects.get(pk=pk).version}


def fran_arendesidan(arende, data=None) -> dict:
    """``data`` as a form on the ärende's pages sends it: with the ärende's version as the
    page shows it now (``arende`` an ärende or its pk)."""
    from arenden.diarium.services import arendets_version
    from arenden.models import Arende

    pk = getattr(arende, "pk", arende)
    return {**(data or {}), "version": arendets_version(Arende.objects.get(pk=pk))}


def ansla_den(sammantrade, *, user, dag: datetime.date, skal: str = ""):
    """Put the protokoll on the anslagstavla on ``dag``, a day past: an anslag is dated the
    day the step is taken (protokoll.vid_anslag), so the clock stands at 10.00 that day."""
    from arenden.sammantraden import protokoll

    klockan = datetime.datetime.combine(
        dag, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")
    )
    with mock.patch.object(timezone, "now", return_value=klockan):
        return protokoll.ansla(sammantrade, user=user, skal=skal)
