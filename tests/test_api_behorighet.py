"""Who may reach which endpoint of the API, asked over HTTP with each demo role's key: a
hand-written table role × endpoint, the same answers the pages give
(tests/test_sidor_behorighet.py). An ärende a role may not open is not in its lists either,
and the anonymous caller reaches only the published protokoll."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arenden import demo
from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Handling, Sammantrade
from tests import factories
from tests.test_api import Integration
from tests.test_sammantraden_regler import Mote
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

ALLA = {"stabschef", "handlaggare", "sekreterare", "registrator", "revisor", "ordforande"}
LASARE = {"stabschef", "handlaggare", "sekreterare", "registrator", "revisor"}
MOTET = {"sekreterare", "registrator", "revisor", "ordforande"}
OPPET = None  # open to everyone, the anonymous caller too


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def varld():
    folk = demo.bygg_organisation()
    demo.ladda(folk)
    hsn = folk.organ["HSN"]
    bereds = diarium_services.registrera_arende(
        organ=hsn, arendemening="Under beredning", typ="skrivelse", user=folk.registrator
    )
    handlaggning_services.tilldela(bereds, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(bereds, "paborja_beredning", folk.handlaggare)
    anslaget = Mote(factories.Cast("HSN"), datetime.date(2025, 12, 3)).till("anslaget")
    return {
        "avslutat": Arende.objects.get(serie="HSN", lopnummer=787, ar=2025),
        "registrerat": Arende.objects.get(serie="RF"),
        "bereds": bereds,
        "svo": Sammantrade.objects.get(organ__kod="SVO"),
        "anslaget": anslaget.sammantrade,
        "handling": Handling.objects.filter(
            arende__serie="HSN", arende__lopnummer=787, sekretess_lagrum=""
        ).first(),
    }


def klienter():
    clients = {"anonym": APIClient()}
    for username in ALLA:
        client = Integration()
        user = demo.User.objects.get(username=username)
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
        clients[username] = client
    return clients


def tabell(v):
    """(endpoint, who gets 200): written by hand from the pages' table."""
    avslutat, registrerat, svo = v["avslutat"].pk, v["registrerat"].pk, v["svo"].pk
    return [
        ("/api/arenden/", ALLA),
        ("/api/arbetslistor/", ALLA),
        ("/api/arbetslistor/att_tilldela/", ALLA),
        ("/api/sammantraden/", ALLA),
        (f"/api/arenden/{avslutat}/", LASARE),
        (f"/api/arenden/{avslutat}/handlingar/", LASARE),
        (f"/api/arenden/{avslutat}/overgangar/", LASARE),
        (f"/api/arenden/{avslutat}/historik/", LASARE),
        (f"/api/handlingar/{v['handling'].pk}/", LASARE),
        (f"/api/arenden/{registrerat}/", {"stabschef", "sekreterare", "registrator", "revisor"}),
        (
            f"/api/arenden/{registrerat}/historik/",
            {"stabschef", "sekreterare", "registrator", "revisor"},
        ),
        (f"/api/sammantraden/{svo}/", MOTET),
        (f"/api/sammantraden/{svo}/historik/", MOTET),
        ("/api/protokoll/", OPPET),
        ("/api/schema/", OPPET),
    ]


def test_every_read_endpoint_answers_only_who_may_see_it(varld):
    clients = klienter()
    fel = []
    for path, far in tabell(varld):
        for vem, client in clients.items():
            if far is OPPET:
                vantat = 200
            elif vem == "anonym":
                vantat = 401
            else:
                vantat = 200 if vem in far else 403
            fick = client.get(path).status_code
            if fick != vantat:
                fel.append((path, vem, fick, vantat))
    assert fel == []


def test_a_list_holds_only_what_its_reader_may_open(varld):
    clients = klienter()
    registrerat = varld["registrerat"].pk
    for vem in ALLA:
        sett = set()
        url = "/api/arenden/?antal=100"
        while url:
            sida = clients[vem].get(url).json()
            sett |= {a["id"] for a in sida["resultat"]}
            url = sida["nasta"]
        assert (varld["avslutat"].pk in sett) == (vem in LASARE), vem
        oppnar = {"stabschef", "sekreterare", "registrator", "revisor"}
        assert (registrerat in sett) == (vem in oppnar), vem
        for pk in sett:  # nothing listed that its detail would refuse
            assert clients[vem].get(f"/api/arenden/{pk}/").status_code == 200, (vem, pk)
    protokoll = clients["anonym"].get("/api/protokoll/").json()["resultat"]
    assert [p["id"] for p in protokoll] == [varld["anslaget"].pk]


def test_each_write_endpoint_is_open_only_to_the_role_the_page_gives_it(varld):
    clients = klienter()
    # Registrera: the registrator (the page asks add_arende)
    for vem in sorted(ALLA):
        svar = clients[vem].post(
            "/api/arenden/",
            {"organ": "HSN", "arendemening": "Ny", "typ": "skrivelse"},
            format="json",
        )
        assert svar.status_code == (201 if vem == "registrator" else 403), vem
    assert clients["anonym"].post("/api/arenden/", {}, format="json").status_code == 401
    # Ny handling under beredning: the handläggare and the registrator
    bereds = varld["bereds"]
    for vem in sorted(ALLA):
        svar = clients[vem].post(
            f"/api/arenden/{bereds.pk}/handlingar/",
            {
                "typ": "bilaga",
                "riktning": "intern",
                "datum": "2025-10-20",
                "titel": f"Från {vem}",
                "fil": SimpleUploadedFile("a.txt", b"text"),
            },
        )
        assert svar.status_code == (201 if vem in {"handlaggare", "registrator"} else 403), vem
    assert set(bereds.handlingar.values_list("titel", flat=True)) == {
        "Från handlaggare",
        "Från registrator",
    }
    # Markera som beredd: the handläggare's step; the others are refused and nothing moves.
    # The handläggare goes last, so every refusal meets the same state.
    factories.forslag_till_beslut(bereds, demo.User.objects.get(username="handlaggare"))
    steg = "markera_beredd"
    for vem in sorted(ALLA - {"handlaggare"}) + ["handlaggare"]:
        bereds.refresh_from_db()
        svar = clients[vem].post(
            f"/api/arenden/{bereds.pk}/overgangar/",
            {
                "overgang": steg,
                "status": bereds.state,
                "version": diarium_services.arendets_version(bereds),
            },
            format="json",
        )
        assert svar.status_code == (200 if vem == "handlaggare" else 403), (vem, svar.content)
        if vem != "handlaggare":
            assert Arende.objects.get(pk=bereds.pk).state == "under_beredning"
