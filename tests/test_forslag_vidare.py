"""An ärende överlämnat to a higher organ goes on there: the förslag is registered in that
organ's diarium (the styrelse's, for what fullmäktige decides, KL 5 kap. 26–28 §§) before the
matter is closed here. Before, *Avsluta* closed it with the förslag in no diarium, and only
Python could register it."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.models import Arende, ArendeRelation, Organ
from tests import factories
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def rs(db):
    return factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)


@pytest.fixture
def rf(db):
    return factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


@pytest.fixture
def rs_registrator(rs):
    return factories.user("registrator-RS", organ_role="Registrator", on=rs)


@pytest.fixture
def overlamnat(cast, rf):
    """HSN's förslag to regionfullmäktige, its protokoll justerat."""
    arende = cast.berett("Nära vård i länet")
    factories.besluta(arende, cast.sekreterare, "Föreslår regionfullmäktige", forslag_till=rf)
    assert arende.state == "overlamnat"
    return arende


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def _fortsattningar(arende):
    return ArendeRelation.objects.filter(fran=arende, typ=ArendeRelation.Typ.FORTSATTER_I)


def test_avslutat_only_once_the_forslag_is_registered_where_it_goes_on(
    cast, overlamnat, rs, rs_registrator
):
    with pytest.raises(
        RequirementMissing, match="inte registrerat i diariet där ärendet fortsätter"
    ):
        do_transition(overlamnat, "avsluta", cast.stabschef, "Klart")
    assert Arende.objects.get(pk=overlamnat.pk).state == "overlamnat"

    fortsattning = diarium_services.fortsatt_i(overlamnat, organ=rs, user=rs_registrator)
    assert (fortsattning.organ, fortsattning.arendemening) == (rs, "Nära vård i länet")
    do_transition(overlamnat, "avsluta", cast.stabschef, "Fortsätter i RS")
    assert Arende.objects.get(pk=overlamnat.pk).state == "avslutat"


def test_the_registrator_registers_the_forslag_from_the_list_once(
    cast, overlamnat, rs, rf, rs_registrator
):
    """The list names the förslag with the styrelse offered first (it goes to fullmäktige);
    the form sent twice (a double click: the same key) registers it once, and sent again
    from a page read before is refused with where it was registered."""
    klient = _klient(rs_registrator)
    start = klient.get(reverse("arenden:start")).content.decode()
    assert "Förslag att registrera" in start
    sida = klient.get(reverse("arenden:forslag_att_registrera")).content.decode()
    assert str(overlamnat.diarienummer) in sida and "Nära vård i länet" in sida
    # where it may go on: the styrelse, heard first, and fullmäktige itself; no other organ
    assert re.findall(r'<option value="(\d+)">', sida) == [str(rs.pk), str(rf.pk)]

    url = reverse("arenden:registrera_forslag", args=[overlamnat.pk])
    data = {"organ": rs.pk, "inskick": "a" * 32}
    forsta, andra = klient.post(url, data), klient.post(url, data)
    [relation] = _fortsattningar(overlamnat)
    ny = relation.till
    assert forsta.status_code == andra.status_code == 302
    assert forsta["Location"] == andra["Location"] == reverse("arenden:arende", args=[ny.pk])
    assert ny.organ == rs and str(ny.diarienummer).startswith("RS ")

    svar = klient.post(url, {"organ": rs.pk, "inskick": "b" * 32}, follow=True)
    assert f"redan registrerat i diariet hos Regionstyrelsen som {ny.diarienummer}" in (
        svar.content.decode()
    )
    assert _fortsattningar(overlamnat).count() == 1
    sida = klient.get(reverse("arenden:forslag_att_registrera")).content.decode()
    assert "Inga förslag väntar" in sida


def test_only_where_the_forslag_goes_and_a_clear_answer_to_bad_input(cast, overlamnat, rs):
    """A registrator of another nämnd neither sees the förslag nor registers it in their own
    diarium (the rule would then hold with the förslag nowhere near fullmäktige); an organ
    that is no number is a message, not an error page."""
    ks = factories.organ("KS", "Kulturnämnden")
    ks_registrator = factories.user("registrator-KS", organ_role="Registrator", on=ks)
    klient = _klient(ks_registrator)
    sida = klient.get(reverse("arenden:forslag_att_registrera")).content.decode()
    assert "Inga förslag väntar" in sida and "Nära vård" not in sida
    with pytest.raises(ValidationError, match="Förslaget går till Regionstyrelsen eller"):
        diarium_services.fortsatt_i(overlamnat, organ=ks, user=ks_registrator)

    url = reverse("arenden:registrera_forslag", args=[overlamnat.pk])
    registrator = factories.user("registrator-alla", global_role="Registrator")
    for organ in ("abc", " ", "1.5", "", str(overlamnat.organ_id), "999999", str(ks.pk)):
        svar = _klient(registrator).post(url, {"organ": organ}, follow=True)
        assert svar.status_code == 200, organ
        assert svar.redirect_chain[-1][0] == reverse("arenden:forslag_att_registrera"), organ
    assert not _fortsattningar(overlamnat).exists()


def test_only_a_registrator_and_only_an_overlamnat_arende(client, cast, overlamnat, rs):
    klient = _klient(cast.handlaggare)
    assert klient.get(reverse("arenden:forslag_att_registrera")).status_code == 403
    url = reverse("arenden:registrera_forslag", args=[overlamnat.pk])
    assert klient.post(url, {"organ": rs.pk}).status_code == 403
    assert not _fortsattningar(overlamnat).exists()

    # HSN's registrator may not register in RS's diarium: a message, nothing registered
    bara_hsn = factories.user("registrator-bara-HSN", organ_role="Registrator", on=cast.organ)
    svar = _klient(bara_hsn).post(url, {"organ": rs.pk}, follow=True)
    assert "Du får inte registrera ärenden i Regionstyrelsen." in svar.content.decode()
    assert not _fortsattningar(overlamnat).exists()

    oppet = cast.berett("Ett berett ärende")
    registrator = factories.user("registrator-alla", global_role="Registrator")
    with pytest.raises(ValidationError, match="Bara ett ärende som är överlämnat"):
        diarium_services.fortsatt_i(oppet, organ=rs, user=registrator)
    assert not Arende.objects.filter(organ=rs).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrators_at_once_register_it_once(cast, overlamnat, rs, rs_registrator):
    """Two registrators register the same förslag at the same moment: one new ärende in
    RS's diarium, the other refused, its number not taken."""
    kollega = factories.user("registrator-RS-2", organ_role="Registrator", on=rs)
    start = threading.Barrier(2)
    svar = []

    def registrera(user, nyckel):
        try:
            start.wait()
            url = reverse("arenden:registrera_forslag", args=[overlamnat.pk])
            svar.append(_klient(user).post(url, {"organ": rs.pk, "inskick": nyckel}))
        finally:
            close_old_connections()

    tradar = [
        threading.Thread(target=registrera, args=(u, k * 32))
        for u, k in ((rs_registrator, "c"), (kollega, "d"))
    ]
    for t in tradar:
        t.start()
    for t in tradar:
        t.join()
    assert connection.vendor == "postgresql"
    assert [s.status_code for s in svar] == [302, 302]
    assert _fortsattningar(overlamnat).count() == 1
    assert Arende.objects.filter(organ=rs).count() == 1
