"""The audit log's filter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.sokning import del_av_diarienummer
from arenden.gemensamt.forms import Formular
from arenden.organisation.models import Organ


def _steg_val() -> list[tuple[str, str]]:
    """Every step of every workflow, by its Swedish title (the id is the value): the revisor
    asks "who moved it to Beslutat", not for ``besluta``."""
    from workflow import registry

    titlar: dict[str, set[str]] = {}
    for wf in registry.all_workflows():
        for t in wf.transitions.values():
            titlar.setdefault(t.id, set()).add(f"{t.title} ({wf.title.lower()})")
    val = sorted(((tid, " / ".join(sorted(t))) for tid, t in titlar.items()), key=lambda v: v[1])
    return [("", _("Alla steg")), *val]


class AuditFilter(Formular):
    diarienummer = forms.CharField(
        label=_("Diarienummer"),
        required=False,
        max_length=40,
        help_text=_("Hela eller en del, t.ex. HSN 787-2025 eller 787-2025."),
    )
    organ = forms.ModelChoiceField(
        queryset=Organ.objects.order_by("namn"),
        to_field_name="kod",
        required=False,
        label=_("Organ"),
        empty_label=_("Alla organ"),
    )
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("Namn eller användarnamn, t.ex. Maria Lindqvist."),
    )
    overgang = forms.ChoiceField(label=_("Steg"), required=False, choices=())
    fran = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    till = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overgang"].choices = _steg_val()

    def clean_diarienummer(self):
        text = self.cleaned_data["diarienummer"].strip()
        if text and del_av_diarienummer(text) is None:
            Diarienummer.parse(text)  # says what is wrong with it
        return text

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            raise ValidationError(_("Periodens början ligger efter dess slut."))
        return data
