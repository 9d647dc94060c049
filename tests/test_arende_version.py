"""Optimistic concurrency on the ärende as a whole (issue 13, item 1): every change to the
ärende or one of its parts (tjänsteskrivelse, sändlista and recipients, handlingar, uppdrag,
the ärende's own fields, a step) moves one version, and every form on the ärende carries the
version it was read at. Two people with forms read at the same version: the first save wins;
the second is refused, told what changed, by whom and when, nothing of it is written, and what
it sent stays in the form to be sent again. Over HTTP with the test client, and on
PostgreSQL with the two sendings at the same moment."""

import datetime
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from arenden.diarium.services import arendets_version, lagg_till_handling
from arenden.handlaggning.services import (
    expediera_till,
    satt_sandlista,
    tilldela,
)
from arenden.models import Arende, Handling, Mottagare, Tjansteskrivelse, Uppdrag
from arenden.organisation import roles
from tests import factories
from workflow import roles as workflow_roles
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

INAKTUELL = "Ärendet har ändrats sedan du öppnade sidan"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def _prepared(cast, kollega=None, arendemening="Handslag med Cancerfonden"):
    """An ärende under beredning; its handläggare Hanna and a beredningsansvarig, Karl, who
    is a second handläggare too (marking secrecy is the handläggare's)."""
    _named(cast.handlaggare, "Hanna", "Handläggare")
    kollega = kollega or _named(factories.user("kollega"), "Karl", "Kollega")
    arende = cast.registrera(arendemening)
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    workflow_roles.grant(arende, roles.BEREDNINGSANSVARIG, user=kollega)
    workflow_roles.grant(arende, roles.HANDLAGGARE, user=kollega)
    return arende, kollega


def _fil(titel):
    return SimpleUploadedFile(f"{titel}.txt", f"{titel}\n".encode(), content_type="text/plain")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _read(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return _version(response.content.decode())


def _refused(response, *, what: str, who: str = "Karl Kollega") -> str:
    """The page shown to the one who came second: the form again, saying what changed."""
    assert response.status_code == 200
    page = response.content.decode()
    assert INAKTUELL in page
    assert f"{what} ({who}, " in page
    assert "inte sparat" in page
    return page


def _skrivelse(forfattare, text, version):
    return {
        "datum": "2025-10-16",
        "forfattare": forfattare.pk,
        "forslag_till_beslut": text,
        "version": version,
    }


# -- one part at a time, over HTTP -----------------------------------------------------------


def test_two_writers_of_the_tjansteskrivelse(cast):
    arende, kollega = _prepared(cast)
    forfattare = factories.person("Yvonne E Nygren")
    url = reverse("arenden:tjansteskrivelse", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    lasta = _read(hanna, url)
    assert _read(karl, url) == lasta

    assert karl.post(url, _skrivelse(forfattare, "Kollegans förslag.", lasta)).status_code == 302
    svar = hanna.post(url, _skrivelse(forfattare, "Handläggarens förslag.", lasta))
    page = _refused(svar, what="tjänsteskrivelsen")
    assert "Handläggarens förslag." in page  # her text, still in the form
    assert "Den sparade texten" in page and "Kollegans förslag." in page
    assert Tjansteskrivelse.objects.get().forslag_till_beslut == "Kollegans förslag."
    # the form now carries the version that is: sending it again is a choice
    ny = _version(page)
    assert int(ny) == arendets_version(Arende.objects.get()) > int(lasta)
    assert hanna.post(url, _skrivelse(forfattare, "Handläggarens förslag.", ny)).status_code == 302
    assert Tjansteskrivelse.objects.get().forslag_till_beslut == "Handläggarens förslag."


def test_two_people_adding_to_the_sandlista(cast):
    arende, kollega = _prepared(cast)
    url = reverse("arenden:sandlista", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    lasta = _read(hanna, url)
    assert _read(karl, url) == lasta

    assert karl.post(url, {"adress": "Cancerfonden", "version": lasta}).status_code == 302
    svar = hanna.post(url, {"adress": "Region Västerbotten", "version": lasta})
    page = _refused(svar, what="sändlistan och expedieringen")
    assert 'value="Region Västerbotten"' in page
    assert [str(m) for m in Mottagare.objects.all()] == ["Cancerfonden"]
    ny = _version(page)
    assert hanna.post(url, {"adress": "Region Västerbotten", "version": ny}).status_code == 302
    assert [str(m) for m in Mottagare.objects.order_by("ordning")] == [
        "Cancerfonden",
        "Region Västerbotten",
    ]


def test_removing_a_recipient_from_a_list_read_before_someone_else_changed_it(cast):
    arende, kollega = _prepared(cast)
    satt_sandlista(arende, ["Cancerfonden"], user=cast.handlaggare)
    url = reverse("arenden:sandlista", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    lasta = _read(hanna, url)
    cancerfonden = Mottagare.objects.get()
    # she is asked first; the question carries the version she read the list at
    fraga = hanna.post(url, {"ta_bort": cancerfonden.pk, "version": lasta}).content.decode()
    assert "Ta bort Cancerfonden från sändlistan?" in fraga
    assert _version(fraga) == lasta

    assert karl.post(url, {"adress": "Region Västerbotten", "version": lasta}).status_code == 302
    svar = hanna.post(
        url, {"ta_bort": cancerfonden.pk, "bekraftat": "1", "version": lasta}, follow=True
    )
    _refused(svar, what="sändlistan och expedieringen")
    assert sorted(str(m) for m in Mottagare.objects.all()) == [
        "Cancerfonden",
        "Region Västerbotten",
    ]


def test_two_uploads_from_forms_read_at_the_same_version(cast, tmp_path):
    arende, kollega = _prepared(cast)
    url = reverse("arenden:ny_handling", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    lasta = _read(hanna, url)
    assert _read(karl, url) == lasta

    def handling(titel, version):
        return {
            "typ": "skrivelse",
            "riktning": "inkommen",
            "datum": "2025-10-20",
            "titel": titel,
            "version": version,
            "fil": _fil(titel),
        }

    assert karl.post(url, handling("Kollegans skrivelse", lasta)).status_code == 302
    page = _refused(
        hanna.post(url, handling("Handläggarens skrivelse", lasta)), what="handlingarna"
    )
    assert 'value="Handläggarens skrivelse"' in page
    assert "Välj filen igen" in page  # a browser never sends a chosen file twice
    assert [h.titel for h in Handling.objects.all()] == ["Kollegans skrivelse"]
    # the refused upload left no file behind
    [kollegans] = Handling.objects.all()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [
        kollegans.fil.name.rsplit("/", 1)[-1]
    ]


def test_marking_a_handling_secret_from_a_form_read_before_another_marking(cast):
    """A handling's metadata (its marking and offentlig titel) is changed on the sekretess
    page; two handläggare try it at once."""
    arende, kollega = _prepared(cast)
    handling = lagg_till_handling(
        arende, user=cast.handlaggare, typ="skrivelse", riktning="inkommen", titel="Läkarintyg"
    )
    url = reverse("arenden:sekretess", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    lasta = _read(hanna, url)
    assert _read(karl, url) == lasta

    def markering(lagrum, titel, version):
        return {
            "handling": handling.pk,
            "lagrum": lagrum,
            "offentlig_rubrik": titel,
            "motivering": "Uppgifter om hälsa.",
            "version": version,
        }

    svar = karl.post(url, markering("OSL 25 kap. 1 §", "Intyg", lasta))
    assert svar.status_code == 302
    page = _refused(
        hanna.post(url, markering("OSL 21 kap. 1 §", "Läkarintyget", lasta)), what="handlingarna"
    )
    assert 'value="Läkarintyget"' in page and 'value="OSL 21 kap. 1 §"' in page
    handling.refresh_from_db()
    assert (handling.sekretess_lagrum, handling.offentlig_titel) == ("OSL 25 kap. 1 §", "Intyg")


def test_two_people_correcting_the_arende(cast):
    arende, kollega = _prepared(cast)
    url = reverse("arenden:andra_arende", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    page = hanna.get(url).content.decode()
    assert 'value="Handslag med Cancerfonden"' in page
    lasta = _version(page)
    assert _read(karl, url) == lasta

    def uppgifter(mening, version):
        return {"arendemening": mening, "avsandare": "Cancerfonden", "version": version}

    assert karl.post(url, uppgifter("Handslag med Cancerfonden 2026", lasta)).status_code == 302
    page = _refused(
        hanna.post(url, uppgifter("Handslag om palliativ vård", lasta)), what="ärendets uppgifter"
    )
    assert 'value="Handslag om palliativ vård"' in page
    arende.refresh_from_db()
    assert arende.arendemening == "Handslag med Cancerfonden 2026"
    ny = _version(page)
    assert hanna.post(url, uppgifter("Handslag om palliativ vård", ny)).status_code == 302
    arende.refresh_from_db()
    assert arende.arendemening == "Handslag om palliativ vård"
    # the revisor reads who changed what, from what, to what
    assert arende.history.filter(arendemening="Handslag om palliativ vård").get().history_user == (
        cast.handlaggare
    )


def test_the_arende_form_is_only_for_who_may_change_it_and_read_it(cast):
    arende, _kollega = _prepared(cast)
    url = reverse("arenden:andra_arende", args=[arende.pk])
    assert _client(cast.revisor).get(url).status_code == 403
    hemligt = cast.registrera("Hemligt", sekretess_lagrum="OSL 25 kap. 1 §")
    # the registrator may correct an ärende, but not read a secret one's ärendemening
    hemlig_url = reverse("arenden:andra_arende", args=[hemligt.pk])
    assert _client(cast.registrator).get(hemlig_url).status_code == 403
    svar = _client(cast.stabschef).post(
        hemlig_url,
        factories.fran_arendesidan(hemligt, {"arendemening": "Hemligt", "offentlig_rubrik": ""}),
    )
    assert "Ange en offentlig rubrik" in svar.content.decode()
    hemligt.refresh_from_db()
    assert hemligt.offentlig_rubrik == "Ärende med sekretess"


def _bevakas(cast, arende, uppdrag):
    satt_sandlista(arende, ["Pia Näsvall, HSD"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall",
        uppdrag=[(u, datetime.date(2026, 6, 17), None) for u in uppdrag],
    )
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "bevakas"
    return lagg_till_handling(
        arende, user=cast.handlaggare, typ="aterrapport", riktning="upprattad", titel="Rapport"
    )


def test_two_people_reporting_the_last_two_uppdrag(cast):
    arende, kollega = _prepared(cast)
    rapport = _bevakas(cast, arende, ["Punkt 1–2", "Punkt 3–4"])
    forsta, andra = arende.uppdrag.all()
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    url_forsta = reverse("arenden:redovisa", args=[forsta.pk])
    url_andra = reverse("arenden:redovisa", args=[andra.pk])
    lasta = _read(hanna, url_forsta)
    assert _read(karl, url_andra) == lasta

    data = {"handling": rapport.pk, "redovisat": "2026-06-10", "version": lasta}
    assert karl.post(url_andra, data).status_code == 302
    page = _refused(hanna.post(url_forsta, data), what="uppdragen")
    assert 'value="2026-06-10"' in page
    assert list(Uppdrag.objects.exclude(redovisat=None)) == [andra]
    arende.refresh_from_db()
    assert arende.state == "bevakas"
    assert hanna.post(url_forsta, {**data, "version": _version(page)}).status_code == 302
    arende.refresh_from_db()
    assert arende.state == "avslutat"


def test_two_people_sending_to_the_last_two_recipients(cast):
    arende, _kollega = _prepared(cast)
    satt_sandlista(arende, ["Pia Näsvall, HSD", "Cancerfonden"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall")
    _named(cast.sekreterare, "Sara", "Sekreterare")
    url = reverse("arenden:expediera", args=[arende.pk])
    sara, rut = _client(cast.sekreterare), _client(cast.registrator)
    lasta = _read(sara, url)
    assert _read(rut, url) == lasta
    pia, cancerfonden = arende.mottagare.all()

    def skicka(mottagare):
        return {"mottagare": mottagare.pk, "metod": "e-post", "version": lasta}

    assert sara.post(url, skicka(pia)).status_code == 302
    _refused(
        rut.post(url, skicka(cancerfonden), follow=True),
        what="sändlistan och expedieringen",
        who="Sara Sekreterare",
    )
    cancerfonden.refresh_from_db()
    assert cancerfonden.expedierad is None
    arende.refresh_from_db()
    assert arende.state == "beslutat"


# -- the ärende as a whole -------------------------------------------------------------------


def test_a_form_is_stale_after_a_change_to_any_other_part(cast):
    """The tjänsteskrivelse, read before a colleague filed a handling, is refused: the version
    is the ärende's, not the tjänsteskrivelse's."""
    arende, kollega = _prepared(cast)
    forfattare = factories.person("Yvonne E Nygren")
    url = reverse("arenden:tjansteskrivelse", args=[arende.pk])
    hanna = _client(cast.handlaggare)
    lasta = _read(hanna, url)
    lagg_till_handling(arende, user=kollega, typ="bilaga", riktning="intern", titel="Kalkyl")
    _refused(hanna.post(url, _skrivelse(forfattare, "Förslag.", lasta)), what="handlingarna")
    assert not Tjansteskrivelse.objects.exists()


def test_a_step_from_a_page_read_before_a_change_is_refused(cast):
    """Markera som beredd from the ärende page, read before the colleague rewrote the
    förslag till beslut: the handläggare is told, and the ärende does not move."""
    arende, kollega = _prepared(cast)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    url = reverse("arenden:arende", args=[arende.pk])
    hanna = _client(cast.handlaggare)
    page = hanna.get(url).content.decode()
    steg = re.search(r'name="steg" value="(\d+)"', page).group(1)
    data = {
        "overgang": "markera_beredd",
        "status": "under_beredning",
        "steg": steg,
        "version": _version(page),
    }
    forfattare = Tjansteskrivelse.objects.get().forfattare
    karl = _client(kollega)
    karl_version = _read(karl, reverse("arenden:tjansteskrivelse", args=[arende.pk]))
    karl.post(
        reverse("arenden:tjansteskrivelse", args=[arende.pk]),
        _skrivelse(forfattare, "Att avslå förslaget.", karl_version),
    )
    svar = hanna.post(reverse("arenden:overgang", args=[arende.pk]), data, follow=True)
    _refused(svar, what="tjänsteskrivelsen")
    arende.refresh_from_db()
    assert arende.state == "under_beredning"
    data["version"] = _version(svar.content.decode())
    hanna.post(reverse("arenden:overgang", args=[arende.pk]), data)
    arende.refresh_from_db()
    assert arende.state == "beredd"


def test_every_change_moves_the_version_once(cast):
    arende, kollega = _prepared(cast)
    fore = arendets_version(arende)
    satt_sandlista(arende, ["Cancerfonden"], user=kollega)
    assert arendets_version(Arende.objects.get()) == fore + 1
    do_transition(arende, "vila", cast.stabschef, "Paus")
    assert arendets_version(Arende.objects.get()) == fore + 2  # a step is a change too


def test_a_double_click_shows_the_first_clicks_result_not_a_stale_form(cast):
    arende, _kollega = _prepared(cast)
    url = reverse("arenden:sandlista", args=[arende.pk])
    hanna = _client(cast.handlaggare)
    page = hanna.get(url).content.decode()
    nyckel = re.search(r'name="inskick" value="(\w+)"', page).group(1)
    data = {"adress": "Cancerfonden", "version": _version(page), "inskick": nyckel}
    forsta = hanna.post(url, data)
    andra = hanna.post(url, data, follow=True)
    assert forsta.status_code == 302 and andra.redirect_chain[0][0] == forsta["Location"]
    text = andra.content.decode()
    assert "Formuläret var redan skickat" in text and INAKTUELL not in text
    assert [str(m) for m in Mottagare.objects.all()] == ["Cancerfonden"]


# -- at the same moment, on PostgreSQL -------------------------------------------------------


def _at_once(*sendings):
    """Each (client, url, data) is posted at the same moment; the responses, in order."""
    barrier = threading.Barrier(len(sendings), timeout=30)
    svar, fel = [None] * len(sendings), []

    def skicka(i, client, url, data):
        try:
            barrier.wait()
            svar[i] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 - reported below
            fel.append(error)
        finally:
            connection.close()

    tradar = [threading.Thread(target=skicka, args=(i, *s)) for i, s in enumerate(sendings)]
    for trad in tradar:
        trad.start()
    for trad in tradar:
        trad.join()
    assert fel == []
    return svar


def _one_won(svar) -> int:
    """Exactly one sending was saved (a redirect); the other was shown its form again,
    saying what changed. The index of the winner."""
    assert sorted(s.status_code for s in svar) == [200, 302]
    [vinnare] = [i for i, s in enumerate(svar) if s.status_code == 302]
    forlorare = svar[1 - vinnare].content.decode()
    assert INAKTUELL in forlorare and "inte sparat" in forlorare
    return vinnare


RUNDOR = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_at_the_same_moment_the_tjansteskrivelse_and_the_sandlista_one_wins():
    """Two parts, one ärende: Hanna saves the tjänsteskrivelse as Karl adds a recipient,
    both from pages read at the same version. One is saved, the other is told."""
    cast = factories.Cast()
    arende, kollega = _prepared(cast)
    forfattare = factories.person("Yvonne E Nygren")
    skrivelse = reverse("arenden:tjansteskrivelse", args=[arende.pk])
    sandlista = reverse("arenden:sandlista", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    vunna = set()
    for runda in range(RUNDOR):
        lasta = _read(hanna, skrivelse)
        assert _read(karl, sandlista) == lasta
        fore = (
            Tjansteskrivelse.objects.filter(arende=arende)
            .values_list("forslag_till_beslut", flat=True)
            .first(),
            Mottagare.objects.count(),
        )
        svar = _at_once(
            (hanna, skrivelse, _skrivelse(forfattare, f"Förslag {runda}", lasta)),
            (karl, sandlista, {"adress": f"Mottagare {runda}", "version": lasta}),
        )
        vinnare = _one_won(svar)
        vunna.add(vinnare)
        efter = (
            Tjansteskrivelse.objects.get(arende=arende).forslag_till_beslut
            if Tjansteskrivelse.objects.exists()
            else None,
            Mottagare.objects.count(),
        )
        if vinnare == 0:
            assert efter == (f"Förslag {runda}", fore[1])
        else:
            assert efter == (fore[0], fore[1] + 1)
        assert arendets_version(Arende.objects.get()) == int(lasta) + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_at_the_same_moment_two_uploads_one_wins(tmp_path):
    cast = factories.Cast()
    arende, kollega = _prepared(cast)
    url = reverse("arenden:ny_handling", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    for runda in range(RUNDOR):
        lasta = _read(hanna, url)
        assert _read(karl, url) == lasta
        sandningar = [
            (
                klient,
                url,
                {
                    "typ": "skrivelse",
                    "riktning": "inkommen",
                    "datum": "2025-10-20",
                    "titel": f"{namn} {runda}",
                    "version": lasta,
                    "fil": _fil(f"{namn} {runda}"),
                },
            )
            for klient, namn in ((hanna, "Hanna"), (karl, "Karl"))
        ]
        vinnare = _one_won(_at_once(*sandningar))
        titlar = list(Handling.objects.filter(arende=arende).values_list("titel", flat=True))
        assert titlar[-1] == f"{('Hanna', 'Karl')[vinnare]} {runda}"
        assert len(titlar) == runda + 1
    # every file on disk belongs to a handling
    filer = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert filer == sorted(h.fil.name.rsplit("/", 1)[-1] for h in Handling.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_at_the_same_moment_two_corrections_of_the_arende_one_wins():
    cast = factories.Cast()
    arende, kollega = _prepared(cast)
    url = reverse("arenden:andra_arende", args=[arende.pk])
    hanna, karl = _client(cast.handlaggare), _client(kollega)
    for runda in range(RUNDOR):
        lasta = _read(hanna, url)
        assert _read(karl, url) == lasta
        svar = _at_once(
            *(
                (klient, url, {"arendemening": f"{namn} {runda}", "version": lasta})
                for klient, namn in ((hanna, "Hanna"), (karl, "Karl"))
            )
        )
        vinnare = _one_won(svar)
        arende.refresh_from_db()
        assert arende.arendemening == f"{('Hanna', 'Karl')[vinnare]} {runda}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_at_the_same_moment_the_last_two_uppdrag_the_arende_closes_once():
    cast = factories.Cast()
    kollega = None
    for runda in range(RUNDOR):
        arende, kollega = _prepared(cast, kollega, f"Handslag {runda}")
        rapport = _bevakas(cast, arende, ["Punkt 1–2", "Punkt 3–4"])
        forsta, andra = arende.uppdrag.all()
        hanna, karl = _client(cast.handlaggare), _client(kollega)
        urls = [reverse("arenden:redovisa", args=[u.pk]) for u in (forsta, andra)]
        lasta = _read(hanna, urls[0])
        assert _read(karl, urls[1]) == lasta
        data = {"handling": rapport.pk, "redovisat": "2026-06-10", "version": lasta}
        _one_won(_at_once((hanna, urls[0], data), (karl, urls[1], data)))
        assert arende.uppdrag.filter(redovisat=None).count() == 1
        arende.refresh_from_db()
        assert arende.state == "bevakas"
        assert [h.transition for h in history(arende)].count("avsluta_aterrapporterat") == 0
