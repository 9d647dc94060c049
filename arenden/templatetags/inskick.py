"""``{% inskick %}``: the hidden key that makes a form's sending idempotent
(arenden.gemensamt.inskick); ``{% inskick version %}`` also carries the version of what the
page shows, so that a form read before someone else's change is refused as stale."""

from django import template
from django.utils.html import format_html

from arenden.gemensamt.inskick import FALT, ny_nyckel

register = template.Library()


@register.simple_tag
def inskick(version=None):
    nyckel = format_html('<input type="hidden" name="{}" value="{}">', FALT, ny_nyckel())
    if version is None:
        return nyckel
    return format_html('{}<input type="hidden" name="version" value="{}">', nyckel, version)
