"""The nämndsekreterare's pages: sammanträden, the föredragningslista, närvaro, beslut per
paragraph, justering, anslag and the documents; and the public anslagstavla.

Every change goes through :mod:`arenden.sammantraden.protokoll`, which asks the sammanträde's
permission
map; a refusal or a bad input is shown on the page and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arenden.diarium import services as diarium_services
from arenden.diarium.models import Sekretessatkomst
from arenden.dokument import arkivering, motesfiler
from arenden.dokument import services as dokument
from arenden.gemensamt.forms import fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import PER_SIDA
from arenden.gemensamt.tal import heltal
from arenden.gemensamt.vyer import arende_eller_404
from arenden.granskning import services as granskning
from arenden.organisation import roles
from arenden.organisation.models import Ledamotsuppdrag, Organ, Person
from arenden.publikt.anslagstavla import protokollfil_svar
from arenden.sammantraden import protokoll
from arenden.sammantraden.forms import (
    AnmalForm,
    AnslagForm,
    BeslutForm,
    DeltagareForm,
    JavForm,
    LedamotsuppdragAndringForm,
    LedamotsuppdragForm,
    MotiveringForm,
    NarvaroForm,
    PunktForm,
    RattelseForm,
    ReservationForm,
    SammantradeForm,
    VoteringForm,
    YrkandeForm,
    YttrandeForm,
)
from arenden.sammantraden.models import (
    Deltagare,
    Kallelsemottagare,
    Punkt,
    Rattelse,
    Sammantrade,
    Tjanstgoring,
)
from flows.namn import ArendeArbetslista, ArendeSteg, SammantradeStatus, SammantradeSteg
from workflow import registry
from workflow import roles as workflow_roles
from workflow.definitions import USER
from workflow.engine import (
    allowed_transitions,
    do_transition,
    holding_local_role,
    worklist,
)
from workflow.middleware import REFUSALS, refusal

#: the transitions taken by a service of their own (justera is a signature, not a button)
_SERVICE = {"genomfor": protokoll.uppratta}


def _sammantrade_or_404(pk) -> Sammantrade:
    return get_object_or_404(Sammantrade.objects.select_related("organ", "arende"), pk=pk)


def _kräv_lasratt(user, sammantrade) -> None:
    if not user.has_perm("arenden.view_sammantrade", sammantrade):
        raise PermissionDenied(_("Du har inte behörighet till den här sidan."))


@login_required
def tidslinje(request, pk):
    """The meeting's whole story for the revisor: its steps and every field change of the
    närvaro, the items and what was recorded under each, the justering and the rättelser,
    merged and paged, with whether their chains hold. What was written under an item the
    reader may not read shows the item's marking (OSL 5 kap. 5 §)."""
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    # each secret item shown unmasked, on the list or struck from it, is a read of its
    # ärende's secret content
    dolda, lasta = granskning.motets_hemliga_punkter(s, request.user)
    Sekretessatkomst.logga_arenden(
        request.user, sorted(lasta), Sekretessatkomst.Vad.MOTETS_TIDSLINJE
    )
    sida = Paginator(range(granskning.antal_handelser(s)), PER_SIDA).get_page(
        request.GET.get("sida")
    )
    handelser = granskning.motets_tidslinje(
        s, sida.start_index() - 1, sida.end_index(), user=request.user, dolda=dolda
    )
    return render(
        request,
        "arenden/sammantrade_tidslinje.html",
        {"s": s, "sida": sida, "handelser": handelser, "kedja": granskning.kontrollera(s)},
    )


def _fel(request, err) -> None:
    messages.error(request, refusal(err) or str(err))


def _organ_for_sekreterare(user):
    """The organs whose meetings the user plans: Nämndsekreterare there, or everywhere."""
    if roles.NAMNDSEKRETERARE in workflow_roles.global_roles(user):
        return Organ.objects.order_by("namn")
    givna = holding_local_role(Organ, (roles.NAMNDSEKRETERARE,), user)
    return Organ.objects.filter(pk__in=givna).order_by("namn")


@login_required
@en_gang
def sammantraden(request):
    """The meetings the user may see, newest first, paged; and the form for a new one for
    the nämndsekreterare."""
    try:
        _wf, lista = registry.find_worklist(request.GET.get("lista") or "alla_sammantraden")
    except LookupError as err:
        raise Http404(str(err)) from err
    if lista.id not in registry.get_workflow("sammantrade").worklists:
        raise Http404(lista.id)
    qs = worklist(request.user, lista.id).select_related("organ").order_by("-datum", "-pk")
    sida = Paginator(qs, PER_SIDA).get_page(request.GET.get("sida"))
    organ = _organ_for_sekreterare(request.user)
    form = SammantradeForm(request.POST or None, organ=organ) if organ.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Bara nämndsekreteraren planerar sammanträden."))
        if form.is_valid():
            try:
                nytt = protokoll.planera(user=request.user, **form.cleaned_data)
            except (*REFUSALS, PermissionDenied) as err:
                _fel(request, err)
            else:
                messages.success(request, _("Sammanträdet är planerat."))
                return redirect("arenden:sammantrade", pk=nytt.pk)
    return render(
        request, "arenden/sammantraden.html", {"sida": sida, "form": form, "titel": lista.title}
    )


@login_required
def sammantrade(request, pk):
    """The meeting page: status and its dates in law, närvaro, the föredragningslista with
    what was decided under each item, and the actions the user may take now. Its number of
    queries does not depend on the number of items or deltagare."""
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    s = dokument.med_allt(s)
    far_andra = protokoll.far_andra(s, request.user)
    punkter = list(s.punkter.all())
    deltagare = list(s.deltagare.all())
    for punkt in punkter:
        punkt.maskerad = not protokoll.far_lasa(request.user, punkt, deltagare)
        punkt.rubrik_i_protokollet = dokument.punkt_rubrik(punkt, s.organ, punkt.maskerad)
    # the page shows a secret item's ärendemening and beslut to who may read them: each such
    # read is in the revisor's list, as on the ärende page
    Sekretessatkomst.logga_arenden(
        request.user,
        [p.arende_id for p in punkter if p.arende_id and p.ar_sekretess and not p.maskerad],
        Sekretessatkomst.Vad.SAMMANTRADE,
    )
    for d in deltagare:
        d.andringar = dokument.narvaro_andringar(d)
    _ersattare_per_punkt(request.user, s, punkter, deltagare, far_andra)
    ledamoter = Person.objects.filter(
        pk__in=[d.person_id for d in deltagare if not d.ar_tjansteperson]
    ).order_by("namn")
    context = {
        "s": s,
        "punkter": punkter,
        "deltagare": deltagare,
        "far_andra": far_andra,
        # Ställ in only while nothing is recorded from the meeting (its requirement)
        "overgangar": [
            t
            for t in allowed_transitions(s, request.user)
            if t.id != SammantradeSteg.INSTALLA or not t.unmet(s)
        ],
        "version": s.version,
        "anslag_form": AnslagForm(prefix="anslag"),
        "kungorelse_senast": protokoll.kungorelse_senast(s),
        "sen_kungorelse": s.state == SammantradeStatus.PLANERAT and protokoll.sen_kungorelse(s),
        "kallelse": _kallelsens_leverans(s),
        "far_justera": request.user.has_perm("arenden.justera_sammantrade", s)
        and any(p.anvandare_id == request.user.pk for p in protokoll.saknar_justering(s)),
        "saknar_justering": protokoll.saknar_justering(s),
        # KL 5 kap. 69 §: the ordförande and the justerare may justera a paragraph at once
        "far_justera_paragraf": s.state in (SammantradeStatus.KALLAT, SammantradeStatus.GENOMFORT)
        and not s.justeringar.all()
        and any(
            d.person.anvandare_id == request.user.pk
            and (d.justerare or d.roll == Deltagare.Roll.ORDFORANDE)
            for d in deltagare
        ),
    }
    if far_andra:
        context["deltagare_form"] = DeltagareForm(prefix="deltagare")
        _narvaroformular(deltagare, punkter)
        if s.state in (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT):
            klara = worklist(request.user, ArendeArbetslista.KLARA_FOR_BESLUT).filter(organ=s.organ)
            context["punkt_form"] = PunktForm(
                prefix="punkt", arenden=klara.order_by("-registrerat")
            )
        _per_punkt(punkter, BeslutForm, "beslut")
        _per_punkt(punkter, ReservationForm, "reservation", personer=ledamoter)
        _per_punkt(punkter, YttrandeForm, "yttrande")
        _per_punkt(punkter, JavForm, "jav", personer=ledamoter)
        _per_punkt(punkter, YrkandeForm, "yrkande", personer=ledamoter)
        _per_punkt(punkter, VoteringForm, "votering", personer=list(ledamoter))
    justerade = [j.person for j in s.justeringar.all()]
    if s.justerat and (
        roles.NAMNDSEKRETERARE in workflow_roles.roles_in_context(request.user, s)
        or any(p.anvandare_id == request.user.pk for p in justerade)
    ):
        context["rattelse_form"] = RattelseForm(prefix="rattelse", sammantrade=s)
    # each version as this reader downloads it: masked where something of the protokoll is
    # masked for them (an item, a secret bilaga), for the whole file's checksum would confirm
    # a copy of it (OSL 5 kap. 5 §); a version filed before anything was secret has no masked
    # file, and no checksum for them
    maskeras = protokoll.maskeras_for(request.user, punkter, deltagare)
    filer = {}
    for f in s.protokollfiler.all():  # per version the whole file, then the masked one
        if f.version not in filer or (maskeras and f.publik):
            filer[f.version] = f
    for f in filer.values():
        f.kontrollsumma = f.sha256 if f.publik or not maskeras else ""
    context["protokollfiler"] = list(filer.values())
    # made off the request (arenden.dokument.arkivering): what still waits, or could not be
    # filed, in one query
    context["arkiveringar"] = arkivering.vantande(s)
    maskerade = {p.pk: p.arende.sekretess_lagrum for p in punkter if p.maskerad}
    for r in s.rattelser.all():
        # a rättelse of a secret paragraph is masked with it (OSL 5 kap. 5 §)
        r.maskerad = maskerade.get(r.punkt_id, "")
        signerat = {sig.person_id for sig in r.signaturer.all()}
        r.saknar = [p for p in justerade if p.pk not in signerat]
        r.far_signera = r.giltig is None and any(
            p.anvandare_id == request.user.pk for p in r.saknar
        )
    return render(request, "arenden/sammantrade.html", context)


def _ersattare_per_punkt(user, sammantrade, punkter, deltagare, far_andra: bool) -> None:
    """Each item its ersättare serving in it (``punkt.tjanstgoringar_text``, with the row)
    and, for the sekreterare before upprättande, the proposal of who steps in for a member
    missing there (``punkt.forslag``, KL 5 kap. 17 §, 6 kap. 16 §): one query for the
    register, however many items."""
    # the organ's nämndsekreterare, while the protokoll may be changed and is not drawn up
    far = (
        far_andra
        and sammantrade.state in (SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT)
        and protokoll.ar_namndsekreterare(user, sammantrade.organ)
    )
    register = protokoll.ersattarregister(sammantrade) if far else {}
    per_rad = {d.pk: d for d in deltagare}
    for punkt in punkter:
        punkt.far_ersatta = far
        punkt.tjanstgoringar_text = []
        for t in punkt.tjanstgoringar.all():
            text = dokument.tjanstgoring_text(t, punkt, sammantrade.organ)
            if not per_rad[t.ersattare_id].kan_delta_i(punkt):
                # jäv or absence noted after the ersättare was confirmed: the seat is empty
                text += " " + _(
                    "%(vem)s är jävig eller frånvarande under punkten; ta bort tjänstgöringen "
                    "så att en annan ersättare kan föreslås."
                ) % {"vem": t.ersattare.person.namn}
            punkt.tjanstgoringar_text.append((t, text))
        punkt.forslag = protokoll.foreslagna_ersattare(punkt, deltagare, register) if far else []


def _narvaroformular(deltagare, punkter) -> None:
    """Each line of the närvaro its form (``d.narvaro_form``), filled in with what is
    recorded; the items are read once for all of them."""
    val = [(p.pk, p.beteckning) for p in punkter]
    for d in deltagare:
        form = NarvaroForm(
            prefix=f"narvaro-{d.pk}",
            punkter=Punkt.objects.none(),
            initial={
                "narvarande": d.narvarande,
                "anslot_fran": d.anslot_fran_id,
                "lamnade_efter": d.lamnade_efter_id,
                "franvarande_pa": [p.pk for p in d.franvarande_pa.all()],
                "anteckning": d.anteckning,
            },
        )
        for namn in ("anslot_fran", "lamnade_efter"):
            form.fields[namn].choices = [("", "–"), *val]
        form.fields["franvarande_pa"].choices = val
        d.narvaro_form = form


def _per_punkt(punkter, form_class, prefix, **kwargs) -> None:
    """Give each item its own form (``punkt.<prefix>_form``), with ids of its own; the
    choices of the form's lists are read from the database once, not once per item."""
    choices = {
        name: list(field.choices)
        for name, field in form_class(prefix=prefix, **kwargs).fields.items()
        if hasattr(field, "queryset")
    }
    for punkt in punkter:
        form = form_class(prefix=prefix, auto_id=f"{prefix}-{punkt.pk}-%s", **kwargs)
        for name, values in choices.items():
            form.fields[name].choices = values
        setattr(punkt, f"{prefix}_form", form)


def _version(request) -> int:
    """The version the page was read at (``Sammantrade.version`` on the meeting page,
    ``Ledamotsuppdrag.version`` in the register), which every form of those pages carries; a
    form without it was not read from the page as it is now, and is refused as stale."""
    version = heltal(request.POST.get("version", ""))
    return -1 if version is None else version


def _tillbaka(pk, ankare=""):
    response = redirect("arenden:sammantrade", pk=pk)
    if ankare:
        response["Location"] += f"#{ankare}"
    return response


@login_required
@require_POST
@en_gang
def mote_overgang(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    overgang = request.POST.get("overgang", "")
    steg = registry.workflow_for(s).transitions.get(overgang)
    try:
        if steg is not None and steg.trigger != USER:  # a rättelse is written, not clicked
            raise PermissionDenied(_("%(steg)s görs inte med en knapp.") % {"steg": steg.title})
        with transaction.atomic():
            # the step is taken on the meeting as the page showed it, under its lock
            protokoll.las(s, version=_version(request))
            if overgang == SammantradeSteg.KALLA:
                protokoll.kalla(s, user=request.user, skal=request.POST.get("kallelse-skal", ""))
            elif overgang == SammantradeSteg.ANSLA:
                form = AnslagForm(request.POST, prefix="anslag")
                if not form.is_valid():
                    raise ValidationError(list(form.errors.values()))
                protokoll.ansla(s, user=request.user, **form.cleaned_data)
            elif overgang in _SERVICE:
                _SERVICE[overgang](s, user=request.user)
            else:
                do_transition(s, overgang, request.user, request.POST.get("kommentar", ""))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        s.refresh_from_db()
        messages.success(
            request, _("Sammanträdet har nu status %(status)s.") % {"status": s.status_titel}
        )
        ej = protokoll.ej_nadda(s) if overgang == SammantradeSteg.KALLA else []
        if ej:
            messages.warning(
                request,
                _("Kallelsen nådde inte %(vem)s: ingen e-postadress. Skicka den på annat sätt.")
                % {"vem": ", ".join(p.namn for p in ej)},
            )
    return _tillbaka(pk)


def _kallelsens_leverans(s: Sammantrade) -> dict:
    """The kallade by where their kallelse is (``Kallelsemottagare.Leverans``), and whether
    an attempt to send what waits has failed."""
    grupper = {leverans.value: [] for leverans in Kallelsemottagare.Leverans}
    for r in s.kallelsemottagare.all():
        grupper[r.leverans].append(r)
    grupper["alla"] = s.kallelsemottagare.all()
    grupper["forsokt"] = any(r.utskick and r.utskick.forsok for r in grupper["vantar"])
    return grupper


@login_required
@require_POST
@en_gang
def mote_justera(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    try:
        protokoll.justera(s, user=request.user, version=_version(request))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(request, _("Du har justerat protokollet."))
    return _tillbaka(pk)


@login_required
@require_POST
@en_gang
def punkt_justera(request, pk):
    """Omedelbar justering of one paragraph (KL 5 kap. 69 §, 6 kap. 35 §)."""
    punkt = _punkt_or_404(pk)
    _kräv_lasratt(request.user, punkt.sammantrade)
    try:
        protokoll.justera_paragraf(punkt, user=request.user, version=_version(request))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        punkt.refresh_from_db()
        messages.success(
            request,
            _("Paragrafen förklarades omedelbart justerad.")
            if punkt.omedelbart_justerad
            else _("Din justering av punkten är antecknad."),
        )
    return _tillbaka(punkt.sammantrade_id, f"punkt-{punkt.pk}")


@login_required
@require_POST
@en_gang
def mote_deltagare(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    form = DeltagareForm(request.POST, prefix="deltagare")
    if not form.is_valid():
        _fel(request, ValidationError(list(form.errors.values())))
        return _tillbaka(pk, "narvaro")
    data = form.cleaned_data
    try:
        protokoll.lagg_till_deltagare(
            s,
            data["person"],
            roll=data["roll"],
            user=request.user,
            version=_version(request),
            justerare=data["justerare"],
            ersatter=data["ersatter"],
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    return _tillbaka(pk, "narvaro")


@login_required
@require_POST
@en_gang
def mote_narvaro(request, pk, deltagare):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    rad = get_object_or_404(s.deltagare, pk=deltagare)
    form = NarvaroForm(
        request.POST, prefix=f"narvaro-{rad.pk}", punkter=s.punkter.order_by("ordning", "pk")
    )
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.values()))
        protokoll.andra_narvaro(
            rad, user=request.user, version=_version(request), **form.cleaned_data
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    return _tillbaka(pk, "narvaro")


@login_required
@require_POST
@en_gang
def mote_punkt(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    klara = worklist(request.user, ArendeArbetslista.KLARA_FOR_BESLUT).filter(organ=s.organ)
    form = PunktForm(request.POST, prefix="punkt", arenden=klara)
    if not form.is_valid():
        _fel(request, ValidationError(list(form.errors.values())))
        return _tillbaka(pk, "foredragningslista")
    data = form.cleaned_data
    try:
        protokoll.lagg_till_punkt(s, user=request.user, version=_version(request), **data)
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(request, _("Punkten är tillagd på föredragningslistan."))
    return _tillbaka(pk, "foredragningslista")


@login_required
@en_gang
def anmal(request, pk):
    """*Anmäl till sammanträde*: the nämndsekreterare puts the ärende on the föredragningslista
    of a meeting of its organ; the item is what the step needs (flows.arende.
    PA_FOREDRAGNINGSLISTAN), and the step is taken when the item is saved."""
    arende = arende_eller_404(pk)
    if ArendeSteg.ANMAL not in {t.id for t in allowed_transitions(arende, request.user)}:
        raise PermissionDenied(_("Du får inte anmäla det här ärendet till ett sammanträde."))
    moten = (
        Sammantrade.objects.filter(
            organ_id=arende.organ_id,
            state__in=(SammantradeStatus.PLANERAT, SammantradeStatus.KALLAT),
        )
        .exclude(punkter__arende=arende)  # where it was bordlagt: a later meeting takes it up
        .order_by("datum", "pk")
    )
    form = AnmalForm(
        request.POST or None,
        moten=moten,
        initial={"version": diarium_services.arendets_version(arende)},
    )
    if request.method == "POST" and form.is_valid():
        sammantrade = form.cleaned_data["sammantrade"]
        try:
            punkt = protokoll.lagg_till_punkt(
                sammantrade,
                user=request.user,
                arende=arende,
                arende_version=form.cleaned_data["version"],
                slag=form.cleaned_data["slag"],
            )
        except (*REFUSALS, PermissionDenied) as err:
            fel(form, err)
        else:
            messages.success(
                request,
                _("Ärendet är anmält till %(mote)s, punkt %(nr)s på föredragningslistan.")
                % {"mote": sammantrade, "nr": punkt.ordning},
            )
            return _tillbaka(sammantrade.pk, "foredragningslista")
    return render(
        request, "arenden/anmal.html", {"arende": arende, "form": form, "moten": moten.exists()}
    )


_PUNKTFORMULAR = {
    "beslut": BeslutForm,
    "reservation": ReservationForm,
    "motivering": MotiveringForm,
    "jav": JavForm,
    "yrkande": YrkandeForm,
    "votering": VoteringForm,
    "yttrande": YttrandeForm,
}


_MED_PERSON = {"reservation", "jav", "yrkande"}


def _punkt_or_404(pk) -> Punkt:
    return get_object_or_404(Punkt.objects.select_related("sammantrade"), pk=pk)


@login_required
@require_POST
@en_gang
def punkt_atgard(request, pk, atgard):
    """What the meeting records under one item: beslut, jäv, yrkande, votering, reservation
    (and its written motivering), särskilt yttrande."""
    punkt = _punkt_or_404(pk)
    _kräv_lasratt(request.user, punkt.sammantrade)
    if atgard not in _PUNKTFORMULAR:
        raise Http404(atgard)
    kwargs = {"personer": Person.objects.all()} if atgard in _MED_PERSON else {}
    if atgard == "votering":
        kwargs = {
            "personer": Person.objects.filter(
                pk__in=punkt.sammantrade.deltagare.exclude(
                    roll=Deltagare.Roll.TJANSTEPERSON
                ).values("person")
            )
        }
    form = _PUNKTFORMULAR[atgard](request.POST, prefix=atgard, **kwargs)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.values()))
        data = form.cleaned_data
        # as whom, and the meeting as the page showed it
        som = {"user": request.user, "version": _version(request)}
        if atgard == "beslut":
            protokoll.besluta(punkt, **som, **form.besluta_med())
        elif atgard == "reservation":
            protokoll.reservera(punkt, data["person"], **som, motivering=data["motivering"])
        elif atgard == "motivering":
            reservation = get_object_or_404(punkt.reservationer, pk=data["reservation"])
            protokoll.motivera_reservation(reservation, **som, motivering=data["motivering"])
        elif atgard == "jav":
            protokoll.anmal_jav(punkt, data["person"], **som, grund=data["grund"])
        elif atgard == "yrkande":
            protokoll.lagg_till_yrkande(punkt, data["person"], **som, text=data["text"])
        elif atgard == "votering":
            protokoll.registrera_votering(punkt, **som, **form.votering())
        else:
            protokoll.lagg_till_yttrande(punkt, **som, **data)
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request, _("Fört till protokollet under punkt %(n)s.") % {"n": punkt.beteckning}
        )
    return _tillbaka(punkt.sammantrade_id, f"punkt-{punkt.pk}")


def _kräv_sekreterare(user, sammantrade) -> None:
    if not protokoll.ar_namndsekreterare(user, sammantrade.organ):
        raise PermissionDenied(
            _("Bara nämndsekreteraren för in vilka ersättare som tjänstgör under en punkt.")
        )


def _narvarorad(sammantrade, varde) -> Deltagare:
    try:
        return sammantrade.deltagare.select_related("person").get(pk=heltal(varde))
    except Deltagare.DoesNotExist as err:
        raise ValidationError(
            _("Välj ersättaren och ledamoten ur sammanträdets närvaro."), code="okand_rad"
        ) from err


@login_required
@require_POST
@en_gang
def punkt_tjanstgoring(request, pk):
    """Confirm that an ersättare serves in one item for a member who does not take part in
    it (KL 5 kap. 17 §, 6 kap. 16 §): the page's proposal, or another ersättare."""
    punkt = _punkt_or_404(pk)
    s = punkt.sammantrade
    _kräv_lasratt(request.user, s)
    _kräv_sekreterare(request.user, s)
    try:
        ersattare = _narvarorad(s, request.POST.get("ersattare"))
        ledamot = _narvarorad(s, request.POST.get("ledamot"))
        protokoll.tjanstgor_for(
            punkt, ersattare, ledamot, user=request.user, version=_version(request)
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request,
            _("%(ersattare)s tjänstgör för %(ledamot)s under punkt %(n)s.")
            % {"ersattare": ersattare.person, "ledamot": ledamot.person, "n": punkt.beteckning},
        )
    return _tillbaka(s.pk, f"punkt-{punkt.pk}")


@login_required
@require_POST
@en_gang
def tjanstgoring_ta_bort(request, pk):
    """The ersättare no longer serves in the item."""
    rad = get_object_or_404(
        Tjanstgoring.objects.select_related("punkt__sammantrade", "ersattare__person"), pk=pk
    )
    s = rad.punkt.sammantrade
    _kräv_lasratt(request.user, s)
    _kräv_sekreterare(request.user, s)
    try:
        protokoll.ta_bort_tjanstgoring(rad, user=request.user, version=_version(request))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request,
            _("%(vem)s tjänstgör inte längre under punkt %(n)s.")
            % {"vem": rad.ersattare.person, "n": rad.punkt.beteckning},
        )
    return _tillbaka(s.pk, f"punkt-{rad.punkt_id}")


def _i_meddelandet(punkt) -> str:
    """An item as a message names it: a secret item by its marking, never its rubrik (a
    message is shown as it is, unlogged, to whoever took the step), OSL 5 kap. 5 §."""
    if punkt.ar_sekretess:
        return _("Punkten (sekretess, %(lagrum)s)") % {"lagrum": punkt.arende.sekretess_lagrum}
    return punkt.rubrik


@login_required
@require_POST
@en_gang
def punkt_flytta(request, pk, riktning):
    """Move an item up or down the föredragningslista (before the kallelse)."""
    punkt = _punkt_or_404(pk)
    _kräv_lasratt(request.user, punkt.sammantrade)
    if riktning not in ("upp", "ned"):
        raise Http404(riktning)
    try:
        protokoll.flytta_punkt(
            punkt, user=request.user, version=_version(request), upp=riktning == "upp"
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request,
            _("%(rubrik)s är flyttad %(vart)s.")
            % {
                "rubrik": _i_meddelandet(punkt),
                "vart": _("uppåt") if riktning == "upp" else _("nedåt"),
            },
        )
    return _tillbaka(punkt.sammantrade_id, "foredragningslista")


@login_required
@require_POST
@en_gang
def punkt_stryk(request, pk):
    """Take an item off the föredragningslista (before the kallelse), with a motivering."""
    punkt = _punkt_or_404(pk)
    _kräv_lasratt(request.user, punkt.sammantrade)
    try:
        protokoll.stryk_punkt(
            punkt,
            user=request.user,
            version=_version(request),
            motivering=request.POST.get("motivering", ""),
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request,
            _("%(rubrik)s är struken från föredragningslistan.")
            % {"rubrik": _i_meddelandet(punkt)},
        )
    return _tillbaka(punkt.sammantrade_id, "foredragningslista")


@login_required
@require_POST
@en_gang
def mote_rattelse(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    form = RattelseForm(request.POST, prefix="rattelse", sammantrade=s)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.values()))
        protokoll.foresla_rattelse(
            s,
            user=request.user,
            version=_version(request),
            text=form.cleaned_data["text"],
            punkt=form.cleaned_data["punkt"],
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request,
            _("Rättelsen är föreslagen. Den gäller när ordföranden och justerarna har signerat."),
        )
    return _tillbaka(pk)


@login_required
@require_POST
@en_gang
def rattelse_signera(request, pk):
    rattelse = get_object_or_404(Rattelse.objects.select_related("sammantrade"), pk=pk)
    _kräv_lasratt(request.user, rattelse.sammantrade)
    try:
        protokoll.signera_rattelse(rattelse, user=request.user, version=_version(request))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        rattelse.refresh_from_db()
        messages.success(
            request,
            _("Rättelsen är signerad och gäller.")
            if rattelse.giltig
            else _("Din signatur är antecknad."),
        )
    return _tillbaka(rattelse.sammantrade_id)


_DOKUMENT = {"kallelse": dokument.kallelse, "protokoll": dokument.protokoll}


@login_required
def mote_dokument(request, pk, slag, format):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    if slag not in _DOKUMENT:
        raise Http404(slag)
    if slag == "protokoll" and s.installt is not None:
        # KL 5 kap. 69 §, 6 kap. 35 §: a protokoll is kept of a meeting held; an inställt one
        # has none, and a document headed "Protokoll" of it would be taken for one
        raise Http404(_("Sammanträdet ställdes in och har inget protokoll."))
    # one who may not read every secret item gets the document with those items masked
    allt = dokument.med_allt(s)
    deltagare = list(allt.deltagare.all())
    publik = protokoll.maskeras_for(request.user, allt.punkter.all(), deltagare)
    if not publik:
        motesfiler.logga_hela(request.user, allt.punkter.all())
    return dokument.som_svar(_DOKUMENT[slag](s, publik=publik), format)


@login_required
def mote_protokollfil(request, pk, version):
    """A filed version of the whole justerat protokoll; with secret items masked for one who
    may not read all of them (OSL 5 kap. 5 §)."""
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    allt = dokument.med_allt(s)
    deltagare = list(allt.deltagare.all())
    publik = protokoll.maskeras_for(request.user, allt.punkter.all(), deltagare)
    filer = {f.publik: f for f in s.protokollfiler.filter(version=version)}
    if not filer:
        raise Http404(_("Det finns ingen sådan version av protokollet."))
    fil = filer.get(publik) or filer[False]  # a version without a masked file had no secret
    if publik and motesfiler.inaktuell_for_maskerad(allt, fil):
        # something in it has become secret since it was filed: the whole file, or the copy
        # masked as things were then, is not for this reader; the protokoll as it reads now,
        # masked, is
        if s.protokollfiler.filter(version__gt=version).exists():
            raise PermissionDenied(
                _(
                    "Den här versionen av protokollet innehåller uppgifter som numera omfattas "
                    "av sekretess. Läs den gällande versionen."
                )
            )
        return dokument.som_svar(dokument.protokoll(s, publik=True), "pdf")
    if not fil.publik:
        motesfiler.logga_hela(request.user, allt.punkter.all())
    return protokollfil_svar(fil)


@login_required
def punkt_utdrag(request, pk, format):
    punkt = _punkt_or_404(pk)
    _kräv_lasratt(request.user, punkt.sammantrade)
    deltagare = list(dokument.med_allt(punkt.sammantrade).deltagare.all())
    publik = protokoll.maskeras_for(request.user, [punkt], deltagare)
    if not publik:
        motesfiler.logga_hela(request.user, [punkt])
    return dokument.som_svar(dokument.protokollsutdrag(punkt, publik=publik), format)


@login_required
@en_gang
def organ_ledamoter(request, pk):
    """The organ's register of ledamöter and ersättare (party, period,
    tjänstgöringsordning), kept by its nämndsekreterare; the kallelse and the närvaro are
    filled from it."""
    organ = get_object_or_404(Organ, pk=pk)
    if not protokoll.ar_namndsekreterare(request.user, organ):
        raise PermissionDenied(_("Bara organets nämndsekreterare för ledamotsregistret."))
    form = LedamotsuppdragForm(request.POST or None, prefix="uppdrag")
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(list(form.errors.values()))
            data = dict(form.cleaned_data)
            person = data.pop("person")
            protokoll.lagg_till_uppdrag(organ, person, user=request.user, **data)
        except (*REFUSALS, PermissionDenied) as err:
            _fel(request, err)
        else:
            messages.success(request, _("Uppdraget är infört i registret."))
            return redirect("arenden:organ_ledamoter", pk=organ.pk)
    uppdrag = organ.ledamotsuppdrag.select_related("person").order_by(
        "-uppdrag", "ordning", "fran", "pk"
    )
    return render(
        request, "arenden/ledamoter.html", {"organ": organ, "uppdrag": uppdrag, "form": form}
    )


@login_required
@require_POST
@en_gang
def organ_ledamot_andra(request, pk, uppdrag_pk):
    """Correct or end (sista dag) one uppdrag in the register; it is never deleted."""
    organ = get_object_or_404(Organ, pk=pk)
    uppdrag = get_object_or_404(Ledamotsuppdrag, pk=uppdrag_pk, organ=organ)
    form = LedamotsuppdragAndringForm(request.POST, prefix=f"andra-{uppdrag.pk}")
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.values()))
        protokoll.andra_uppdrag(
            uppdrag, user=request.user, version=_version(request), **form.cleaned_data
        )
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(request, _("Uppdraget är ändrat i registret."))
    return redirect("arenden:organ_ledamoter", pk=organ.pk)


@login_required
@require_POST
@en_gang
def mote_fyll_narvaro(request, pk):
    s = _sammantrade_or_404(pk)
    _kräv_lasratt(request.user, s)
    try:
        nya = protokoll.fyll_narvaro(s, user=request.user, version=_version(request))
    except (*REFUSALS, PermissionDenied) as err:
        _fel(request, err)
    else:
        messages.success(
            request, _("%(n)s ledamöter och ersättare lades till i närvaron.") % {"n": len(nya)}
        )
    return _tillbaka(pk, "narvaro")
