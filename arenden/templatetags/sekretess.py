"""What a reader who may not read an ärende's secret content sees of it (OSL 5 kap. 5 §: the
marking and its lagrum show, the protected text does not), in one place for the pages, the
messages and the templates:

- :func:`maskerat`: the rule, whether ``user`` sees ``arende``'s secret content masked;
- ``{{ arende|rubrik:user }}``: the ärendemening, or the masked rubrik;
- ``{{ handling|titel:user }}``: a handling's title, or its masked title;
- ``{% mottagarnamn m nummer maskerat %}`` (:func:`mottagarnamn`): a line of the sändlista
  ("Beslutet expedieras till"), or "Mottagare N (sekretess)" as the ärende page shows it.
"""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def maskerat(arende, user) -> bool:
    """``user`` sees ``arende``'s secret content masked: the ärende is sekretessmarkerat and
    they may not read it (``view_sekretess``, need to know)."""
    return arende.ar_sekretessmarkerat and not user.has_perm("arenden.view_sekretess", arende)


@register.simple_tag(name="mottagarnamn")
def mottagarnamn(mottagare, nummer, maskerad: bool) -> str:
    """A recipient of the beslut, the ``nummer``:th line of the ärende's sändlista: who it is,
    or, for a reader who sees the ärende masked (:func:`maskerat`), only its number. Who gets
    a secret decision, a patient or a relative, is itself the protected content; the rows are
    told apart by their number, and the page's buttons by the row's pk."""
    if maskerad:
        return _("Mottagare %(nr)s (sekretess)") % {"nr": nummer}
    return str(mottagare)


@register.filter
def rubrik(arende, user) -> str:
    if maskerat(arende, user):
        return arende.maskerad_rubrik
    return arende.arendemening


@register.filter
def titel(handling, user) -> str:
    """A handling's title for ``user``: masked when the handling or its ärende is secret and
    the user may not read the ärende's secret content."""
    if handling.hemlig and not user.has_perm("arenden.view_sekretess", handling.arende):
        return handling.maskerad_titel
    return handling.titel
