"""The task inbox: what the flow asks of the user now (given to them, or waiting in the queue
of a role they hold), with the ärende each task is about. Most tasks are done on the ärende
page, whose transitions complete them; here a task is taken from the queue, and the
stabschef's review (Granska) is decided."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task

from arenden.gemensamt.forms import VersionForm
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA
from workflow.middleware import REFUSALS, refusal

from . import uppgifter


def _med_arende(qs):
    return qs.select_related("process__arendeprocess__arende__organ", "owner")


@login_required
def inkorg(request):
    given = Paginator(_med_arende(uppgifter.inkorg(request.user)), PER_SIDA).get_page(
        request.GET.get("sida")
    )
    ko = _med_arende(uppgifter.ko(request.user))[:PER_SIDA]
    return render(request, "flows/inkorg.html", {"sida": given, "ko": ko})


def _svar(request, atgard, klart: str) -> None:
    """Do ``atgard``; say what was done (``klart``), or why not."""
    try:
        atgard()
    except REFUSALS as err:
        messages.error(request, refusal(err))
    else:
        messages.success(request, klart)


def _vidare(request):
    """Back where the user came from, if that is a page of this site; else the inbox."""
    nasta = request.POST.get("nasta", "")
    if url_has_allowed_host_and_scheme(nasta, {request.get_host()}, request.is_secure()):
        # as an address, never as a URL name to look up (a bare word would fail the lookup)
        return HttpResponseRedirect(nasta)
    return redirect("flows:inkorg")


@login_required
@require_POST
@en_gang
def ta(request, pk):
    task = get_object_or_404(Task, pk=pk)
    _svar(
        request,
        lambda: uppgifter.ta(task, request.user),
        _("Du har tagit uppgiften %(uppgift)s; den finns nu under dina uppgifter.")
        % {"uppgift": task.title},
    )
    return _vidare(request)


@login_required
@require_POST
@en_gang
def granska(request, pk):
    task = get_object_or_404(Task, pk=pk)
    beslut = request.POST.get("beslut")
    if beslut not in ("godkann", "ater"):
        messages.error(request, _("Välj att godkänna beredningen eller skicka tillbaka den."))
        return _vidare(request)
    godkann = beslut == "godkann"
    kommentar = request.POST.get("kommentar", "")
    # the ärende's version as the page showed it: a review decided on a page read before the
    # ärende changed (a handling filed, a marking made) is refused, never made unseen
    las = VersionForm(request.POST)
    if not las.is_valid():
        messages.error(request, " ".join(las.errors["version"]))
        return _vidare(request)
    _svar(
        request,
        lambda: uppgifter.granska(
            task,
            request.user,
            godkann=godkann,
            kommentar=kommentar,
            version=las.cleaned_data["version"],
        ),
        _("Beredningen är godkänd.")
        if godkann
        else _("Ärendet är skickat tillbaka till handläggaren."),
    )
    return _vidare(request)
