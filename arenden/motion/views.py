"""The bevakning of motioner and medborgarförslag."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from arenden.gemensamt.sidor import PER_SIDA, sida_av
from arenden.motion import services
from arenden.motion.behorighet import RATT
from arenden.organisation.models import Organ
from arenden.templatetags.sekretess import rubrik


@login_required
def motioner(request):
    """Motioner och medborgarförslag: the open ones, the year that runs out first at the top,
    with days left and those past their year marked (KL 5 kap. 35 §). ``?fullmaktige=KF``
    narrows to one fullmäktige. Its number of queries does not grow with the rows."""
    if not request.user.has_perm(RATT):
        raise PermissionDenied(_("Listan är för registratorn, nämndsekreteraren och stabschefen."))
    qs = services.oppna(request.user)
    fullmaktigen = list(Organ.objects.filter(typ=Organ.Typ.FULLMAKTIGE).order_by("namn"))
    vald = request.GET.get("fullmaktige", "")
    if any(o.kod == vald for o in fullmaktigen):
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
        kvar = services.dagar_kvar(motion.vackt, idag)
        rader.append(
            {
                "motion": motion,
                "arende": arende,
                "rubrik": rubrik(arende, request.user),
                # who väckte a secret one is part of what is masked (a förslagsställare's
                # name is a personuppgift)
                "vackt_av": _("Sekretess") if maskerad else motion.get_vackt_av(),
                "sista": services.sista_dag(motion.vackt),
                "kvar": kvar,
                "forsenad": kvar < 0,
                "anmald": services.anmalt_vid(motion),
            }
        )
    return render(
        request,
        "arenden/motioner.html",
        {
            "sida": sida,
            "rader": rader,
            "fullmaktigen": fullmaktigen,
            "vald": vald,
            "params": f"fullmaktige={vald}" if vald else "",
        },
    )
