"""The rules of the delegationsordning as the service (the one door the page, the admin and any
other caller use) enforces them, each refusal with the Swedish message the nämndsekreterare
reads and nothing changed (KL 6 kap. 37–39 §§). The page's form catches some of these first,
so they are tried here at the door itself; the mutation run (``bash .ci/mutation``) found them
untested there."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arenden.delegering.services import (
    avsluta_delegationspunkt,
    fatta_delegationsbeslut,
    lagg_till_delegationspunkt,
)
from arenden.models import Beslut, Delegationspunkt, Ledamotsuppdrag
from tests import factories
from workflow.engine import history

pytestmark = pytest.mark.django_db

FRAN = datetime.date(2025, 1, 1)


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def dora(cast):
    user = factories.user("delegat-HSN")
    return factories.person("Dora Delegat", anvandare=user, titel="enhetschef")


def _rad(dora, **andrat):
    falt = {
        "nummer": "5.1",
        "beslutsomrade": "Avtal om konsulttjänster upp till 100 000 kr",
        "delegat": dora,
        "giltig_fran": FRAN,
        "antagen_genom": "HSN 2024-12-10 § 101",
        "ej_undantaget": True,
    }
    falt.update(andrat)
    return falt


def _vagras(funktion, *args, meddelande, kod, **kwargs):
    with pytest.raises(ValidationError) as fel:
        funktion(*args, **kwargs)
    assert fel.value.messages == [meddelande]
    assert fel.value.code == kod


@pytest.mark.parametrize(
    "andrat, meddelande, kod",
    [
        (
            {"ej_undantaget": False},
            "Bekräfta att beslutsområdet inte är ett sådant som enligt kommunallagen "
            "6 kap. 38 § inte får delegeras.",
            "kl_6_38",
        ),
        (
            {"antagen_genom": "   "},
            "Ange nämndens beslut som antog punkten (t.ex. HSN 2025-02-12 § 14).",
            "antagen_genom",
        ),
        (
            {"antagen_genom": None},
            "Ange nämndens beslut som antog punkten (t.ex. HSN 2025-02-12 § 14).",
            "antagen_genom",
        ),
        (
            {"delegat": None, "befattning": "  "},
            "Ange en delegat eller en befattning (kommunallagen 6 kap. 37 §).",
            "delegat",
        ),
        (
            {"giltig_till": FRAN - datetime.timedelta(days=1)},
            "Punkten kan inte sluta gälla innan den börjar.",
            "datum",
        ),
    ],
)
def test_a_row_that_breaks_a_rule_is_refused_with_its_reason(cast, dora, andrat, meddelande, kod):
    _vagras(
        lagg_till_delegationspunkt,
        cast.organ,
        user=cast.sekreterare,
        meddelande=meddelande,
        kod=kod,
        **_rad(dora, **andrat),
    )
    assert not Delegationspunkt.objects.exists()


def test_a_row_for_a_befattning_or_for_one_day_is_added(cast, dora):
    en_dag = lagg_till_delegationspunkt(
        cast.organ, user=cast.sekreterare, **_rad(dora, giltig_till=FRAN)
    )
    befattning = lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        **_rad(dora, nummer="5.2", delegat=None, befattning="enhetschef"),
    )
    assert (en_dag.giltig_fran, en_dag.giltig_till) == (FRAN, FRAN)
    assert befattning.delegat is None and befattning.befattning == "enhetschef"


def test_a_number_names_one_row_on_any_day(cast, dora):
    """A delegationsbeslut cites its row by number ("enligt punkt 5.1"): two rows of one
    number valid on the same day would make that ambiguous. A changed row is the old one
    ended and a new one from the day after."""
    gammal = lagg_till_delegationspunkt(cast.organ, user=cast.sekreterare, **_rad(dora))
    andra_gang = datetime.date(2025, 6, 1)
    for fran, till in [(FRAN, None), (andra_gang, None), (datetime.date(2024, 6, 1), FRAN)]:
        _vagras(
            lagg_till_delegationspunkt,
            cast.organ,
            user=cast.sekreterare,
            meddelande=(
                "Punkt 5.1 gäller redan från 2025-01-01. Avsluta den först: en ändrad punkt är "
                "den gamla avslutad och en ny införd från dagen efter."
            ),
            kod="nummer_upptaget",
            **_rad(dora, giltig_fran=fran, giltig_till=till),
        )
    # another nämnd's 5.1 is another row; a row that ended the day before is free
    annan = factories.organ("RS")
    factories.delegationspunkt(organ=annan, nummer="5.1", delegat=dora)
    tidigare = datetime.date(2024, 12, 31)
    lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        **_rad(dora, giltig_fran=datetime.date(2024, 1, 1), giltig_till=tidigare),
    )
    avsluta_delegationspunkt(
        gammal, user=cast.sekreterare, datum=andra_gang, genom="HSN 2025-05-20 § 40"
    )
    ny = lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        **_rad(
            dora,
            giltig_fran=andra_gang + datetime.timedelta(days=1),
            delegat=None,
            befattning="förvaltningschef",
        ),
    )
    assert ny.befattning == "förvaltningschef"
    rader = Delegationspunkt.objects.filter(organ=cast.organ, nummer="5.1").order_by("giltig_fran")
    assert [(r.giltig_fran, r.giltig_till) for r in rader] == [
        (datetime.date(2024, 1, 1), tidigare),
        (FRAN, andra_gang),
        (datetime.date(2025, 6, 2), None),
    ]


@pytest.mark.parametrize("vem", ["stabschef", "handlaggare", "revisor"])
def test_only_the_namndsekreterare_keeps_the_delegationsordning(cast, dora, vem):
    with pytest.raises(PermissionDenied) as fel:
        lagg_till_delegationspunkt(cast.organ, user=getattr(cast, vem), **_rad(dora))
    assert str(fel.value) == (
        "Bara nämndens nämndsekreterare för in och avslutar punkter i delegationsordningen."
    )
    punkt = factories.delegationspunkt(organ=cast.organ, delegat=dora)
    with pytest.raises(PermissionDenied):
        avsluta_delegationspunkt(
            punkt, user=getattr(cast, vem), datum=FRAN, genom="HSN 2025-03-11 § 22"
        )
    punkt.refresh_from_db()
    assert punkt.giltig_till is None
    assert Delegationspunkt.objects.count() == 1


# -- KL 6 kap. 39 §: brådskande ärenden, to the ordförande or another ledamot by name --------


def test_bradskande_goes_to_a_ledamot_by_name_not_to_a_befattning(cast, dora):
    _vagras(
        lagg_till_delegationspunkt,
        cast.organ,
        user=cast.sekreterare,
        meddelande=(
            "Beslut i brådskande ärenden delegeras till ordföranden eller en annan ledamot "
            "vid namn, inte till en befattning (kommunallagen 6 kap. 39 §)."
        ),
        kod="bradskande",
        **_rad(dora, delegat=None, befattning="ordförande", bradskande=True),
    )
    assert not Delegationspunkt.objects.exists()


def _inte_ledamot(namn, datum="2025-01-01"):
    return (
        f"{namn} är inte ledamot i Hälso- och sjukvårdsnämnden den {datum}. Beslut i brådskande "
        "ärenden får bara delegeras till ordföranden eller en annan ledamot "
        "(kommunallagen 6 kap. 39 §)."
    )


def test_bradskande_needs_a_seat_as_ledamot_on_the_day_the_row_starts(cast, dora):
    """A tjänsteperson, an ersättare, a ledamot whose seat begins later or a ledamot of another
    nämnd is refused, for the delegat and for the row's ersättare alike."""
    cia = factories.person("Cia Ledamot", typ="fortroendevald")
    factories.ledamot(cast.organ, cia)
    erik = factories.person("Erik Ersättare", typ="fortroendevald")
    factories.ledamot(cast.organ, erik, uppdrag=Ledamotsuppdrag.Uppdrag.ERSATTARE)
    senare = factories.person("Sara Senare", typ="fortroendevald")
    factories.ledamot(cast.organ, senare, fran=FRAN + datetime.timedelta(days=1))
    annan = factories.person("Anna Annan", typ="fortroendevald")
    factories.ledamot(factories.organ("RS"), annan)

    for delegat, ersattare, namn in [
        (dora, None, "Dora Delegat"),
        (erik, None, "Erik Ersättare"),
        (senare, None, "Sara Senare"),
        (annan, None, "Anna Annan"),
        (cia, dora, "Dora Delegat"),
    ]:
        _vagras(
            lagg_till_delegationspunkt,
            cast.organ,
            user=cast.sekreterare,
            meddelande=_inte_ledamot(namn),
            kod="bradskande",
            **_rad(delegat, ersattare=ersattare, bradskande=True),
        )
    assert not Delegationspunkt.objects.exists()

    punkt = lagg_till_delegationspunkt(
        cast.organ, user=cast.sekreterare, **_rad(cia, bradskande=True)
    )
    assert punkt.bradskande and punkt.delegat == cia
    # the seat that begins later holds from its first day
    sen = lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        **_rad(
            senare,
            nummer="5.2",
            ersattare=cia,
            bradskande=True,
            giltig_fran=FRAN + datetime.timedelta(1),
        ),
    )
    assert sen.ersattare == cia


# -- ending a row ---------------------------------------------------------------------------


@pytest.fixture
def punkt(cast, dora):
    return factories.delegationspunkt(organ=cast.organ, delegat=dora, nummer="3.2")


def test_ending_a_row_needs_the_namnds_beslut(cast, punkt):
    for genom in ("", "   ", None):
        _vagras(
            avsluta_delegationspunkt,
            punkt,
            user=cast.sekreterare,
            datum=datetime.date(2025, 6, 30),
            genom=genom,
            meddelande="Ange nämndens beslut som upphäver punkten (t.ex. HSN 2026-03-11 § 22).",
            kod="genom",
        )
    punkt.refresh_from_db()
    assert punkt.giltig_till is None and punkt.upphavd_genom == ""


def test_a_row_ends_once_and_not_before_it_begins(cast, punkt):
    _vagras(
        avsluta_delegationspunkt,
        punkt,
        user=cast.sekreterare,
        datum=FRAN - datetime.timedelta(days=1),
        genom="HSN 2024-12-10 § 9",
        meddelande="Punkten kan inte sluta gälla innan den börjar (2025-01-01).",
        kod="datum",
    )
    # its first day may be its last, and the beslut's name is kept without the spaces
    avsluta_delegationspunkt(punkt, user=cast.sekreterare, datum=FRAN, genom=" HSN § 9 ")
    punkt.refresh_from_db()
    assert (punkt.giltig_till, punkt.upphavd_genom) == (FRAN, "HSN § 9")
    _vagras(
        avsluta_delegationspunkt,
        punkt,
        user=cast.sekreterare,
        datum=datetime.date(2025, 6, 30),
        genom="HSN 2025-06-11 § 40",
        meddelande="Punkt 3.2 slutar redan gälla 2025-01-01.",
        kod="avslutad",
    )
    punkt.refresh_from_db()
    assert (punkt.giltig_till, punkt.upphavd_genom) == (FRAN, "HSN § 9")


def _beslutat_enligt(cast, punkt, delegat_user, datum):
    return fatta_delegationsbeslut(
        cast.berett(f"Remiss {datum}"), user=delegat_user, punkt=punkt, datum=datum, text="Yttra"
    )


def test_a_row_ends_no_earlier_than_its_last_beslut_and_other_rows_do_not_count(cast, punkt, dora):
    """Only this row's beslut decide, and a beslut on the last day is within it (KL 6 kap.
    37 §: a beslut keeps the ground it was taken on)."""
    annan = factories.delegationspunkt(organ=cast.organ, delegat=dora, nummer="3.3")
    _beslutat_enligt(cast, annan, dora.anvandare, datetime.date(2025, 11, 20))
    _beslutat_enligt(cast, punkt, dora.anvandare, datetime.date(2025, 11, 12))
    _vagras(
        avsluta_delegationspunkt,
        punkt,
        user=cast.sekreterare,
        datum=datetime.date(2025, 11, 11),
        genom="HSN 2025-11-05 § 70",
        meddelande=(
            "Det finns delegationsbeslut enligt punkt 3.2 fattade efter 2025-11-11; punkten "
            "kan inte sluta gälla före dem."
        ),
        kod="beslut_efter",
    )
    avsluta_delegationspunkt(
        punkt, user=cast.sekreterare, datum=datetime.date(2025, 11, 12), genom="HSN § 71"
    )
    punkt.refresh_from_db()
    assert punkt.giltig_till == datetime.date(2025, 11, 12)


# -- taking a beslut under a row (KL 6 kap. 37 och 39 §§) ----------------------------------

DAG = datetime.date(2025, 11, 12)


def test_a_beslut_that_breaks_a_rule_is_refused_with_its_reason(cast, punkt, dora):
    """Each refusal at the door names what is wrong; no beslut is kept and the ärende is not
    moved."""
    berett = cast.berett("Remiss om vårdval")
    registrerat = cast.registrera("Inte berett")
    annan = factories.delegationspunkt(organ=factories.organ("KS"), delegat=dora, nummer="9.9")
    imorgon = timezone.localdate() + datetime.timedelta(days=1)
    fall = [
        (berett, dora.anvandare, punkt, DAG, "  ", "Skriv beslutet.", "beslut"),
        (
            berett,
            dora.anvandare,
            punkt,
            imorgon,
            "Yttra",
            f"Beslutsdagen kan inte ligga i framtiden ({imorgon:%Y-%m-%d}).",
            "i_framtiden",
        ),
        (
            berett,
            dora.anvandare,
            annan,
            DAG,
            "Yttra",
            "Delegationspunkten hör till en annan nämnd än ärendets.",
            "organ",
        ),
        (
            berett,
            cast.handlaggare,
            punkt,
            DAG,
            "Yttra",
            "Du är inte delegat enligt punkt 3.2 den 2025-11-12.",
            "delegat",
        ),
        (
            berett,
            dora.anvandare,
            punkt,
            FRAN - datetime.timedelta(days=1),
            "Yttra",
            "Du är inte delegat enligt punkt 3.2 den 2024-12-31.",
            "delegat",
        ),
        (
            berett,
            dora.anvandare,
            punkt,
            datetime.date(2025, 10, 15),
            "Yttra",
            "Beslutsdagen kan inte vara före dagen ärendet registrerades, 2025-10-16.",
            "fore_registrering",
        ),
        (
            registrerat,
            dora.anvandare,
            punkt,
            DAG,
            "Yttra",
            f"Ärendet {registrerat.diarienummer} är registrerat. Ett delegationsbeslut fattas "
            "när ärendet är berett; står det på en föredragningslista stryker "
            "nämndsekreteraren det därifrån först, eller så beslutar nämnden.",
            "status",
        ),
    ]
    for arende, user, rad, datum, text, meddelande, kod in fall:
        _vagras(
            fatta_delegationsbeslut,
            arende,
            user=user,
            punkt=rad,
            datum=datum,
            text=text,
            meddelande=meddelande,
            kod=kod,
        )
    assert not Beslut.objects.exists()
    berett.refresh_from_db()
    registrerat.refresh_from_db()
    assert (berett.state, registrerat.state) == ("beredd", "registrerat")


def test_the_beslut_records_the_row_the_day_and_the_lagrum_it_stands_on(cast, punkt, dora):
    """The lagrum is the one the delegat gives, else the row's, else for a brådskande row
    KL 6 kap. 39 §; the history names the beslut's kind, or the delegat's comment."""
    vanlig = fatta_delegationsbeslut(
        cast.berett("A"), user=dora.anvandare, punkt=punkt, datum=DAG, text="Yttra"
    )
    punkt.lagrum = "KL 6 kap. 37 §"
    punkt.save()
    med_lagrum = fatta_delegationsbeslut(
        cast.berett("B"), user=dora.anvandare, punkt=punkt, datum=DAG, text="Yttra"
    )
    eget = fatta_delegationsbeslut(
        cast.berett("C"),
        user=dora.anvandare,
        punkt=punkt,
        datum=DAG,
        text="Avslå",
        lagrum="SoL 4 kap. 1 §",
        kommentar="Avslag enligt riktlinjen",
    )
    cia = factories.person("Cia Ledamot", typ="fortroendevald", anvandare=factories.user("cia"))
    factories.ledamot(cast.organ, cia)
    bradskande = lagg_till_delegationspunkt(
        cast.organ, user=cast.sekreterare, **_rad(cia, nummer="1.1", bradskande=True)
    )
    ordforandebeslut = fatta_delegationsbeslut(
        cast.berett("D"), user=cia.anvandare, punkt=bradskande, datum=DAG, text="Yttra"
    )
    assert [
        (b.slag, b.lagrum, b.organ, b.datum, b.fattat_av, b.delegationspunkt, b.text)
        for b in (vanlig, med_lagrum, eget, ordforandebeslut)
    ] == [
        ("delegationsbeslut", "", cast.organ, DAG, dora.anvandare, punkt, "Yttra"),
        ("delegationsbeslut", "KL 6 kap. 37 §", cast.organ, DAG, dora.anvandare, punkt, "Yttra"),
        ("delegationsbeslut", "SoL 4 kap. 1 §", cast.organ, DAG, dora.anvandare, punkt, "Avslå"),
        ("ordforandebeslut", "KL 6 kap. 39 §", cast.organ, DAG, cia.anvandare, bradskande, "Yttra"),
    ]
    steg = [
        history(b.arende).get(transition="besluta_pa_delegation")
        for b in (vanlig, eget, ordforandebeslut)
    ]
    assert [(s.actor, s.comment, s.from_state, s.to_state) for s in steg] == [
        (dora.anvandare, "delegationsbeslut", "beredd", "beslutat"),
        (dora.anvandare, "Avslag enligt riktlinjen", "beredd", "beslutat"),
        (cia.anvandare, "ordförandebeslut", "beredd", "beslutat"),
    ]
    assert Beslut.objects.get(pk=eget.pk).arende.beslutat == DAG


def _delegater(organ) -> dict[str, object]:
    """Who holds the role Delegat on ``organ``, and until when."""
    from arenden.organisation.roles import DELEGAT
    from workflow.models import LocalRole

    return {
        r.user.username: r.valid_until
        for r in LocalRole.objects.filter(
            role=DELEGAT, object_id=organ.pk, content_type__model="organ"
        ).select_related("user")
    }


def test_a_row_whose_delegat_is_changed_takes_the_role_from_the_one_it_named(cast, punkt, dora):
    """The administration corrects the delegat of a row in the admin: the person it named
    before no longer decides on the nämnd's behalf, so no longer holds the role that lets them
    read the nämnd's secret beredda ärenden (OSL: need to know); the one it names now does.
    A person another row still names keeps it, until that row's last day."""
    erik = factories.person("Erik Enhetschef", anvandare=factories.user("erik"))
    assert _delegater(cast.organ) == {"delegat-HSN": None}
    punkt.delegat = erik
    punkt.save()
    assert _delegater(cast.organ) == {"erik": None}
    hemligt = cast.berett("Hemligt", sekretess_lagrum="OSL 26 kap. 1 §")
    assert not dora.anvandare.has_perm("arenden.view_sekretess", hemligt)
    assert erik.anvandare.has_perm("arenden.view_sekretess", hemligt)

    slutar = datetime.date(2026, 6, 30)
    factories.delegationspunkt(organ=cast.organ, delegat=dora, nummer="4.1", giltig_till=slutar)
    punkt.ersattare = dora
    punkt.save()
    punkt.ersattare = None
    punkt.save()
    assert _delegater(cast.organ) == {"erik": None, "delegat-HSN": slutar}

    # a row entered under the wrong nämnd and moved: the role moves with it
    ks = factories.organ("KS", "Kommunstyrelsen")
    punkt.organ = ks
    punkt.save()
    assert _delegater(cast.organ) == {"delegat-HSN": slutar}
    assert _delegater(ks) == {"erik": None}


def test_a_row_holds_from_its_first_day_to_its_last(cast, dora, monkeypatch):
    """KL 6 kap. 37 §: the delegat decides under a row on the days the nämnd gave it, both
    ends included, and not the day before or after."""
    forsta, sista = datetime.date(2025, 11, 3), datetime.date(2025, 11, 14)
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=dora, giltig_fran=forsta, giltig_till=sista
    )
    for dag, far in [
        (forsta - datetime.timedelta(days=1), False),
        (forsta, True),
        (sista, True),
        (sista + datetime.timedelta(days=1), False),
    ]:
        assert rad.galler(dag) is far, dag
    for dag in (forsta, sista):
        # recorded the same day, while the row is in force
        nu = datetime.datetime.combine(dag, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda nu=nu: nu)
        beslut = fatta_delegationsbeslut(
            cast.berett(f"Remiss {dag}"), user=dora.anvandare, punkt=rad, datum=dag, text="Yttra"
        )
        assert beslut.datum == dag
        # the beslut's own history and the ärende's step name the delegat who took it
        assert [h.history_user for h in beslut.history.all()] == [dora.anvandare]
        assert beslut.arende.history.first().history_user == dora.anvandare


def test_the_definition_refuses_a_delegationsbeslut_dated_before_the_arende_came_in(
    cast, punkt, dora
):
    """The rule is the definition's, whoever records the beslut and takes the step: a
    delegationsbeslut dated before the ärende was registrerat is none."""
    from arenden.diarium.services import arkivera_handling
    from workflow.engine import RequirementMissing, do_transition

    arende = cast.berett("Remiss")
    for datum, godtas in ((datetime.date(2025, 10, 15), False), (arende.registrerat, True)):
        beslut = Beslut.objects.create(
            arende=arende,
            organ=cast.organ,
            datum=datum,
            text="Att yttra sig.",
            slag=Beslut.Slag.DELEGATIONSBESLUT,
            fattat_av=dora.anvandare,
            delegationspunkt=punkt,
            dokument=arkivera_handling(
                arende,
                user=dora.anvandare,
                typ="beslut",
                riktning="upprattad",
                titel="Delegationsbeslut",
            ),
        )
        arende.refresh_from_db()
        if godtas:
            do_transition(arende, "besluta_pa_delegation", dora.anvandare)
        else:
            with pytest.raises(RequirementMissing, match="inget delegationsbeslut"):
                do_transition(arende, "besluta_pa_delegation", dora.anvandare)
            beslut.delete()
    arende.refresh_from_db()
    assert arende.state == "beslutat"
