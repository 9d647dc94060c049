"""The forms' base classes: every date, number and id a form takes is checked against reasonable
limits."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from arenden.gemensamt.tal import heltal
from workflow.middleware import refusal

#: the dates a form accepts: an ärende, a meeting or a period outside these is a typing error
#: (and one at the calendar's end would overflow every deadline computed from it)
FORSTA_DAG = datetime.date(1900, 1, 1)


SISTA_DAG = datetime.date(2199, 12, 31)


def _rimliga_datum(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators = [
                *field.validators,
                MinValueValidator(FORSTA_DAG, _("Datumet kan inte vara före %(limit_value)s.")),
                MaxValueValidator(SISTA_DAG, _("Datumet kan inte vara efter %(limit_value)s.")),
            ]


#: the ids and numbers a form accepts: those a database's 64-bit integer column can hold (a
#: larger one is no row; SQLite's driver raises instead of finding nothing)
STORSTA_TAL = 2**63 - 1


def _heltalsnyckel(field) -> bool:
    """Whether ``field`` (a model choice) finds its row by an integer column (the id, as
    every choice of the application but a few by ``kod``)."""
    if field.queryset is None:
        return False
    meta = field.queryset.model._meta
    nyckel = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while nyckel.is_relation:
        nyckel = nyckel.target_field
    return isinstance(nyckel, models.IntegerField)


def _inget_id(varde) -> bool:
    """Whether ``varde``, sent for a choice found by its id, is no id: not ASCII digits (the
    database's ``int()`` reads "١" as 1 and "9_9" as 99; "²" it refuses) or past 64 bits (in
    a list of choices, ``pk__in``, SQLite's driver raises on one). A model instance or a
    number given by code is Django's to judge."""
    if isinstance(varde, bool) or not isinstance(varde, str | int):
        return False
    tal = varde if isinstance(varde, int) else heltal(varde)
    return tal is None or abs(tal) > STORSTA_TAL


def _rimliga_tal(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.clean = _inom_id(field, field.clean)
        elif isinstance(field, forms.IntegerField):
            field.validators = [
                *field.validators,
                MinValueValidator(-STORSTA_TAL, _("Talet är för litet.")),
                MaxValueValidator(STORSTA_TAL, _("Talet är för stort.")),
            ]


def _inom_id(field, clean):
    """A model choice found by its id whose value is no id, or one past any id, is refused
    before the database is asked (its queryset may be set after the form is made: which
    column it is found by is looked up when the form is checked)."""

    def inom(value):
        varden = value if isinstance(value, list | tuple) else [value]
        skickade = [v for v in varden if v not in (None, "")]
        if skickade and _heltalsnyckel(field) and any(_inget_id(v) for v in skickade):
            raise ValidationError(_("Välj ett av alternativen i listan."), code="invalid_choice")
        return clean(value)

    return inom


class Formular(forms.Form):
    """Every form of the application: dates and numbers within reason (Django's text fields
    already refuse NUL characters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _rimliga_datum(self)
        _rimliga_tal(self)


class Modellformular(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _rimliga_datum(self)
        _rimliga_tal(self)


#: a form that changes an ärende sent without the version it was read at
UTAN_VERSION = _(
    "Formuläret kom inte från ärendets sida som den ser ut nu. Inget av det du skickade är "
    "sparat: öppna sidan igen och gör om det du ville."
)


def versionsfalt() -> forms.IntegerField:
    """The ärende's version the form was read at (``services.arendets_version``), hidden: a
    form read before someone else changed the ärende or one of its parts is refused
    (``services.andras``). Every form that changes an ärende carries one, and a sending
    without it is refused too: what it says was not read from the ärende as it is now."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": UTAN_VERSION, "invalid": UTAN_VERSION},
    )


class VersionForm(Formular):
    """A button on the ärende with nothing to fill in (remove a recipient): its version."""

    version = versionsfalt()


def fel(form, err) -> None:
    """A refusal (a ``ValidationError``, or one of ``workflow.middleware.REFUSALS``) shown on
    the form as errors of the whole form. A stale form (``services.Inaktuell``) then carries
    the ärende's version now: what was sent stays in the form, and sending it again is a
    choice made with the change in view."""
    texter = err.messages if isinstance(err, ValidationError) else [refusal(err) or str(err)]
    for text in texter:
        form.add_error(None, text)
    version = getattr(err, "version", None)
    if version is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(version)


class ArendeForm(Formular):
    """The ärende's own fields that may be corrected (``services.ANDRINGSBARA``)."""

    arendemening = forms.CharField(max_length=500, label=_("Ärendemening"))
    offentlig_rubrik = forms.CharField(
        required=False,
        max_length=500,
        label=_("Offentlig rubrik"),
        help_text=_(
            "Rubriken i postlistan, om annan. Krävs när ärendet är sekretessmarkerat: den "
            "visas i stället för ärendemeningen."
        ),
    )
    avsandare = forms.CharField(required=False, max_length=300, label=_("Avsändare"))
    inkommet = forms.DateField(
        required=False, label=_("Inkommet"), widget=forms.DateInput(attrs={"type": "date"})
    )
    version = versionsfalt()
