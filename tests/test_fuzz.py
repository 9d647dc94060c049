"""No input gives a 500 (issue 13, item 9). For every URL pattern of the project, found by
walking the URL resolver when the test runs, and as each kind of user on the demo's data:

- the pattern with ids that do not exist, that are too large for the database's integer
  column, and with junk in its words (format, slag, åtgärd …), read (GET) and sent (POST);
- every page a user reaches by following the links from the pattern's plain pages, read
  with junk in every query parameter;
- every form on those pages, sent with a fixed table of malformed values in its fields
  (NUL, a megabyte, huge, negative and non-numeric numbers, dates at and past the calendar's
  ends, unicode oddities, several values for one field, fields left out), once with the
  form's hidden fields kept (so that the junk reaches the form's own checks) and once with
  those replaced as well.

Every answer must be below 500. The table is fixed, the walk is in a fixed order and bounded,
so the test is deterministic; it lists every 5xx it met at once.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from tests import factories

#: the malformed values every field and query parameter gets, one request each
SKRAP: dict[str, object] = {
    "nul": "Budget\x00 2026",
    "stort_tal": "9" * 30,
    "negativt": "-2147483649",
    "inte_tal": "tolv",
    "datum_slut": "9999-12-31",
    "datum_noll": "0000-00-00",
    "tid_slut": "9999-12-31T23:59:59",
    "unicode": "\u202eÅÄÖ\u0301 \ufeff🙂 𝔄\u200d\u00a0",
    "radbrytning": "rad ett\r\nSet-Cookie: x=1\n",
    "flera": ["1", "två", ""],
    "tom": "",
}
#: the kinds also put in the hidden fields (ids, versions, keys, the transition's name)
ALLT = {"nul", "stort_tal", "negativt", "inte_tal", "unicode", "flera", "tom"}
#: a megabyte: once per form and page (it costs more to send than the others)
MEGABYTE = "ä" * 3 + "x" * 1_000_000

#: ids for the path: none such, past a 32-bit and past a 64-bit column
IDN = ["987654321", "9223372036854775808", "1" + "0" * 40]
ORD = ["finns-inte", "x" * 300]
#: query parameters tried on every page, besides those of the page's own GET forms
PARAMETRAR = ["q", "sida", "page", "fran", "till", "datum", "organ", "status", "typ", "ar", "inom"]

#: not sent junk: the logouts (the rest of the walk would be anonymous), and the admin's
#: deletions and its pages for user accounts (a junk POST there deletes or deactivates the
#: very account the walk is logged in with). All are still read.
INTE_POST = re.compile(r"(^|:)logout$|_delete$|^admin:auth_user_")
#: bounds: pages per pattern reached by links, forms per pattern, pages per user
PER_MONSTER = 2
FORMULAR_PER_MONSTER = 3
HOGST_SIDOR = 160
#: Django's admin is one code for every model: a sample of its pages is read and sent junk
ADMIN_SIDOR = 24

ROLLER = ["anonym", "handlaggare", "stabschef", "sekreterare", "revisor", "admin"]


# -- the URL patterns ----------------------------------------------------------------------


def monster(resolver=None, prefix="", namnrymd=""):
    """(route string, name) of every URL pattern, in the resolver's order."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namnrymd}{p.namespace}:" if p.namespace else namnrymd
            yield from monster(p, prefix + _route(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + _route(p.pattern), (namnrymd + p.name) if p.name else None


def _route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    # a regular expression (the admin's app index and catch-all): its named groups become
    # <str:…> and the rest is taken literally
    regex = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    regex = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", regex)
    return regex.replace("\\", "")


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fyll(route: str, varde) -> str:
    return "/" + PARAM.sub(lambda m: varde(m.group(1) or "str", m.group(2)), route)


def trasiga_adresser(route: str) -> list[str]:
    """The pattern with junk in each of its parameters in turn (the others given a plain
    value: 1, or pdf for a format)."""
    parametrar = PARAM.findall(route)
    adresser = []
    for i, (konv, _namn) in enumerate(parametrar):
        for skrap in IDN if konv == "int" else [*ORD, IDN[1]]:
            delar = iter(range(len(parametrar)))

            def varde(konv_, namn_, _i=i, _skrap=skrap, _delar=delar):
                if next(_delar) == _i:
                    return _skrap
                return "1" if konv_ in ("int", "path") else "pdf" if namn_ == "format" else "x"

            adresser.append(fyll(route, varde))
    return list(dict.fromkeys(adresser))


def utan_parametrar(route: str) -> str | None:
    return None if PARAM.search(route) else "/" + route


# -- reading pages -------------------------------------------------------------------------


class Sidlasare(HTMLParser):
    """The links and forms of a page."""

    def __init__(self):
        super().__init__()
        self.lankar: list[str] = []
        self.formular: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.lankar.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "falt": [],
                "dolda": {},
                "fil": [],
            }
            self.formular.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            namn = a.get("name")
            if not namn:
                return
            typ = (a.get("type") or "").lower()
            if typ == "file":
                self._form["fil"].append(namn)
            elif typ == "hidden" or tag == "button":
                self._form["dolda"].setdefault(namn, a.get("value") or "")
            else:
                self._form["falt"].append(namn)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def las(html: str) -> Sidlasare:
    lasare = Sidlasare()
    lasare.feed(html)
    return lasare


def far_postas(url: str) -> bool:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return True
    return not INTE_POST.search(match.view_name)


def route_av(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.route


# -- the walk -------------------------------------------------------------------------------


class Fuzz:
    def __init__(self, client: Client):
        self.client = client
        # where a refusal leads back to: a bare word, not an address
        self.client.defaults["HTTP_REFERER"] = "tillbaka"
        self.fel: list[str] = []
        self.antal = 0

    def fraga(self, metod: str, url: str, data=None, beskrivning=""):
        self.antal += 1
        if metod == "get":
            svar = self.client.get(url, data or {})
        else:
            svar = self.client.post(url, data or {})
        if svar.status_code >= 500:
            self.fel.append(f"{svar.status_code} {metod.upper()} {url[:160]} {beskrivning}")
        return svar

    def vandra(self, startsidor: list[str]) -> list[tuple[str, str]]:
        """Follow links from ``startsidor``; (url, html) of each page read, bounded."""
        ko = list(startsidor)
        sett = set()
        per_monster = defaultdict(int)
        sidor = []
        while ko and len(sidor) < HOGST_SIDOR:
            url = ko.pop(0)
            if url in sett:
                continue
            sett.add(url)
            route = route_av(url)
            if route is None or per_monster[route] >= PER_MONSTER:
                continue
            if route.startswith("admin/"):
                if per_monster["admin"] >= ADMIN_SIDOR:
                    continue
                per_monster["admin"] += 1
            per_monster[route] += 1
            svar = self.fraga("get", url, beskrivning="(länkad)")
            if svar.status_code != 200 or "html" not in svar.get("Content-Type", ""):
                continue
            html = svar.content.decode()
            sidor.append((url, html))
            for lank in las(html).lankar:
                full = urljoin(url, lank)
                delar = urlsplit(full)
                if delar.scheme or delar.netloc or not delar.path.startswith("/"):
                    continue
                ko.append(delar.path + (f"?{delar.query}" if delar.query else ""))
        return sidor

    def fraga_med_skrap(self, url: str, html: str):
        """Junk in every query parameter the page's GET forms know, and in the usual ones."""
        namn = set(PARAMETRAR)
        for form in las(html).formular:
            if form["method"] == "get":
                namn.update(form["falt"])
                namn.update(form["dolda"])
        bas = urlsplit(url).path
        for slag, varde in SKRAP.items():
            fraga = urlencode({n: varde for n in sorted(namn)}, doseq=True)
            self.fraga("get", f"{bas}?{fraga}", beskrivning=slag)
        self.fraga("get", f"{bas}?{urlencode({n: MEGABYTE[:3000] for n in sorted(namn)})}")

    def skicka_formular(self, url: str, html: str, formular_per_monster):
        for form in las(html).formular:
            if form["method"] != "post":
                continue
            mal = urljoin(url, form["action"] or url)
            route = route_av(mal)
            if route is None:
                continue
            if not far_postas(mal):
                continue
            nyckel = (route, tuple(sorted(form["falt"])), tuple(sorted(form["dolda"].items())))
            if nyckel in formular_per_monster["sett"]:
                continue
            hogst = 1 if route.startswith("admin/") else FORMULAR_PER_MONSTER
            if formular_per_monster[route] >= hogst:
                continue
            formular_per_monster["sett"].add(nyckel)
            formular_per_monster[route] += 1
            self._skicka(mal, form)

    def _skicka(self, mal: str, form: dict):
        falt, dolda = form["falt"], form["dolda"]
        # fields left out, and the form as it stands with nothing filled in
        self.fraga("post", mal, {}, "inga fält")
        self.fraga("post", mal, dict(dolda), "bara dolda fält")
        for slag, varde in [*SKRAP.items(), ("megabyte", MEGABYTE)]:
            data = dict(dolda)
            # a megabyte in two fields at most: more is a body past Django's limit (2.5 MB),
            # refused with a 400 before any form sees it
            data.update({n: varde for n in (falt[:2] if slag == "megabyte" else falt)})
            data.update({n: _fil(slag) for n in form["fil"]})
            self.fraga("post", mal, data, f"{slag} (dolda kvar)")
            if dolda and slag in ALLT:
                alla = {n: varde for n in [*falt, *dolda]}
                alla.update({n: _fil(slag) for n in form["fil"]})
                self.fraga("post", mal, alla, f"{slag} (allt)")


def _fil(slag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{slag}\x00.exe", b"MZ\x90\x00" + b"\x00" * 64)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo's data, loaded once for the module inside a transaction that is rolled back
    at its end; each test runs in a savepoint of it (pytest-django), so each user starts
    from the same data whatever the one before changed."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_demo", stdout=open(os.devnull, "w"))
            yield
            transaction.set_rollback(True)


@pytest.mark.parametrize("roll", ROLLER)
def test_no_input_gives_a_500(demo, db, roll):
    client = Client(raise_request_exception=False)
    if roll != "anonym":
        client.force_login(User.objects.get(username=roll))
    fuzz = Fuzz(client)
    alla = list(monster())
    assert len(alla) > 40  # the walk found the project's patterns, not only the admin's

    # every pattern with ids that do not exist or overflow, and junk words
    for route, _namn in alla:
        for url in trasiga_adresser(route):
            fuzz.fraga("get", url, beskrivning="trasig adress")
            # the admin finds its object the same way for a POST as for a GET
            if far_postas(url) and not route.startswith("admin/"):
                fuzz.fraga("post", url, {"kommentar": SKRAP["nul"]}, "trasig adress")

    # the pages reached from every plain pattern, and their forms
    start = [u for u in (utan_parametrar(r) for r, _ in alla) if u]
    start = [u for u in start if "logga-ut" not in u]
    sidor = fuzz.vandra(sorted(start, key=lambda u: (u.startswith("/admin/"), u)))
    formular = defaultdict(int)
    formular["sett"] = set()
    lasta = set()
    for url, html in sidor:
        if route_av(url) not in lasta:  # the query's junk once per pattern
            lasta.add(route_av(url))
            fuzz.fraga_med_skrap(url, html)
        fuzz.skicka_formular(url, html, formular)

    assert sidor, "no page was read"
    if roll != "anonym":
        # the walk went past the start page, and was the user all along
        assert len(sidor) >= 15, [u for u, _ in sidor]
        assert client.get("/").wsgi_request.user.username == roll
    assert not fuzz.fel, f"{len(fuzz.fel)} av {fuzz.antal} svar var 5xx:\n" + "\n".join(fuzz.fel)


# -- the 500s the walk found, one by one ---------------------------------------------------


def _registrering(cast, **andra):
    return {
        "organ": cast.organ.pk,
        "arendemening": "Skrivelse om fler bänkar",
        "typ": "skrivelse",
        **andra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("varde", ["9" * 30, "-9223372036854775809"])
def test_a_choice_past_any_id_is_refused_in_swedish(client, varde):
    """SQLite's driver raised OverflowError for an id past 64 bits in a list of choices."""
    from arenden.models import Arende

    cast = factories.Cast()
    client.force_login(cast.registrator)
    fore = Arende.objects.count()
    svar = client.post("/registrera/", _registrering(cast, organ=varde))
    assert svar.status_code == 200
    assert "Välj ett av alternativen i listan." in svar.content.decode()
    assert Arende.objects.count() == fore


@pytest.mark.django_db
def test_a_megabyte_username_is_counted_as_a_failed_login(client):
    """On PostgreSQL the lockout's record of the failure could not hold the username."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()
    svar = client.post("/konto/logga-in/", {"username": "x" * 1_000_000, "password": "fel"})
    assert svar.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 150


@pytest.mark.django_db
def test_a_key_no_page_drew_is_no_key(client):
    """A NUL in the double-click key could not be stored on PostgreSQL: a 500."""
    from arenden.models import Arende, Inskick

    cast = factories.Cast()
    client.force_login(cast.registrator)
    fore = Arende.objects.count(), Inskick.objects.count()
    svar = client.post("/registrera/", _registrering(cast, inskick="ab\x00cd"))
    assert svar.status_code == 302
    assert (Arende.objects.count(), Inskick.objects.count()) == (fore[0] + 1, fore[1])


@pytest.fixture
def superanvandare(client, db):
    client.force_login(User.objects.create_superuser("fuzzadmin", "admin@example.se", "x"))
    return client


def test_the_admin_answers_a_number_past_the_database_with_a_400(superanvandare):
    """Django's own admin pages (a group's rights, a date hierarchy) gave OverflowError on
    SQLite; PostgreSQL finds no such row, and the form says so."""
    from django.db import connection

    for svar in (
        superanvandare.post("/admin/auth/group/add/", {"name": "x", "permissions": "9" * 30}),
        superanvandare.get("/admin/axes/accesslog/", {"attempt_time__year": "9" * 30}),
    ):
        assert svar.status_code < 500
        if connection.vendor == "sqlite" and svar.status_code == 400:
            assert "större än systemet kan hantera" in svar.content.decode()


def test_the_admin_shows_no_secret_of_a_device_and_makes_none(superanvandare):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enhet = TOTPDevice.objects.create(
        user=User.objects.get(username="fuzzadmin"), name="app", confirmed=True
    )
    sida = superanvandare.get(f"/admin/otp_totp/totpdevice/{enhet.pk}/change/")
    assert sida.status_code == 200
    assert enhet.key not in sida.content.decode()
    assert superanvandare.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    # django-otp's own pages for the secret and its QR code are gone, with their 500s
    for sida in ("config", "qrcode"):
        assert superanvandare.get(f"/admin/otp_totp/totpdevice/987654321/{sida}/").status_code < 500
        assert (
            enhet.key
            not in superanvandare.get(
                f"/admin/otp_totp/totpdevice/{enhet.pk}/{sida}/", follow=True
            ).content.decode()
        )


@pytest.mark.parametrize(
    "adress",
    [
        "/organ/HS%00N/delegationsordning/",
        "/organ/HSN%00/ledamoter/",
        "/sok/%00/",
        "/%00",
        "/api/arenden/HSN%00/",
    ],
)
@pytest.mark.django_db
def test_a_nul_in_the_path_leads_to_no_page_on_either_database(client, adress):
    """PostgreSQL refuses a NUL in text: a path segment with one, put into a query by the
    view, was a 500 there and a 404 on SQLite. Now the same Swedish 404 on both."""
    cast = factories.Cast()
    client.force_login(cast.sekreterare)
    svar = client.get(adress)
    assert svar.status_code == 404
    if not adress.startswith("/api/"):
        assert "Sidan finns inte" in svar.content.decode()
