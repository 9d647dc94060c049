"""The pages people work in. Every page asks one question of permission, ``user.has_perm(perm,
obj)``, and every state change goes through the engine."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arenden.begaran import services as begaran
from arenden.delegering import services as delegering
from arenden.diarium import services as diarium_services
from arenden.diarium import sokning
from arenden.diarium.forms import SokForm
from arenden.diarium.models import Arende, Sekretessatkomst
from arenden.diarium.services import forslag_att_registrera, sent_registrerade_qs
from arenden.dokument import services as dokument
from arenden.gemensamt.forms import ArendeForm, VersionForm, fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.listor import SORTERA, ArendeFilter, ArendeTabell, SokFilter
from arenden.gemensamt.sidor import PER_SIDA, Sida, sida_av
from arenden.gemensamt.vyer import (
    DIARIEFORARE,
    arende_eller_404,
    kontrollera_sidbehorighet,
    roller_nagonstans,
)
from arenden.granskning import services as granskning
from arenden.handlaggning import services as handlaggning_services
from arenden.handlaggning.forms import (
    BeredningsansvarigaFormSet,
    ExpedieraForm,
    MottagareForm,
    RedovisaForm,
    TilldelaForm,
    TjansteskrivelseForm,
)
from arenden.handlaggning.models import Mottagare, Tjansteskrivelse, Uppdrag
from arenden.handlaggning.services import bevakningar
from arenden.motion import services as motion_services
from arenden.organisation import roles
from arenden.sammantraden import ledamot
from arenden.templatetags.sekretess import maskerat, mottagarnamn
from flows.arende import rattelser_i_kraft
from flows.namn import ArendeArbetslista, ArendeStatus, ArendeSteg
from workflow import registry
from workflow.definitions import USER
from workflow.engine import allowed_transitions, history, version, worklist
from workflow.export import to_svg
from workflow.middleware import REFUSALS, refusal

#: entries of the workflow history shown on the ärende page; the whole timeline is paged
SENASTE_HISTORIK = 10


#: the worklists on the start page, and the page each one opens
STARTLISTOR = {
    "arende": "arenden:arbetslista",
    "sammantrade": "arenden:sammantraden",
    "begaran": "arenden:begaranden",
}


@login_required
def start(request):
    """The start page: the worklists the user's roles give (ärenden and sammanträden), with
    counts."""
    roller = roller_nagonstans(request.user)
    if roller.isdisjoint(roles.ALL) and ledamot.mina_sammantraden(request.user).exists():
        # a förtroendevald has no worklists: their start page is their meetings
        return redirect("arenden:mina_sammantraden")
    listor = []
    for workflow_id, sida in STARTLISTOR.items():
        for wl in registry.get_workflow(workflow_id).worklists.values():
            if wl.id.startswith("alla_"):
                continue
            antal = worklist(request.user, wl.id).count()
            if antal or roller.intersection(wl.roles):
                url = (
                    reverse(sida, args=[wl.id])
                    if workflow_id == "arende"
                    else (f"{reverse(sida)}?lista={wl.id}")
                )
                listor.append({"url": url, "titel": wl.title, "antal": antal})
    if DIARIEFORARE & roller:
        listor.append(
            {
                "url": reverse("arenden:sent_registrerade"),
                "titel": _("Sent registrerade handlingar"),
                "antal": sent_registrerade_qs(request.user).count(),
            }
        )
    if roles.REGISTRATOR in roller:
        listor.append(
            {
                "url": reverse("arenden:forslag_att_registrera"),
                "titel": _("Förslag att registrera"),
                "antal": forslag_att_registrera(request.user).count(),
            }
        )
    return render(
        request,
        "arenden/start.html",
        {"listor": listor, "bevakningar": bevakningar(request.user)[:10]},
    )


#: the horizons the bevakning page offers (days)
BEVAKNING_INOM = ("30", "90", "365")


@login_required
def bevakning(request):
    """The stabschef's bevakning: every open uppdrag on the ärenden the user watches, overdue
    first, as the worklist counts them; ``?inom=30`` (90, 365) narrows it to what falls due
    within that many days."""
    inom = request.GET.get("inom", "")
    horisont = int(inom) if inom in BEVAKNING_INOM else None
    sida = Paginator(bevakningar(request.user, horisont=horisont), PER_SIDA).get_page(
        request.GET.get("sida")
    )
    return render(
        request,
        "arenden/bevakning.html",
        {
            "sida": sida,
            "inom": inom if horisont else "",
            "val": BEVAKNING_INOM,
            "params": f"inom={inom}" if horisont else "",
        },
    )


@login_required
def oversikt(request):
    """The ärenden the user may see, counted by organ and state: one aggregate query."""
    wf = registry.get_workflow("arende")
    rader = (
        worklist(request.user, ArendeArbetslista.ALLA_ARENDEN)
        .order_by()
        .values("organ__kod", "organ__namn", "state")
        .annotate(antal=Count("pk"))
    )
    tabell: dict[str, dict] = {}
    for rad in rader:
        organ = tabell.setdefault(
            rad["organ__kod"], {"namn": rad["organ__namn"], "antal": {}, "summa": 0}
        )
        organ["antal"][rad["state"]] = rad["antal"]
        organ["summa"] += rad["antal"]
    tillstand = [s for s in wf.states.values() if any(s.id in o["antal"] for o in tabell.values())]
    organ = [
        {**o, "celler": [o["antal"].get(s.id, 0) for s in tillstand]}
        for _kod, o in sorted(tabell.items())
    ]
    return render(request, "arenden/oversikt.html", {"tillstand": tillstand, "organ": organ})


@login_required
def arbetslista(request, namn):
    try:
        wf, wl = registry.find_worklist(namn)
    except LookupError as err:
        raise Http404(str(err)) from err
    if not any(b.model is Arende for b in registry.bindings_for_workflow(wf.id)):
        raise Http404(_("%(lista)s är ingen lista över ärenden.") % {"lista": wl.title})
    filter_ = ArendeFilter(request.GET or None, queryset=worklist(request.user, namn))
    qs = filter_.qs if filter_.is_valid() else filter_.queryset
    qs, sortering = ArendeTabell.sortera(
        qs.select_related("organ", "handlaggare"),
        request.GET.get(SORTERA, ""),
        ("-registrerat", "-pk"),
    )
    sida = sida_av(qs, request.GET.get("sida"), PER_SIDA)
    tabell = ArendeTabell(list(sida.object_list), sortering=sortering, request=request)
    params = request.GET.copy()
    params.pop("sida", None)
    return render(
        request,
        "arenden/arbetslista.html",
        {
            "titel": wl.title,
            "sida": sida,
            "tabell": tabell,
            "filter": filter_,
            "params": params.urlencode(),
        },
    )


#: how many of the user's own tasks "Mina ärenden" lists before linking to all of them
MINA_UPPGIFTER = 10


@login_required
def mina_arenden(request):
    """One inbox: the tasks given to the user, and every ärende they prepare (handläggare or
    beredningsansvarig on it) in any state. By default the ongoing ones; ``?status=`` narrows
    to one state, ``?status=alla`` shows the closed ones too. An ärende no longer leaves the
    list when it is beredd, bordlagt or closed."""
    from flows import uppgifter

    wf = registry.get_workflow("arende")
    status = request.GET.get("status", "")
    qs = worklist(request.user, ArendeArbetslista.ALLA_MINA_ARENDEN)
    if status in wf.states:
        qs = qs.filter(state=status)
    elif status != "alla":
        status = ""
        qs = qs.exclude(state__in=[s.id for s in wf.states.values() if s.final])
    qs, sortering = ArendeTabell.sortera(
        qs.select_related("organ", "handlaggare"),
        request.GET.get(SORTERA, ""),
        ("-registrerat", "-pk"),
    )
    sida = sida_av(qs, request.GET.get("sida"), PER_SIDA)
    tabell = ArendeTabell(
        list(sida.object_list), sortering=sortering, request=request, exclude=("handlaggare",)
    )
    params = request.GET.copy()
    params.pop("sida", None)
    # the delegat's own list: what they may decide on the nämnd's behalf (KL 6 kap. 37 §)
    delegerade = list(delegering.att_besluta(request.user)[: MINA_UPPGIFTER + 1])
    mina = list(
        uppgifter.inkorg(request.user).select_related("process__arendeprocess__arende__organ")[
            : MINA_UPPGIFTER + 1
        ]
    )
    return render(
        request,
        "arenden/mina_arenden.html",
        {
            "sida": sida,
            "status": status,
            "val": [(s.id, s.title) for s in wf.states.values()],
            "uppgifter": mina[:MINA_UPPGIFTER],
            "att_besluta": delegerade[:MINA_UPPGIFTER],
            "fler_att_besluta": len(delegerade) > MINA_UPPGIFTER,
            "fler_uppgifter": len(mina) > MINA_UPPGIFTER,
            "i_kon": uppgifter.ko(request.user).exists(),
            "tabell": tabell,
            "params": params.urlencode(),
        },
    )


@login_required
def arende(request, pk):
    """The ärende page: metadata, people, handlingar, tjänsteskrivelse, beslut, expediering,
    uppdrag, relations, the latest history and the transitions this user may take now. Its
    number of queries does not depend on how long the history is."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", arende)
    las_sekretess = request.user.has_perm("arenden.view_sekretess", arende)
    sekretess = arende.ar_sekretessmarkerat and not las_sekretess
    wf = registry.workflow_for(arende)
    senaste = list(history(arende).order_by("-seq")[:SENASTE_HISTORIK])
    for entry in senaste:
        transition = wf.transitions.get(entry.transition)
        entry.titel = transition.title if transition else _("Registrerat")
        entry.till = wf.states[entry.to_state].title if entry.to_state in wf.states else ""
        entry.kommentar = arende.kommentar(entry, las_sekretess)
    if arende.ar_sekretessmarkerat and not sekretess:
        Sekretessatkomst.logga(request.user, arende, Sekretessatkomst.Vad.ARENDE)
    relaterade = Arende.objects.select_related("organ")
    overgangar = allowed_transitions(arende, request.user)
    motion = motion_services.for_sidan(arende)
    mottagare = list(arende.mottagare.select_related("person__enhet", "enhet", "expedierad_av"))
    # a rättelse of a beslut after it was sent: who got it is sent the rättat utdrag (FL 36 §),
    # each named as the sändlista below names them
    rattat_utdrag_kvar = handlaggning_services.rattat_utdrag_kvar(arende)
    nummer = {m.pk: n for n, m in enumerate(mottagare, 1)}
    for _rattelse, vilka in rattat_utdrag_kvar:
        for m in vilka:
            m.nummer = nummer[m.pk]
    context = {
        "arende": arende,
        "maskerat": sekretess,
        # a single handling may be secret in an ärende that is not (OSL 5 kap. 5 §)
        "las_sekretess": las_sekretess,
        "overgangar": overgangar,
        "historik": senaste,
        "steg": senaste[0].seq if senaste else 0,
        # services.arendets_version, from what is read here already
        "version": arende.version + (senaste[0].seq if senaste else 0),
        "beredningsansvariga": arende.beredningsansvariga.select_related("person"),
        "handlingar": arende.handlingar.select_related("registrerad_av"),
        "tjansteskrivelse": Tjansteskrivelse.objects.filter(arende=arende)
        .select_related("forfattare", "enhet")
        .first(),
        "beslut": arende.beslut.select_related(
            "organ",
            "forslag_till",
            "delegationspunkt",
            "fattat_av",
            "anmalt_punkt__sammantrade__organ",
        ),
        "mottagare": mottagare,
        "uppdrag": arende.uppdrag.select_related("rapportera_till", "aterrapport"),
        "relationer": arende.relationer.prefetch_related(Prefetch("till", relaterade)),
        "relationer_hit": arende.relationer_hit.prefetch_related(Prefetch("fran", relaterade)),
        "far_andra": request.user.has_perm("arenden.change_arende", arende)
        and (las_sekretess or not arende.ar_sekretessmarkerat),
        "far_lagga_till_handling": request.user.has_perm("arenden.add_handling", arende),
        "far_skriva": request.user.has_perm("arenden.change_tjansteskrivelse", arende),
        "far_expediera": request.user.has_perm("arenden.expediera_arende", arende),
        "far_andra_sandlista": request.user.has_perm("arenden.change_sandlista", arende),
        "far_redovisa": request.user.has_perm("arenden.redovisa_uppdrag", arende),
        "far_registrera_begaran": begaran.far_registrera(request.user, arende),
        "far_sekretessmarkera": request.user.has_perm("arenden.sekretessmarkera", arende),
        "begaranden": arende.begaranden.order_by("-inkommen", "-pk"),
        "motion": motion,
        "rattat_utdrag_kvar": rattat_utdrag_kvar,
        "far_skicka_rattelse": bool(rattat_utdrag_kvar)
        and request.user.has_perm("arenden.skicka_rattelse", arende),
    }
    return render(request, "arenden/arende.html", context)


@login_required
@require_POST
@en_gang
def overgang(request, pk):
    """Take a transition from the ärende page (one button per allowed transition)."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", arende)
    # the state, and every step since the page was read (A → B → A included); every other
    # change since is the ärende's version, checked under its lock (services.ta_steg)
    las = VersionForm(request.POST)
    if (
        request.POST.get("status") != arende.state
        or request.POST.get("steg") != str(version(arende))
        or not las.is_valid()
    ):
        messages.error(
            request,
            _(
                "Ärendet har ändrats av någon annan sedan du öppnade sidan. Kontrollera och "
                "försök igen."
            ),
        )
        return redirect("arenden:arende", pk=pk)
    steg = registry.workflow_for(arende).transitions.get(request.POST.get("overgang", ""))
    if steg is not None and steg.trigger != USER:
        messages.error(
            request, _("%(steg)s görs inte med en knapp på ärendet.") % {"steg": steg.title}
        )
        return redirect("arenden:arende", pk=pk)
    if steg is not None and steg.form:
        # a step that needs data is taken on its own page, never from a bare button
        messages.info(request, _("%(steg)s görs på den här sidan.") % {"steg": steg.title})
        return redirect(steg.form, pk=pk)
    try:
        diarium_services.ta_steg(
            arende,
            request.POST.get("overgang", ""),
            user=request.user,
            kommentar=request.POST.get("kommentar", ""),
            version=las.cleaned_data["version"],
        )
    except REFUSALS as err:
        messages.error(request, refusal(err))
    else:
        messages.success(
            request, _("Ärendet har nu status %(status)s.") % {"status": arende.status_titel}
        )
    return redirect("arenden:arende", pk=pk)


@login_required
def tidslinje(request, pk):
    """The ärende's whole story: transitions and field changes merged, paged, with who,
    when, what changed from what to what, and the comment; and whether its chain holds."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", arende)
    if arende.ar_sekretessmarkerat:
        kontrollera_sidbehorighet(request.user, "arenden.view_sekretess", arende)
        Sekretessatkomst.logga(request.user, arende, Sekretessatkomst.Vad.TIDSLINJE)
    sida = Paginator(range(granskning.antal_handelser(arende)), PER_SIDA).get_page(
        request.GET.get("sida")
    )
    handelser = granskning.tidslinje(
        arende,
        sida.start_index() - 1,
        sida.end_index(),
        las_sekretess=request.user.has_perm("arenden.view_sekretess", arende),
    )
    kedja = granskning.kontrollera(arende)
    return render(
        request,
        "arenden/tidslinje.html",
        {"arende": arende, "sida": sida, "handelser": handelser, "kedja": kedja},
    )


@login_required
def sok(request):
    """Ärenden and handlingar by diarienummer, words and dates, among what the user may see.
    Full-text search with the Swedish configuration on PostgreSQL; word matching elsewhere."""
    form = SokForm(request.GET or None)
    filter_ = SokFilter(request.GET or None, queryset=Arende.objects.all())
    sida = handlingar = tabell = None
    if form.is_bound and form.is_valid():
        urval = filter_.filter_queryset if filter_.is_valid() else None
        qs = sokning.sok(request.user, **form.cleaned_data, urval=urval)
        sortering = ""
        if isinstance(qs, QuerySet):
            # a word search on PostgreSQL reads its hits newest first, a page at a time
            # (sokning.Traffar): it is not sorted otherwise
            qs, sortering = ArendeTabell.sortera(qs, request.GET.get(SORTERA, ""), sokning.ORDNING)
        sida = Sida(qs, request.GET.get("sida"), PER_SIDA, rakna=True)
        tabell = ArendeTabell(
            sida.object_list,
            sortering=sortering,
            request=request,
            orderable=isinstance(qs, QuerySet),
            exclude=("handlaggare",),
        )
        traffar = sokning.sok_handlingar(request.user, **form.cleaned_data)
        if traffar is not None:
            handlingar = Sida(traffar, request.GET.get("hsida"), PER_SIDA, rakna=True)
            for h in handlingar.object_list:
                h.maskerad = h.hemlig and not request.user.has_perm(
                    "arenden.view_sekretess", h.arende
                )
    params = request.GET.copy()
    params.pop("sida", None)
    hparams = request.GET.copy()
    hparams.pop("hsida", None)
    return render(
        request,
        "arenden/sok.html",
        {
            "form": form,
            "sida": sida,
            "handlingar": handlingar,
            "tabell": tabell,
            "filter": filter_,
            "params": params.urlencode(),
            "hparams": hparams.urlencode(),
        },
    )


@login_required
def beslut(request, pk):
    """Where the organ's decision in the ärende is recorded: under the ärende's item in the
    protokoll of the sammanträde it is anmält to (arenden.sammantraden.protokoll.besluta)."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", arende)
    punkt = (
        arende.punkter.oavgjorda()
        .order_by("-sammantrade__datum", "-pk")
        .values_list("pk", "sammantrade_id")
        .first()
    )
    if punkt is None:
        messages.info(
            request,
            _(
                "Beslutet förs in under ärendets punkt i protokollet, och ärendet står inte på "
                "någon föredragningslista."
            ),
        )
        return redirect("arenden:arende", pk=pk)
    return redirect(f"{reverse('arenden:sammantrade', args=[punkt[1]])}#punkt-{punkt[0]}")


@login_required
@en_gang
def tilldela_vy(request, pk):
    """The stabschef assigns a handläggare and names the beredningsansvariga with their part."""
    arende = arende_eller_404(pk)
    if ArendeSteg.TILLDELA not in {t.id for t in allowed_transitions(arende, request.user)}:
        raise PermissionDenied(_("Du får inte tilldela det här ärendet."))
    form = TilldelaForm(
        request.POST or None, initial={"version": diarium_services.arendets_version(arende)}
    )
    ansvariga = BeredningsansvarigaFormSet(request.POST or None, prefix="ansvarig")
    if request.method == "POST" and form.is_valid() and ansvariga.is_valid():
        try:
            handlaggning_services.tilldela(
                arende,
                handlaggare=form.cleaned_data["handlaggare"],
                beredningsansvariga=[
                    (f.cleaned_data["person"], f.cleaned_data["del_i_beredningen"])
                    for f in ansvariga
                    if f.cleaned_data
                ],
                user=request.user,
                kommentar=form.cleaned_data["kommentar"],
                version=form.cleaned_data["version"],
            )
        except REFUSALS as err:
            fel(form, err)
        else:
            messages.success(request, _("Ärendet är tilldelat."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request, "arenden/tilldela.html", {"arende": arende, "form": form, "ansvariga": ansvariga}
    )


@login_required
@en_gang
def tjansteskrivelse(request, pk):
    """The tjänsteskrivelse editor, by section; only while the state lets this user edit."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.change_tjansteskrivelse", arende)
    form = TjansteskrivelseForm(
        request.POST or None,
        instance=Tjansteskrivelse.objects.filter(arende=arende).first(),
        initial={"version": diarium_services.arendets_version(arende)},
    )
    sparad = None
    if request.method == "POST" and form.is_valid():
        falt = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            handlaggning_services.spara_tjansteskrivelse(
                arende, user=request.user, version=form.cleaned_data["version"], **falt
            )
        except ValidationError as err:
            fel(form, err)
            if isinstance(err, diarium_services.Inaktuell):
                # the writer's text stays in the form, the saved one is shown beside it (read
                # anew: the form has filled its own instance in)
                sparad = Tjansteskrivelse.objects.filter(arende=arende).first()
        else:
            messages.success(request, _("Tjänsteskrivelsen är sparad."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {
            "arende": arende,
            "form": form,
            "rubrik": _("Tjänsteskrivelse"),
            "sparad": sparad,
        },
    )


@login_required
def tjansteskrivelse_dokument(request, pk, format):
    """The tjänsteskrivelse as PDF or Word; masked for who may not read a secret ärende."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", arende)
    if format not in dokument.FORMAT or not Tjansteskrivelse.objects.filter(arende=arende).exists():
        raise Http404(_("Ingen tjänsteskrivelse i det formatet."))
    # masked for who may not read secret content: a secret ärende, or a secret underlag of an
    # open one
    maskera = not request.user.has_perm("arenden.view_sekretess", arende)
    if arende.ar_sekretessmarkerat and not maskera:
        Sekretessatkomst.logga(request.user, arende, Sekretessatkomst.Vad.DOKUMENT)
    return dokument.som_svar(dokument.tjansteskrivelse(arende, publik=maskera), format)


@login_required
@require_POST
@en_gang
def tjansteskrivelse_arkivera(request, pk):
    """File the tjänsteskrivelse as the page showed it as a handling (PDF) in the ärende."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.change_tjansteskrivelse", arende)
    las = VersionForm(request.POST)
    try:
        handling = handlaggning_services.arkivera_tjansteskrivelse(
            arende,
            user=request.user,
            version=las.cleaned_data["version"] if las.is_valid() else -1,
        )
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    else:
        messages.success(
            request, _("Tjänsteskrivelsen är sparad som handling %(nr)s.") % {"nr": handling.nummer}
        )
    return redirect("arenden:arende", pk=pk)


@login_required
@en_gang
def expediera(request, pk):
    """Expediering with per-recipient status: send to one recipient at a time. After a
    rättelse of the beslut's paragraph (FL 36 §), who expedierar it sends the rättat
    protokollsutdrag to those who got the beslut before (:func:`skicka_rattelse`), also
    once the ärende has moved on."""
    arende = arende_eller_404(pk)
    rattat = rattelser_i_kraft(arende).exists()
    if not rattat or not request.user.has_perm("arenden.skicka_rattelse", arende):
        kontrollera_sidbehorighet(request.user, "arenden.expediera_arende", arende)
    elif request.method == "POST" and not request.user.has_perm("arenden.expediera_arende", arende):
        raise PermissionDenied(_("Du har inte behörighet till den här sidan."))
    form = ExpedieraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mottagare = get_object_or_404(arende.mottagare, pk=form.cleaned_data["mottagare"])
        try:
            handlaggning_services.expediera_till(
                mottagare,
                user=request.user,
                metod=form.cleaned_data["metod"],
                version=form.cleaned_data["version"],
            )
        except REFUSALS as err:
            if getattr(err, "code", None) == "redan":
                # the service names the row; said here as the page shows it to this reader
                messages.error(
                    request,
                    _("Beslutet är redan expedierat till %(vem)s.")
                    % {"vem": _mottagaren(arende, mottagare, request.user)},
                )
            else:
                messages.error(request, refusal(err))
        else:
            messages.success(
                request,
                _("Expedierat till %(vem)s.")
                % {"vem": _mottagaren(arende, mottagare, request.user)},
            )
        if request.user.has_perm("arenden.expediera_arende", arende):
            return redirect("arenden:expediera", pk=pk)
        return redirect("arenden:arende", pk=pk)  # sent to all: the ärende has moved on
    if request.method == "POST":  # the row's button sent something the form refuses: say so
        messages.error(request, " ".join(m for fel in form.errors.values() for m in fel))
    mottagare = list(
        arende.mottagare.select_related(
            "person__enhet", "enhet", "expedierad_av", "beslut__organ"
        ).prefetch_related("rattelser_skickade__skickad_av", "rattelser_skickade__rattelse__punkt")
    )
    # the rättat utdrag (FL 36 §): what each recipient is owed, and what they were sent
    kvar = {}
    for rattelse, vilka in handlaggning_services.rattat_utdrag_kvar(arende) if rattat else ():
        for m in vilka:
            kvar.setdefault(m.pk, []).append(rattelse)
    for m in mottagare:
        m.rattelser_kvar = kvar.get(m.pk, [])
    return render(
        request,
        "arenden/expediera.html",
        {
            "arende": arende,
            "mottagare": mottagare,
            "rattat": any(m.rattelser_kvar or m.rattelser_skickade.all() for m in mottagare),
            "rattelse_kvar": bool(kvar),
            "far_skicka_rattelse": bool(kvar)
            and request.user.has_perm("arenden.skicka_rattelse", arende),
            "far_expediera": request.user.has_perm("arenden.expediera_arende", arende),
            # a row sent an earlier beslut (before the ärende was reopened) says so
            "senaste_beslut": arende.beslut.order_by("-pk").values_list("pk", flat=True).first(),
            "metoder": Mottagare.Metod.choices,
            "version": diarium_services.arendets_version(arende),
            "inte_justerat": handlaggning_services.inte_justerat(arende),
            # the recipients as the ärende page shows them (OSL 5 kap. 5 §)
            "maskerat": maskerat(arende, request.user),
        },
    )


@login_required
@require_POST
@en_gang
def skicka_rattelse(request, pk):
    """Record that the rättat protokollsutdrag was sent to one recipient who got the beslut
    before the rättelse took effect (FL 36 §), by one of the expediering's methods."""
    arende = arende_eller_404(pk)
    if not request.user.has_perm("arenden.skicka_rattelse", arende):
        raise PermissionDenied(_("Du har inte behörighet till den här sidan."))
    form = ExpedieraForm(request.POST)
    if form.is_valid():
        mottagare = get_object_or_404(arende.mottagare, pk=form.cleaned_data["mottagare"])
        vem = _mottagaren(arende, mottagare, request.user)
        try:
            handlaggning_services.skicka_rattelse(
                mottagare,
                user=request.user,
                metod=form.cleaned_data["metod"],
                version=form.cleaned_data["version"],
            )
        except REFUSALS as err:
            if getattr(err, "code", None) == "redan":
                messages.error(
                    request,
                    _("Det rättade protokollsutdraget är redan skickat till %(vem)s.")
                    % {"vem": vem},
                )
            elif getattr(err, "code", None) == "inte_fore":
                messages.error(
                    request, _("%(vem)s har inte fått beslutet före rättelsen.") % {"vem": vem}
                )
            else:
                messages.error(request, refusal(err))
        else:
            messages.success(
                request, _("Det rättade protokollsutdraget är skickat till %(vem)s.") % {"vem": vem}
            )
    else:
        messages.error(request, " ".join(m for fel in form.errors.values() for m in fel))
    return redirect("arenden:expediera", pk=pk)


@login_required
@en_gang
def andra_uppgifter(request, pk):
    """Correct the ärende's own fields: ärendemening, offentlig rubrik, avsändare, inkommet."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.change_arende", arende)
    if arende.ar_sekretessmarkerat:
        kontrollera_sidbehorighet(request.user, "arenden.view_sekretess", arende)
    form = ArendeForm(
        request.POST or None,
        initial={
            **{falt: getattr(arende, falt) for falt in diarium_services.ANDRINGSBARA},
            "version": diarium_services.arendets_version(arende),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            diarium_services.andra_arende(arende, user=request.user, **form.cleaned_data)
        except REFUSALS as err:
            fel(form, err)
        else:
            messages.success(request, _("Ärendets uppgifter är sparade."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {"arende": arende, "form": form, "rubrik": _("Ändra ärendets uppgifter")},
    )


@login_required
@en_gang
def sandlista(request, pk):
    """ "Beslutet expedieras till": who the decision is to be sent to, while it is prepared."""
    arende = arende_eller_404(pk)
    kontrollera_sidbehorighet(request.user, "arenden.change_sandlista", arende)
    mottagare = list(arende.mottagare.select_related("person__enhet", "enhet"))
    # the list is set anew from these; those already sent to stay as they are
    ej_skickade = [m for m in mottagare if m.expedierad is None]
    version = diarium_services.arendets_version(arende)
    lagg_till = request.method == "POST" and "ta_bort" not in request.POST
    form = MottagareForm(request.POST if lagg_till else None, initial={"version": version})
    bekrafta = None
    if "ta_bort" in request.POST:
        # a button: the page's version comes with it, and what went wrong is said above the list
        las = VersionForm(request.POST)
        skickad = las.cleaned_data["version"] if las.is_valid() else -1
        bort = [
            m for m in mottagare if m.expedierad is None and str(m.pk) == request.POST["ta_bort"]
        ]
        if bort and "bekraftat" not in request.POST:
            # asked first: one click removes nobody; the question carries the version the
            # list was read at
            bekrafta, version = bort[0], version if skickad is None else skickad
        elif not bort:
            try:  # gone, most likely with a change since the page was read: say which
                diarium_services.kräv_version(arende, skickad)
            except ValidationError as err:
                messages.error(request, " ".join(err.messages))
            else:
                messages.error(
                    request, _("Mottagaren kan inte tas bort: beslutet är redan expedierat dit.")
                )
            return redirect("arenden:sandlista", pk=pk)
        else:
            try:
                handlaggning_services.satt_sandlista(
                    arende,
                    [_adressat(m) for m in ej_skickade if m not in bort],
                    user=request.user,
                    version=skickad,
                    motivering=request.POST.get("motivering", ""),
                )
            except ValidationError as err:
                if err.code == "motivering":
                    # asked again, with the reason why: nothing was removed
                    messages.error(request, " ".join(err.messages))
                    bekrafta, version = bort[0], version if skickad is None else skickad
                    return _sandlistan(request, arende, mottagare, form, bekrafta, version)
                messages.error(request, " ".join(err.messages))
            else:
                messages.success(
                    request,
                    _("%(vem)s är borttagen från sändlistan.")
                    % {"vem": _mottagaren(arende, bort[0], request.user, mottagare)},
                )
                arende.refresh_from_db()
                if not request.user.has_perm("arenden.change_sandlista", arende):
                    # everyone left had the beslut: the ärende is expedierat and has moved on
                    return redirect("arenden:arende", pk=pk)
            return redirect("arenden:sandlista", pk=pk)
    elif lagg_till and form.is_valid():
        ny = form.adressat()
        try:
            rader = handlaggning_services.satt_sandlista(
                arende,
                [*map(_adressat, ej_skickade), ny],
                user=request.user,
                version=form.cleaned_data["version"],
            )
        except ValidationError as err:
            fel(form, err)
        else:
            messages.success(
                request,
                _("%(vem)s är tillagd på sändlistan.")
                % {
                    "vem": _mottagaren(
                        arende,
                        rader[-1],
                        request.user,
                        namn=", ".join(map(str, ny)) if isinstance(ny, tuple) else str(ny),
                    )
                },
            )
            return redirect("arenden:sandlista", pk=pk)
    return _sandlistan(request, arende, mottagare, form, bekrafta, version)


def _sandlistan(request, arende, mottagare, form, bekrafta, version):
    """The sändlista page; ``bekrafta``, a recipient whose removal is asked first (with the
    motivering once the beslut is taken, FL 33 §)."""
    return render(
        request,
        "arenden/sandlista.html",
        {
            "arende": arende,
            "mottagare": mottagare,
            "form": form,
            "bekrafta": bekrafta,
            "bekrafta_namn": bekrafta and _mottagaren(arende, bekrafta, request.user, mottagare),
            "motivering_kravs": arende.state == ArendeStatus.BESLUTAT,
            "version": version,
            # the recipients as the ärende page shows them (OSL 5 kap. 5 §)
            "maskerat": maskerat(arende, request.user),
        },
    )


def _mottagaren(arende: Arende, rad: Mottagare, user, rader=None, namn: str = "") -> str:
    """``rad`` named in a message or a question as the ärende page shows it to ``user``: by
    its number on the sändlista (``rader``, else as it is now) when they may not read the
    ärende's secret content; else by ``namn`` or the row's own."""
    if not maskerat(arende, user):
        return namn or str(rad)
    pks = (
        [m.pk for m in rader]
        if rader is not None
        else list(arende.mottagare.values_list("pk", flat=True))
    )
    return mottagarnamn(rad, pks.index(rad.pk) + 1 if rad.pk in pks else "?", True)


def _adressat(rad: Mottagare):
    if rad.person_id and rad.enhet_id:
        return (rad.person, rad.enhet)
    return rad.person or rad.enhet or rad.adress


def _uppdragets_text(uppdrag: Uppdrag, user) -> str:
    """What the uppdrag says, for ``user``: in a secret ärende, only the marking for who may
    report it back without reading the secret content (the nämndsekreterare while it is
    bevakat), as on the ärende's page."""
    arende = uppdrag.arende
    if arende.ar_sekretessmarkerat and not user.has_perm("arenden.view_sekretess", arende):
        return _("Uppdraget omfattas av sekretess enligt %(lagrum)s.") % {
            "lagrum": arende.sekretess_lagrum
        }
    return uppdrag.beskrivning


@login_required
@en_gang
def redovisa(request, pk):
    """An uppdrag is reported back: the återrapport, a handling in the ärende, was presented
    to the organ on a given day (seed 002)."""
    uppdrag = get_object_or_404(Uppdrag.objects.select_related("arende", "rapportera_till"), pk=pk)
    arende = uppdrag.arende
    kontrollera_sidbehorighet(request.user, "arenden.redovisa_uppdrag", arende)
    form = RedovisaForm(
        request.POST or None,
        arende=arende,
        initial={"version": diarium_services.arendets_version(arende)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            handlaggning_services.aterrapportera(uppdrag, user=request.user, **form.cleaned_data)
        except REFUSALS as err:
            fel(form, err)
        else:
            messages.success(request, _("Uppdraget är redovisat."))
            return redirect("arenden:arende", pk=arende.pk)
    context = {
        "arende": arende,
        "form": form,
        "rubrik": _("Redovisa uppdrag"),
        "forklaring": _("Uppdraget: %(text)s Ska återrapporteras senast %(dag)s.")
        % {"text": _uppdragets_text(uppdrag, request.user), "dag": f"{uppdrag.forfaller:%Y-%m-%d}"},
    }
    if not form.fields["handling"].queryset.exists():
        # the återrapport is a handling of the ärende first; say so instead of an empty list
        context["hint"] = _(
            "Ärendet har ingen handling av typen återrapport ännu. Lägg först in återrapporten "
            "som en handling i ärendet, och välj den sedan här."
        )
        if request.user.has_perm("arenden.add_handling", arende):
            context["hint_url"] = reverse("arenden:ny_handling", args=[arende.pk])
    return render(request, "arenden/formular.html", context)


@login_required
def arbetsflode(request, namn):
    """The workflow chart, drawn from the definition."""
    try:
        wf = registry.get_workflow(namn)
    except LookupError as err:
        raise Http404(str(err)) from err
    return render(request, "arenden/arbetsflode.html", {"wf": wf, "svg": mark_safe(to_svg(wf))})
