"""Who may open which page: for every page, the people whose roles give it get 200, every other
logged-in person 403, and the anonymous visitor is sent to the login page; the public pages
are open to all. The answers come from ``user.has_perm(perm, obj)`` and the worklists."""

import datetime
import re

import pytest
from django.test import Client

from arenden import demo
from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Sammantrade
from tests import factories
from tests.test_sammantraden_regler import Mote
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

ALLA = {"stabschef", "handlaggare", "sekreterare", "registrator", "revisor", "ordforande"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sidor():
    """(path, who gets 200; None: the public) for every page, on the demo's data and an
    ärende under beredning and one beslutat."""
    folk = demo.bygg_organisation()
    demo.ladda(folk)
    hsn = folk.organ["HSN"]
    avslutat = Arende.objects.get(serie="HSN", lopnummer=787, ar=2025)
    registrerat = Arende.objects.get(serie="RF")
    bereds = diarium_services.registrera_arende(
        organ=hsn, arendemening="Under beredning", typ="skrivelse", user=folk.registrator
    )
    handlaggning_services.tilldela(bereds, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(bereds, "paborja_beredning", folk.handlaggare)
    beslutat = diarium_services.registrera_arende(
        organ=hsn, arendemening="Beslutat", typ="skrivelse", user=folk.registrator
    )
    handlaggning_services.tilldela(beslutat, handlaggare=folk.handlaggare, user=folk.stabschef)
    do_transition(beslutat, "paborja_beredning", folk.handlaggare)
    handlaggning_services.satt_sandlista(beslutat, ["Kommunförbundet"], user=folk.handlaggare)
    factories.forslag_till_beslut(beslutat, folk.handlaggare, sandlista=())
    do_transition(beslutat, "markera_beredd", folk.handlaggare)
    factories.anmal(beslutat, folk.sekreterare)
    factories.besluta(beslutat, folk.sekreterare, "Bifall.")
    svo = Sammantrade.objects.get(organ__kod="SVO")
    # a nämnd's protokoll, justerat and anslaget (the samråd's is never anslaget)
    anslaget = Mote(factories.Cast("HSN"), datetime.date(2025, 12, 3)).till("anslaget")
    klagomal = Arende.objects.get(serie="HSN", lopnummer=812, ar=2025)
    begaran = klagomal.begaranden.get()
    lasare = {"stabschef", "handlaggare", "sekreterare", "registrator", "revisor"}
    motet = {"sekreterare", "registrator", "revisor", "ordforande"}
    return [
        ("/", ALLA),
        ("/mina-arenden/", ALLA),
        ("/arbetslista/att_tilldela/", ALLA),
        ("/oversikt/", ALLA),
        ("/bevakning/", ALLA),
        ("/uppgifter/", ALLA),
        ("/sammantraden/", ALLA),
        ("/sok/?q=palliativ", ALLA),
        ("/arbetsflode/arende/", ALLA),
        ("/registrera/", {"registrator"}),
        ("/granskning/", {"revisor"}),
        ("/granskning/kontroll/", {"revisor"}),
        ("/granskning/export.csv", {"revisor"}),
        (f"/arende/{avslutat.pk}/", lasare),
        (f"/arende/{avslutat.pk}/tidslinje/", lasare),
        (f"/arende/{registrerat.pk}/", {"stabschef", "sekreterare", "registrator", "revisor"}),
        (f"/arende/{registrerat.pk}/tilldela/", {"stabschef"}),
        (f"/arende/{registrerat.pk}/handling/ny/", {"registrator"}),
        (f"/arende/{bereds.pk}/handling/ny/", {"handlaggare", "registrator"}),
        (f"/arende/{bereds.pk}/tjansteskrivelse/", {"handlaggare"}),
        (f"/arende/{bereds.pk}/sandlista/", {"handlaggare"}),
        (f"/arende/{beslutat.pk}/expediera/", {"sekreterare", "registrator"}),
        (f"/sammantrade/{svo.pk}/", motet),
        (f"/sammantrade/{svo.pk}/protokoll.pdf", motet),
        (f"/sammantrade/{svo.pk}/kallelse.docx", motet),
        ("/begaranden/", ALLA),
        (f"/begaran/{begaran.pk}/", lasare),
        (f"/arende/{klagomal.pk}/begaran/ny/", {"stabschef", "handlaggare", "registrator"}),
        ("/diarium/sent-registrerade/", {"stabschef", "registrator", "revisor"}),
        ("/granskning/sekretess/", {"revisor"}),
        ("/postlista/", None),
        (f"/postlista/arende/{klagomal.pk}/", None),
        ("/postlista/?q=avdelning&fran=2025-11-01", None),
        ("/anslagstavla/", None),
        (f"/anslagstavla/{anslaget.sammantrade.pk}/protokoll.pdf", None),
        ("/konto/logga-in/", None),
    ]


#: pages that ask a global Django permission, not the workflow: the superuser passes those
SUPERANVANDARE = {
    "/registrera/",
    "/granskning/",
    "/granskning/kontroll/",
    "/granskning/export.csv",
    # who read secret content, when: diarienummer and beteckning, never the content
    "/granskning/sekretess/",
}


def test_every_page_answers_only_who_may_see_it(sidor, django_user_model):
    clients = {}
    for username in ALLA:
        client = Client()
        client.login(username=username, password=demo.DEMO_PASSWORD)
        clients[username] = client
    # the superuser configures the system; on an ärende or a sammanträde it holds no role and
    # so opens no page of one (DESIGN: not above the workflow)
    django_user_model.objects.create_superuser("admin", "admin@example.se", "lösenord-123")
    clients["admin"] = Client()
    clients["admin"].login(username="admin", password="lösenord-123")
    wrong = []
    for path, may in sidor:
        anonymous = Client().get(path)
        if may is None:
            if anonymous.status_code != 200:
                wrong.append((path, "anonym", anonymous.status_code))
            continue
        if anonymous.status_code != 302 or "/konto/logga-in/" not in anonymous["Location"]:
            wrong.append((path, "anonym", anonymous.status_code))
        for username, client in clients.items():
            if username == "admin":
                expected = 200 if may == ALLA or path in SUPERANVANDARE else 403
            else:
                expected = 200 if username in may else 403
            got = client.get(path).status_code
            if got != expected:
                wrong.append((path, username, got))
    assert wrong == []


def test_a_post_without_the_right_changes_nothing(sidor):
    svo = Sammantrade.objects.get(organ__kod="SVO")
    handlaggare = Client()
    handlaggare.login(username="handlaggare", password=demo.DEMO_PASSWORD)
    assert (
        handlaggare.post(f"/sammantrade/{svo.pk}/rattelse/", {"rattelse-text": "x"}).status_code
        == 403
    )
    assert svo.rattelser.count() == 0
    # a rättelse is written with its text, never taken as a bare step
    sekreterare = Client()
    sekreterare.login(username="sekreterare", password=demo.DEMO_PASSWORD)
    steg = history(svo).count()
    sekreterare.post(
        f"/sammantrade/{svo.pk}/overgang/",
        {"overgang": "ratta", "status": svo.state, "steg": steg, "kommentar": "x"},
    )
    assert svo.rattelser.count() == 0 and history(svo).count() == steg
    anonym = Client().post(f"/sammantrade/{svo.pk}/rattelse/", {"rattelse-text": "x"})
    assert anonym.status_code == 302 and "/konto/logga-in/" in anonym["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.login(username="sekreterare", password=demo.DEMO_PASSWORD)
    assert (
        strict.post(f"/sammantrade/{svo.pk}/rattelse/", {"rattelse-text": "x"}).status_code == 403
    )
    assert svo.rattelser.count() == 0


def test_every_help_text_a_field_points_to_is_on_the_page(sidor):
    """A field with a help text points to it (``aria-describedby``); the text is on the page,
    where a screen reader and a sighted newcomer both find it (Diarienummer may be left empty,
    what Sekretess enligt expects)."""
    clients = {}
    saknas, hjalptexter = [], 0
    for path, may in sidor:
        if path.endswith((".pdf", ".docx", ".csv")):
            continue
        username = "" if may is None else sorted(ALLA if may == ALLA else may)[0]
        if username not in clients:
            clients[username] = Client()
            if username:
                clients[username].login(username=username, password=demo.DEMO_PASSWORD)
        sida = clients[username].get(path).content.decode()
        ids = set(re.findall(r'\bid="([^"]+)"', sida))
        for pekar in re.findall(r'aria-describedby="([^"]+)"', sida):
            for id_ in pekar.split():
                hjalptexter += 1
                if id_ not in ids:
                    saknas.append((path, id_))
    assert saknas == []
    assert hjalptexter >= 5  # the registration, handling and meeting forms have help texts
