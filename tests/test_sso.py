"""Single sign-on with OpenID Connect (arenden.konto.sso) against a real provider.

The provider (tests/oidc_leverantor, django-oauth-toolkit's OIDC support) runs in a process
of its own on a free port of 127.0.0.1 with an RSA key made here. Each login is the whole
authorization-code flow over HTTP: the project's login start redirects to the provider, the
provider asks for its password and consents by itself, its redirect comes back to the
project's callback with a code, and the project fetches the token, checks the signature, the
nonce and the PKCE verifier, reads the userinfo and logs the user in with the roles the
groups claim gives by configuration.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.test import override_settings

from arenden.konto import sso
from arenden.models import OidcIdentitet
from arenden.organisation import roles as r
from tests import factories

KLIENT_ID = "arendehantering"
KLIENTHEMLIGHET = "en-hemlighet-bara-for-testerna-0123456789"
CALLBACK = "http://testserver/konto/oidc/callback/"
LOSENORD = "leverantorens-losenord-123"

ROLLER = {
    "diariet": ["Registrator"],
    "hsn-stab": ["Stabschef@HSN"],
    "revisorer": "Revisor",
}


class Leverantor:
    def __init__(self, url):
        self.url = url

    def anvandare(self, username, groups, **extra) -> str:
        """Create or change a user at the provider; their ``sub``."""
        svar = requests.post(
            f"{self.url}/test/anvandare/",
            json={"username": username, "password": LOSENORD, "groups": groups, **extra},
            timeout=10,
        )
        svar.raise_for_status()
        return svar.json()["sub"]


@contextlib.contextmanager
def starta_leverantor(katalog):
    """A provider in its own process, with a fresh RSA key and database in ``katalog``."""
    nyckel = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = nyckel.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    miljo = {
        **os.environ,
        "LEVERANTOR_RSA_NYCKEL": pem,
        "LEVERANTOR_DATABAS": str(katalog / "leverantor.sqlite3"),
        "KLIENT_ID": KLIENT_ID,
        "KLIENTHEMLIGHET": KLIENTHEMLIGHET,
        "OMDIRIGERING": CALLBACK,
    }
    miljo.pop("DJANGO_SETTINGS_MODULE", None)
    miljo.pop("DATABASE_URL", None)
    logg = open(katalog / "leverantor.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_leverantor.serve", str(port)],
        cwd=django_settings.BASE_DIR,
        env=miljo,
        stdout=logg,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError((katalog / "leverantor.log").read_text())
            try:
                if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise RuntimeError("testleverantören startade inte")
        yield Leverantor(url)
    finally:
        process.terminate()
        process.wait(timeout=10)
        logg.close()


@pytest.fixture(scope="module")
def leverantor(tmp_path_factory):
    with starta_leverantor(tmp_path_factory.mktemp("oidc")) as lev:
        yield lev


def konfigurera(settings, leverantor):
    """The project configured for ``leverantor``, as the environment would configure it."""
    settings.OIDC_RP_CLIENT_ID = KLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = KLIENTHEMLIGHET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{leverantor.url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{leverantor.url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{leverantor.url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{leverantor.url}/o/.well-known/jwks.json"


@pytest.fixture
def oidc(settings, leverantor):
    """The project configured for the provider, as the environment would configure it."""
    konfigurera(settings, leverantor)
    settings.OIDC_ROLLER = ROLLER
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "arenden.konto.sso.OrganisationensKonto",
    ]
    return leverantor


def till_leverantoren(client, nasta=None):
    """The project's login start: where it sends the browser."""
    svar = client.get("/konto/oidc/logga-in/", {"next": nasta} if nasta else {})
    assert svar.status_code == 302
    return svar["Location"]


def hos_leverantoren(authorize_url, username):
    """The browser at the provider: asked to log in, logs in, consented without a question,
    sent back to the project's callback. Returns that callback address."""
    webblasare = requests.Session()
    svar = webblasare.get(authorize_url, allow_redirects=False, timeout=10)
    assert svar.status_code == 302 and "/logga-in/" in svar.headers["Location"]
    inloggning = urlsplit(authorize_url)._replace(path="/logga-in/", query="").geturl()
    nasta = parse_qs(urlsplit(svar.headers["Location"]).query)["next"][0]
    svar = webblasare.post(
        inloggning,
        data={"username": username, "password": LOSENORD, "next": nasta},
        allow_redirects=False,
        timeout=10,
    )
    assert svar.status_code == 302
    svar = webblasare.get(
        urlsplit(authorize_url)._replace(path="", query="").geturl() + svar.headers["Location"],
        allow_redirects=False,
        timeout=10,
    )
    assert svar.status_code == 302, svar.text
    callback = svar.headers["Location"]
    assert callback.startswith(CALLBACK)
    return callback


def logga_in(client, username, nasta=None):
    callback = hos_leverantoren(till_leverantoren(client, nasta), username)
    return client.get(callback.removeprefix("http://testserver"))


def meddelanden(svar):
    return [str(m) for m in get_messages(svar.wsgi_request)]


def inloggad(client):
    return client.get("/konto/oidc/logga-in/").wsgi_request.user


@pytest.fixture
def hsn(db):
    cast = factories.Cast("HSN")
    return cast, cast.registrera("Ett ärende att tilldela")


def test_the_button_shows_only_when_single_sign_on_is_configured(client, settings, db):
    settings.OIDC_RP_CLIENT_ID = ""
    sida = client.get("/konto/logga-in/")
    assert "Logga in med organisationens konto" not in sida.content.decode()
    # the URLs are there, but only send back to the local login, in Swedish
    svar = client.get("/konto/oidc/logga-in/")
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.INTE_PA]
    svar = client.get("/konto/oidc/callback/", {"code": "x", "state": "y"})
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert "arenden.konto.sso.OrganisationensKonto" not in django_settings.AUTHENTICATION_BACKENDS

    with override_settings(OIDC_RP_CLIENT_ID=KLIENT_ID, OIDC_RP_CLIENT_SECRET="s",
                           OIDC_OP_AUTHORIZATION_ENDPOINT="http://127.0.0.1:9/a",
                           OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/t",
                           OIDC_OP_USER_ENDPOINT="http://127.0.0.1:9/u",
                           OIDC_OP_JWKS_ENDPOINT="http://127.0.0.1:9/j"):  # fmt: skip
        sida = client.get("/konto/logga-in/", {"next": "/mina-arenden/"})
        assert 'href="/konto/oidc/logga-in/?next=/mina-arenden/"' in sida.content.decode()
        assert "Logga in med organisationens konto" in sida.content.decode()
        # the local login stays beside it
        assert 'name="password"' in sida.content.decode()


def test_login_start_redirects_to_the_provider_with_state_nonce_and_pkce(client, oidc, db):
    url = urlsplit(till_leverantoren(client))
    assert urlunsplit(url._replace(query="")) == f"{oidc.url}/o/authorize/"
    fraga = parse_qs(url.query)
    assert fraga["client_id"] == [KLIENT_ID]
    assert fraga["redirect_uri"] == [CALLBACK]
    assert fraga["response_type"] == ["code"]
    assert set(fraga["scope"][0].split()) >= {"openid", "email", "profile"}
    assert fraga["code_challenge_method"] == ["S256"]
    tillstand = client.session["oidc_states"][fraga["state"][0]]
    assert tillstand["nonce"] == fraga["nonce"][0]


def test_first_login_creates_the_user_with_roles_and_organ_membership_from_claims(
    client, oidc, hsn
):
    cast, arende = hsn
    oidc.anvandare(
        "anna.andersson",
        ["diariet", "hsn-stab", "en-grupp-som-inte-ar-konfigurerad", "Revisor"],
        email="anna.andersson@region.example",
        given_name="Anna",
        family_name="Andersson",
    )
    svar = logga_in(client, "anna.andersson", nasta="/mina-arenden/")
    assert svar.status_code == 302 and svar["Location"] == "/mina-arenden/"

    anna = User.objects.get(username="anna.andersson")
    assert inloggad(client) == anna
    assert (anna.email, anna.first_name, anna.last_name) == (
        "anna.andersson@region.example",
        "Anna",
        "Andersson",
    )
    # no password here: this account logs in at the provider only
    assert not anna.has_usable_password()
    assert not anna.is_staff and not anna.is_superuser
    # "diariet" gives the global role Registrator: the registration page opens
    assert set(anna.groups.values_list("name", flat=True)) == {r.REGISTRATOR}
    assert client.get("/registrera/").status_code == 200
    # "hsn-stab" makes her Stabschef on HSN, inherited by its ärenden: she may tilldela
    assert client.get(f"/arende/{arende.pk}/tilldela/").status_code == 200
    # a claim value the configuration does not name gives nothing, even when it is the
    # name of a role: no Revisor, and no audit log
    assert client.get("/granskning/").status_code == 403


def test_a_changed_claim_changes_the_roles_at_the_next_login(client, oidc, hsn):
    cast, arende = hsn
    oidc.anvandare("bo.berg", ["diariet", "hsn-stab"])
    logga_in(client, "bo.berg")
    bo = User.objects.get(username="bo.berg")
    # a role the configuration does not name, given by hand: the provider does not own it
    factories.workflow_roles.grant(cast.organ, r.NAMNDSEKRETERARE, user=bo)
    assert client.get(f"/arende/{arende.pk}/tilldela/").status_code == 200
    client.post("/konto/logga-ut/")

    oidc.anvandare("bo.berg", ["revisorer"])
    svar = logga_in(client, "bo.berg")
    assert svar.status_code == 302
    assert inloggad(client) == bo
    assert set(bo.groups.values_list("name", flat=True)) == {r.REVISOR}
    assert client.get("/registrera/").status_code == 403
    assert client.get(f"/arende/{arende.pk}/tilldela/").status_code == 403
    assert client.get("/granskning/").status_code == 200
    lokala = factories.workflow_roles.local_roles_on(cast.organ)
    assert {(lr.role, lr.user_id) for lr in lokala if lr.user_id == bo.pk} == {
        (r.NAMNDSEKRETERARE, bo.pk)
    }


def test_each_role_a_login_gives_or_takes_names_the_login_and_why(client, oidc, hsn):
    """The revisor reads who could read what when: a role the provider's claim gave or took
    at a login names the account that logged in, with the reason, never nobody; a role given
    by hand keeps its giver."""
    from django.urls import reverse

    from workflow.models import GroupMembership, LocalRole

    cast, _arende = hsn
    oidc.anvandare("bo.berg", ["diariet", "hsn-stab"])
    logga_in(client, "bo.berg")
    bo = User.objects.get(username="bo.berg")
    client.post("/konto/logga-ut/")
    oidc.anvandare("bo.berg", ["revisorer"])
    logga_in(client, "bo.berg")

    grupper = GroupMembership.history.model.objects.filter(user=bo).order_by("history_id")
    lokala = LocalRole.history.model.objects.filter(user=bo).order_by("history_id")
    rader = [*grupper, *lokala]
    assert [(g.history_type, g.group.name) for g in grupper] == [
        ("+", r.REGISTRATOR),
        ("-", r.REGISTRATOR),
        ("+", r.REVISOR),
    ]
    assert [(lr.history_type, lr.role) for lr in lokala] == [("+", r.STABSCHEF), ("-", r.STABSCHEF)]
    assert {(x.history_user_id, x.history_change_reason) for x in rader} == {
        (bo.pk, sso.ROLL_FRAN_INLOGGNINGEN)
    }
    # outside the login, nothing carries the reason on
    factories.workflow_roles.grant(cast.organ, r.NAMNDSEKRETERARE, user=bo)
    handgiven = LocalRole.history.model.objects.filter(user=bo).latest("history_id")
    assert handgiven.history_change_reason is None
    revisor = factories.user("revisorn", global_role=r.REVISOR)
    client.force_login(revisor)
    for url in (reverse("arenden:rollandringar"), reverse("arenden:rollandringar") + "?vy=grupper"):
        sida = client.get(url).content.decode()
        assert sso.ROLL_FRAN_INLOGGNINGEN in sida and "bo.berg" in sida


def test_a_state_that_is_not_this_sessions_is_refused_in_swedish(client, oidc, db):
    oidc.anvandare("cecilia.ceder", ["diariet"])
    callback = hos_leverantoren(till_leverantoren(client), "cecilia.ceder")
    delar = urlsplit(callback)
    fraga = parse_qs(delar.query)
    fraga["state"] = ["en-annan-inloggnings-state"]
    svar = client.get(delar.path, {k: v[0] for k, v in fraga.items()})
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.FEL_TILLSTAND]
    assert not inloggad(client).is_authenticated
    assert not User.objects.filter(username="cecilia.ceder").exists()
    # and the message is on the login page the browser comes to
    sida = client.get("/konto/logga-in/")
    assert sida.status_code == 200 and sso.FEL_TILLSTAND in sida.content.decode()


def test_a_nonce_that_is_not_this_logins_is_refused_in_swedish(client, oidc, db):
    oidc.anvandare("david.dahl", ["diariet"])
    url = urlsplit(till_leverantoren(client))
    fraga = {k: v[0] for k, v in parse_qs(url.query).items()}
    fraga["nonce"] = uuid.uuid4().hex  # an ID token made for another login
    callback = hos_leverantoren(url._replace(query=urlencode(fraga)).geturl(), "david.dahl")
    svar = client.get(callback.removeprefix("http://testserver"), follow=True)
    assert svar.redirect_chain[-1] == ("/konto/logga-in/", 302)
    assert sso.FEL_TILLSTAND in svar.content.decode()
    assert not svar.wsgi_request.user.is_authenticated
    assert not User.objects.filter(username="david.dahl").exists()


def test_the_providers_refusal_and_a_callback_without_a_login_are_refused(client, oidc, db):
    url = urlsplit(till_leverantoren(client))
    state = parse_qs(url.query)["state"][0]
    svar = client.get("/konto/oidc/callback/", {"error": "access_denied", "state": state})
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.MISSLYCKAD]
    # the state is used up: it cannot come back
    assert state not in client.session["oidc_states"]
    # a callback in a session that never started a login
    annan = type(client)()
    svar = annan.get("/konto/oidc/callback/", {"code": "abc", "state": state})
    assert svar.status_code == 302 and meddelanden(svar) == [sso.MISSLYCKAD]
    assert not inloggad(annan).is_authenticated


def test_a_local_account_is_not_taken_over_by_the_provider(client, oidc, db):
    lokal = User.objects.create_user("eva.ek", password="ett-lokalt-losenord-1")
    oidc.anvandare("eva.ek", ["diariet"])
    svar = logga_in(client, "eva.ek")
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.LOKALT_KONTO]
    assert not inloggad(client).is_authenticated
    assert not lokal.groups.exists()
    # handed over by the administrator (no usable password): the same login works
    lokal.set_unusable_password()
    lokal.save()
    svar = logga_in(client, "eva.ek")
    assert inloggad(client) == lokal
    assert set(lokal.groups.values_list("name", flat=True)) == {r.REGISTRATOR}


def test_a_deactivated_account_stays_out(client, oidc, db):
    oidc.anvandare("fredrik.fors", ["diariet"])
    logga_in(client, "fredrik.fors")
    client.post("/konto/logga-ut/")
    User.objects.filter(username="fredrik.fors").update(is_active=False)
    svar = logga_in(client, "fredrik.fors")
    assert svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.MISSLYCKAD]
    assert not inloggad(client).is_authenticated


def test_a_wrong_role_configuration_refuses_the_login_and_changes_nothing(
    client, oidc, settings, db
):
    settings.OIDC_ROLLER = {"diariet": ["Registrator"], "chefer": ["Kung@HSN"]}
    oidc.anvandare("gun.gran", ["diariet"])
    svar = logga_in(client, "gun.gran")
    assert svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.MISSLYCKAD]
    assert not User.objects.filter(username="gun.gran").exists()


def test_a_provider_that_does_not_answer_is_a_refused_login(client, oidc, settings, db):
    oidc.anvandare("hans.hed", ["diariet"])
    callback = hos_leverantoren(till_leverantoren(client), "hans.hed")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token/"  # nothing listens there
    svar = client.get(callback.removeprefix("http://testserver"))
    assert svar.status_code == 302 and svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.MISSLYCKAD]


@pytest.mark.parametrize(
    ("roller", "fel"),
    [
        ('{"a": ["Registrator"', "giltig JSON"),
        ('["Registrator"]', "ska vara ett objekt"),
        ({"a": [1]}, "lista av roller"),
        ({"a": ["Kung"]}, "okänd roll"),
    ],
)
def test_the_role_configuration_is_checked(settings, roller, fel):
    settings.OIDC_ROLLER = roller
    with pytest.raises(ImproperlyConfigured, match=fel):
        sso.rollmappning()


def test_the_role_configuration_from_the_environment(settings):
    settings.OIDC_ROLLER = '{"diariet": ["Registrator"], "hsn-stab": ["Stabschef@HSN", "Revisor"]}'
    assert sso.rollmappning() == {
        "diariet": frozenset({("Registrator", None)}),
        "hsn-stab": frozenset({("Stabschef", "HSN"), ("Revisor", None)}),
    }


def test_a_role_that_must_give_a_one_time_code_gives_it_after_single_sign_on_too(
    client, oidc, settings, db
):
    settings.OTP_KRAVS_FOR_ROLLER = (r.REGISTRATOR,)
    oidc.anvandare("ida.isberg", ["diariet"])
    logga_in(client, "ida.isberg")
    assert inloggad(client).username == "ida.isberg"
    svar = client.get("/registrera/")
    assert svar.status_code == 302
    assert svar["Location"].startswith("/konto/tvastegsverifiering/")


def test_the_redirect_after_login_stays_on_this_site(client, oidc, db):
    oidc.anvandare("jonas.jarl", ["diariet"])
    svar = logga_in(client, "jonas.jarl", nasta="https://ond.example/")
    assert svar.status_code == 302 and svar["Location"] == "/"
    assert inloggad(client).username == "jonas.jarl"


@pytest.mark.parametrize(
    ("payload", "godkand"),
    [
        ({"aud": KLIENT_ID, "exp": 60}, True),
        ({"aud": [KLIENT_ID, "en-annan"], "exp": 60}, True),
        ({"aud": "en-annan-klient", "exp": 60}, False),
        ({"exp": 60}, False),
        ({"aud": KLIENT_ID, "exp": -1}, False),
        ({"aud": KLIENT_ID}, False),
    ],
)
def test_an_id_token_for_another_client_or_expired_is_refused(oidc, monkeypatch, payload, godkand):
    """OpenID Connect Core 3.1.3.7: the ID token's aud names this client, and exp is ahead."""
    if "exp" in payload:  # seconds from now
        payload = {**payload, "exp": time.time() + payload["exp"]}
    backend = sso.OrganisationensKonto()
    monkeypatch.setattr(
        "mozilla_django_oidc.auth.OIDCAuthenticationBackend.verify_token",
        lambda self, token, **kwargs: payload,
    )
    if godkand:
        assert backend.verify_token("token", nonce="n") == payload
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token("token", nonce="n")
    # a signed userinfo answer is not an ID token: no aud or exp asked of it
    assert backend.verify_token("token") == payload


# -- the account is the identity (iss, sub), not the username claim ------------------------------


def test_the_first_login_ties_the_account_to_the_issuer_and_subject(client, oidc, db):
    sub = oidc.anvandare("karin.kvist", ["diariet"])
    logga_in(client, "karin.kvist")
    karin = User.objects.get(username="karin.kvist")
    assert inloggad(client) == karin
    [identitet] = OidcIdentitet.objects.all()
    assert (identitet.utfardare, identitet.subjekt, identitet.anvandare) == (
        f"{oidc.url}/o",
        sub,
        karin,
    )


def test_which_account_an_identity_logs_in_as_has_a_signed_history(client, oidc, db):
    """The tie of an identity to an account is a right: who tied it and why is signed, a
    later login (its time only) writes no row, and the identity tied to another account in
    the database beside the system is found by the whole check of the history."""
    from workflow.history import verify

    oidc.anvandare("karin.kvist", ["diariet"])
    logga_in(client, "karin.kvist")
    client.post("/konto/logga-ut/")
    logga_in(client, "karin.kvist")
    karin = User.objects.get(username="karin.kvist")
    [identitet] = OidcIdentitet.objects.all()
    [rad] = OidcIdentitet.history.all()
    assert (rad.history_type, rad.history_user, rad.history_change_reason, rad.anvandare) == (
        "+",
        karin,
        sso.IDENTITET_KOPPLAD,
        karin,
    )
    assert rad.history_mac
    assert verify().live == []
    annan = factories.user("annan")
    OidcIdentitet.objects.filter(pk=identitet.pk).update(anvandare=annan)
    [avvikelse] = verify().live
    assert (avvikelse.model_label, avvikelse.object_id) == (
        "arenden.historicaloidcidentitet",
        identitet.pk,
    )


def test_a_changed_username_claim_logs_in_to_the_same_account(client, oidc, db):
    oidc.anvandare("lena.lind", ["diariet"])
    logga_in(client, "lena.lind")
    lena = User.objects.get(username="lena.lind")
    client.post("/konto/logga-ut/")

    # she marries: the provider gives her a new username, the same sub
    oidc.anvandare("lena.lind", ["diariet"], byt_namn_till="lena.lindqvist")
    svar = logga_in(client, "lena.lindqvist")
    assert svar.status_code == 302 and svar["Location"] == "/"
    assert inloggad(client) == lena
    assert not User.objects.filter(username="lena.lindqvist").exists()
    assert set(lena.groups.values_list("name", flat=True)) == {r.REGISTRATOR}
    client.post("/konto/logga-ut/")

    # and whoever gets her old username at the provider is someone else: not her account
    oidc.anvandare("lena.lind", ["revisorer"])
    svar = logga_in(client, "lena.lind")
    assert svar["Location"] == "/konto/logga-in/"
    assert meddelanden(svar) == [sso.ANNAN_IDENTITET]
    assert not inloggad(client).is_authenticated
    assert set(lena.groups.values_list("name", flat=True)) == {r.REGISTRATOR}
    assert OidcIdentitet.objects.filter(anvandare=lena).count() == 1


def test_the_same_sub_from_another_issuer_is_another_person(client, oidc, settings, tmp_path, db):
    """Two providers give the same sub to two people; only the issuer tells them apart."""
    sub = oidc.anvandare("mats.malm", ["diariet"])
    logga_in(client, "mats.malm")
    mats = User.objects.get(username="mats.malm")
    client.post("/konto/logga-ut/")
    with starta_leverantor(tmp_path) as annan:
        konfigurera(settings, annan)
        for plats in range(1, int(sub)):  # the users before her there (ids count from 1)
            annan.anvandare(f"plats-{plats}", [])
        assert annan.anvandare("nora.nord", ["diariet"]) == sub
        logga_in(client, "nora.nord")
        nora = User.objects.get(username="nora.nord")
        assert inloggad(client) == nora != mats
        client.post("/konto/logga-ut/")

        # the same sub and even the same username there: still not Mats
        annan.anvandare("mats.malm", ["hsn-stab"])
        svar = logga_in(client, "mats.malm")
        assert meddelanden(svar) == [sso.ANNAN_IDENTITET]
        assert not inloggad(client).is_authenticated
    assert {(i.utfardare, i.subjekt, i.anvandare) for i in OidcIdentitet.objects.all()} == {
        (f"{oidc.url}/o", sub, mats),
        (f"{annan.url}/o", sub, nora),
    }
    assert set(mats.groups.values_list("name", flat=True)) == {r.REGISTRATOR}


def test_userinfo_about_another_subject_is_not_used(client, oidc, monkeypatch, db):
    """OpenID Connect Core 5.3.2: the userinfo's sub must be the ID token's."""
    oidc.anvandare("olle.ost", ["diariet"])
    hamta = sso.OrganisationensKonto.get_userinfo

    def annan_person(self, *args):
        return {**hamta(self, *args), "sub": "någon-annan"}

    monkeypatch.setattr(sso.OrganisationensKonto, "get_userinfo", annan_person)
    svar = logga_in(client, "olle.ost")
    assert svar["Location"] == "/konto/logga-in/"
    assert not inloggad(client).is_authenticated
    assert not User.objects.filter(username="olle.ost").exists()
    assert not OidcIdentitet.objects.exists()
