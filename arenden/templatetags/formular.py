"""``{{ falt|ds_falt }}``: a form field's widget as a Designsystemet input (``ds-input``),
pointing with ``aria-describedby`` at the help text and the error message that
``_formular.html`` renders beside it, and marked ``aria-invalid`` when it has errors."""

from django import template

register = template.Library()


def hjalp_id(falt) -> str:
    return f"{falt.auto_id}_helptext"


def fel_id(falt) -> str:
    return f"{falt.auto_id}-fel"


@register.filter
def ds_falt(falt):
    beskrivs_av = []
    if falt.help_text:
        beskrivs_av.append(hjalp_id(falt))
    attrs = {"class": "ds-input"}
    if falt.errors:
        beskrivs_av.append(fel_id(falt))
        attrs["aria-invalid"] = "true"
    if beskrivs_av:
        attrs["aria-describedby"] = " ".join(beskrivs_av)
    return falt.as_widget(attrs=attrs)
