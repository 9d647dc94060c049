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
