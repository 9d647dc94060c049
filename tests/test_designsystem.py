"""The pages wear Designsystemet (Digdir's public-sector design system), vendored into the
static files: a form with mistakes opens with an error summary that a screen reader announces
(``role="alert"``) and that links to each field; every field points at its help text and its
error (``aria-describedby``); states are tags; messages are alerts; nothing is fetched from
elsewhere."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


def _element(html: str, id_: str) -> str:
    """The opening tag and text of the element with ``id_`` (up to its first closing tag)."""
    found = re.search(rf'<[^>]*\bid="{re.escape(id_)}"[^>]*>[^<]*', html)
    assert found, f"no element with id {id_}"
    return found.group(0)


def _describedby(html: str, id_: str) -> list[str]:
    tag = _element(html, id_)
    found = re.search(r'aria-describedby="([^"]+)"', tag)
    return found.group(1).split() if found else []


def test_a_form_with_mistakes_opens_with_an_error_summary_linking_to_the_fields(client, cast):
    client.force_login(cast.registrator)
    svar = client.post(reverse("arenden:registrera"), {"organ": cast.organ.pk, "typ": "x"})
    html = svar.content.decode()
    assert svar.status_code == 200
    summary = re.search(r'<div class="ds-error-summary" role="alert".*?</div>', html, re.S)
    assert summary, "the error summary is missing"
    links = re.findall(r'<a class="ds-link" href="#([^"]+)">([^<]+)</a>', summary.group(0))
    # each mistake, named by its field's label, one click from the field itself
    assert ("id_arendemening", "Ärendemening: Det här fältet är obligatoriskt.") in links
    assert any(href == "id_typ" and text.startswith("Ärendetyp: ") for href, text in links)
    # the field says it is wrong, and its error is read out with it
    assert 'aria-invalid="true"' in _element(html, "id_arendemening")
    assert "id_arendemening-fel" in _describedby(html, "id_arendemening")
    assert "Det här fältet är obligatoriskt." in _element(html, "id_arendemening-fel")


def test_help_texts_are_shown_and_read_out_with_their_field(client, cast):
    client.force_login(cast.registrator)
    html = client.get(reverse("arenden:registrera")).content.decode()
    assert _describedby(html, "id_diarienummer") == ["id_diarienummer_helptext"]
    assert "Lämnas tomt för nästa nummer i serien" in _element(html, "id_diarienummer_helptext")
    assert 'class="ds-input"' in _element(html, "id_diarienummer")
    assert _describedby(html, "id_arendemening") == []  # no help text, nothing to point at
    # a field without mistakes does not open the error summary
    assert "ds-error-summary" not in html


def test_the_state_is_a_tag_and_a_message_an_alert(client, cast):
    arende = cast.registrera("Handslag med Cancerfonden")
    client.force_login(cast.stabschef)
    html = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert re.search(r'<strong class="ds-tag" data-color="info">Registrerat</strong>', html)
    # a step on a page that someone else has changed since: the message is an alert
    svar = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        {"overgang": "tilldela", "status": "tilldelat", "steg": "0"},
        follow=True,
    )
    html = svar.content.decode()
    alert = re.search(r'<div class="ds-alert" data-color="danger" role="alert">(.*?)</div>', html)
    assert alert and "Ärendet har ändrats av någon annan" in alert.group(1)


def test_the_design_system_is_served_from_the_apps_own_static_files(client, cast):
    """No external resource at run time: every stylesheet is one of the app's static files,
    the vendored Designsystemet among them with its MIT licence beside it."""
    client.force_login(cast.registrator)
    html = client.get(reverse("arenden:start")).content.decode()
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert [h.rsplit("/", 1)[-1] for h in hrefs] == ["tema.css", "designsystemet.css", "site.css"]
    for href in hrefs:
        assert href.startswith("/static/") and finders.find(href.removeprefix("/static/"))
    assert "<style" not in html and "://" not in " ".join(re.findall(r'(?:src|href)="[^"]*"', html))
    licence = finders.find("arenden/designsystemet/LICENSE-designsystemet-css")
    assert "Permission is hereby granted" in open(licence, encoding="utf-8").read()
    # the skip link and the main landmark it leads to
    assert '<a class="ds-skip-link" href="#innehall">' in html and '<main id="innehall"' in html


def test_pagination_is_the_design_systems_and_keeps_the_filter():
    sida = Paginator(range(3), 1).get_page(2)
    html = render_to_string("arenden/_sidor.html", {"sida": sida, "params": "q=787"})
    assert '<nav class="ds-pagination" aria-label="Sidor">' in html
    assert re.search(r'<a class="ds-button"[^>]* href="\?q=787&amp;sida=1">Föregående</a>', html)
    assert re.search(r'<a class="ds-button"[^>]* href="\?q=787&amp;sida=3">Nästa</a>', html)
    assert re.search(r'aria-current="page">Sida 2 av 3</span>', html)
    # one page only: nothing to page through
    assert (
        render_to_string("arenden/_sidor.html", {"sida": Paginator([1], 1).get_page(1)}).strip()
        == ""
    )


def test_the_lists_wear_the_systems_table_tags_buttons_and_labelled_filters(client, cast):
    """The worklists, the search, the meetings and the delegationsordning use the system's
    components like the ärende page: a ``ds-table``, the state as a tag, the filter's fields
    with their labels and its button, the links as the system's links."""
    arende = cast.registrera("Handslag med Cancerfonden")
    factories.mote(arende)
    client.force_login(cast.revisor)
    html = client.get(reverse("arenden:arbetslista", args=["alla_arenden"])).content.decode()
    assert '<table class="ds-table" data-border>' in html
    assert re.search(r'<span class="ds-tag" data-color="neutral">Registrerat</span>', html)
    assert re.search(rf'<a class="ds-link" href="[^"]+">{arende.diarienummer}</a>', html)
    for falt in ("organ", "status"):
        assert re.search(rf'<label class="ds-label" for="id_{falt}">', html)
    assert '<button type="submit" class="ds-button">Filtrera</button>' in html

    client.force_login(cast.sekreterare)
    html = client.get(reverse("arenden:mina_arenden")).content.decode()
    assert '<label class="ds-label" for="status">Status</label>' in html
    assert '<select class="ds-input" name="status" id="status">' in html
    html = client.get(reverse("arenden:sammantraden")).content.decode()
    assert '<table class="ds-table" data-border>' in html
    assert re.search(r'<span class="ds-tag" data-color="neutral">Planerat</span>', html)
    for sida in ("sok", "postlista"):
        html = client.get(reverse(f"arenden:{sida}")).content.decode()
        assert re.search(r'<button type="submit" class="ds-button">(Sök|Visa)</button>', html)
