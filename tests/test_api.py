"""The REST API does what the pages do, for an integration with a key: registers an ärende in
the diarium series, lists with the search page's filters and a cursor, masks a secret ärende
for who may not read it (OSL 5 kap. 5 §), takes a step through the engine and shows it in the
history, refuses a stale step (409) and one that needs its page's data (422), and checks an
uploaded file as the page does. Every error is problem details (RFC 9457) in Swedish."""

import hashlib
import io
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arenden.diarium import services as diarium_services
from arenden.gemensamt.sidor import INNEHALLSPOLICY
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Handling, Sekretessatkomst
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HEMLIGT = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast("HSN")


class Integration(APIClient):
    """An integration as the API asks one to be: every POST with a key of its own in
    ``Idempotency-Key``, unless the test gives the key (a repeat) or ``None`` (none)."""

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        extra.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
        if extra["HTTP_IDEMPOTENCY_KEY"] is None:
            del extra["HTTP_IDEMPOTENCY_KEY"]
        return super().post(path, data, format, content_type, follow, **extra)


def klient(user) -> APIClient:
    """An integration's client: the account's key in the Authorization header."""
    client = Integration()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    return body


def test_the_registrator_registers_an_arende_under_the_next_number(cast):
    registrator = klient(cast.registrator)
    svar = registrator.post(
        "/api/arenden/",
        {"organ": "HSN", "arendemening": "Skrivelse om fler vårdplatser", "typ": "skrivelse"},
        format="json",
    )
    assert svar.status_code == 201, svar.content
    arende = Arende.objects.get(pk=svar.json()["id"])
    assert svar.json()["diarienummer"] == str(arende.diarienummer)
    assert arende.serie == "HSN" and arende.lopnummer == 1
    assert (arende.state, arende.arendemening) == ("registrerat", "Skrivelse om fler vårdplatser")
    assert [h.transition for h in history(arende)] == [""]
    andra = registrator.post(
        "/api/arenden/",
        {"organ": "HSN", "arendemening": "Nästa", "typ": "skrivelse"},
        format="json",
    )
    assert Arende.objects.get(pk=andra.json()["id"]).lopnummer == 2


def test_registration_is_refused_as_on_the_page(cast):
    # only the registrator registers (the page Registrera asks add_arende)
    body = problem(
        klient(cast.handlaggare).post(
            "/api/arenden/",
            {"organ": "HSN", "arendemening": "X", "typ": "skrivelse"},
            format="json",
        ),
        403,
    )
    assert "registratorn" in body["detail"]
    # the page's form decides what is valid, field by field, in Swedish
    body = problem(
        klient(cast.registrator).post(
            "/api/arenden/", {"organ": "FINNS-EJ", "typ": "skrivelse"}, format="json"
        ),
        400,
    )
    assert set(body["fel"]) == {"organ", "arendemening"}
    # a secret ärende without a public rubrik is refused by the service (OSL 5 kap. 5 §)
    body = problem(
        klient(cast.registrator).post(
            "/api/arenden/",
            {"organ": "HSN", "arendemening": "X", "typ": "skrivelse", "sekretess_lagrum": HEMLIGT},
            format="json",
        ),
        400,
    )
    assert "offentlig rubrik" in body["detail"]
    assert not Arende.objects.exists()


def test_the_list_takes_the_search_pages_filters_and_pages_by_cursor(cast):
    import datetime

    gammalt = cast.registrera("Palliativ vård i hemmet", registrerat=datetime.date(2025, 3, 1))
    nytt = cast.registrera("Tandvård för äldre", registrerat=datetime.date(2025, 10, 1))
    tredje = cast.registrera("Ambulansens bemanning", registrerat=datetime.date(2025, 10, 1))
    handlaggning_services.tilldela(tredje, handlaggare=cast.handlaggare, user=cast.stabschef)
    api = klient(cast.revisor)

    def ids(**params):
        svar = api.get("/api/arenden/", params)
        assert svar.status_code == 200, svar.content
        return [a["id"] for a in svar.json()["resultat"]]

    assert ids() == [tredje.pk, nytt.pk, gammalt.pk]  # newest first, as the pages
    assert ids(q="palliativ") == [gammalt.pk]
    assert ids(q=str(nytt.diarienummer)) == [nytt.pk]
    assert ids(fran="2025-09-01") == [tredje.pk, nytt.pk]
    assert ids(till="2025-09-01") == [gammalt.pk]
    assert ids(status="tilldelat") == [tredje.pk]
    assert ids(organ="RS") == []
    # the cursor walks every ärende once, in order
    sett, url = [], "/api/arenden/?antal=1"
    while url:
        sida = api.get(url).json()
        sett += [a["id"] for a in sida["resultat"]]
        url = sida["nasta"]
    assert sett == [tredje.pk, nytt.pk, gammalt.pk]
    assert "status" in problem(api.get("/api/arenden/", {"status": "okand"}), 400)["detail"]
    problem(api.get("/api/arenden/", {"markor": "inte-en-markor"}), 400)
    problem(api.get("/api/arenden/", {"fran": "2025-13-45"}), 400)


def test_a_secret_arende_is_masked_for_who_may_not_read_it(cast):
    arende = cast.registrera(
        "Patientklagomål från Anna Andersson",
        sekretess_lagrum=HEMLIGT,
        offentlig_rubrik="Klagomål på vården",
        avsandare="Anna Andersson",
    )
    diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Annas brev om behandlingen",
        fil=SimpleUploadedFile("brev.txt", b"Mitt klagomal"),
    )
    handling = arende.handlingar.get()
    # the registrator registers but does not read the content: masked everywhere
    registrator = klient(cast.registrator)
    detalj = registrator.get(f"/api/arenden/{arende.pk}/").json()
    assert detalj["rubrik"] == "Klagomål på vården – Sekretess (OSL 25 kap. 1 §)"
    assert detalj["maskerat"] is True and detalj["avsandare"] is None
    assert "Anna" not in str(detalj)
    assert "Anna" not in str(registrator.get("/api/arenden/").json())
    assert registrator.get("/api/arenden/", {"q": "Anna"}).json()["resultat"] == []
    meta = registrator.get(f"/api/handlingar/{handling.pk}/").json()
    assert meta["maskerad"] is True and meta["fil_url"] is None and "Anna" not in str(meta)
    problem(registrator.get(f"/api/handlingar/{handling.pk}/fil/"), 403)
    problem(registrator.get(f"/api/arenden/{arende.pk}/historik/"), 403)
    assert not Sekretessatkomst.objects.exists()
    # the stabschef of the organ reads it, and the reading is logged as on the page
    stabschef = klient(cast.stabschef)
    detalj = stabschef.get(f"/api/arenden/{arende.pk}/").json()
    assert detalj["rubrik"] == "Patientklagomål från Anna Andersson"
    assert detalj["maskerat"] is False and detalj["avsandare"] == "Anna Andersson"
    assert detalj["handlingar"][0]["titel"] == "Annas brev om behandlingen"
    assert stabschef.get(f"/api/handlingar/{handling.pk}/fil/").status_code == 200
    assert Sekretessatkomst.objects.filter(anvandare=cast.stabschef).count() == 2


def _under_beredning(cast):
    arende = cast.registrera("Tillgänglighet i primärvården")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    return arende


def test_a_step_goes_through_the_engine_and_shows_in_the_history(cast):
    arende = _under_beredning(cast)
    api = klient(cast.handlaggare)
    fore = api.get(f"/api/arenden/{arende.pk}/overgangar/").json()
    assert fore["status"] == "tilldelat" and fore["version"] == diarium_services.arendets_version(
        arende
    )
    assert "paborja_beredning" in [t["id"] for t in fore["overgangar"]]
    svar = api.post(
        f"/api/arenden/{arende.pk}/overgangar/",
        {
            "overgang": "paborja_beredning",
            "status": "tilldelat",
            "version": fore["version"],
            "kommentar": "Börjar med underlaget.",
        },
        format="json",
    )
    assert svar.status_code == 200, svar.content
    arende.refresh_from_db()
    assert arende.state == "under_beredning" == svar.json()["status"]
    historik = api.get(f"/api/arenden/{arende.pk}/historik/").json()
    senaste = historik["poster"][-1]
    assert (senaste["overgang"], senaste["fran"], senaste["till"]) == (
        "paborja_beredning",
        "tilldelat",
        "under_beredning",
    )
    assert senaste["kommentar"] == "Börjar med underlaget."
    assert senaste["vem"] == cast.handlaggare.username
    assert historik["kedja"] == {"intakt": True, "poster": len(historik["poster"]), "brott": []}


def test_a_stale_step_is_refused_with_409(cast):
    arende = _under_beredning(cast)
    api = klient(cast.handlaggare)
    last = diarium_services.arendets_version(arende)
    # someone else takes a step meanwhile, and the ärende comes back to the same state
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    body = problem(
        api.post(
            f"/api/arenden/{arende.pk}/overgangar/",
            {"overgang": "paborja_beredning", "status": "tilldelat", "version": last},
            format="json",
        ),
        409,
    )
    assert body["type"].endswith("/inaktuell")
    assert "ändrats" in body["detail"]
    assert diarium_services.arendets_version(Arende.objects.get(pk=arende.pk)) == last + 1


def test_a_step_read_before_a_change_to_the_arende_is_refused_with_409(cast):
    """The version counted the steps only: a step read before another user changed the
    ärende (here a handling filed in it) was taken on an ärende the integration had not
    seen. The version carries every change now, as the page's does."""
    arende = _under_beredning(cast)
    api = klient(cast.handlaggare)
    fore = api.get(f"/api/arenden/{arende.pk}/overgangar/").json()
    assert fore["version"] == api.get(f"/api/arenden/{arende.pk}/").json()["version"]
    diarium_services.lagg_till_handling(
        arende, user=cast.registrator, typ="skrivelse", riktning="inkommen", titel="Komplettering"
    )
    svar = api.post(
        f"/api/arenden/{arende.pk}/overgangar/",
        {"overgang": "paborja_beredning", "status": "tilldelat", "version": fore["version"]},
        format="json",
    )
    body = problem(svar, 409)
    assert body["type"].endswith("/inaktuell") and "handlingarna" in body["detail"]
    arende = Arende.objects.get(pk=arende.pk)
    assert body["version"] == diarium_services.arendets_version(arende) > fore["version"]
    assert arende.state == "tilldelat"
    # read again, the step is taken
    svar = api.post(
        f"/api/arenden/{arende.pk}/overgangar/",
        {"overgang": "paborja_beredning", "status": "tilldelat", "version": body["version"]},
        format="json",
    )
    assert svar.status_code == 200, svar.content


def test_a_step_that_needs_data_is_refused_as_by_the_pages_button(cast):
    arende = cast.registrera("Nytt ärende")
    body = problem(
        klient(cast.stabschef).post(
            f"/api/arenden/{arende.pk}/overgangar/",
            {
                "overgang": "tilldela",
                "status": "registrerat",
                "version": diarium_services.arendets_version(arende),
            },
            format="json",
        ),
        422,
    )
    assert body["formular"] == f"/arende/{arende.pk}/tilldela/"
    assert Arende.objects.get(pk=arende.pk).state == "registrerat"
    # a step the user may not take: the engine's own refusal
    under = _under_beredning(cast)
    body = problem(
        klient(cast.registrator).post(
            f"/api/arenden/{under.pk}/overgangar/",
            {
                "overgang": "paborja_beredning",
                "status": "tilldelat",
                "version": diarium_services.arendets_version(under),
            },
            format="json",
        ),
        403,
    )
    assert "Du får inte utföra" in body["detail"]
    assert Arende.objects.get(pk=under.pk).state == "tilldelat"


def test_an_upload_is_checked_as_on_the_page(cast):
    arende = _under_beredning(cast)
    api = klient(cast.handlaggare)
    falt = {"typ": "bilaga", "riktning": "upprattad", "datum": "2025-10-20", "titel": "Bilaga"}
    # a program renamed to .pdf: refused by its content
    program = SimpleUploadedFile("bilaga.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 64)
    body = problem(api.post(f"/api/arenden/{arende.pk}/handlingar/", {**falt, "fil": program}), 400)
    assert "Filtypen tas inte emot" in body["detail"]
    assert not Handling.objects.exists()
    innehall = b"%PDF-1.7\n" + b"x" * 200
    svar = api.post(
        f"/api/arenden/{arende.pk}/handlingar/",
        {**falt, "fil": SimpleUploadedFile("bilaga.pdf", innehall)},
    )
    assert svar.status_code == 201, svar.content
    assert svar.json()["sha256"] == hashlib.sha256(innehall).hexdigest()
    fil = api.get(svar.json()["fil_url"])
    assert b"".join(fil.streaming_content) == innehall
    assert fil["X-Checksum-SHA256"] == hashlib.sha256(innehall).hexdigest()
    assert fil["Repr-Digest"].startswith("sha-256=:")
    # who may not add handlingar in this state is refused before the form is read
    problem(
        klient(cast.revisor).post(
            f"/api/arenden/{arende.pk}/handlingar/",
            {**falt, "fil": SimpleUploadedFile("b.pdf", innehall)},
        ),
        403,
    )
    assert Handling.objects.count() == 1


def test_errors_are_problem_details(cast):
    assert problem(klient(cast.revisor).get("/api/arenden/999999/"), 404)["title"] == "Finns inte"
    anonym = APIClient().get("/api/arenden/")
    problem(anonym, 401)
    assert anonym["WWW-Authenticate"] == "Token"
    fel_nyckel = APIClient()
    fel_nyckel.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    problem(fel_nyckel.get("/api/arenden/"), 401)


def test_the_browser_session_needs_its_csrf_token(cast):
    arende = _under_beredning(cast)
    webblasare = APIClient(enforce_csrf_checks=True)
    webblasare.login(username=cast.handlaggare.username, password="lösenord-123")
    assert webblasare.get(f"/api/arenden/{arende.pk}/").status_code == 200
    data = {
        "overgang": "paborja_beredning",
        "status": "tilldelat",
        "version": diarium_services.arendets_version(arende),
    }
    problem(webblasare.post(f"/api/arenden/{arende.pk}/overgangar/", data, format="json"), 403)
    assert Arende.objects.get(pk=arende.pk).state == "tilldelat"


def test_the_schema_and_its_documentation_page_work_under_the_sites_policy(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/arenden/{id}/overgangar/" in schema.content
    sida = client.get("/api/dokumentation/")
    assert sida.status_code == 200
    # the site's strict policy is kept: no inline script, the UI's files from this site
    assert sida["Content-Security-Policy"] == INNEHALLSPOLICY
    html = sida.content.decode()
    assert '<html lang="sv">' in html
    assert "<script>" not in html and "<style" not in html and "cdn" not in html
    skript = client.get("/api/dokumentation/?script=")
    assert skript.status_code == 200 and b"SwaggerUIBundle" in skript.content


def test_api_nyckel_creates_and_rotates_a_key_bound_to_the_account(cast):
    utskrift = io.StringIO()
    call_command("api_nyckel", cast.registrator.username, stdout=utskrift)
    forsta = utskrift.getvalue().strip()
    assert Token.objects.get(user=cast.registrator).key == forsta
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {forsta}")
    assert api.get("/api/arbetslistor/").status_code == 200
    utskrift = io.StringIO()
    call_command("api_nyckel", cast.registrator.username, stdout=utskrift, stderr=io.StringIO())
    assert utskrift.getvalue().strip() != forsta
    assert api.get("/api/arbetslistor/").status_code == 401  # the old key no longer works
    User.objects.create_superuser("admin", "admin@example.se", "lösenord-123")
    with pytest.raises(CommandError):
        call_command("api_nyckel", "admin")
    with pytest.raises(CommandError):
        call_command("api_nyckel", "finns-inte")


def test_a_page_of_the_list_costs_the_same_queries_however_many_rows(cast):
    """The list and the detail read a fixed number of queries, secret rows included (for a
    reader of secret content: the masking is decided for the page at once)."""
    api = klient(cast.stabschef)
    for i in range(2):
        cast.registrera(f"Ärende {i}", sekretess_lagrum=HEMLIGT if i else "")

    def fragor(url):
        with CaptureQueriesContext(connection) as fangat:
            assert api.get(url).status_code == 200
        return len(fangat.captured_queries)

    fa_lista, fa_detalj = (
        fragor("/api/arenden/"),
        fragor(f"/api/arenden/{Arende.objects.first().pk}/"),
    )
    for i in range(6):
        arende = cast.registrera(f"Fler {i}", sekretess_lagrum=HEMLIGT if i % 2 else "")
        diarium_services.lagg_till_handling(
            arende, user=cast.registrator, typ="skrivelse", riktning="inkommen", titel=f"H {i}"
        )
    assert fragor("/api/arenden/") == fa_lista
    assert fragor(f"/api/arenden/{arende.pk}/") <= fa_detalj + 1  # (its Sekretessatkomst)


def test_a_secret_item_of_a_meeting_is_masked_as_in_the_protokoll(cast):
    from tests.test_sammantraden_regler import Mote

    mote = Mote(cast)
    hemligt = mote.berett_arende("Klagomål från Anna Andersson")
    diarium_services.andra_sekretess(
        hemligt,
        user=cast.handlaggare,
        lagrum=HEMLIGT,
        motivering="Uppgifter om hälsa.",
        offentlig_rubrik="Klagomål på vården",
    )
    mote.punkt(arende=hemligt, slag="beslutsarende")
    url = f"/api/sammantraden/{mote.sammantrade.pk}/"

    def rubriker(user):
        svar = klient(user).get(url)
        assert svar.status_code == 200, svar.content
        return {p["arende"]: (p["rubrik"], p["maskerad"]) for p in svar.json()["punkter"]}

    # the registrator reads the meeting, not the secret matter (OSL 5 kap. 5 §)
    rubrik, maskerad = rubriker(cast.registrator)[hemligt.pk]
    assert maskerad and "Anna" not in rubrik and HEMLIGT in rubrik
    # the ordförande serves in the item and decides it (KL 6 kap. 28 §): reads it
    rubrik, maskerad = rubriker(mote.ordforande_user)[hemligt.pk]
    assert not maskerad and "Anna Andersson" in rubrik
    # the open item is open to both
    assert rubriker(cast.registrator)[mote.arende.pk][1] is False


def test_a_meetings_history_shows_its_steps_and_its_chain(cast):
    from tests.test_sammantraden_regler import Mote

    mote = Mote(cast).till("anslaget")
    s = mote.las_om()
    rattelse = protokoll.foresla_rattelse(
        s,
        user=cast.sekreterare,
        punkt=mote.arendepunkt,
        text="Fel datum i § 1, ska vara 3 december.",
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    url = f"/api/sammantraden/{s.pk}/historik/"
    svar = klient(cast.sekreterare).get(url)
    assert svar.status_code == 200, svar.content
    historik = svar.json()
    steg = [p["overgang"] for p in historik["poster"]]
    assert steg[0] == "" and steg[-4:] == [
        "ansla",
        "foresla_rattelse",
        "signera_rattelse",
        "ratta",
    ]
    assert {"kalla", "genomfor"} <= set(steg)
    senaste = historik["poster"][-1]
    assert (senaste["fran"], senaste["till"], senaste["vem"]) == (
        "anslaget",
        "anslaget",
        mote.justerare_user.username,
    )
    assert senaste["kommentar"] == "Rättelse under 1: Fel datum i § 1, ska vara 3 december."
    assert [p["seq"] for p in historik["poster"]] == sorted(p["seq"] for p in historik["poster"])
    assert historik["kedja"] == {"intakt": True, "poster": len(steg), "brott": []}
    # the same question as the meeting page: who may not see the meeting gets a 403
    assert klient(cast.handlaggare).get(f"/api/sammantraden/{s.pk}/").status_code == 403
    problem(klient(cast.handlaggare).get(url), 403)
    problem(klient(cast.sekreterare).get("/api/sammantraden/999999/historik/"), 404)
    problem(APIClient().get(url), 401)


def test_unreasonable_input_is_refused_with_a_4xx_never_a_500(cast):
    import base64
    import json

    api = klient(cast.revisor)

    def markor(varde):
        return base64.urlsafe_b64encode(json.dumps(varde).encode()).decode()

    for url, status in [
        ("/api/arenden/?organ=a%00b", 400),
        ("/api/protokoll/?organ=a%00b", 400),
        ("/api/arenden/?q=a%00", 400),
        (f"/api/arenden/?markor={markor({'v': '2025-01-01', 'pk': 10**30})}", 400),
        (f"/api/arenden/?markor={markor({'v': 'igår', 'pk': 1})}", 400),
        (f"/api/arenden/?markor={markor([1, 2])}", 400),
        ("/api/arenden/?antal=0", 400),
        ("/api/arenden/?antal=101", 400),
        ("/api/arenden/99999999999999999999/", 404),
        ("/api/arenden/-1/", 404),
        ("/api/finns-inte/", 404),
    ]:
        problem(api.get(url), status)
    registrator = klient(cast.registrator)
    problem(registrator.post("/api/arenden/", [1, 2], format="json"), 400)  # not an object
    problem(
        registrator.post(
            "/api/arenden/", {"organ": {"kod": "HSN"}, "typ": "skrivelse"}, format="json"
        ),
        400,
    )


def test_an_address_no_endpoint_answers_is_a_problem_even_posted_without_a_csrf_token(client):
    """Logged in by session, a POST to an unknown address under api/ got the CSRF check's
    HTML page instead of the API's problem details."""
    from django.test import Client

    from tests import factories

    user = factories.Cast().registrator
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    for adress in ("/api/arenden/-1002/handlingar/", "/api/finns-inte/"):
        svar = csrf_client.post(adress, {"typ": "beslut"})
        assert svar.status_code == 404
        assert svar["Content-Type"] == "application/problem+json"
        assert svar.json()["detail"] == "Det finns ingen sådan adress i API:t."


def test_a_key_of_an_account_made_administrator_since_no_longer_lets_it_in(cast):
    """``api_nyckel`` gives no key to an administrator; an account given one and then made
    staff or superuser in the admin was still let in by it, carrying an administrator's
    rights into the API past the rule. The key is asked about whenever it is used."""
    utskrift = io.StringIO()
    call_command("api_nyckel", cast.registrator.username, stdout=utskrift)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {utskrift.getvalue().strip()}")
    assert api.get("/api/arbetslistor/").status_code == 200
    for falt in ("is_staff", "is_superuser"):
        User.objects.filter(pk=cast.registrator.pk).update(**{falt: True})
        svar = problem(api.get("/api/arbetslistor/"), 401)
        assert svar["detail"] == "API-nyckeln eller inloggningen godtas inte."
        fore = Arende.objects.count()
        problem(
            api.post(
                "/api/arenden/",
                {"organ": cast.organ.kod, "arendemening": "Skrivelse", "typ": "skrivelse"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"nyckel-{falt}",
            ),
            401,
        )
        assert Arende.objects.count() == fore
        User.objects.filter(pk=cast.registrator.pk).update(is_staff=False, is_superuser=False)
    assert api.get("/api/arbetslistor/").status_code == 200
