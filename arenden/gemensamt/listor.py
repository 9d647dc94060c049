"""Lists people can work with: sortable tables (django-tables2) over a filtered queryset
(django-filter), sorted in the database before the page is cut, so a page costs what it
cost before. Swedish column names; people by name, states by title.

A column is sortable only by what everyone who sees the list may see: never by protected
text (a secret ärendemening), whose place in the order would tell something of it
(OSL 5 kap. 5 §)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import OrderBy, OrderByTuple

from arenden.diarium.models import Arende
from arenden.organisation.models import Organ
from arenden.templatetags.sekretess import rubrik
from workflow import registry

#: the query parameter that sorts a list: ``?sortera=registrerat`` or ``?sortera=-registrerat``
SORTERA = "sortera"


class Tabell(tables.Table):
    """A table over one page of rows already sorted by the database (:meth:`sortera`); it
    shows which column sorts and links the headers, and does not sort again."""

    #: column name → the fields the database sorts by
    SORTERING: dict[str, tuple[str, ...]] = {}

    def __init__(self, data, *, sortering: str = "", request=None, **kwargs):
        kwargs.setdefault("empty_text", _("Inga träffar."))
        kwargs.setdefault("template_name", "arenden/_tabell.html")
        super().__init__(data, request=request, order_by_field=SORTERA, **kwargs)
        for namn, kolumn in self.columns.items():
            kolumn.column.orderable = self.orderable and namn in self.SORTERING
        if OrderBy(sortering).bare in self.SORTERING:
            self._order_by = OrderByTuple([sortering])

    @classmethod
    def sortera(cls, qs, varde: str, standard: tuple[str, ...]):
        """``qs`` sorted by the column ``varde`` names (``-`` first: descending), then by
        ``standard``; the standard order for anything else. Returns (qs, the sorting used)."""
        varde = (varde or "").strip()
        falt = cls.SORTERING.get(varde.lstrip("-"))
        if not falt:
            return qs.order_by(*standard), ""
        if varde.startswith("-"):
            falt = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in falt)
        return qs.order_by(*falt, *standard), varde


def statusval(workflow_id: str = "arende") -> list[tuple[str, str]]:
    """The states of a workflow as choices: the id is sent, the title is shown."""
    return [(s.id, s.title) for s in registry.get_workflow(workflow_id).states.values()]


def _handlaggare(user) -> str:
    if user is None:
        return "–"
    return user.get_full_name() or "–"


class ArendeTabell(Tabell):
    SORTERING = {
        "diarienummer": ("serie", "ar", "lopnummer", "delnummer"),
        "organ": ("organ__kod",),
        "status": ("state",),
        "registrerat": ("registrerat",),
        "handlaggare": ("handlaggare__first_name", "handlaggare__last_name"),
    }

    diarienummer = tables.Column(
        verbose_name=_("Diarienummer"),
        accessor="diarienummer",
        linkify=lambda record: reverse("arenden:arende", args=[record.pk]),
        attrs={"a": {"class": "ds-link"}},
    )
    arendemening = tables.Column(verbose_name=_("Ärendemening"), accessor="pk")
    organ = tables.Column(verbose_name=_("Organ"), accessor="organ__kod")
    status = tables.Column(verbose_name=_("Status"), accessor="status_titel")
    registrerat = tables.DateColumn(verbose_name=_("Registrerat"), format="Y-m-d")
    handlaggare = tables.Column(
        verbose_name=_("Handläggare"), accessor="handlaggare", default="–", empty_values=()
    )

    def render_arendemening(self, record):
        return rubrik(record, self.request.user)

    def render_handlaggare(self, value):
        return _handlaggare(value)


class ArendeFilter(django_filters.FilterSet):
    """Narrow a list of ärenden by organ, status (by its title) and registration dates."""

    organ = django_filters.ModelChoiceFilter(
        label=_("Organ"), queryset=Organ.objects.order_by("kod"), empty_label=_("Alla organ")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="state", choices=statusval, empty_label=_("Alla")
    )
    fran = django_filters.DateFilter(
        label=_("Registrerat från och med"), field_name="registrerat", lookup_expr="gte"
    )
    till = django_filters.DateFilter(
        label=_("Registrerat till och med"), field_name="registrerat", lookup_expr="lte"
    )

    class Meta:
        model = Arende
        fields = ["organ", "status", "fran", "till"]


class GranskningsTabell(Tabell):
    """The granskningslogg's rows (:func:`arenden.granskning.services.med_objekt`): each
    step with what it concerns, by whom (their name) and the state it led to (its title)."""

    SORTERING = {
        "tidpunkt": ("timestamp",),
        "vem": ("actor__first_name", "actor__last_name", "actor_name"),
    }

    tidpunkt = tables.TemplateColumn(
        verbose_name=_("Tidpunkt"),
        accessor="entry__timestamp",
        template_code=(
            '<time datetime="{{ value|date:\'c\' }}">{{ value|date:"Y-m-d H:i" }}</time>'
        ),
    )
    avser = tables.TemplateColumn(
        verbose_name=_("Ärende, sammanträde eller begäran"),
        accessor="etikett",
        template_code=(
            '{% if record.url %}<a class="ds-link" href="{{ record.url }}">'
            "{{ value }}</a>{% endif %}"
        ),
    )
    organ = tables.Column(verbose_name=_("Organ"), accessor="organ", default="")
    steg = tables.Column(verbose_name=_("Steg"), accessor="steg", default="")
    status = tables.Column(verbose_name=_("Ny status"), accessor="status", default="")
    vem = tables.TemplateColumn(
        verbose_name=_("Vem"),
        accessor="namn",
        template_code=(
            "{{ value }}{% with h=record.entry %}{% if h.actor and h.actor.get_full_name %}"
            " <small>({{ h.actor_name }})</small>{% endif %}{% endwith %}"
        ),
    )
    roller = tables.Column(verbose_name=_("I egenskap av"), accessor="roller", empty_values=())
    kommentar = tables.Column(verbose_name=_("Kommentar"), accessor="kommentar", default="")

    def render_roller(self, value):
        return ", ".join(value) if value else "–"


class SokFilter(django_filters.FilterSet):
    """The search's own narrowing of the ärenden: organ and status (by its title); the words
    and dates are the search form's."""

    organ = ArendeFilter.base_filters["organ"]
    status = ArendeFilter.base_filters["status"]

    class Meta:
        model = Arende
        fields = ["organ", "status"]
