"""The bevakning of motioner and medborgarförslag, and fullmäktige's avskrivning of one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.gemensamt.forms import fel
from arenden.gemensamt.inskick import en_gang
from arenden.gemensamt.sidor import sida_av
from arenden.gemensamt.vyer import kontrollera_sidbehorighet
from arenden.motion import services
from arenden.motion.forms import AvskrivForm
from arenden.motion.models import Motion
from arenden.organisation.models import Organ
from arenden.organisation.roles import BEVAKA_MOTIONER
from arenden.sammantraden.models import Sammantrade
from arenden.templatetags.sekretess import rubrik
from workflow.middleware import REFUSALS

PER_SIDA = 50

RATT = ".".join(BEVAKA_MOTIONER)


@login_required
def motioner(request):
    """Motioner och medborgarförslag: the open ones, the year that runs out first at the top,
    with days left and those past their year marked (KL 5 kap. 35 §). ``?fullmaktige=KF``
    narrows to one fullmäktige. Its number of queries does not grow with the rows."""
    if not request.user.has_perm(RATT):
        raise PermissionDenied(_("Listan är för registratorn, nämndsekreteraren och stabschefen."))
    qs = services.oppna(request.user)
    valda = list(Organ.objects.filter(typ=Organ.Typ.FULLMAKTIGE).order_by("namn"))
    vald = request.GET.get("fullmaktige", "")
    if any(o.kod == vald for o in valda):
        qs = qs.filter(fullmaktige__kod=vald)
    else:
        vald = ""
    sida = sida_av(qs, request.GET.get("sida"), PER_SIDA)
    idag = timezone.localdate()
    rader = []
    for motion in sida.object_list:
        arende = motion.arende
        maskerad = arende.ar_sekretessmarkerat and not request.user.has_perm(
            "arenden.view_sekretess", arende
        )
        sista = services.sista_dag(motion.vackt)
        rader.append(
            {
                "motion": motion,
                "arende": arende,
                "rubrik": rubrik(arende, request.user),
                # who väckte a secret one is part of what is masked (a förslagsställare's
                # name is a personuppgift)
                "vackt_av": _("Sekretess") if maskerad else motion.get_vackt_av(),
                "sista": sista,
                "kvar": (sista - idag).days,
                "forsenad": sista < idag,
                "anmald": services.anmalt_vid(motion),
            }
        )
    return render(
        request,
        "arenden/motioner.html",
        {
            "sida": sida,
            "rader": rader,
            "valda": valda,
            "vald": vald,
            "params": f"fullmaktige={vald}" if vald else "",
        },
    )


@login_required
@en_gang
def avskriv(request, pk):
    """Fullmäktige has decided to avskriva the motion or medborgarförslag from further
    handling (KL 5 kap. 35 §): the sekreterare or stabschef records it and the ärende is
    avskrivet by the workflow's step."""
    motion = get_object_or_404(
        Motion.objects.select_related("arende__organ", "fullmaktige"), arende_id=pk
    )
    kontrollera_sidbehorighet(request.user, "arenden.view_arende", motion.arende)
    sammantraden = Sammantrade.objects.filter(
        organ=motion.fullmaktige, datum__gte=motion.vackt, datum__lte=timezone.localdate()
    ).order_by("-datum")
    form = AvskrivForm(request.POST or None, sammantraden=sammantraden)
    if request.method == "POST" and form.is_valid():
        try:
            services.avskriv(motion, user=request.user, **form.cleaned_data)
        except (ValidationError, *REFUSALS) as err:
            fel(form, err)
        else:
            messages.success(request, _("Ärendet är avskrivet."))
            return redirect("arenden:arende", pk=pk)
    return render(
        request,
        "arenden/formular.html",
        {
            "arende": motion.arende,
            "form": form,
            "rubrik": _("Avskriv efter fullmäktiges beslut"),
            "forklaring": _(
                "Fullmäktige får avskriva en motion eller ett medborgarförslag som inte har "
                "kunnat beredas inom ett år, sedan det har anmälts (kommunallagen 5 kap. 35 §)."
            ),
        },
    )
