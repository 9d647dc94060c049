"""Single sign-on with OpenID Connect beside the local accounts (mozilla-django-oidc).

Switched on by settings from the environment (config/settings.py, README "Inloggning med
OpenID Connect"): the provider's endpoints and this client's id and secret. Without them the
login page shows no button, the backend is not in ``AUTHENTICATION_BACKENDS`` and the two
URLs below send the visitor back to the local login with a message.

An account is tied to the person at the provider by the ID token's issuer and subject
(``iss`` and ``sub``, :class:`arenden.models.OidcIdentitet`), the only identifier OpenID
Connect promises is stable and never given to someone else (OpenID Connect Core 1.0, 2 and
5.7). At the first login of an identity, the account is the one whose username is the
configured claim (``preferred_username`` unless ``OIDC_ANVANDARNAMN_CLAIM`` says otherwise),
created without a password if there is none, and the identity is tied to it. Every later
login finds the account by the identity alone, even when the username claim has changed; the
username stays what it was. An account tied to one identity is never taken over by another:
the same ``sub`` from another issuer, or another ``sub`` with the same username, is another
person and is refused. A *local* account (one with a password) is never taken over by a
login from the provider: the system administrator hands it over by making its password
unusable.

Roles come from one claim (``OIDC_GRUPPER_CLAIM``, ``groups`` by default) through the
configuration ``OIDC_ROLLER``: a mapping from a claim value to the roles it gives, each either
a global role (``"Registrator"``, a Django group) or a local role on an organ
(``"Stabschef@HSN"``, given on the organ with that kod and inherited by its ärenden). Every
role the configuration names belongs to the provider: at each login it is given when a claim
value that names it is there, and taken away when none is. Roles the configuration does not
name (given by hand in the admin) are left alone, and a claim value the configuration does not
name gives nothing.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from arenden.konto.integrationer import OidcIdentitet
from arenden.organisation import roles as r
from arenden.organisation.models import Organ
from workflow import roles as workflow_roles
from workflow.context import acting_as

logger = logging.getLogger(__name__)

#: the settings without which there is no single sign-on
KRAVDA_INSTALLNINGAR = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)

MISSLYCKAD = (
    "Inloggningen med organisationens konto misslyckades. Försök igen, eller kontakta "
    "systemförvaltningen om det inte går."
)
FEL_TILLSTAND = (
    "Inloggningen med organisationens konto kunde inte slutföras: svaret från "
    "identitetsleverantören hörde inte till den här inloggningen. Börja om från "
    "inloggningssidan."
)
INTE_PA = "Inloggning med organisationens konto är inte påslagen här. Logga in med ditt konto."
LOKALT_KONTO = (
    "Det finns redan ett lokalt konto med ditt användarnamn. Kontakta systemförvaltningen så "
    "att kontot kopplas till organisationens inloggning."
)
ANNAN_IDENTITET = (
    "Användarnamnet hör redan till ett konto som är kopplat till en annan identitet hos "
    "identitetsleverantören. Kontakta systemförvaltningen."
)


def konfigurerad() -> bool:
    """Whether single sign-on is switched on (every required setting has a value)."""
    return all(getattr(settings, namn, "") for namn in KRAVDA_INSTALLNINGAR)


def sammanhang(request) -> dict:
    """Context processor: the login page shows the button only when this is on."""
    return {"oidc_pa": konfigurerad()}


Roll = tuple[str, str | None]  # (role, organ kod or None for a global role)


def rollmappning() -> dict[str, frozenset[Roll]]:
    """``OIDC_ROLLER`` read and checked: claim value -> the roles it gives.

    The setting is a dict or its JSON text (from the environment). Raises
    ``ImproperlyConfigured`` on anything else, and on a role the project does not know.
    """
    radata = getattr(settings, "OIDC_ROLLER", None) or {}
    if isinstance(radata, str):
        try:
            radata = json.loads(radata)
        except ValueError as fel:
            raise ImproperlyConfigured(f"OIDC_ROLLER är inte giltig JSON: {fel}") from None
    if not isinstance(radata, dict):
        raise ImproperlyConfigured("OIDC_ROLLER ska vara ett objekt: claimvärde -> roller.")
    mappning: dict[str, frozenset[Roll]] = {}
    for varde, angivna in radata.items():
        if isinstance(angivna, str):
            angivna = [angivna]
        if not isinstance(angivna, list | tuple) or not all(isinstance(a, str) for a in angivna):
            raise ImproperlyConfigured(f"OIDC_ROLLER[{varde!r}] ska vara en lista av roller.")
        givna = set()
        for angiven in angivna:
            roll, _, organkod = angiven.partition("@")
            roll, organkod = roll.strip(), organkod.strip()
            if roll not in r.ALL:
                raise ImproperlyConfigured(
                    f"OIDC_ROLLER[{varde!r}] nämner en okänd roll {roll!r}; "
                    f"kända roller: {', '.join(r.ALL)}."
                )
            givna.add((roll, organkod or None))
        mappning[str(varde)] = frozenset(givna)
    return mappning


def claimvarden(claims: dict) -> set[str]:
    """The values of the groups claim: a list of strings, or one string."""
    varde = claims.get(getattr(settings, "OIDC_GRUPPER_CLAIM", "groups"))
    if isinstance(varde, str):
        return {varde}
    if isinstance(varde, list | tuple):
        return {v for v in varde if isinstance(v, str)}
    return set()


#: why a role changed at a login, in the history of the role: the user logged in, but the
#: identity provider's claim chose the roles
ROLL_FRAN_INLOGGNINGEN = "roll enligt inloggningstjänsten (OpenID Connect)"
#: why an identity at the provider was tied to an account, as its history records it
IDENTITET_KOPPLAD = "kopplad vid första inloggningen (OpenID Connect)"


def tilldela_roller(user, varden: set[str]) -> None:
    """Give ``user`` exactly the configured roles the claim ``varden`` name, among all roles the
    configuration names; leave every other role as it is. Each change is in the signed
    history of the role, naming the user whose login carried the claim and why."""
    with transaction.atomic(), acting_as(user, reason=ROLL_FRAN_INLOGGNINGEN):
        _tilldela_roller(user, varden)


def _tilldela_roller(user, varden: set[str]) -> None:
    mappning = rollmappning()
    styrda: set[Roll] = set().union(*mappning.values()) if mappning else set()
    onskade: set[Roll] = set()
    for varde in varden:
        onskade |= mappning.get(varde, frozenset())
    har_grupper = set(user.groups.values_list("name", flat=True))
    organ = {o.kod: o for o in Organ.objects.filter(kod__in={k for _, k in styrda if k})}
    for roll, organkod in sorted(styrda, key=lambda x: (x[0], x[1] or "")):
        ska_ha = (roll, organkod) in onskade
        if organkod is None:
            if ska_ha and roll not in har_grupper:
                user.groups.add(Group.objects.get_or_create(name=roll)[0])
            elif not ska_ha and roll in har_grupper:
                user.groups.remove(Group.objects.get(name=roll))
            continue
        pa = organ.get(organkod)
        if pa is None:
            logger.warning("OIDC_ROLLER nämner organet %s som inte finns", organkod)
            continue
        if ska_ha:
            workflow_roles.grant(pa, roll, user=user)
        else:
            workflow_roles.revoke(pa, roll, user=user)


class OrganisationensKonto(OIDCAuthenticationBackend):
    """The authentication backend of the callback: the user from the claims, roles and organ
    memberships from the groups claim (see the module's description). Any failure (a nonce
    that does not match, a provider that answers wrongly or not at all, an unusable claim) is
    a refused login with a reason for the user, never an exception out of ``authenticate``."""

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET:
            return None
        try:
            rollmappning()  # a configuration that is wrong refuses before any account changes
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as fel:
            logger.warning("OIDC-inloggning nekad: %s", fel)
            request.sso_fel = getattr(request, "sso_fel", None) or FEL_TILLSTAND
        except ImproperlyConfigured as fel:
            logger.error("OIDC-inloggningen är felkonfigurerad: %s", fel)
        except Exception:  # noqa: BLE001 - a provider's failure is a refused login, not a 500
            logger.exception("OIDC-inloggning misslyckades")
        return None

    def verify_token(self, token, **kwargs):
        """The signature and the nonce (mozilla-django-oidc), and for the ID token also that it
        was made for this client and has not expired (OpenID Connect Core 3.1.3.7)."""
        payload = super().verify_token(token, **kwargs)
        if "nonce" not in kwargs:
            return payload  # a signed userinfo answer, not an ID token
        mottagare = payload.get("aud")
        mottagare = [mottagare] if isinstance(mottagare, str) else mottagare or []
        if self.OIDC_RP_CLIENT_ID not in mottagare:
            raise SuspiciousOperation("ID-token är inte utfärdad för den här klienten")
        utgar = payload.get("exp")
        if not isinstance(utgar, int | float) or utgar <= time.time():
            raise SuspiciousOperation("ID-token har gått ut")
        return payload

    def _anvandarnamn(self, claims) -> str:
        namn = claims.get(getattr(settings, "OIDC_ANVANDARNAMN_CLAIM", "preferred_username"))
        if not isinstance(namn, str):
            return ""
        return namn.replace("\x00", "").strip()[:150]

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(self._anvandarnamn(claims))

    def get_or_create_user(self, access_token, id_token, payload):
        """The account of the identity (``iss``, ``sub``) in the verified ID token ``payload``:
        found by the identity, or at its first login found by the username claim or created,
        and tied to it (see the module's description)."""
        utfardare, subjekt = payload.get("iss"), payload.get("sub")
        if not all(isinstance(v, str) and v and len(v) <= 255 for v in (utfardare, subjekt)):
            raise SuspiciousOperation("ID-token utan giltig iss och sub")
        claims = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about another subject must not be used
        if claims.get("sub") != subjekt:
            raise SuspiciousOperation("userinfo gäller ett annat sub än ID-token")
        if not self.verify_claims(claims):
            raise SuspiciousOperation("claims saknas")
        try:
            with transaction.atomic():
                identitet = (
                    OidcIdentitet.objects.select_for_update()
                    .select_related("anvandare")
                    .filter(utfardare=utfardare, subjekt=subjekt)
                    .first()
                )
                if identitet is not None:
                    # the time only: no change of the identity's signed history
                    OidcIdentitet.objects.filter(pk=identitet.pk).update(senast=timezone.now())
                    return self.update_user(identitet.anvandare, claims)
                user = self.filter_users_by_claims(claims).first()
                if user is None:
                    user = self.create_user(claims)
                else:
                    if OidcIdentitet.objects.filter(anvandare=user).exists():
                        self.request.sso_fel = ANNAN_IDENTITET
                        raise SuspiciousOperation(
                            f"{user.username} är kopplat till en annan identitet"
                        )
                    user = self.update_user(user, claims)
                with acting_as(user, reason=IDENTITET_KOPPLAD):
                    OidcIdentitet.objects.create(
                        utfardare=utfardare, subjekt=subjekt, anvandare=user
                    )
                return user
        except IntegrityError as fel:  # the same first login at the same moment, twice
            raise SuspiciousOperation("identiteten kopplades samtidigt") from fel

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username=self._anvandarnamn(claims))

    def describe_user_by_claims(self, claims):
        return f"användarnamn {self._anvandarnamn(claims)}"

    def create_user(self, claims):
        # no password: this account logs in through the provider only
        user = self.UserModel.objects.create_user(self._anvandarnamn(claims))
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        if user.has_usable_password():
            self.request.sso_fel = LOKALT_KONTO
            raise SuspiciousOperation(f"lokalt konto {user.username} tas inte över via OIDC")
        if not user.is_active:
            return user  # the callback refuses it; nothing of it changes
        andrat = []
        for falt, claim in (
            ("email", "email"),
            ("first_name", "given_name"),
            ("last_name", "family_name"),
        ):
            varde = claims.get(claim)
            if isinstance(varde, str):
                varde = varde[: self.UserModel._meta.get_field(falt).max_length]
                if getattr(user, falt) != varde:
                    setattr(user, falt, varde)
                    andrat.append(falt)
        if andrat:
            user.save(update_fields=andrat)
        tilldela_roller(user, claimvarden(claims))
        return user


class Start(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and PKCE kept in the session)."""

    def get(self, request):
        if not konfigurerad():
            messages.info(request, INTE_PA)
            return redirect(settings.LOGIN_URL)
        return super().get(request)


class Aterkomst(OIDCAuthenticationCallbackView):
    """The provider's answer: the user is logged in, or sent back to the login page with the
    reason in Swedish (a state that is not this session's, a refusal by the provider, a
    nonce that does not match)."""

    def get(self, request):
        if not konfigurerad():
            messages.info(request, INTE_PA)
            return redirect(settings.LOGIN_URL)
        try:
            return super().get(request)
        except SuspiciousOperation as fel:
            logger.warning("OIDC-återkomst nekad: %s", fel)
            request.sso_fel = FEL_TILLSTAND
            return self.login_failure()

    @property
    def failure_url(self):
        return settings.LOGIN_URL

    def login_failure(self):
        messages.error(self.request, getattr(self.request, "sso_fel", None) or MISSLYCKAD)
        return redirect(self.failure_url)


urlpatterns = [
    path("logga-in/", Start.as_view(), name="oidc_authentication_init"),
    path("callback/", Aterkomst.as_view(), name="oidc_authentication_callback"),
]
