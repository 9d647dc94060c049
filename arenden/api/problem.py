"""Every error of the API as problem details (RFC 9457): ``application/problem+json`` with
``type``, ``title``, ``status`` and ``detail`` in Swedish. The engine's refusals are the
pages' refusals (``workflow.middleware.refusal``) with a status code that says what kind:
someone else moved the ärende (409), a step whose records are missing (422), a step this user
may not take (403). Invalid input lists what is wrong per field in ``fel``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from arenden.diarium.services import Inaktuell
from workflow.engine import CommentRequired, RequirementMissing, StaleState, TransitionNotAllowed
from workflow.middleware import refusal
from workflow.models import WorkflowError

MEDIATYP = "application/problem+json"
#: the base of the problem types: a tag URI (RFC 4151), a name that is not an address
TYP = "tag:arendehantering,2026:problem/"

TITLAR = {
    400: "Felaktig begäran",
    401: "Inloggning krävs",
    403: "Åtkomst nekad",
    404: "Finns inte",
    405: "Metoden stöds inte",
    406: "Formatet kan inte levereras",
    409: "Konflikt",
    413: "För stor begäran",
    415: "Formatet tas inte emot",
    422: "Kan inte utföras",
    429: "För många förfrågningar",
}


class Fel(Exception):
    """A refusal the API itself makes, with its status, problem type and Swedish text."""

    def __init__(self, status: int, typ: str, detail: str, **extra):
        super().__init__(detail)
        self.status, self.typ, self.detail, self.extra = status, typ, detail, extra


def svar(status: int, detail: str, typ: str = "", title: str = "", **extra) -> Response:
    """A problem details response."""
    body = {
        "type": f"{TYP}{typ}" if typ else "about:blank",
        "title": title or TITLAR.get(status, "Fel"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status, content_type=MEDIATYP)


def _faltfel(detail) -> dict[str, list[str]]:
    """DRF's validation detail (dict, list or string) as field → messages."""
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    if isinstance(detail, list):
        return {"__all__": [str(m) for m in detail]}
    return {"__all__": [str(detail)]}


_DRF = {
    exceptions.NotAuthenticated: _("Logga in, eller ange en API-nyckel: Authorization: Token …"),
    exceptions.AuthenticationFailed: _("API-nyckeln eller inloggningen godtas inte."),
    exceptions.MethodNotAllowed: _("Metoden stöds inte för den här adressen."),
    exceptions.NotAcceptable: _("Svaret finns bara som JSON."),
    exceptions.UnsupportedMediaType: _("Skicka JSON eller ett formulär (multipart)."),
    exceptions.ParseError: _("Begäran kunde inte läsas."),
    exceptions.Throttled: _("För många förfrågningar; försök igen senare."),
    exceptions.NotFound: _("Det finns inget sådant, eller inget du får se."),
}


def hantera(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every refusal as problem details; anything else is left
    to Django (a real fault, logged as one)."""
    if isinstance(exc, Fel):
        return svar(exc.status, exc.detail, exc.typ, **exc.extra)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return svar(404, _DRF[exceptions.NotFound])
    if isinstance(exc, PermissionDenied):
        return svar(403, str(exc) or _("Du har inte behörighet till det här."), "behorighet")
    if isinstance(exc, StaleState | ConcurrentTransition):
        return svar(409, refusal(exc), "inaktuell", _("Ärendet har ändrats"))
    if isinstance(exc, CommentRequired):
        return svar(422, refusal(exc), "kommentar-kravs", _("Kommentar krävs"))
    if isinstance(exc, RequirementMissing):
        return svar(422, refusal(exc), "villkor-saknas", _("Steget kan inte tas ännu"))
    if isinstance(exc, TransitionNotAllowed):
        return svar(403, refusal(exc), "overgang-nekad", _("Steget är inte tillåtet"))
    if isinstance(exc, WorkflowError):
        return svar(409, refusal(exc), "arbetsflode")
    if isinstance(exc, Inaktuell):
        return svar(409, refusal(exc), "inaktuell", _("Ärendet har ändrats"), version=exc.version)
    if isinstance(exc, ProtectedError | RestrictedError):
        return svar(409, refusal(exc), "hanvisad", _("Annat hänvisar till det"))
    if isinstance(exc, ValidationError):
        fel = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": list(exc.messages)}
        )
        return svar(400, refusal(exc), "ogiltig", _("Ogiltiga uppgifter"), fel=fel)
    if isinstance(exc, exceptions.ValidationError):
        fel = _faltfel(exc.detail)
        text = " ".join(m for meddelanden in fel.values() for m in meddelanden)
        return svar(400, text, "ogiltig", _("Ogiltiga uppgifter"), fel=fel)
    if isinstance(exc, exceptions.PermissionDenied):
        return svar(403, _("Du har inte behörighet till det här."), "behorighet")
    if isinstance(exc, exceptions.APIException):
        text = next((t for typ, t in _DRF.items() if isinstance(exc, typ)), str(exc.detail))
        response = svar(exc.status_code, text)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            authenticator = context["request"].authenticators
            if authenticator:
                response["WWW-Authenticate"] = authenticator[0].authenticate_header(
                    context["request"]
                )
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    return None


class ProblemSerializer(serializers.Serializer):
    """The body of every error (RFC 9457)."""

    type = serializers.CharField(help_text="Problemtypen (en URI); about:blank för rena HTTP-fel.")
    title = serializers.CharField(help_text="Kort rubrik på svenska.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="Vad som är fel, på svenska.")
    fel = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Vid ogiltiga uppgifter: fältets namn → felmeddelanden.",
    )
    formular = serializers.CharField(
        required=False, help_text="Sidan där ett steg som kräver uppgifter görs."
    )
