"""``{{ arende|rubrik:user }}``: the ärendemening for who may read the ärende's secret content,
otherwise the masked rubrik (OSL 5 kap. 5 §: the marking and its lagrum show, the protected
text does not)."""

from django import template

register = template.Library()


@register.filter
def rubrik(arende, user) -> str:
    if arende.ar_sekretessmarkerat and not user.has_perm("arenden.view_sekretess", arende):
        return arende.maskerad_rubrik
    return arende.arendemening


@register.filter
def titel(handling, user) -> str:
    """A handling's title for ``user``: masked when the handling or its ärende is secret and
    the user may not read the ärende's secret content."""
    if handling.hemlig and not user.has_perm("arenden.view_sekretess", handling.arende):
        return handling.maskerad_titel
    return handling.titel
