"""A stored file is handed out only while it is the file that was filed: each handling and
each filed protokoll has the SHA-256 recorded when it was filed (and that record has a signed
history), but nothing read the file against it. A file swapped or damaged in the storage was
served as the record, on the anslagstavla with the old checksum in its header, and
``filkontroll`` saw only that it existed."""

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arenden.diarium.services import lagg_till_handling
from arenden.handlaggning.services import tilldela
from arenden.models import Handling, Protokollfil
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FALSK = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% ett annat innehall\n"
VAGRAN = "stämmer inte med kontrollsumman som sparades när den arkiverades"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def handling():
    cast = factories.Cast()
    arende = cast.registrera("Ett ärende")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    handling = lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.BILAGA,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Underlag",
        fil=SimpleUploadedFile("underlag.pdf", PDF),
    )
    return cast, handling


def _sida(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


def test_a_handlings_file_is_handed_out_while_it_is_the_one_filed(handling):
    cast, h = handling
    svar = _sida(cast.handlaggare).get(reverse("arenden:handling_fil", args=[h.pk]))
    assert svar.status_code == 200 and b"".join(svar.streaming_content) == PDF


def test_a_handlings_file_swapped_in_the_storage_is_refused_on_the_page_and_in_the_api(
    handling,
):
    cast, h = handling
    Path(h.fil.path).write_bytes(FALSK)
    sida = _sida(cast.handlaggare)
    svar = sida.get(
        reverse("arenden:handling_fil", args=[h.pk]), HTTP_REFERER=f"/arende/{h.arende_id}/"
    )
    assert svar.status_code == 302 and svar["Location"] == f"/arende/{h.arende_id}/"
    [meddelande] = [str(m) for m in get_messages(svar.wsgi_request)]
    assert f"Filen till handlingen {h.beteckning} {VAGRAN}" in meddelande
    api = APIClient()
    nyckel = Token.objects.get_or_create(user=cast.handlaggare)[0].key
    api.credentials(HTTP_AUTHORIZATION=f"Token {nyckel}")
    svar = api.get(f"/api/handlingar/{h.pk}/fil/")
    assert 400 <= svar.status_code < 500 and VAGRAN in svar.json()["detail"]


def test_filkontroll_reads_every_file_against_its_checksum(handling):
    _cast, h = handling
    out = io.StringIO()
    call_command("filkontroll", stdout=out)
    assert "0 arkiverade filer som saknas eller inte stämmer" in out.getvalue()
    Path(h.fil.path).write_bytes(FALSK)
    with pytest.raises(CommandError, match="1 arkiverade filer saknas eller stämmer inte"):
        call_command("filkontroll", stdout=out)
    assert f"handlingen {h.beteckning}: filen {VAGRAN}: {h.fil.name}" in out.getvalue()


def test_a_filed_protokoll_swapped_in_the_storage_is_not_served_nor_passed(
    django_capture_on_commit_callbacks,
):
    mote = Mote(cast_for("HSN")).till("anslaget")
    s = mote.sammantrade
    assert Client().get(f"/anslagstavla/{s.pk}/protokoll.pdf").status_code == 200
    for rad in Protokollfil.objects.filter(sammantrade=s):
        Path(rad.fil.path).write_bytes(FALSK)
    svar = Client().get(f"/anslagstavla/{s.pk}/protokoll.pdf")
    assert svar.status_code == 302
    assert VAGRAN in str(next(iter(get_messages(svar.wsgi_request))))
    svar = _sida(mote.sek).get(reverse("arenden:mote_protokollfil", args=[s.pk, 1]))
    assert svar.status_code == 302
    out = io.StringIO()
    with pytest.raises(CommandError, match="stämmer inte"):
        call_command("filkontroll", stdout=out)
    assert f"protokollet {s}, version 1: filen {VAGRAN}" in out.getvalue()
