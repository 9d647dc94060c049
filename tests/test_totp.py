"""The second factor (arenden.konto.totp): a one-time code from an app (TOTP, RFC 6238) after the
password, required for the roles ``OTP_KRAVS_FOR_ROLLER`` names. The codes are computed here
from the secret the enrolment page shows, as an authenticator app would."""

import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from arenden.konto import totp
from arenden.organisation import roles as r
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
LOSENORD = "Kvällssol-över-Umeälven-7"
KRAV = ("Stabschef", "Registrator", "Nämndsekreterare", "Revisor", "admin")


def rfc6238(hemlighet: str, tid: float | None = None, steg: int = 30) -> str:
    """The six-digit TOTP code of a base32 secret (RFC 6238 with HMAC-SHA1, RFC 4226 §5.3)."""
    ren = hemlighet.replace(" ", "")
    nyckel = base64.b32decode(ren + "=" * (-len(ren) % 8))
    raknare = int((time.time() if tid is None else tid) // steg)
    mac = hmac.new(nyckel, struct.pack(">Q", raknare), hashlib.sha1).digest()
    start = mac[-1] & 0x0F
    tal = struct.unpack(">I", mac[start : start + 4])[0] & 0x7FFFFFFF
    return f"{tal % 1_000_000:06d}"


def test_the_code_function_matches_the_rfc_6238_test_vector():
    # RFC 6238 appendix B: the ASCII key "12345678901234567890", T = 59 s -> 94287082 (8
    # digits); its last six digits are the six-digit code
    hemlighet = base64.b32encode(b"12345678901234567890").decode()
    assert rfc6238(hemlighet, tid=59) == "287082"
    assert rfc6238(hemlighet, tid=1111111109) == "081804"


@pytest.fixture
def krav(settings):
    settings.OTP_KRAVS_FOR_ROLLER = KRAV
    return settings


def anvandare(username, roll=None, **extra):
    user = User.objects.create_user(username, password=LOSENORD, **extra)
    if roll:
        user.groups.add(Group.objects.get_or_create(name=roll)[0])
    return user


def logga_in(client, username):
    svar = client.post("/konto/logga-in/", {"username": username, "password": LOSENORD})
    assert svar.status_code == 302, svar.content.decode()[:500]
    return svar


def hemlighet_fran(sida) -> str:
    html = sida.content.decode()
    funnen = re.search(r'<code id="hemlighet">([A-Z2-7 ]+)</code>', html)
    assert funnen, html
    return funnen.group(1)


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_secret_and_a_code_from_it_confirms(client, krav):
    anvandare("stabschef", r.STABSCHEF)
    logga_in(client, "stabschef")
    # the first page after the password is the enrolment, whatever was asked for
    forsta = client.get("/")
    assert forsta.status_code == 302
    assert forsta["Location"].startswith("/konto/tvastegsverifiering/")
    sida = client.get(forsta["Location"])
    assert sida.status_code == 200
    html = sida.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, no outside service
    assert "otpauth://totp/" in html and "<script" not in html
    hemlighet = hemlighet_fran(sida)
    # the page drew the secret the device holds, and reloading it keeps the same one
    enhet = TOTPDevice.objects.get(user__username="stabschef")
    assert not enhet.confirmed
    assert hemlighet_fran(client.get("/konto/tvastegsverifiering/")) == hemlighet

    svar = client.post(
        "/konto/tvastegsverifiering/", {"kod": rfc6238(hemlighet), "next": "/"}, follow=True
    )
    assert svar.redirect_chain[0] == ("/", 302)
    assert "Tvåstegsverifieringen är på" in svar.content.decode()
    enhet.refresh_from_db()
    assert enhet.confirmed
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_enrolment_refuses_a_wrong_code_in_swedish(client, krav):
    anvandare("registrator", r.REGISTRATOR)
    logga_in(client, "registrator")
    hemlighet = hemlighet_fran(client.get("/konto/tvastegsverifiering/"))
    fel = "000000" if rfc6238(hemlighet) != "000000" else "111111"
    svar = client.post("/konto/tvastegsverifiering/", {"kod": fel})
    assert svar.status_code == 400
    assert "Fel kod" in svar.content.decode()
    assert not TOTPDevice.objects.get(user__username="registrator").confirmed
    assert client.get("/").status_code == 302


def enrolled(username, roll=None, **extra):
    user = anvandare(username, roll, **extra)
    enhet = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    hemlighet = base64.b32encode(enhet.bin_key).decode()
    return user, hemlighet


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roll", "extra"),
    [
        (r.STABSCHEF, {}),
        (r.REGISTRATOR, {}),
        (r.NAMNDSEKRETERARE, {}),
        (r.REVISOR, {}),
        (None, {"is_superuser": True, "is_staff": True}),
    ],
)
def test_a_required_role_reaches_no_page_without_the_code(client, krav, roll, extra):
    enrolled("person", roll, **extra)
    logga_in(client, "person")
    for url in ("/", "/postlista/", "/sok/", "/admin/", "/arbetslista/att_tilldela/"):
        svar = client.get(url)
        assert svar.status_code == 302, url
        assert svar["Location"].startswith("/konto/engangskod/?next="), url
    # nor can the password alone enrol a new device over the existing one
    assert client.get("/konto/tvastegsverifiering/")["Location"] == "/konto/engangskod/"
    # a POST is stopped as well, and nothing of it is done
    assert client.post("/registrera/", {"arendemening": "x"}).status_code == 302


@pytest.mark.django_db
def test_a_role_given_locally_on_an_organ_is_asked_as_well(client, krav):
    hsn = factories.organ("HSN")
    stabschef = factories.user("stabschef-lokal", organ_role=r.STABSCHEF, on=hsn)
    assert totp.kravs_av(stabschef)
    client.force_login(stabschef)
    assert client.get("/")["Location"].startswith("/konto/tvastegsverifiering/")


@pytest.mark.django_db
def test_the_right_code_lets_in_and_is_not_taken_twice(client, krav):
    _user, hemlighet = enrolled("sekreterare", r.NAMNDSEKRETERARE)
    logga_in(client, "sekreterare")
    kod = rfc6238(hemlighet)
    svar = client.post("/konto/engangskod/", {"kod": kod, "next": "/sok/"})
    assert svar.status_code == 302 and svar["Location"] == "/sok/"
    assert client.get("/").status_code == 200
    assert client.get("/sok/").status_code == 200
    # a new login asks again, and the code already used is refused (no replay)
    client.post("/konto/logga-ut/")
    logga_in(client, "sekreterare")
    assert client.get("/").status_code == 302
    igen = client.post("/konto/engangskod/", {"kod": kod})
    assert igen.status_code == 400
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_next_may_not_lead_off_the_site(client, krav):
    _user, hemlighet = enrolled("revisor", r.REVISOR)
    logga_in(client, "revisor")
    svar = client.post(
        "/konto/engangskod/", {"kod": rfc6238(hemlighet), "next": "https://annan.example/"}
    )
    assert svar.status_code == 302 and svar["Location"] == "/"


@pytest.mark.django_db
def test_a_wrong_code_is_refused_in_swedish_and_counts_toward_the_lockout(client, krav):
    _user, hemlighet = enrolled("stabschef", r.STABSCHEF)
    ratt = rfc6238(hemlighet)
    fel = "123456" if ratt != "123456" else "654321"
    logga_in(client, "stabschef")
    forsta = client.post("/konto/engangskod/", {"kod": fel})
    assert forsta.status_code == 400
    assert "Fel kod" in forsta.content.decode()
    assert client.get("/").status_code == 302
    # letters, or too few digits: told what a code is, in Swedish
    assert "sex siffror" in client.post("/konto/engangskod/", {"kod": "12a"}).content.decode()
    for _ in range(3):
        svar = client.post("/konto/engangskod/", {"kod": fel})
        assert svar.status_code == 400
    femte = client.post("/konto/engangskod/", {"kod": fel})
    assert femte.status_code == 429
    assert "För många misslyckade inloggningar" in femte.content.decode()
    # the half-done login is over, and the password alone no longer opens the door
    assert client.get("/")["Location"].startswith("/konto/logga-in/")
    spärrad = client.post("/konto/logga-in/", {"username": "stabschef", "password": LOSENORD})
    assert spärrad.status_code == 429


@pytest.mark.django_db
def test_after_a_wrong_code_the_device_makes_the_next_try_wait(client, krav):
    _user, hemlighet = enrolled("registrator", r.REGISTRATOR)
    ratt = rfc6238(hemlighet)
    logga_in(client, "registrator")
    client.post("/konto/engangskod/", {"kod": "000000" if ratt != "000000" else "111111"})
    # at once after the wrong one, even the right code waits (the device's throttle)
    svar = client.post("/konto/engangskod/", {"kod": ratt})
    assert svar.status_code == 400
    assert "Vänta en stund" in svar.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("roll", [r.HANDLAGGARE, None])
def test_a_role_not_required_is_not_asked(client, krav, roll):
    anvandare("handlaggare", roll)
    logga_in(client, "handlaggare")
    assert client.get("/").status_code == 200
    assert client.get("/sok/").status_code == 200


@pytest.mark.django_db
def test_who_enrolled_of_their_own_accord_is_asked_as_well(client, krav):
    _user, hemlighet = enrolled("handlaggare", r.HANDLAGGARE)
    assert not totp.kravs_av(_user)
    logga_in(client, "handlaggare")
    assert client.get("/")["Location"].startswith("/konto/engangskod/")
    svar = client.post("/konto/engangskod/", {"kod": rfc6238(hemlighet)})
    assert svar.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_by_default_every_role_logs_in_with_the_password_alone(client, settings):
    assert settings.OTP_KRAVS_FOR_ROLLER == ()
    anvandare("admin", is_superuser=True, is_staff=True)
    enrolled("stabschef", r.STABSCHEF)
    for namn in ("admin", "stabschef"):
        logga_in(client, namn)
        assert client.get("/").status_code == 200, namn
        client.post("/konto/logga-ut/")


def test_production_mode_requires_the_code_of_the_roles_that_see_most():
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_PRODUCTION="1",
        DJANGO_SECRET_KEY="k" * 10 + "ett-långt-och-slumpmässigt-värde-för-produktion-98765",
        DJANGO_ALLOWED_HOSTS="arenden.example.se",
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(sorted(settings.OTP_KRAVS_FOR_ROLLER)); "
            "print('arenden.konto.totp.AndraFaktor' in settings.MIDDLEWARE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    roller, middleware = result.stdout.strip().splitlines()
    assert roller == str(sorted(KRAV))
    assert middleware == "True"
    assert sorted(totp.PRODUKTION) == sorted(KRAV)


@pytest.mark.django_db
def test_every_page_leads_to_the_enrolment_of_a_second_factor(client, settings):
    """Whoever wants a second factor before it is required finds the page from the menu."""
    assert settings.OTP_KRAVS_FOR_ROLLER == ()
    anvandare("handlaggare-x")
    logga_in(client, "handlaggare-x")
    assert 'href="/konto/tvastegsverifiering/"' in client.get("/").content.decode()
