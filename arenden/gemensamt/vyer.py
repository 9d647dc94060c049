"""What the pages of every subdomain share: finding the ärende, asking permission, showing a
refusal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from arenden.diarium.models import Arende
from arenden.organisation import roles
from workflow.models import LocalRole
from workflow.roles import global_roles


def arende_eller_404(pk) -> Arende:
    return get_object_or_404(Arende.objects.select_related("organ", "handlaggare"), pk=pk)


def kontrollera_sidbehorighet(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("Du har inte behörighet till den här sidan."))


def roller_nagonstans(user) -> set[str]:
    """Roles the user holds globally or on any object: which lists to offer at all."""
    lokala = (
        LocalRole.objects.in_force().filter(user=user).values_list("role", flat=True).distinct()
    )
    return set(global_roles(user)) | set(lokala)


#: who keeps or oversees a diarium
DIARIEFORARE = {roles.REGISTRATOR, roles.STABSCHEF, roles.REVISOR}
