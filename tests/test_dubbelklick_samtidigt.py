"""A double click on PostgreSQL over HTTP: the same form, with the same key, sent by the same
user twice at the same moment, each sending on its own connection. Exactly one step in the
ärende's history, and the second click is led to the first one's result with a Swedish
message, never a 500."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.test_inskick import samtidigt
from workflow.engine import history

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _nyckel(page: str) -> str:
    return re.search(r'name="inskick" value="(\w+)"', page).group(1)


def test_tilldela_dubbelklickat_samtidigt_tas_en_gang():
    factories.rollernas_rattigheter()
    cast = factories.Cast()
    arende = cast.registrera("Att tilldela")
    forsta = Client()
    forsta.force_login(cast.stabschef)
    andra = Client()
    andra.cookies = forsta.cookies  # the same session: one browser, two clicks
    url = reverse("arenden:tilldela", args=[arende.pk])
    sida = forsta.get(url).content.decode()
    data = {
        "handlaggare": cast.handlaggare.pk,
        "kommentar": "",
        "ansvarig-TOTAL_FORMS": "0",
        "ansvarig-INITIAL_FORMS": "0",
        "inskick": _nyckel(sida),
        "version": re.search(r'name="version" value="(\d+)"', sida).group(1),
    }
    svar = samtidigt([forsta, andra], url, data)
    assert sorted(r.status_code for r in svar) == [302, 302]
    assert {r["Location"] for r in svar} == {reverse("arenden:arende", args=[arende.pk])}
    assert [h.transition for h in history(arende)] == ["", "tilldela"]
    # the second click is told so in its own response: which response's message cookie the
    # shared jar keeps last is a race between the two threads (in a browser, the last shown)
    sagt = [str(m) for r in svar for m in get_messages(r.wsgi_request)]
    assert "Formuläret var redan skickat; här är resultatet." in sagt


def test_ny_begaran_dubbelklickad_samtidigt_registreras_en_gang(settings, tmp_path):
    import datetime

    from django.core.files.base import ContentFile

    from arenden.diarium import services as diarium_services
    from arenden.handlaggning import services as handlaggning_services
    from arenden.models import Begaran
    from tests.test_begaran import _pdf

    settings.MEDIA_ROOT = tmp_path
    factories.rollernas_rattigheter()
    cast = factories.Cast()
    arende = cast.registrera("Tillsyn av äldreboendet Solgården")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    skrivelse = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Skrivelse från anhöriga",
        datum=datetime.date(2025, 10, 21),
        fil=ContentFile(_pdf("Anhörigas synpunkter"), name="skrivelse.pdf"),
    )
    forsta = Client()
    forsta.force_login(cast.registrator)
    andra = Client()
    andra.cookies = forsta.cookies
    url = reverse("arenden:ny_begaran", args=[arende.pk])
    data = {
        "inkommen": "2025-11-03",
        "handlingar": [skrivelse.pk],
        "avser": "Skrivelsen från de anhöriga",
        "form": "epost",
        "inskick": _nyckel(forsta.get(url).content.decode()),
    }
    svar = samtidigt([forsta, andra], url, data)
    [begaran] = Begaran.objects.all()
    assert sorted(r.status_code for r in svar) == [302, 302]
    assert {r["Location"] for r in svar} == {reverse("arenden:begaran", args=[begaran.pk])}
    assert begaran.rader.count() == 1
