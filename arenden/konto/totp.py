"""A second factor after the password: a time-based one-time code (TOTP, RFC 6238) from an app
on the user's phone, held by django-otp's TOTP plugin.

Which users must give one is a setting, ``OTP_KRAVS_FOR_ROLLER``: role names (held globally
through a group or locally on any object) and ``"admin"`` for superusers and staff.
Production mode sets it to the roles that see or change most (stabschef, registrator,
nämndsekreterare, revisor, admin); development, the demo and the tests leave it empty so a
newcomer can log in as every role with a password alone.

A user who must give a code, or who has enrolled a device of their own accord, and has not
given a code in this session reaches no page but the code page (or, with no device yet, the
enrolment page) and the logout. With the setting empty nobody is asked. A wrong code counts as
a failed login toward the lockout of django-axes (five for one user from one address lock
the pair out for 15 minutes, the code as the password), and the device's own throttle makes
every further try after a wrong one wait twice as long, whatever the address; a code is
accepted once only.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from arenden.konto.inloggning import utelast
from workflow.models import LocalRole
from workflow.roles import global_roles, group_ids

#: in ``OTP_KRAVS_FOR_ROLLER``: superusers and staff (who configure the system)
ADMIN = "admin"
#: what production mode sets ``OTP_KRAVS_FOR_ROLLER`` to (config/settings.py)
PRODUKTION = ("Stabschef", "Registrator", "Nämndsekreterare", "Revisor", ADMIN)
#: the name the authenticator app shows beside the code
UTGIVARE = "Ärendehantering"


def krav_for_roller() -> frozenset[str]:
    return frozenset(getattr(settings, "OTP_KRAVS_FOR_ROLLER", ()) or ())


def kravs_av(user) -> bool:
    """Whether ``user`` must give a one-time code after the password."""
    roller = krav_for_roller()
    if not roller or user is None or not user.is_authenticated or not user.is_active:
        return False
    if ADMIN in roller and (user.is_superuser or user.is_staff):
        return True
    namn = roller - {ADMIN}
    if not namn:
        return False
    if global_roles(user) & namn:
        return True
    # a role given locally (the stabschef of one organ) counts as well: one query
    vem = Q(user=user)
    grupper = group_ids(user)
    if grupper:
        vem |= Q(group_id__in=grupper)
    return LocalRole.objects.in_force().filter(vem, role__in=namn).exists()


def bekraftad_enhet(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class AndraFaktor:
    """Middleware (after django-otp's ``OTPMiddleware``): a user who must give a code and has
    not in this session is sent to the code page (or to enrol a device) from every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if krav_for_roller():
            svar = self._spärr(request)
            if svar is not None:
                return svar
        return self.get_response(request)

    def _spärr(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        fria = {
            reverse("totp_kod"),
            reverse("totp_registrera"),
            reverse("logout"),
            reverse("login"),
        }
        if request.path in fria:
            return None
        # who has a device gives its code, whatever the role; who must, enrols one first
        enhet = bekraftad_enhet(user)
        if enhet is None and not kravs_av(user):
            return None
        mal = reverse("totp_kod") if enhet else reverse("totp_registrera")
        nasta = request.get_full_path() if request.method == "GET" else ""
        if nasta:
            mal = f"{mal}?{urlencode({'next': nasta})}"
        return HttpResponseRedirect(mal)


class KodFormular(forms.Form):
    kod = forms.CharField(
        label="Engångskod",
        max_length=20,
        error_messages={"required": "Skriv koden från appen."},
    )

    def clean_kod(self):
        kod = "".join(self.cleaned_data["kod"].split())
        if len(kod) != 6 or not kod.isascii() or not kod.isdigit():
            raise forms.ValidationError("Koden består av sex siffror.")
        return kod


def _nasta(request) -> str:
    nasta = request.POST.get("next") or request.GET.get("next") or ""
    if nasta and url_has_allowed_host_and_scheme(
        nasta, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nasta
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _misslyckad(request):
    """A wrong code is a failed login (django-axes counts it toward the lockout); at the
    limit the half-done login is ended, and axes' middleware answers with the lockout."""
    user = request.user
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username()},
        request=request,
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return True
    return False


def _hemlighet(enhet: TOTPDevice) -> str:
    """The secret as the apps take it: base32, in groups of four for reading aloud."""
    b32 = base64.b32encode(enhet.bin_key).decode("ascii").rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def _uri(enhet: TOTPDevice) -> str:
    b32 = base64.b32encode(enhet.bin_key).decode("ascii").rstrip("=")
    etikett = quote(f"{UTGIVARE}:{enhet.user.get_username()}")
    parametrar = urlencode(
        {
            "secret": b32,
            "issuer": UTGIVARE,
            "algorithm": "SHA1",
            "digits": enhet.digits,
            "period": enhet.step,
        }
    )
    return f"otpauth://totp/{etikett}?{parametrar}"


@never_cache
@sensitive_post_parameters("kod")
@login_required
def kod(request):
    """The code page: the second step of the login."""
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_nasta(request))
    enhet = bekraftad_enhet(user)
    if enhet is None:
        return redirect(reverse("totp_registrera"))
    form = KodFormular(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tillaten, _skal = enhet.verify_is_allowed()
        if tillaten and enhet.verify_token(form.cleaned_data["kod"]):
            otp_login(request, enhet)
            return HttpResponseRedirect(_nasta(request))
        if _misslyckad(request):
            return utelast(request, None)
        if tillaten:
            form.add_error("kod", _("Fel kod. Försök igen med koden som appen visar nu."))
        else:
            form.add_error(
                "kod",
                _(
                    "För många felaktiga koder i följd. Vänta en stund och försök igen med "
                    "koden som appen visar då."
                ),
            )
    return render(
        request,
        "arenden/totp_kod.html",
        {"form": form, "next": _nasta(request)},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@never_cache
@sensitive_post_parameters("kod")
@login_required
def registrera(request):
    """Enrolment: a new secret as a QR code and in text; confirmed by a code from the app.

    A user who already has a device and has not given its code in this session cannot
    enrol another (the password alone must not replace the second factor)."""
    user = request.user
    if bekraftad_enhet(user) is not None and not user.is_verified():
        return redirect(reverse("totp_kod"))
    with transaction.atomic():
        enhet = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if enhet is None:
            enhet = TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    form = KodFormular(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tillaten, _skal = enhet.verify_is_allowed()
        if tillaten and enhet.verify_token(form.cleaned_data["kod"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).exclude(pk=enhet.pk).delete()
                enhet.confirmed = True
                enhet.save(update_fields=["confirmed"])
            otp_login(request, enhet)
            messages.success(
                request,
                _("Tvåstegsverifieringen är på. Nästa gång du loggar in frågar vi efter koden."),
            )
            return HttpResponseRedirect(_nasta(request))
        if _misslyckad(request):
            return utelast(request, None)
        form.add_error(
            "kod", _("Fel kod. Kontrollera att appen visar Ärendehantering och försök igen.")
        )
    uri = _uri(enhet)
    qr = segno.make(uri, error="m")
    return render(
        request,
        "arenden/totp_registrera.html",
        {
            "form": form,
            "next": _nasta(request),
            "qr": qr.svg_data_uri(scale=4, border=4, dark="#000", light="#fff"),
            "hemlighet": _hemlighet(enhet),
            "uri": uri,
            "kravs": kravs_av(user),
            "pa": bool(krav_for_roller()),
        },
        status=200 if request.method == "GET" else 400,
    )


class EnhetAdmin(admin.ModelAdmin):
    """The admin's view of the devices: who has one, and a way to remove a lost one (the user
    then enrols a new one). The secret is never shown, and no device is made here: only its
    owner enrols one, on their own page. (django-otp's own admin shows the secret and has
    pages that fail on an id that does not exist.)"""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = ("user", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, EnhetAdmin)
