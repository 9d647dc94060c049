"""The application in a real browser: Debian's Chromium, headless, driven by Playwright.

One test walks HSN 787-2025 from registrering to återrapportering as four people, by
clicking and typing only; one checks that the public postlista hides a secret ärende; one
runs axe-core (vendored: tests/axe.min.js, axe-core 4.14.1, MPL-2.0) on every page, at desktop
width and at 375 px, and fails on any serious or critical violation. Screenshots of the main
pages are saved under test-output/screenshots; each role's start page, at 1280×800, under
docs/skarmbilder/<roll>.png, where the README shows them."""

import datetime
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from arenden import demo
from arenden.diarium import services
from arenden.models import Arende, Organ, Person, Sammantrade
from workflow.engine import history

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
SKARMBILDER = Path(settings.BASE_DIR) / "docs" / "skarmbilder"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(scope="module", autouse=True)
def sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls
    are synchronous and safe here. Only while this module runs (a subprocess started by
    another test must not inherit it: ``check --deploy`` refuses it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        shot(page, f"FEL-{request.node.name}")
        print("Sidan vid felet:", page.url)
    context.close()


def login(page, username):
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina arbetslistor")).to_be_visible()


def logout(page):
    page.get_by_role("button", name=re.compile("^Logga ut")).click()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


AXE = Axe(axe_script=(Path(__file__).parent / "axe.min.js").read_text(encoding="utf-8"))


def serious_violations(page) -> list[str]:
    """What axe-core finds on the page (closed <details> opened first) that is serious or
    critical, one line each."""
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    result = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def status(page, text):
    expect(page.locator("p.status strong")).to_have_text(text)


def test_hsn_787_2025_from_registrering_to_aterrapportering_by_clicking(page, tmp_path):
    demo.bygg_organisation()
    # HSN's ordförande and justerare, with their accounts (the admin's work, not a page's)
    for username, namn, _roll, _justerare in demo.HSN_787_UNDERTECKNARE:
        demo.med_konto(Person.objects.create(namn=namn, typ=Person.Typ.FORTROENDEVALD), username)
    underlag = tmp_path / "underlag-palliativ-vard.txt"
    underlag.write_text("Underlag om palliativ vård: nuläge och utvecklingsförslag.\n")
    rapport = tmp_path / "aterrapport.txt"
    rapport.write_text(demo.aterrapport_text())

    # the registrator registers the initiativärende under its number
    login(page, "registrator")
    page.get_by_role("link", name="Registrera", exact=True).click()
    found = {"registrera": serious_violations(page)}
    page.get_by_label("Organ").select_option(label="Hälso- och sjukvårdsnämnden")
    page.get_by_label("Diarienummer").fill("HSN 787-2025")
    page.get_by_label("Ärendemening").fill(demo.HSN_787_RUBRIK)
    page.get_by_label("Ärendetyp").select_option(label="initiativärende")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_role("heading", name=demo.HSN_787_RUBRIK)).to_be_visible()
    status(page, "Registrerat")
    logout(page)

    # the stabschef sees it among the new ones and assigns it
    login(page, "stabschef")
    shot(page, "start-stabschef")
    page.get_by_role("link", name=re.compile("^Att tilldela")).click()
    page.get_by_role("link", name="HSN 787-2025").click()
    page.get_by_role("link", name="Tilldela", exact=True).click()
    page.get_by_label("Handläggare").select_option(
        label="Henrik Ångström, utvecklingsledare, HSF övergripande verksamhet"
    )
    page.get_by_label("Person").nth(0).select_option(label="Henrik Ångström")
    page.get_by_label("Del i beredningen").nth(0).fill("delaktig i framtagandet av bilagt underlag")
    page.get_by_label("Person").nth(1).select_option(label="Yvonne E Nygren")
    page.get_by_label("Del i beredningen").nth(1).fill(
        "delaktig i slutlig handläggning inför politiskt beslut"
    )
    shot(page, "tilldela")
    page.get_by_role("button", name="Tilldela").click()
    status(page, "Tilldelat")
    logout(page)

    # the handläggare prepares it on Mina ärenden
    login(page, "handlaggare")
    page.get_by_role("link", name="Mina ärenden", exact=True).first.click()
    page.get_by_role("link", name="HSN 787-2025", exact=True).click()
    page.get_by_role("button", name="Påbörja beredning").click()
    status(page, "Under beredning")
    page.get_by_role("link", name="Ny handling").click()
    found["ny-handling"] = serious_violations(page)
    page.get_by_label("Typ").select_option(label="beslutsunderlag")
    page.get_by_label("Riktning").select_option(label="upprättad")
    page.get_by_label("Datum").fill("2025-10-07")
    page.get_by_label("Titel", exact=True).fill("Underlag om palliativ vård 251007")
    page.get_by_label("Fil").set_input_files(str(underlag))
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Handlingen är registrerad.")).to_be_visible()
    page.get_by_role("link", name="Skriv tjänsteskrivelsen").click()
    found["tjansteskrivelse"] = serious_violations(page)
    page.get_by_label("Datum").fill("2025-10-16")
    page.get_by_label("Författare").select_option(label="Yvonne E Nygren")
    page.get_by_label("Sammanfattning").fill(demo.HSN_787_TJANSTESKRIVELSE["sammanfattning"])
    page.get_by_label("Förslag till beslut").fill(
        demo.HSN_787_TJANSTESKRIVELSE["forslag_till_beslut"]
    )
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Sändlista").click()
    found["sandlista"] = serious_violations(page)
    page.get_by_label("Person").select_option(label="Pia Näsvall")
    page.get_by_label("Enhet").select_option(label="HSD")
    page.get_by_role("button", name="Lägg till").click()
    expect(page.get_by_text("Pia Näsvall, HSD är tillagd på sändlistan.")).to_be_visible()
    expect(page.get_by_role("button", name="Ta bort Pia Näsvall, HSD")).to_be_visible()
    page.get_by_role("link", name="Tillbaka till ärendet").click()
    shot(page, "arende-handlaggare")
    page.get_by_role("button", name="Markera som beredd").click()
    status(page, "Beredd")
    logout(page)

    # the nämndsekreterare puts it on the agenda, records the beslut and dispatches it
    login(page, "sekreterare")
    page.get_by_role("link", name="Sammanträden", exact=True).click()
    page.get_by_label("Organ").select_option(label="Hälso- och sjukvårdsnämnden")
    page.get_by_label("Datum").fill("2025-11-12")
    page.get_by_label("Plats").fill("Regionens hus, Umeå")
    page.get_by_role("button", name="Planera").click()
    status(page, "Planerat")
    page.get_by_label("Ärende", exact=True).select_option(
        label=f"HSN 787-2025 {demo.HSN_787_RUBRIK}"
    )
    page.get_by_label("Slag", exact=True).select_option(label="beslutsärende")
    page.get_by_role("button", name="Lägg till på föredragningslistan").click()
    found["sammantrade-planerat"] = serious_violations(page)
    # the närvaro first: the kallelse goes to them, and they sign the protokoll
    for namn, roll, justerare in (
        ("Agneta Exempeldotter", "ordförande", False),
        ("Bengt Provsson", "ledamot", True),
    ):
        deltagare = page.locator("form[action$='/deltagare/']")  # Lägg till deltagare
        deltagare.get_by_label("Person", exact=True).select_option(label=namn)
        deltagare.get_by_label("Roll").select_option(label=roll)
        if justerare:
            deltagare.get_by_label("Justerare").check()
        deltagare.get_by_role("button", name="Lägg till").click()
        expect(page.get_by_role("cell", name=namn, exact=True)).to_be_visible()
    page.get_by_role("button", name="Skicka kallelse").click()
    status(page, "Kallat")
    found["sammantrade-kallat"] = serious_violations(page)
    beslut = page.locator("details", has_text="För in beslut")
    if not beslut.evaluate("d => d.open"):
        page.get_by_text("För in beslut").click()
    page.get_by_label("Utfall").select_option(label="bifall")
    page.get_by_label("Beslut", exact=True).fill(
        demo.HSN_787_TJANSTESKRIVELSE["forslag_till_beslut"]
    )
    page.get_by_label("Uppdrag att återrapportera").fill(
        "Återrapportera arbetet med Handslaget, punkt för punkt, till nämnden."
    )
    page.get_by_label("Återrapporteras senast").fill("2026-06-17")
    page.get_by_role("button", name="För till protokollet").click()
    page.get_by_role("button", name="Upprätta protokollet").click()
    status(page, "Genomfört")
    expect(page.get_by_role("heading", name=f"§ 1 {demo.HSN_787_RUBRIK}")).to_be_visible()
    shot(page, "sammantrade")
    mote_url = page.url
    page.get_by_role("link", name="HSN 787-2025").click()
    status(page, "Beslutat")
    # not sent before the protokoll is justerat: the page says why and offers no button
    page.get_by_role("link", name="Expediera beslutet").click()
    expect(page.get_by_text("Beslutet kan inte expedieras ännu")).to_be_visible()
    expect(page.get_by_role("button", name="Markera som expedierat")).to_have_count(0)
    logout(page)

    # the ordförande and the justerare sign the protokoll
    for username, _namn, _roll, _justerare in demo.HSN_787_UNDERTECKNARE:
        login(page, username)
        page.goto(mote_url)
        page.get_by_role("button", name="Justera protokollet").click()
        expect(page.get_by_text("Du har justerat protokollet.")).to_be_visible()
        logout(page)

    # justerat, the nämndsekreterare sends the beslut
    login(page, "sekreterare")
    page.goto(mote_url)
    page.get_by_role("link", name="HSN 787-2025").click()
    page.get_by_role("link", name="Expediera beslutet").click()
    found["expediera"] = serious_violations(page)
    page.get_by_role("button", name="Markera som expedierat").click()
    expect(page.get_by_text("Expedierat till Pia Näsvall")).to_be_visible()
    status(page, "Bevakas")  # sent to everyone on the list: back on the ärende page
    logout(page)

    # months later the handläggare files the återrapport and reports the uppdrag
    login(page, "handlaggare")
    page.get_by_role("link", name=re.compile("^Återrapportering förfaller")).click()
    page.get_by_role("link", name="HSN 787-2025").click()
    page.get_by_role("link", name="Ny handling").click()
    page.get_by_label("Typ").select_option(label="återrapport")
    page.get_by_label("Riktning").select_option(label="upprättad")
    page.get_by_label("Datum").fill("2026-06-01")
    page.get_by_label("Titel", exact=True).fill(demo.HSN_787_ATERRAPPORT_TITEL)
    page.get_by_label("Fil").set_input_files(str(rapport))
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Redovisa uppdraget").click()
    found["redovisa"] = serious_violations(page)
    page.get_by_label("Återrapport", exact=True).select_option(index=1)
    page.get_by_label("Redovisad för organet").fill("2026-06-17")
    page.get_by_role("button", name="Spara").click()
    status(page, "Avslutat")
    shot(page, "arende-avslutat")

    arende = Arende.objects.get(serie="HSN", lopnummer=787, ar=2025)
    assert arende.state == "avslutat"
    assert [(h.transition, h.actor.username) for h in history(arende)] == [
        ("", "registrator"),
        ("tilldela", "stabschef"),
        ("paborja_beredning", "handlaggare"),
        ("markera_beredd", "handlaggare"),
        ("anmal", "sekreterare"),
        ("besluta", "sekreterare"),
        ("expediera", "sekreterare"),
        ("bevaka", "sekreterare"),
        ("avsluta_aterrapporterat", "handlaggare"),
    ]
    assert [b.person.namn for b in arende.beredningsansvariga.all()] == [
        "Henrik Ångström",
        "Yvonne E Nygren",
    ]
    [beslut] = arende.beslut.all()
    assert (beslut.paragraf, beslut.datum) == (1, datetime.date(2025, 11, 12))
    assert {name: v for name, v in found.items() if v} == {}


def test_postlista_hides_a_secret_arende(page):
    folk = demo.bygg_organisation()
    services.registrera_arende(
        organ=Organ.objects.get(kod="HSN"),
        arendemening="Vårdplanering för en namngiven patient",
        offentlig_rubrik="Vårdplanering",
        typ="skrivelse",
        user=folk.registrator,
        sekretess_lagrum="OSL 25 kap. 1 §",
        avsandare="Anna Andersson, Storgatan 1",
    )
    page.goto("/postlista/")
    expect(page.get_by_role("heading", name="Postlista")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("HSN 1-"))
    # the offentlig rubrik with the marking and its lagrum (OSL 5 kap. 5 §)
    expect(row).to_contain_text("Vårdplanering – Sekretess (OSL 25 kap. 1 §)")
    content = page.content()
    for secret in ("namngiven patient", "Anna Andersson", "Storgatan"):
        assert secret not in content
    shot(page, "postlista")


#: (name, user or None for the public, path): every page of the application
def _pages():
    arende = Arende.objects.get(serie="HSN", lopnummer=787, ar=2025)
    rs = Arende.objects.get(serie="RS", lopnummer=909)
    registrerat = Arende.objects.get(serie="RF")
    mote = Sammantrade.objects.get(organ__kod="SVO")
    rs_mote = Sammantrade.objects.get(organ__kod="RS")
    klagomal = Arende.objects.get(serie="HSN", lopnummer=812, ar=2025)
    # grouped by person, so that each logs in once
    return [
        ("logga-in", None, "/konto/logga-in/"),
        ("postlista", None, "/postlista/"),
        ("anslagstavla", None, "/anslagstavla/"),
        ("publikt-arende", None, f"/postlista/arende/{arende.pk}/"),
        ("start-handlaggare", "handlaggare", "/"),
        ("mina-arenden", "handlaggare", "/mina-arenden/"),
        ("arende", "handlaggare", f"/arende/{arende.pk}/"),
        ("begaran", "handlaggare", f"/begaran/{klagomal.begaranden.get().pk}/"),
        ("begaranden", "handlaggare", "/begaranden/"),
        ("start-sekreterare", "sekreterare", "/"),
        ("arende-rs", "sekreterare", f"/arende/{rs.pk}/"),
        ("sammantraden", "sekreterare", "/sammantraden/"),
        ("sammantrade-svo", "sekreterare", f"/sammantrade/{mote.pk}/"),
        ("sammantrade-rs", "sekreterare", f"/sammantrade/{rs_mote.pk}/"),
        ("start-revisor", "revisor", "/"),
        ("tidslinje", "revisor", f"/arende/{arende.pk}/tidslinje/"),
        ("granskningslogg", "revisor", "/granskning/?person=sekreterare"),
        ("kontroll", "revisor", "/granskning/kontroll/"),
        ("sok", "revisor", "/sok/?q=palliativ"),
        ("arbetsflode", "revisor", "/arbetsflode/arende/"),
        ("arbetsflode-sammantrade", "revisor", "/arbetsflode/sammantrade/"),
        ("sekretessatkomst", "revisor", "/granskning/sekretess/"),
        ("start-stabschef", "stabschef", "/"),
        ("att-tilldela", "stabschef", "/arbetslista/att_tilldela/"),
        ("oversikt", "stabschef", "/oversikt/"),
        ("bevakning", "stabschef", "/bevakning/"),
        ("uppgifter", "stabschef", "/uppgifter/"),
        ("arende-stabschef", "stabschef", f"/arende/{registrerat.pk}/"),
        ("tilldela", "stabschef", f"/arende/{registrerat.pk}/tilldela/"),
        ("start-registrator", "registrator", "/"),
        ("registrera", "registrator", "/registrera/"),
        ("sent-registrerade", "registrator", "/diarium/sent-registrerade/"),
        ("start-ordforande", "ordforande", "/"),
        ("sammantrade-justerare", "ordforande", f"/sammantrade/{mote.pk}/"),
        ("start-justerare", "justerare", "/"),
    ]


#: the page each role starts on, and the name of its screenshot in docs/skarmbilder/
START_PER_ROLL = {
    "logga-in": "allmanheten",
    **{
        f"start-{roll}": roll
        for roll in (
            "registrator",
            "stabschef",
            "handlaggare",
            "sekreterare",
            "ordforande",
            "justerare",
            "revisor",
        )
    },
}


def test_every_page_passes_axe_without_serious_violations(page):
    """Every page as its users see it (the form pages of the walk above are checked there,
    in the states where they can be opened)."""
    demo.ladda()
    page.set_viewport_size({"width": 1280, "height": 800})
    found = {}
    logged_in = None
    for name, user, path in _pages():
        if user != logged_in:
            page.context.clear_cookies()
            if user:
                login(page, user)
            logged_in = user
        response = page.goto(path)
        assert response.status == 200, (name, path, response.status)
        serious = serious_violations(page)
        if serious:
            found[name] = serious
        if name in START_PER_ROLL:
            SKARMBILDER.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SKARMBILDER / f"{START_PER_ROLL[name]}.png"))
        shot(page, name)
    assert found == {}
    assert set(START_PER_ROLL) <= {name for name, _, _ in _pages()}


def test_every_page_fits_a_phone(page):
    """At 375 px (a small phone) no page is wider than the screen, "Logga ut" is on it (the
    menu wraps and wide tables scroll within themselves) and axe-core finds nothing serious."""
    demo.ladda()
    page.set_viewport_size({"width": 375, "height": 740})
    for_breda, found = {}, {}
    logged_in = None
    for name, user, path in _pages():
        if user != logged_in:
            page.context.clear_cookies()
            if user:
                login(page, user)
            logged_in = user
        assert page.goto(path).status == 200, (name, path)
        bredd = page.evaluate("document.documentElement.scrollWidth")
        if bredd > 375:
            for_breda[name] = bredd
        serious = serious_violations(page)
        if serious:
            found[name] = serious
        if user:
            ruta = page.get_by_role("button", name="Logga ut").bounding_box()
            assert ruta and ruta["x"] >= 0 and ruta["x"] + ruta["width"] <= 375, name
        shot(page, f"telefon-{name}")
    assert for_breda == {}
    assert found == {}
