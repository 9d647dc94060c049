"""The revisor's pages: the audit log, its export and the verification of the history chains."""

from __future__ import annotations

import csv
import itertools
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.gemensamt.listor import SORTERA, GranskningsTabell
from arenden.gemensamt.sidor import PER_SIDA, Sida
from arenden.granskning import services as granskning
from arenden.granskning.forms import AuditFilter
from workflow.history import verify
from workflow.models import GroupMembership, LocalRole


def _filter(request):
    form = AuditFilter(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, granskning.auditlogg(**form.cleaned_data)
    return form, granskning.auditlogg()


@login_required
def auditlogg(request):
    if not request.user.has_perm("workflow.view_workflowhistory"):
        raise PermissionDenied(_("Granskningsloggen är för revisorer."))
    form, qs = _filter(request)
    qs, sortering = GranskningsTabell.sortera(
        qs, request.GET.get(SORTERA, ""), ("-timestamp", "-pk")
    )
    # one page and one row more, never a count of every event in the selection: the log
    # grows with every step ever taken, and a page must not (the benchmark's 1 000 000 ärenden)
    sida = Sida(qs, request.GET.get("sida"), PER_SIDA)
    rader = granskning.med_objekt(sida.object_list, request.user)
    tabell = GranskningsTabell(
        rader, sortering=sortering, request=request, empty_text=_("Inga händelser i urvalet.")
    )
    params = request.GET.copy()
    params.pop("sida", None)
    return render(
        request,
        "arenden/auditlogg.html",
        {"form": form, "sida": sida, "tabell": tabell, "params": params.urlencode()},
    )


EXPORT_FALT = [
    "tidpunkt",
    "avser",
    "organ",
    "övergång",
    "från",
    "till",
    "vem",
    "roller",
    "kommentar",
    "hash",
    "steg",
    "namn",
]


def _cell(value):
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading
    apostrophe (a comment "=HYPERLINK(…)" stays text in Excel)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _export_rader(qs, user):
    for chunk_start in range(0, 10**12, 2000):
        chunk = list(qs[chunk_start : chunk_start + 2000])
        if not chunk:
            return
        for rad in granskning.med_objekt(chunk, user):
            entry = rad.entry
            yield [
                timezone.localtime(entry.timestamp).isoformat(),
                rad.etikett,
                rad.organ,
                entry.transition,
                entry.from_state,
                entry.to_state,
                entry.actor_name,
                ", ".join(entry.roles),
                rad.kommentar,
                entry.hash,
                rad.steg,
                rad.namn,
            ]


@login_required
def auditlogg_export(request, format):
    """The filtered audit log as CSV (semicolon, for Swedish Excel) or JSON, streamed."""
    if not request.user.has_perm("workflow.view_workflowhistory"):
        raise PermissionDenied(_("Granskningsloggen är för revisorer."))
    _form, qs = _filter(request)
    if format == "csv":

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo(), delimiter=";")
        # the byte order mark makes Excel read the file as UTF-8
        rows = itertools.chain(
            ["\ufeff" + writer.writerow(EXPORT_FALT)],
            (writer.writerow([_cell(v) for v in r]) for r in _export_rader(qs, request.user)),
        )
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="granskningslogg.csv"'
        return response
    if format == "json":

        def stream():
            yield "[\n"
            first = True
            for row in _export_rader(qs, request.user):
                yield ("" if first else ",\n") + json.dumps(
                    dict(zip(EXPORT_FALT, row, strict=True)), ensure_ascii=False
                )
                first = False
            yield "\n]\n"

        response = StreamingHttpResponse(stream(), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="granskningslogg.json"'
        return response
    raise Http404(_("Okänt exportformat."))


@login_required
def verifiering(request):
    """Run the verification of every history chain and say plainly whether it holds."""
    if not request.user.has_perm("workflow.view_workflowhistory"):
        raise PermissionDenied(_("Kontrollen är för revisorer."))
    rapport = verify() if request.method == "POST" else None
    return render(request, "arenden/verifiering.html", {"rapport": rapport})


@login_required
def rollandringar(request):
    """Who was given which role on what, by whom and when, and who took it away: one page of
    the local roles' field history, or with ``vy=grupper`` of the group memberships' (the
    roles for the whole organisation), newest first (a page costs the same however long the
    history is)."""
    if not request.user.has_perm("workflow.view_workflowhistory"):
        raise PermissionDenied(_("Listan är för revisorn."))
    grupper = request.GET.get("vy") == "grupper"
    kalla = GroupMembership if grupper else LocalRole
    qs = kalla.history.select_related("history_user", "user", "group").order_by("-history_id")
    sida = Sida(qs, request.GET.get("sida"), PER_SIDA)
    tolka = granskning.gruppandringar if grupper else granskning.rollandringar
    return render(
        request,
        "arenden/rollandringar.html",
        {
            "sida": sida,
            "rader": tolka(sida.object_list),
            "grupper": grupper,
            "params": "vy=grupper" if grupper else "",
        },
    )
