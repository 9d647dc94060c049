"""The API's endpoints. Each one is the page it mirrors, answering JSON: the same
``user.has_perm(perm, obj)``, the same worklists, forms and services, the same masking of
secret content (OSL 5 kap. 5 §), and every state change through the engine's one door
(``workflow.engine.do_transition``) with the page's stale-state check."""

from __future__ import annotations

import base64

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from arenden.api import idempotens, markor
from arenden.api.problem import MEDIATYP, Fel, ProblemSerializer
from arenden.api.serializers import (
    ArbetslistaSerializer,
    ArendeDetaljSerializer,
    ArendeSerializer,
    HandlingFormular,
    HandlingIn,
    HandlingSerializer,
    HistorikSerializer,
    OvergangarSerializer,
    OvergangIn,
    ProtokollSerializer,
    RegistreraForm,
    RegistreraIn,
    SammantradeDetaljSerializer,
    SammantradeSerializer,
)
from arenden.diarium import services, sokning
from arenden.diarium.forms import SokForm
from arenden.diarium.models import Arende, Handling, Sekretessatkomst
from arenden.dokument import motesfiler
from arenden.dokument import services as dokument
from arenden.gemensamt.vyer import roller_nagonstans
from arenden.granskning import services as granskning
from arenden.motion import services as motion_services
from arenden.organisation.models import Organ
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import Sammantrade
from flows.namn import SammantradeStatus
from workflow import registry
from workflow.context import acting_as
from workflow.definitions import USER
from workflow.engine import allowed_transitions, history, worklist
from workflow.history import verify_object

_PROBLEM = OpenApiResponse(ProblemSerializer, description="Problem details (RFC 9457)")


def _fel(*koder: int) -> dict:
    """The problem responses an endpoint documents (401 and 404 everywhere but the open ones)."""
    return {(kod, "application/problem+json"): _PROBLEM for kod in koder}


@csrf_exempt
def saknas(request, *args, **kwargs):
    """An address under api/ that no endpoint answers: problem details whatever the method,
    also a POST without a CSRF token (it changes nothing; the check's HTML 403 was no
    answer of the API's)."""
    body = {
        "type": "about:blank",
        "title": "Finns inte",
        "status": 404,
        "detail": _("Det finns ingen sådan adress i API:t."),
    }
    return JsonResponse(body, status=404, content_type=MEDIATYP)


class Vy(APIView):
    """Every endpoint: a query parameter with a NUL character is refused before anything is
    asked of the database (PostgreSQL cannot even compare such a text)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for namn, varden in request.query_params.lists():
            if "\x00" in namn or any("\x00" in v for v in varden):
                raise Fel(400, "ogiltig", _("En parameter innehåller ett nolltecken."))


# -- shared questions -------------------------------------------------------------------------


def _kräv(user, perm: str, obj, text: str = "") -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(text or _("Du har inte behörighet till det här."))


def _arende(pk) -> Arende:
    return get_object_or_404(Arende.objects.select_related("organ", "handlaggare"), pk=pk)


def _las_sekretess(user, arende: Arende) -> bool:
    return user.has_perm("arenden.view_sekretess", arende)


def _maskerade(user, arenden) -> set[int]:
    """The ärenden among ``arenden`` shown masked to ``user``: the secret ones they may not
    read (``has_perm("arenden.view_sekretess", a)``, as the search page asks). Those in the
    worklist of ärenden whose secret content the user may read (the search's own,
    ``sokning.SEKRETESSBEHORIGA``; its roles hold the permission in every state) are known
    readable in one query for the page; the page's other secret rows are asked one by one."""
    hemliga = [a for a in arenden if a.ar_sekretessmarkerat]
    if not hemliga:
        return set()
    lasbara = set(
        worklist(user, sokning.SEKRETESSBEHORIGA)
        .filter(pk__in=[a.pk for a in hemliga])
        .values_list("pk", flat=True)
    )
    return {
        a.pk
        for a in hemliga
        if a.pk not in lasbara and not user.has_perm("arenden.view_sekretess", a)
    }


def _formdata(request) -> QueryDict | dict:
    """The request's data as a page's form reads it: a form post as it is; JSON as text
    values (a number or a boolean as its text), and anything nested refused."""
    data = request.data
    if isinstance(data, QueryDict):
        return data
    if not isinstance(data, dict):
        raise Fel(400, "ogiltig", _("Skicka ett JSON-objekt med fälten."))
    text = {}
    for namn, varde in data.items():
        if varde is None:
            text[namn] = ""
        elif isinstance(varde, bool):
            text[namn] = "true" if varde else ""
        elif isinstance(varde, str | int | float):
            text[namn] = str(varde)
        else:
            raise Fel(
                400,
                "ogiltig",
                _("Fältet %(namn)s ska vara text, ett tal eller ett datum.") % {"namn": namn},
                fel={str(namn): [_("Ska vara text, ett tal eller ett datum.")]},
            )
    return text


def _formfel(form) -> Fel:
    fel = {namn: [str(m) for m in meddelanden] for namn, meddelanden in form.errors.items()}
    text = " ".join(m for meddelanden in fel.values() for m in meddelanden)
    return Fel(400, "ogiltig", text, title=_("Ogiltiga uppgifter"), fel=fel)


# -- ärenden ----------------------------------------------------------------------------------

_LISTA = [
    OpenApiParameter("q", str, description="Sökord eller diarienummer (som sidan Sök)."),
    OpenApiParameter("fran", OpenApiTypes.DATE, description="Registrerat från och med."),
    OpenApiParameter("till", OpenApiTypes.DATE, description="Registrerat till och med."),
    OpenApiParameter("status", str, description="Bara ärenden i den statusen (t.ex. beredd)."),
    OpenApiParameter("organ", str, description="Bara ärenden i organet med koden (t.ex. HSN)."),
    OpenApiParameter(markor.PARAM, str, description="Markören från föregående sidas nasta."),
    OpenApiParameter(markor.ANTAL, int, description="Ärenden per sida, 1–100 (25)."),
]


class ArendeLista(Vy):
    @extend_schema(
        operation_id="arenden_lista",
        summary="Ärenden du får se, nyast först",
        parameters=_LISTA,
        responses={200: markor.sidschema(ArendeSerializer), **_fel(400, 401)},
    )
    def get(self, request):
        user = request.user
        params = request.query_params
        sok = {k: params.get(k, "") for k in ("q", "fran", "till")}
        falt = {}
        if any(sok.values()):
            form = SokForm(sok)
            if not form.is_valid():
                raise _formfel(form)
            falt = form.cleaned_data
        qs = sokning.sok(user, **falt)
        villkor = {}
        status = params.get("status", "")
        if status:
            if status not in registry.get_workflow("arende").states:
                raise Fel(400, "ogiltig", _("Okänd status: %(s)s.") % {"s": status[:50]})
            villkor["state"] = status
        kod = params.get("organ", "")
        if kod:
            villkor["organ__kod"] = kod
        if villkor:
            if isinstance(qs, QuerySet):
                qs = qs.filter(**villkor)
            else:  # a word search on PostgreSQL: the same search among fewer ärenden
                qs = sokning.Traffar(qs._synliga.filter(**villkor), qs._q, qs._behorig)
        if isinstance(qs, QuerySet):
            qs = qs.select_related("organ", "handlaggare")
        rader, nasta = markor.sida(request, qs, "registrerat")
        context = {"maskerade": _maskerade(user, rader)}
        return markor.svar(ArendeSerializer(rader, many=True, context=context).data, nasta)

    @extend_schema(
        operation_id="arende_registrera",
        summary="Registrera ett ärende i organets diarieserie",
        parameters=[idempotens.PARAMETER],
        request={
            "application/json": RegistreraIn,
            "application/x-www-form-urlencoded": RegistreraIn,
        },
        responses={201: ArendeDetaljSerializer, **_fel(400, 401, 403, 415, 422)},
    )
    @idempotens.idempotent
    def post(self, request):
        """Registrator (or who the organ lets register), as the page Registrera."""
        user = request.user
        if not user.has_perm("arenden.add_arende"):
            raise PermissionDenied(_("Bara registratorn registrerar ärenden."))
        form = RegistreraForm(_formdata(request))
        if not form.is_valid():
            raise _formfel(form)
        with acting_as(user):
            arende = motion_services.registrera_fran_formular(user=user, **form.cleaned_data)
        arende = _arende(arende.pk)
        return Response(_detalj(user, arende), status=201)


def _detalj(user, arende: Arende) -> dict:
    las = _las_sekretess(user, arende)
    maskerade = {arende.pk} if arende.ar_sekretessmarkerat and not las else set()
    context = {
        "las_sekretess": las,
        "maskerade": maskerade,
        "version": services.arendets_version(arende),
    }
    return ArendeDetaljSerializer(arende, context=context).data


class ArendeDetalj(Vy):
    @extend_schema(
        operation_id="arende_hamta",
        summary="Ett ärende med dess handlingar",
        responses={200: ArendeDetaljSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        arende = _arende(pk)
        _kräv(request.user, "arenden.view_arende", arende)
        if arende.ar_sekretessmarkerat and _las_sekretess(request.user, arende):
            Sekretessatkomst.logga(request.user, arende, Sekretessatkomst.Vad.ARENDE)
        return Response(_detalj(request.user, arende))


# -- handlingar -------------------------------------------------------------------------------


class Handlingar(Vy):
    @extend_schema(
        operation_id="handlingar_lista",
        summary="Ärendets handlingar",
        responses={200: HandlingSerializer(many=True), **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        arende = _arende(pk)
        _kräv(request.user, "arenden.view_arende", arende)
        context = {"las_sekretess": _las_sekretess(request.user, arende)}
        handlingar = arende.handlingar.select_related("arende__organ").order_by("nummer")
        return Response(HandlingSerializer(handlingar, many=True, context=context).data)

    @extend_schema(
        operation_id="handling_ny",
        summary="Lägg in en handling, med eller utan fil",
        description="Filen granskas som på sidan Ny handling: storlek, typ efter innehållet, "
        "namn som passar innehållet; dess SHA-256 sparas.",
        parameters=[idempotens.PARAMETER],
        request={"multipart/form-data": HandlingIn},
        responses={201: HandlingSerializer, **_fel(400, 401, 403, 404, 413, 415, 422)},
    )
    @idempotens.idempotent
    def post(self, request, pk):
        arende = _arende(pk)
        _kräv(request.user, "arenden.add_handling", arende)
        form = HandlingFormular(_formdata(request), request.FILES or None)
        if not form.is_valid():
            raise _formfel(form)
        falt = {k: v for k, v in form.cleaned_data.items() if k != "fil"}
        with acting_as(request.user):
            handling = services.lagg_till_handling(
                arende, user=request.user, fil=form.cleaned_data["fil"], **falt
            )
        context = {"las_sekretess": _las_sekretess(request.user, arende)}
        return Response(HandlingSerializer(handling, context=context).data, status=201)


def _handling(pk) -> Handling:
    return get_object_or_404(Handling.objects.select_related("arende__organ"), pk=pk)


class HandlingDetalj(Vy):
    @extend_schema(
        operation_id="handling_hamta",
        summary="En handlings uppgifter",
        responses={200: HandlingSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        handling = _handling(pk)
        _kräv(request.user, "arenden.view_arende", handling.arende)
        context = {"las_sekretess": _las_sekretess(request.user, handling.arende)}
        return Response(HandlingSerializer(handling, context=context).data)


class HandlingFil(Vy):
    @extend_schema(
        operation_id="handling_fil",
        summary="Handlingens fil, med dess SHA-256",
        description="Huvudet Repr-Digest (RFC 9530) och X-Checksum-SHA256 bär kontrollsumman "
        "som sparades när handlingen registrerades.",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="Filen"),
            **_fel(401, 403, 404),
        },
    )
    def get(self, request, pk):
        handling = _handling(pk)
        _kräv(request.user, "arenden.view_arende", handling.arende)
        hemlig = handling.hemlig
        if not handling.fil:  # gallrad: nothing to hand out, masked or not
            raise Fel(404, "", _("Handlingen har ingen fil."))
        # a meeting's kallelse or protokoll: what is secret in it is decided now, from its items
        md = motesfiler.motesdokument(request.user, handling)
        if md is not None:
            if not md.hela:
                return motesfiler.maskerat_svar(md)
            hemlig = md.hemligt
        elif hemlig:
            _kräv(request.user, "arenden.view_sekretess", handling.arende)
        if hemlig:
            Sekretessatkomst.logga(
                request.user, handling.arende, Sekretessatkomst.Vad.FIL, handling=handling
            )
        response = FileResponse(
            services.oppna_intakt(
                handling.fil, handling.sha256, f"handlingen {handling.beteckning}"
            ),
            as_attachment=True,
            filename=handling.filnamn or handling.fil.name,
            content_type=handling.mediatyp or "application/octet-stream",
        )
        if handling.sha256:
            digest = base64.b64encode(bytes.fromhex(handling.sha256)).decode()
            response["Repr-Digest"] = f"sha-256=:{digest}:"
            response["X-Checksum-SHA256"] = handling.sha256
        return response


# -- transitions ------------------------------------------------------------------------------


def _overgangar(user, arende: Arende) -> dict:
    steg = allowed_transitions(arende, user)
    return {
        "status": arende.state,
        "status_titel": arende.status_titel,
        "version": services.arendets_version(arende),
        "overgangar": [
            {
                "id": t.id,
                "titel": str(t.title),
                "till": t.target,
                "kraver_kommentar": t.comment_required,
                "formular": reverse(t.form, args=[arende.pk]) if t.form else None,
            }
            for t in steg
        ],
    }


class Overgangar(Vy):
    @extend_schema(
        operation_id="overgangar_lista",
        summary="Stegen du får ta i ärendet nu",
        responses={200: OvergangarSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        arende = _arende(pk)
        _kräv(request.user, "arenden.view_arende", arende)
        return Response(_overgangar(request.user, arende))

    @extend_schema(
        operation_id="overgang_ta",
        summary="Ta ett steg (genom motorns enda dörr)",
        description="Med status och version som ärendet hade när du läste det: har någon annan "
        "tagit ett steg eller ändrat ärendet eller dess delar (handlingar, tjänsteskrivelse, "
        "beredningsansvariga …) sedan dess nekas steget med 409. Ett steg som kräver "
        "uppgifter (t.ex. tilldela, besluta) görs på sin sida och nekas här med 422 och "
        "sidans adress.",
        request={"application/json": OvergangIn, "application/x-www-form-urlencoded": OvergangIn},
        responses={200: OvergangarSerializer, **_fel(400, 401, 403, 404, 409, 415, 422)},
    )
    def post(self, request, pk):
        """As the page's button (arenden.handlaggning.views.overgang)."""
        user = request.user
        indata = OvergangIn(data=request.data)
        indata.is_valid(raise_exception=True)
        arende = _arende(pk)
        _kräv(user, "arenden.view_arende", arende)
        data = indata.validated_data
        # the state, and every step and change since the client read it (A → B → A
        # included); checked again under the ärende's lock when the step is taken
        if data["status"] != arende.state:
            raise Fel(
                409,
                "inaktuell",
                _(
                    "Ärendet har ändrats av någon annan sedan du läste det. Läs det igen och "
                    "försök på nytt."
                ),
                title=_("Ärendet har ändrats"),
            )
        services.kräv_version(arende, data["version"])
        wf = registry.workflow_for(arende)
        steg = wf.transitions.get(data["overgang"])
        if steg is None or arende.state not in steg.sources:
            raise Fel(
                409,
                "overgang-finns-inte",
                _("Steget %(steg)s finns inte från status %(status)s.")
                % {"steg": data["overgang"][:100], "status": arende.status_titel},
            )
        if steg.trigger != USER:
            raise Fel(
                422,
                "inte-en-knapp",
                _("%(steg)s görs inte med en knapp på ärendet.") % {"steg": steg.title},
            )
        if steg.form:
            # a step that needs data is taken on its own page, never from a bare button
            raise Fel(
                422,
                "kraver-formular",
                _("%(steg)s görs på sin egen sida, med de uppgifter steget kräver.")
                % {"steg": steg.title},
                title=_("Steget kräver uppgifter"),
                formular=reverse(steg.form, args=[arende.pk]),
            )
        with acting_as(user):
            services.ta_steg(
                arende,
                steg.id,
                user=user,
                kommentar=data.get("kommentar", ""),
                version=data["version"],
            )
        return Response(_overgangar(user, arende))


# -- history ----------------------------------------------------------------------------------


def _historik(obj, las_sekretess: bool = True) -> dict:
    """An object's workflow history, entry by entry, and whether its hash chain holds; an
    ärende's comments as its page shows them to the reader (``Arende.kommentar``)."""
    wf = registry.workflow_for(obj)
    poster = []
    for h in history(obj):
        steg = wf.transitions.get(h.transition)
        poster.append(
            {
                "seq": h.seq,
                "overgang": h.transition,
                "titel": str(steg.title) if steg else (h.transition or _("Registrerat")),
                "fran": h.from_state,
                "till": h.to_state,
                "vem": (h.actor.get_full_name() or h.actor_name) if h.actor else h.actor_name,
                "roller": list(h.roles or []),
                "tid": h.timestamp,
                "kommentar": obj.kommentar(h, las_sekretess)
                if isinstance(obj, Arende)
                else h.comment,
                "hash": h.hash,
            }
        )
    # an ärende's or a meeting's field history with its chain, as its timeline page checks it
    rapport = (
        granskning.kontrollera(obj)
        if isinstance(obj, (Arende, Sammantrade))
        else verify_object(obj)
    )
    kedja = {
        "intakt": rapport.intact,
        "poster": rapport.entries,
        "brott": [str(b) for b in rapport.broken],
    }
    return HistorikSerializer({"kedja": kedja, "poster": poster}).data


class Historik(Vy):
    @extend_schema(
        operation_id="historik_hamta",
        summary="Ärendets arbetsflödeshistorik och om hashkedjan håller",
        responses={200: HistorikSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        """As the tidslinje page: a secret ärende's history only for who may read it."""
        arende = _arende(pk)
        _kräv(request.user, "arenden.view_arende", arende)
        if arende.ar_sekretessmarkerat:
            _kräv(request.user, "arenden.view_sekretess", arende)
            Sekretessatkomst.logga(request.user, arende, Sekretessatkomst.Vad.TIDSLINJE)
        return Response(_historik(arende, _las_sekretess(request.user, arende)))


# -- worklists --------------------------------------------------------------------------------

#: the workflows whose worklists the API lists, and where each list's items are read
_LISTOR = {"arende": "api:arbetslista", "sammantrade": "api:sammantraden"}


class Arbetslistor(Vy):
    @extend_schema(
        operation_id="arbetslistor_lista",
        summary="Dina arbetslistor med antal (som startsidan)",
        responses={200: ArbetslistaSerializer(many=True), **_fel(401)},
    )
    def get(self, request):
        roller = roller_nagonstans(request.user)
        listor = []
        for workflow_id, namn in _LISTOR.items():
            for wl in registry.get_workflow(workflow_id).worklists.values():
                if wl.id.startswith("alla_"):
                    continue
                antal = worklist(request.user, wl.id).count()
                if antal or roller.intersection(wl.roles):
                    url = (
                        reverse(namn, args=[wl.id])
                        if workflow_id == "arende"
                        else f"{reverse(namn)}?lista={wl.id}"
                    )
                    listor.append(
                        {
                            "id": wl.id,
                            "titel": str(wl.title),
                            "avser": workflow_id,
                            "antal": antal,
                            "url": url,
                        }
                    )
        return Response(ArbetslistaSerializer(listor, many=True).data)


class Arbetslista(Vy):
    @extend_schema(
        operation_id="arbetslista_hamta",
        summary="Ärendena i en arbetslista",
        parameters=_LISTA[-2:],
        responses={200: markor.sidschema(ArendeSerializer), **_fel(400, 401, 404)},
    )
    def get(self, request, namn):
        try:
            wf, wl = registry.find_worklist(namn)
        except LookupError as err:
            raise Fel(404, "", _("Det finns ingen sådan arbetslista.")) from err
        if not any(b.model is Arende for b in registry.bindings_for_workflow(wf.id)):
            raise Fel(404, "", _("%(lista)s är ingen lista över ärenden.") % {"lista": wl.title})
        qs = worklist(request.user, namn).select_related("organ", "handlaggare")
        rader, nasta = markor.sida(request, qs, "registrerat")
        context = {"maskerade": _maskerade(request.user, rader)}
        return markor.svar(ArendeSerializer(rader, many=True, context=context).data, nasta)


# -- sammanträden and protokoll ---------------------------------------------------------------


class Sammantraden(Vy):
    @extend_schema(
        operation_id="sammantraden_lista",
        summary="Sammanträden du får se, nyast först",
        parameters=[
            OpenApiParameter("lista", str, description="En arbetslista, t.ex. att_justera."),
            *_LISTA[-2:],
        ],
        responses={200: markor.sidschema(SammantradeSerializer), **_fel(400, 401, 404)},
    )
    def get(self, request):
        namn = request.query_params.get("lista") or "alla_sammantraden"
        if namn not in registry.get_workflow("sammantrade").worklists:
            raise Fel(404, "", _("Det finns ingen sådan lista över sammanträden."))
        qs = worklist(request.user, namn).select_related("organ")
        rader, nasta = markor.sida(request, qs, "datum")
        return markor.svar(SammantradeSerializer(rader, many=True).data, nasta)


class SammantradeDetalj(Vy):
    @extend_schema(
        operation_id="sammantrade_hamta",
        summary="Ett sammanträde med föredragningslistan",
        responses={200: SammantradeDetaljSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        s = get_object_or_404(Sammantrade.objects.select_related("organ"), pk=pk)
        _kräv(request.user, "arenden.view_sammantrade", s)
        s = dokument.med_allt(s)
        deltagare = list(s.deltagare.all())
        punkter = []
        for punkt in s.punkter.all():
            maskerad = not protokoll.far_lasa(request.user, punkt, deltagare)
            punkter.append(
                {
                    "id": punkt.pk,
                    "rubrik": dokument.punkt_rubrik(punkt, s.organ, maskerad),
                    "maskerad": maskerad,
                    "arende": punkt.arende_id,
                    # the outcome of a masked item is its content, as on the meeting page
                    "utfall": None if maskerad else punkt.utfall,
                }
            )
        return Response(SammantradeDetaljSerializer(s, context={"punkter": punkter}).data)


class SammantradeHistorik(Vy):
    @extend_schema(
        operation_id="sammantrade_historik_hamta",
        summary="Sammanträdets arbetsflödeshistorik och om hashkedjan håller",
        responses={200: HistorikSerializer, **_fel(401, 403, 404)},
    )
    def get(self, request, pk):
        """For who may see the meeting (the meeting page's question). Its comments (who was
        kallad, a late kallelse's reason) are what the meeting page shows the same reader;
        a rättelse's text is written into the history when it is made, so when the reader may
        not read every item a rättelse of the meeting corrects now (one marked since), the
        rättelser's texts are left out, as the meeting page masks them."""
        s = get_object_or_404(Sammantrade.objects.select_related("organ"), pk=pk)
        _kräv(request.user, "arenden.view_sammantrade", s)
        data = _historik(s)
        if protokoll.rattelser_maskeras_for(request.user, s):
            for post in data["poster"]:
                if post["overgang"] in protokoll.RATTELSESTEG:
                    post["kommentar"] = protokoll.maskerad_rattelse()
        return Response(data)


class Protokoll(Vy):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="protokoll_lista",
        summary="Publicerade (anslagna) protokoll, öppet för alla",
        parameters=[
            OpenApiParameter("organ", str, description="Bara organet med koden."),
            *_LISTA[-2:],
        ],
        responses={200: markor.sidschema(ProtokollSerializer), **_fel(400)},
    )
    def get(self, request):
        """The anslagstavla's protokoll (KL 8 kap. 12 §), masked as published."""
        qs = Sammantrade.objects.filter(state=SammantradeStatus.ANSLAGET).select_related("organ")
        kod = request.query_params.get("organ", "")
        if kod:
            qs = qs.filter(organ__in=Organ.objects.filter(kod=kod))
        rader, nasta = markor.sida(request, qs, "anslaget")
        return markor.svar(ProtokollSerializer(rader, many=True).data, nasta)


# -- the documentation page -------------------------------------------------------------------

_DOKUMENTATION = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API-dokumentation – Ärendehantering</title>
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{css}">
</head>
<body>
<main id="swagger-ui" aria-label="API-dokumentation"></main>
<script src="{bundle}"></script>
<script src="{standalone}"></script>
<script src="{skript}"></script>
</body>
</html>
"""


class Dokumentation(SpectacularSwaggerSplitView):
    """Swagger UI under the site's Content-Security-Policy: its files from this site
    (drf-spectacular-sidecar), its start script a file of its own (``?script``), and none of
    the inline style drf-spectacular's page carries; in Swedish as far as the page goes."""

    def dispatch(self, request, *args, **kwargs):
        # only read: drf-spectacular's page renders every other answer (OPTIONS' metadata,
        # a 405) with its HTML template, which has none for them (a 500, or English text)
        if request.method not in ("GET", "HEAD"):
            body = {
                "type": "about:blank",
                "title": "Metoden stöds inte",
                "status": 405,
                "detail": _("Metoden stöds inte för den här adressen."),
            }
            svar = JsonResponse(body, status=405, content_type=MEDIATYP)
            svar["Allow"] = "GET, HEAD"
            return svar
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)
        html = format_html(
            _DOKUMENTATION,
            favicon=self._swagger_ui_favicon(),
            css=self._swagger_ui_resource("swagger-ui.css"),
            bundle=self._swagger_ui_resource("swagger-ui-bundle.js"),
            standalone=self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
            skript=f"{request.path}?script=",
        )
        return HttpResponse(html)
