"""The test provider's pages: its login, the OIDC endpoints of django-oauth-toolkit, and one
test-only endpoint that sets a user's password, names and groups (the groups claim)."""

import json

from django.contrib.auth import authenticate, login
from django.contrib.auth.models import Group, User
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.urls import include, path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """The standard claims, and ``groups``: the names of the user's groups at the provider."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "name": user.get_full_name(),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }


@csrf_exempt
def logga_in(request):
    """The provider's login: a form on GET, the password checked on POST."""
    nasta = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username"),
            password=request.POST.get("password"),
        )
        if user is None:
            return HttpResponse("Fel användarnamn eller lösenord.", status=401)
        login(request, user)
        return HttpResponseRedirect(nasta if nasta.startswith("/") else "/")
    return HttpResponse(
        '<form method="post"><input name="username"><input name="password" type="password">'
        f'<input type="hidden" name="next" value="{escape(nasta)}"><button>Logga in</button>'
        "</form>"
    )


@csrf_exempt
def anvandare(request):
    """Test only: create or change a user (JSON: username, password, email, given_name,
    family_name, groups; and byt_namn_till, a new username for the same user, whose ``sub``
    stays the same). Answers the user's ``sub``."""
    if request.method != "POST":
        return HttpResponseBadRequest("POST")
    data = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=data["username"])
    if data.get("byt_namn_till"):
        user.username = data["byt_namn_till"]
    user.set_password(data.get("password", "hemligt-losen-123"))
    user.email = data.get("email", "")
    user.first_name = data.get("given_name", "")
    user.last_name = data.get("family_name", "")
    user.save()
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in data.get("groups", [])])
    return JsonResponse({"sub": str(user.pk)})


urlpatterns = [
    path("logga-in/", logga_in),
    path("test/anvandare/", anvandare),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
