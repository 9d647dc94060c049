"""``{% inskick %}``: the hidden key that makes a form's sending idempotent
(arenden.gemensamt.inskick)."""

from django import template
from django.utils.html import format_html

from arenden.gemensamt.inskick import FALT, ny_nyckel

register = template.Library()


@register.simple_tag
def inskick():
    return format_html('<input type="hidden" name="{}" value="{}">', FALT, ny_nyckel())
